// Who holds which role in a tenant. Roles are granted to principals, (platform, user id): a
// Slack user whose id happens to equal a Teams user's id is someone else. Bootstrap admins
// (ADMIN_USER_IDS for Teams; other platforms add their own) are admins in every tenant they
// talk from, so a fresh install has someone who can grant the first roles; they cannot be
// revoked in chat.
import type { Database } from '../../prisma/store.ts';
import { ensureTenant } from '../conversations/conversation-repository.ts';
import { actorLabel, type Actor } from '../shared/actor.ts';
import type { Clock } from '../shared/clock.ts';
import { DomainError } from '../shared/errors.ts';
import { newId } from '../shared/random.ts';
import { canonicalUserId, type Platform, type Principal, type PrincipalId } from './principal.ts';
import { roles as allRoles, type Role } from './role.ts';

export interface RoleHolder {
  platform: Platform;
  userId: string;
  userName: string | null;
  role: Role;
  bootstrap: boolean;
}

const keyOf = (platform: Platform, userId: string) => `${platform}\u0000${canonicalUserId(platform, userId)}`;

export function createRolesService(db: Database, clock: Clock, bootstrapAdmins: readonly PrincipalId[]) {
  const bootstrapByKey = new Map(bootstrapAdmins.map((admin) => [keyOf(admin.platform, admin.userId), { platform: admin.platform, userId: canonicalUserId(admin.platform, admin.userId) }]));
  const bootstrapList = [...bootstrapByKey.values()];
  const bootstrap = new Set(bootstrapByKey.keys());
  const isBootstrapAdmin = (person: PrincipalId) => bootstrap.has(keyOf(person.platform, person.userId));

  function checkRole(role: string): Role {
    if (!(allRoles as readonly string[]).includes(role)) {
      throw new DomainError('invalid_input', `"${role}" is not a role. Roles are: ${allRoles.join(', ')}.`);
    }
    return role as Role;
  }

  function checkPlatform(platform: string): Platform {
    // Rows are written only by this service; anything else is a Teams row from before platforms.
    return platform === 'slack' ? 'slack' : 'teams';
  }

  return {
    isBootstrapAdmin,

    async rolesOf(principal: Pick<Principal, 'platform' | 'tenantId' | 'userId'>): Promise<Set<Role>> {
      if (!principal.userId) return new Set();
      const { platform, tenantId } = principal;
      const userId = canonicalUserId(platform, principal.userId);
      const held = new Set<Role>();
      if (isBootstrapAdmin({ platform, userId })) held.add('admin');
      const rows = await db.roleGrant.findMany({ where: { tenantId, platform, userId } });
      for (const row of rows) held.add(checkRole(row.role));
      return held;
    },

    async grant(actor: Actor, tenantId: string, person: { platform: Platform; userId: string; name: string | null }, role: string): Promise<'granted' | 'already'> {
      const wanted = checkRole(role);
      const { platform } = person;
      const userId = canonicalUserId(platform, person.userId);
      await ensureTenant(db, tenantId);
      const existing = await db.roleGrant.findUnique({ where: { tenantId_platform_userId_role: { tenantId, platform, userId, role: wanted } } });
      if (existing || (wanted === 'admin' && isBootstrapAdmin({ platform, userId }))) return 'already';
      await db.roleGrant.create({
        data: { id: newId(), tenantId, platform, userId, userName: person.name, role: wanted, grantedBy: actorLabel(actor), createdAt: clock.now() },
      });
      return 'granted';
    },

    async revoke(tenantId: string, person: PrincipalId, role: string): Promise<'revoked' | 'not_held'> {
      const wanted = checkRole(role);
      const { platform } = person;
      const userId = canonicalUserId(platform, person.userId);
      if (wanted === 'admin' && isBootstrapAdmin({ platform, userId })) {
        const setting = platform === 'teams' ? 'ADMIN_USER_IDS' : 'the admin list';
        throw new DomainError('forbidden', `This admin comes from ${setting} in the bot's configuration; remove them there.`);
      }
      const removed = await db.roleGrant.deleteMany({ where: { tenantId, platform, userId, role: wanted } });
      return removed.count > 0 ? 'revoked' : 'not_held';
    },

    async list(tenantId: string): Promise<RoleHolder[]> {
      const rows = await db.roleGrant.findMany({ where: { tenantId }, orderBy: [{ role: 'asc' }, { userName: 'asc' }] });
      const granted = rows.map((row) => ({ platform: checkPlatform(row.platform), userId: row.userId, userName: row.userName, role: checkRole(row.role), bootstrap: false }));
      const fromConfig = bootstrapList.map((admin) => ({ ...admin, userName: null, role: 'admin' as const, bootstrap: true }));
      return [...fromConfig, ...granted];
    },
  };
}

export type RolesService = ReturnType<typeof createRolesService>;
