// What the bot knows of a tenant beyond its id: a display name and the time zone its people
// read times in (UTC until someone says otherwise).
import type { Database } from '../prisma/store.ts';
import { RecentReads } from './shared/recent-reads.ts';

export interface TenantProfile {
  id: string;
  name: string;
  timeZone: string;
}

/**
 * How long a tenant's profile, once read, answers on this instance: nearly every card reads the
 * time zone, and it changes about never. A change through this instance (`timezone`) is seen at
 * once (forgetProfile); one made on another instance of the same PostgreSQL within this time.
 */
export const tenantProfileTtlMs = 30_000;

export function createTenants(db: Database) {
  const recentProfiles = new RecentReads<TenantProfile>({ ttlMs: tenantProfileTtlMs, maxEntries: 1_000 });
  return {
    profile(tenantId: string): Promise<TenantProfile> {
      return recentProfiles.through(tenantId, async () => {
        const tenant = await db.tenant.findUnique({ where: { id: tenantId }, select: { name: true, timeZone: true } });
        return Object.freeze({ id: tenantId, name: tenant?.name ?? tenantId, timeZone: tenant?.timeZone ?? 'UTC' });
      });
    },

    /** After the tenant's row was changed through this instance: the next profile() reads it again. */
    forgetProfile(tenantId: string): void {
      recentProfiles.forget((key) => key === tenantId);
    },
  };
}

export type Tenants = ReturnType<typeof createTenants>;
