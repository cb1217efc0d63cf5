// Who holds which role in a tenant. Bootstrap admins (ADMIN_USER_IDS) are admins in every
// tenant they talk from, so a fresh install has someone who can grant the first roles; they
// cannot be revoked in chat.
import type { Database } from '../../prisma/store.ts';
import { ensureTenant } from '../conversations/conversation-repository.ts';
import { actorLabel, type Actor } from '../shared/actor.ts';
import type { Clock } from '../shared/clock.ts';
import { DomainError } from '../shared/errors.ts';
import { newId } from '../shared/random.ts';
import { roles as allRoles, type Role } from './role.ts';

export interface RoleHolder {
  userAadObjectId: string;
  userName: string | null;
  role: Role;
  bootstrap: boolean;
}

export function createRolesService(db: Database, clock: Clock, bootstrapAdmins: readonly string[]) {
  const bootstrap = new Set(bootstrapAdmins.map((id) => id.toLowerCase()));
  const isBootstrapAdmin = (userId: string) => bootstrap.has(userId.toLowerCase());

  function checkRole(role: string): Role {
    if (!(allRoles as readonly string[]).includes(role)) {
      throw new DomainError('invalid_input', `"${role}" is not a role. Roles are: ${allRoles.join(', ')}.`);
    }
    return role as Role;
  }

  return {
    isBootstrapAdmin,

    async rolesOf(tenantId: string, rawUserId: string | null): Promise<Set<Role>> {
      if (!rawUserId) return new Set();
      // Object ids are GUIDs: compared without regard to case.
      const userId = rawUserId.toLowerCase();
      const held = new Set<Role>();
      if (isBootstrapAdmin(userId)) held.add('admin');
      const rows = await db.roleGrant.findMany({ where: { tenantId, userAadObjectId: userId } });
      for (const row of rows) held.add(checkRole(row.role));
      return held;
    },

    async grant(actor: Actor, tenantId: string, person: { aadObjectId: string; name: string | null }, role: string): Promise<'granted' | 'already'> {
      const wanted = checkRole(role);
      const user = { ...person, aadObjectId: person.aadObjectId.toLowerCase() };
      await ensureTenant(db, tenantId);
      const existing = await db.roleGrant.findUnique({ where: { tenantId_userAadObjectId_role: { tenantId, userAadObjectId: user.aadObjectId, role: wanted } } });
      if (existing || (wanted === 'admin' && isBootstrapAdmin(user.aadObjectId))) return 'already';
      await db.roleGrant.create({
        data: { id: newId(), tenantId, userAadObjectId: user.aadObjectId, userName: user.name, role: wanted, grantedBy: actorLabel(actor), createdAt: clock.now() },
      });
      return 'granted';
    },

    async revoke(tenantId: string, rawUserId: string, role: string): Promise<'revoked' | 'not_held'> {
      const wanted = checkRole(role);
      const userId = rawUserId.toLowerCase();
      if (wanted === 'admin' && isBootstrapAdmin(userId)) {
        throw new DomainError('forbidden', 'This admin comes from ADMIN_USER_IDS in the bot\'s configuration; remove them there.');
      }
      const removed = await db.roleGrant.deleteMany({ where: { tenantId, userAadObjectId: userId, role: wanted } });
      return removed.count > 0 ? 'revoked' : 'not_held';
    },

    async list(tenantId: string): Promise<RoleHolder[]> {
      const rows = await db.roleGrant.findMany({ where: { tenantId }, orderBy: [{ role: 'asc' }, { userName: 'asc' }] });
      const granted = rows.map((row) => ({ userAadObjectId: row.userAadObjectId, userName: row.userName, role: checkRole(row.role), bootstrap: false }));
      const fromConfig = [...bootstrap].map((id) => ({ userAadObjectId: id, userName: null, role: 'admin' as const, bootstrap: true }));
      return [...fromConfig, ...granted];
    },
  };
}

export type RolesService = ReturnType<typeof createRolesService>;
