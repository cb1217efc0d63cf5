// What the bot knows of a tenant beyond its id: a display name and the time zone its people
// read times in (UTC until someone says otherwise).
import type { Database } from '../prisma/store.ts';

export interface TenantProfile {
  id: string;
  name: string;
  timeZone: string;
}

export function createTenants(db: Database) {
  return {
    async profile(tenantId: string): Promise<TenantProfile> {
      const tenant = await db.tenant.findUnique({ where: { id: tenantId } });
      return { id: tenantId, name: tenant?.name ?? tenantId, timeZone: tenant?.timeZone ?? 'UTC' };
    },
  };
}

export type Tenants = ReturnType<typeof createTenants>;
