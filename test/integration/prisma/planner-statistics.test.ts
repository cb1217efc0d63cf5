// SQLite's query planner statistics (prisma/planner-statistics.ts): refreshed as the store
// opens and by the hourly housekeeping job, so that the planner picks indexes by what the
// tables hold, also on the store's connections that were open before the refresh. Without them SQLite guessed wrong for the digest's count of expiring codes per
// location: it read each code's device row through the primary key's index instead of the
// covering (id, location) index. PostgreSQL keeps its own statistics (autovacuum).
import { describe, expect, it } from 'vitest';
import { createScratchDatabase } from '../../../prisma/schema-engine/index.ts';
import { openStore, type Store } from '../../../prisma/store.ts';
import { jobDefinitions } from '../../../bot/jobs/job-definitions.ts';
import { createServices } from '../../../services/index.ts';
import { useScratchStore } from '../../helpers/scratch-store.ts';
import { unavailable } from '../../helpers/test-bot.ts';

const tenantId = 'tenant-statistics';
const now = new Date('2026-11-23T09:00:00.000Z');

/** `count` devices from `first` on, each with a live code expiring within the day, in 20 locations. */
async function addDevicesWithCodes(store: Store, first: number, count: number): Promise<void> {
  await store.db.tenant.upsert({ where: { id: tenantId }, create: { id: tenantId }, update: {} });
  const indexes = Array.from({ length: count }, (_, offset) => first + offset);
  await store.db.device.createMany({ data: indexes.map((index) => ({ id: `device-${index}`, tenantId, mac: `02-00-00-00-${String(Math.floor(index / 256)).padStart(2, '0')}-${(index % 256).toString(16).padStart(2, '0').toUpperCase()}`, location: `Floor ${index % 20}`, state: 'code_issued' })) });
  await store.db.verificationCode.createMany({
    data: indexes.map((index) => ({ id: `code-${index}`, tenantId, deviceId: `device-${index}`, codeHash: `hash-${index}`, issuedBy: 'admin', expiresAt: new Date(now.getTime() + 3_600_000 + index) })),
  });
}

/** sqlite_stat1's rows for a table's indexes ("rows per key…" figures), by index name; none before any ANALYZE. */
async function statisticsOf(store: Store, table: string): Promise<Map<string, string>> {
  const exists = await store.db.$queryRawUnsafe<unknown[]>(`SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'`);
  if (exists.length === 0) return new Map();
  const rows = await store.db.$queryRawUnsafe<{ idx: string; stat: string }[]>(`SELECT idx, stat FROM sqlite_stat1 WHERE tbl = ?`, table);
  return new Map(rows.map((row) => [row.idx, row.stat]));
}

/**
 * The row count a table's statistics give (the first figure of its unique index's row). Sampled
 * (analysis_limit), so an estimate: 1,978 for 2,000 rows, 430 for 500.
 */
async function estimatedRows(store: Store, table: string, index: string): Promise<number> {
  const stat = (await statisticsOf(store, table)).get(index);
  return stat === undefined ? Number.NaN : Number(stat.split(' ')[0]);
}

const near = (expected: number) => ({ asymmetricMatch: (actual: number) => Math.abs(actual - expected) <= expected * 0.25, toString: () => `about ${expected}` });

/** How SQLite plans the digest's count of expiring codes per location (services/reporting/digest.ts). */
async function expiringCodesPlan(store: Store): Promise<string> {
  const steps = await store.db.$queryRawUnsafe<{ detail: string }[]>(
    `EXPLAIN QUERY PLAN SELECT d."location", COUNT(*) FROM "VerificationCode" c JOIN "Device" d ON d."id" = c."deviceId"
     WHERE c."tenantId" = ? AND c."status" = 'live' AND c."expiresAt" > ? AND c."expiresAt" <= ? GROUP BY d."location"`,
    tenantId,
    now.toISOString(),
    new Date(now.getTime() + 86_400_000).toISOString(),
  );
  return steps.map((step) => step.detail).join('; ');
}

describe('SQLite planner statistics', () => {
  it('are refreshed as the store opens: none for a new database, then from what its tables hold', async () => {
    const database = await createScratchDatabase('sqlite', undefined, 'planner_statistics_open');
    let store = await openStore(database.url);
    try {
      // A new database: its tables are empty, so there is nothing to go by yet.
      expect(await statisticsOf(store, 'Device')).toEqual(new Map());
      await addDevicesWithCodes(store, 0, 2_000);
      // Without statistics, the planner reads each code's device through the primary key's index.
      expect(await expiringCodesPlan(store)).not.toContain('COVERING INDEX Device_id_location_idx');
      await store.close();

      store = await openStore(database.url);
      // The unique (tenantId, mac) index holds every device.
      expect(await estimatedRows(store, 'Device', 'Device_tenantId_mac_key')).toEqual(near(2_000));
      expect(await expiringCodesPlan(store)).toContain('COVERING INDEX Device_id_location_idx');
    } finally {
      await store.close();
      await database.drop();
    }
  });

  describe('and by the hourly housekeeping job', () => {
    const store = useScratchStore('sqlite', 'planner statistics housekeeping');

    it('counts the rows added since the store opened, and says it refreshed them', async () => {
      await addDevicesWithCodes(store(), 0, 500);
      expect(await statisticsOf(store(), 'Device')).toEqual(new Map());
      // The store's connections are open already: without statistics, the primary key's index.
      expect(await expiringCodesPlan(store())).not.toContain('COVERING INDEX Device_id_location_idx');
      const services = createServices({ db: store().db, clock: { now: () => now }, settings: { codeTtlMs: 86_400_000, codeHashSecret: 'statistics-test-secret-0123456789', bootstrapAdmins: [] } });
      const housekeeping = jobDefinitions({ services, leases: { purgeExpired: async () => 0 }, runs: { purgeStartedBefore: async () => 0, markInterruptedBefore: async () => 0 } }).find((job) => job.name === 'housekeeping')!;
      expect(await housekeeping.run(now)).toMatchObject({ statisticsRefreshed: 1 });
      expect(await estimatedRows(store(), 'Device', 'Device_tenantId_mac_key')).toEqual(near(500));
      // SQLite reads statistics as a connection opens: the store's open connections reload them.
      expect(await expiringCodesPlan(store())).toContain('COVERING INDEX Device_id_location_idx');

      await addDevicesWithCodes(store(), 500, 700);
      await housekeeping.run(now);
      expect(await estimatedRows(store(), 'Device', 'Device_tenantId_mac_key')).toEqual(near(1_200));
    });
  });
});

describe.skipIf(unavailable('postgresql'))('PostgreSQL planner statistics', () => {
  const store = useScratchStore('postgresql', 'planner statistics postgresql');

  it('are left to PostgreSQL (autovacuum analyzes tables as they change): the job refreshes nothing', async () => {
    const services = createServices({ db: store().db, clock: { now: () => now }, settings: { codeTtlMs: 86_400_000, codeHashSecret: 'statistics-test-secret-0123456789', bootstrapAdmins: [] } });
    expect(await services.maintenance.refreshPlannerStatistics()).toBe(false);
  });
});
