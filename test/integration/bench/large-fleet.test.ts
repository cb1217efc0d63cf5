// The large-fleet fixture (bench/fixtures/large-fleet.ts) writes rows with raw drivers, behind
// Prisma's back. These tests seed small fleets and read them back through the real services
// (digest, warning scan, hand-offs, provisioning, device tokens, timelines), and compare the
// stored encodings with a row the bot itself wrote, so the fixture cannot drift from the bot.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../../prisma/store.ts';
import { createScratchDatabase, type ScratchDatabase } from '../../../prisma/schema-engine/index.ts';
import { createServices, type Services } from '../../../services/index.ts';
import { listOutbox } from '../../../services/notifications/outbox.ts';
import { fleetCodeHashSecret, fleetDeviceToken, seedFleet, type SeededFleet } from '../../../bench/fixtures/large-fleet.ts';
import { postgresTimestamp, sqliteDateTime } from '../../../bench/fixtures/raw-tables.ts';
import { testPostgresUrl } from '../../helpers/postgres.ts';
import { testProviders, unavailable } from '../../helpers/test-bot.ts';

/** The moment the fleets are seen at (milliseconds included: they must survive the encoding). */
const D = new Date('2026-11-22T09:00:00.123Z');
const minute = 60_000;
const hour = 60 * minute;
const admin = { kind: 'user' as const, id: 'aad-ada', name: 'Ada' };

