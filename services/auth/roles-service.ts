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
import { RecentReads } from '../shared/recent-reads.ts';
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

/**
 * How long a person's granted roles, once read, answer their next turns on this instance. Every
 * turn asks for them; a grant or revoke through this instance is seen at once (it forgets them),
 * one made on another instance of the same PostgreSQL within this time. A version the store bumps
 * would make that immediate, but checking it costs the same one indexed read as the grants
 * themselves, which is what the memory saves.
 */
export const rolesReadTtlMs = 5_000;

export function createRolesService(db: Database, clock: Clock, bootstrapAdmins: readonly PrincipalId[]) {
  const bootstrapByKey = new Map(bootstrapAdmins.map((admin) => [keyOf(admin.platform, admin.userId), { platform: admin.platform, userId: canonicalUserId(admin.platform, admin.userId) }]));
  const bootstrapList = [...bootstrapByKey.values()];
  const bootstrap = new Set(bootstrapByKey.keys());
  const isBootstrapAdmin = (person: PrincipalId) => bootstrap.has(keyOf(person.platform, person.userId));
  const recentGrants = new RecentReads<readonly Role[]>({ ttlMs: rolesReadTtlMs, maxEntries: 10_000 });

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
      const granted = await recentGrants.through(`${tenantId}\u0000${platform}\u0000${userId}`, async () => {
        const rows = await db.roleGrant.findMany({ where: { tenantId, platform, userId }, select: { role: true } });
        return rows.map((row) => checkRole(row.role));
      });
      for (const role of granted) held.add(role);
      return held;
    },

    async grant(actor: Actor, tenantId: string, person: { platform: Platform; userId: string; name: string | null }, role: string): Promise<'granted' | 'already'> {
      const wanted = checkRole(role);
      const { platform } = person;
      const userId = canonicalUserId(platform, person.userId);
      await ensureTenant(db, tenantId);
      const existing = await db.roleGrant.findUnique({ where: { tenantId_platform_userId_role: { tenantId, platform, userId, role: wanted } } });
      if (existing || (wanted === 'admin' && isBootstrapAdmin({ platform, userId }))) return 'already';
      try {
        await db.roleGrant.create({
          data: { id: newId(), tenantId, platform, userId, userName: person.name, role: wanted, grantedBy: actorLabel(actor), createdAt: clock.now() },
        });
      } finally {
        // Even after an error: the write may have landed.
        recentGrants.forget();
      }
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
      try {
        const removed = await db.roleGrant.deleteMany({ where: { tenantId, platform, userId, role: wanted } });
        return removed.count > 0 ? 'revoked' : 'not_held';
      } finally {
        // Even after an error: the delete may have landed, and a revoked role must not act on.
        recentGrants.forget();
      }
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
