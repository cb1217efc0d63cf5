// Imports and codes for thousands of devices, which the registry and the codes service write in
// multi-row statements (prisma/bulk-write.ts): large enough to span several statements,
// with every invariant of a single write kept — an audit row per device, one event per request,
// the previous codes revoked, other tenants untouched, a compare-and-set that refuses a device
// that changed meanwhile. On a SQLite file and a scratch PostgreSQL database.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createScratchDatabase, type ScratchDatabase } from '../../../prisma/schema-engine/index.ts';
import { openStore, type Store } from '../../../prisma/store.ts';
import { listDeviceKeys } from '../../../services/devices/device-repository.ts';
import { moveDevicesTogether } from '../../../services/devices/transition.ts';
import { createServices, type Services } from '../../../services/index.ts';
import { ManualClock } from '../../helpers/manual-clock.ts';
import { postgresServerUrl } from '../../helpers/postgres.ts';
import { testProviders, unavailable } from '../../helpers/test-bot.ts';

const tenant = 'tenant-contoso';
const otherTenant = 'tenant-fabrikam';
const admin = { kind: 'user' as const, id: 'aad-ada' };
// More than one INSERT's worth of devices (2,520 rows of 13 columns) and of audit rows (3,276).
const fleet = 3_500;

const macOf = (index: number) => `02-00-00-00-${((index >> 8) & 0xff).toString(16).padStart(2, '0')}-${(index & 0xff).toString(16).padStart(2, '0')}`.toUpperCase();
const csvOf = (count: number, location: (index: number) => string) =>
  `MAC address;Location\r\n${Array.from({ length: count }, (_, index) => `${macOf(index)};${location(index)}`).join('\r\n')}\r\n`;

describe.each(testProviders)('bulk steps on %s', (provider) => {
  describe.skipIf(unavailable(provider))('imports and codes for thousands of devices', () => {
    let database: ScratchDatabase;
    let store: Store;
    let services: Services;
    let clock: ManualClock;
    const db = () => store.db;

    beforeAll(async () => {
      database = await createScratchDatabase(provider, provider === 'postgresql' ? postgresServerUrl('bulk steps') : undefined, 'bulk_steps');
      store = await openStore(database.url);
    });
    afterAll(async () => {
      await store?.close();
      await database?.drop();
    });
    beforeEach(async () => {
      await db().tenant.deleteMany();
      await db().outboxMessage.deleteMany();
      clock = new ManualClock();
      services = createServices({ db: db(), clock, settings: { codeTtlMs: 24 * 3_600_000, codeHashSecret: 'bulk-steps-secret-0123456789-0123456789', bootstrapAdmins: [] } });
    });

    it('an import stores every device with its audit row and one event; importing again changes only what moved', async () => {
      const first = await services.devices.registry.importCsv(admin, tenant, csvOf(fleet, (index) => `Floor ${index % 7}`));
      expect(first.added).toHaveLength(fleet);
      expect(await db().device.count({ where: { tenantId: tenant, state: 'registered', createdAt: clock.now(), registeredBy: 'user:aad-ada' } })).toBe(fleet);
      expect(await db().auditEvent.count({ where: { tenantId: tenant, action: 'device.registered', toState: 'registered', at: clock.now() } })).toBe(fleet);
      const events = await db().outboxMessage.findMany({ where: { tenantId: tenant } });
      expect(events).toHaveLength(1);
      expect((JSON.parse(events[0]!.payload) as { macs: string[] }).macs).toHaveLength(fleet);

      clock.advance(60_000);
      // The same file plus 10 new devices; every 1,000th device moved to the lobby.
      const second = await services.devices.registry.importCsv(admin, tenant, csvOf(fleet + 10, (index) => (index % 1000 === 0 ? 'Lobby' : `Floor ${index % 7}`)));
      expect(second.added.map((device) => device.mac)).toEqual(Array.from({ length: 10 }, (_, index) => macOf(fleet + index)));
      expect(second.updated.map((device) => device.mac)).toEqual([0, 1000, 2000, 3000].map(macOf));
      expect(second.alreadyRegistered).toHaveLength(fleet - 4);
      expect(await db().device.count({ where: { tenantId: tenant } })).toBe(fleet + 10);
      expect(await db().auditEvent.count({ where: { tenantId: tenant, action: 'device.location_changed' } })).toBe(4);
    });

    it('codes for all, twice: one live code per device, the first ones revoked, audited, handed off once per issue, other tenants untouched', async () => {
      await services.devices.registry.importCsv(admin, tenant, csvOf(fleet, (index) => `Floor ${index % 7}`));
      await services.devices.registry.register(admin, otherTenant, [{ mac: macOf(0) }]);
      await services.devices.codes.issue(admin, otherTenant, { all: true });

      const first = await services.devices.codes.issue(admin, tenant, { all: true });
      clock.advance(60_000);
      const second = await services.devices.codes.issue(admin, tenant, { all: true });
      expect(first.issued).toHaveLength(fleet);
      expect(second.issued).toHaveLength(fleet);
      expect(new Set(second.issued.map((entry) => entry.code)).size).toBe(fleet);

      expect(await db().verificationCode.count({ where: { tenantId: tenant, status: 'live', batchId: second.batchId, expiresAt: second.expiresAt } })).toBe(fleet);
      expect(await db().verificationCode.count({ where: { tenantId: tenant, status: 'revoked', batchId: first.batchId, closedAt: clock.now() } })).toBe(fleet);
      expect(await db().verificationCode.count({ where: { tenantId: otherTenant, status: 'live' } })).toBe(1);
      expect(await db().device.count({ where: { tenantId: tenant, state: 'code_issued' } })).toBe(fleet);
      expect(await db().auditEvent.count({ where: { tenantId: tenant, action: 'code.issued', fromState: 'registered', toState: 'code_issued' } })).toBe(fleet);
      expect(await db().auditEvent.count({ where: { tenantId: tenant, action: 'code.reissued' } })).toBe(fleet);
      expect(await db().handoffBatch.count({ where: { tenantId: tenant } })).toBe(2);
      expect(await db().outboxMessage.count({ where: { tenantId: tenant, kind: 'codes.issued' } })).toBe(2);
      // The device API finds each device by its new code: the stored hashes are the right ones.
      const sample = second.issued[fleet - 1]!;
      const provisioned = await services.devices.provisioning.provision({ mac: sample.mac, verificationCode: sample.code });
      expect(provisioned.deviceId).toBe(sample.deviceId);
    });

    it('a bulk step refuses the lot when one device changed meanwhile, and writes nothing', async () => {
      await services.devices.registry.importCsv(admin, tenant, csvOf(fleet, () => 'Floor 1'));
      const devices = await listDeviceKeys(db(), tenant);
      // Another request moved the last device on already.
      await db().device.update({ where: { id: devices[fleet - 1]!.id }, data: { state: 'code_issued' } });
      await expect(
        db().$transaction((tx) => moveDevicesTogether(tx, devices, { step: 'issue_code', actor: admin }, clock.now()), { timeout: 60_000 }),
      ).rejects.toMatchObject({ code: 'conflict' });
      expect(await db().device.count({ where: { tenantId: tenant, state: 'code_issued' } })).toBe(1);
      expect(await db().auditEvent.count({ where: { action: 'code.issued' } })).toBe(0);
    });
  });
});