describe.each(testProviders)('on %s', (provider) => {
  describe.skipIf(unavailable(provider))('a large fleet seeded with raw inserts', () => {
    let database: ScratchDatabase;
    let store: Store;
    let services: Services;
    /** The default fleet: warnings recorded as of 5 minutes ago, full history. Only read. */
    let fleet: SeededFleet;
    /** No warnings recorded and no history; the tests that change things use this one. */
    let unwarned: SeededFleet;
    /** Warnings recorded as of 2 hours ago, many small hand-offs. */
    let lagging: SeededFleet;

    beforeAll(async () => {
      database = await createScratchDatabase(provider, testPostgresUrl, 'fleet_fixture');
      fleet = await seedFleet(database.url, { devices: 100, locations: 5, liveCodes: 20, now: D });
      unwarned = await seedFleet(database.url, { devices: 300, locations: 4, liveCodes: 150, now: D, tenantId: 'tenant-unwarned', warnedAsOf: null, history: false, codesPerBatch: 3, seed: 7 });
      lagging = await seedFleet(database.url, { devices: 1500, locations: 2, liveCodes: 1500, now: D, tenantId: 'tenant-lagging', warnedAsOf: new Date(D.getTime() - 2 * hour), history: false, codesPerBatch: 1, seed: 3 });
      store = await openStore(database.url);
      services = createServices({ db: store.db, clock: { now: () => D }, settings: { codeTtlMs: 24 * hour, codeHashSecret: fleetCodeHashSecret, bootstrapAdmins: [] } });
    }, 120_000);
    afterAll(async () => {
      await store?.close();
      await database?.drop();
    });

    it('the digest counts every seeded device, per state and per location', async () => {
      const digest = await services.reporting.buildDigest(fleet.tenantId, D, { timeZone: 'UTC' });
      expect(digest.total).toBe(100);
      expect(digest.byState).toEqual(fleet.byState);
      expect(fleet.byState).toEqual({ registered: 28, code_issued: 20, awaiting_sign_in: 8, signing_in: 0, signed_in: 44 });
      expect(digest.locations.map((location) => location.location).sort()).toEqual([...fleet.locations].sort());
      expect(digest.locations.reduce((sum, location) => sum + location.total, 0)).toBe(100);
      // Every live code expires within the next 24 h: none read as expired or beyond (no time shift).
      expect(digest.expiring.count).toBe(20);
      expect(digest.lockouts.macs.length).toBeGreaterThan(0);
      expect(digest.timeToSignedIn.devices).toBeGreaterThan(0);
      expect(digest.signedIn.sincePreviousDigest).toBe(true);
      expect(digest.signedIn.since).toEqual(new Date(D.getTime() - 24 * hour));
      // Stuck (in SQL, on stored times) agrees with the devices listed and filtered on read times.
      const waiting = await services.devices.queries.list(fleet.tenantId, { states: ['awaiting_sign_in', 'signing_in'] });
      const stuck = waiting.filter((device) => device.stateChangedAt.getTime() <= D.getTime() - 24 * hour).map((device) => device.mac);
      expect(digest.stuck.map((device) => device.mac).sort()).toEqual(stuck.sort());
    });

    it('the warning scan finds nothing the job already warned, and exactly what came due since', async () => {
      // Three fleets in one database: warnings recorded as of 5 minutes ago (the default), as of
      // 2 hours ago, and none. Each run of the real job must warn, per tenant, exactly the codes
      // with a warning moment since the recorded point (or ever, for the unwarned one).
      const twoHoursAgo = new Date(D.getTime() - 2 * hour);
      const fiveMinutesAgo = new Date(D.getTime() - 5 * minute);
      const fleets = [
        { tenantId: fleet.tenantId, warnedAsOf: fiveMinutesAgo.getTime() },
        { tenantId: lagging.tenantId, warnedAsOf: twoHoursAgo.getTime() },
        { tenantId: unwarned.tenantId, warnedAsOf: -Infinity },
      ];
      const moments = (code: { issuedAt: Date; expiresAt: Date }) =>
        [240, 60].map((lead) => code.expiresAt.getTime() - lead * minute).filter((moment) => moment > code.issuedAt.getTime());
      const live = new Map<string, { issuedAt: Date; expiresAt: Date }[]>();
      for (const { tenantId } of fleets) live.set(tenantId, await store.db.verificationCode.findMany({ where: { tenantId, status: 'live' } }));
      /** Codes of a fleet with a warning moment in (from, to], where `from` is never before what the fixture recorded. */
      const dueBetween = (tenantId: string, from: number, to: number) =>
        live.get(tenantId)!.filter((code) => moments(code).some((moment) => moment > from && moment <= to)).length;
      const warnedSoFar = async (tenantId: string) =>
        (await listOutbox(store.db, tenantId)).flatMap((entry) => (entry.event.kind === 'codes.expiring' ? entry.event.macs : [])).length;

      let previous = -Infinity;
      const expected = new Map(fleets.map(({ tenantId }) => [tenantId, 0]));
      for (const run of [twoHoursAgo, fiveMinutesAgo, D]) {
        let total = 0;
        for (const { tenantId, warnedAsOf } of fleets) {
          const due = dueBetween(tenantId, Math.max(previous, warnedAsOf), run.getTime());
          expected.set(tenantId, expected.get(tenantId)! + due);
          total += due;
        }
        expect((await services.devices.expiry.warnExpiringCodes(run)).warned).toBe(total);
        for (const { tenantId } of fleets) expect(await warnedSoFar(tenantId), `${tenantId} at ${run.toISOString()}`).toBe(expected.get(tenantId));
        previous = run.getTime();
      }
      // Each fleet had something to warn (the checks above are not vacuous), and a rerun sends nothing.
      expect(expected.get(lagging.tenantId)).toBeGreaterThan(3);
      expect(expected.get(unwarned.tenantId)).toBeGreaterThan(5);
      expect(await services.devices.expiry.warnExpiringCodes(D)).toEqual({ warned: 0, events: 0, skipped: 0 });
    });

    it('the live codes are those of the sealed hand-offs, and provision their device', async () => {
      const onCards = await services.devices.handoffs.liveCodes(unwarned.tenantId);
      expect(new Map(onCards.map((entry) => [entry.mac, entry.code]))).toEqual(unwarned.liveCodes);
      expect(unwarned.liveCodes.size).toBe(150);
      const [mac, code] = [...unwarned.liveCodes][0]!;
      await services.devices.provisioning.provision({ mac, verificationCode: code });
      expect((await services.devices.queries.details(unwarned.tenantId, mac)).device.state).toBe('awaiting_sign_in');
    });

    it('a provisioned device authenticates with its fixture token', async () => {
      const [signedIn] = await services.devices.queries.list(fleet.tenantId, { states: ['signed_in'] });
      const device = await services.devices.access.authenticate(`Bearer ${fleetDeviceToken(signedIn!.mac)}`);
      expect(device.id).toBe(signedIn!.id);
    });

    it("a signed-in device's timeline tells its whole story, in order", async () => {
      const [signedIn] = await services.devices.queries.list(fleet.tenantId, { states: ['signed_in'] });
      const { timeline } = await services.devices.queries.details(fleet.tenantId, signedIn!.mac);
      expect(timeline.map((entry) => entry.action)).toEqual(['device.registered', 'code.issued', 'device.provisioned', 'sign_in.requested', 'sign_in.code_ready', 'device.signed_in']);
    });

    it('stores values exactly as the bot does', async () => {
      // A device the bot itself registers at D, next to the fixture's rows.
      await services.devices.registry.register(admin, fleet.tenantId, [{ mac: '02-FF-FF-00-00-01', location: 'Location 01' }]);
      const stored = provider === 'sqlite' ? sqliteDateTime : postgresTimestamp;
      // As text: Prisma's raw queries would turn a DATETIME column back into a Date.
      const asText = (column: string) => `CAST("${column}" AS TEXT)`;
      const [bots] = await store.db.$queryRawUnsafe<{ at: string }[]>(`SELECT ${asText('createdAt')} AS at FROM "Device" WHERE "mac" = '02-FF-FF-00-00-01'`);
      expect(bots?.at).toBe(stored(D));
      const [fixtures] = await store.db.$queryRawUnsafe<{ at: string }[]>(`SELECT ${asText('createdAt')} AS at FROM "DailyReport" WHERE "tenantId" = '${fleet.tenantId}'`);
      expect(fixtures?.at).toBe(stored(new Date(D.getTime() - 24 * hour)));
      if (provider === 'sqlite') {
        // Same storage classes (TEXT, INTEGER, NULL) column by column as a row the bot wrote.
        const columns = ['id', 'tenantId', 'mac', 'location', 'state', 'stateChangedAt', 'registeredBy', 'createdAt', 'updatedAt'];
        const types = (mac: string) => store.db.$queryRawUnsafe(`SELECT ${columns.map((c) => `typeof("${c}") AS "${c}"`).join(', ')} FROM "Device" WHERE "mac" = '${mac}'`);
        const [registered] = await services.devices.queries.list(fleet.tenantId, { states: ['registered'] });
        expect(await types(registered!.mac)).toEqual(await types('02-FF-FF-00-00-01'));
        const attempts = await store.db.$queryRawUnsafe<{ t: string }[]>(`SELECT DISTINCT typeof("succeeded") AS t FROM "ProvisioningAttempt"`);
        expect(attempts.map((row) => row.t)).toEqual(['integer']);
      }
    });

    it('refuses bad options and a tenant that has devices, writing nothing', async () => {
      const count = () => store.db.device.count();
      const before = await count();
      await expect(seedFleet(database.url, { devices: 10, locations: 2, liveCodes: 11, tenantId: 'tenant-new' })).rejects.toThrow(/liveCodes must be a whole number from 0 to devices/);
      await expect(seedFleet(database.url, { devices: 0, locations: 1, liveCodes: 0, tenantId: 'tenant-new' })).rejects.toThrow(/devices must be/);
      await expect(seedFleet(database.url, { devices: 10, locations: 2, liveCodes: 1, tenantId: fleet.tenantId })).rejects.toThrow(/already has \d+ devices/);
      expect(await count()).toBe(before);
    });
  });
});
