// A device's history names who did each step: the audit row keeps the person's display name as
// their platform gave it; rows written before names were kept read the name stored with the
// person's role grant, or none. On a SQLite file and a scratch PostgreSQL database.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createScratchDatabase, type ScratchDatabase } from '../../../prisma/schema-engine/index.ts';
import { openStore, type Store } from '../../../prisma/store.ts';
import { createServices, type Services } from '../../../services/index.ts';
import { deviceStatusView } from '../../../bot/views/device-views.ts';
import { ManualClock } from '../../helpers/manual-clock.ts';
import { postgresServerUrl } from '../../helpers/postgres.ts';
import { testProviders, unavailable } from '../../helpers/test-bot.ts';

const tenant = 'tenant-contoso';
const megan = { kind: 'user' as const, id: 'aad-megan', name: 'Megan Bowen' };
const mac = '02-00-00-00-00-01';

describe.each(testProviders)('device history on %s', (provider) => {
  describe.skipIf(unavailable(provider))('who did what', () => {
    let database: ScratchDatabase;
    let store: Store;
    let services: Services;
    let clock: ManualClock;
    const db = () => store.db;

    beforeAll(async () => {
      database = await createScratchDatabase(provider, provider === 'postgresql' ? postgresServerUrl('device history') : undefined, 'device_history');
      store = await openStore(database.url);
    });
    afterAll(async () => {
      await store?.close();
      await database?.drop();
    });
    beforeEach(async () => {
      await db().tenant.deleteMany();
      clock = new ManualClock();
      services = createServices({ db: db(), clock, settings: { codeTtlMs: 24 * 3_600_000, codeHashSecret: 'device-history-secret-0123456789-012345', bootstrapAdmins: [] } });
    });

    const history = async () => deviceStatusView(await services.devices.queries.details(tenant, mac), 'UTC').timeline.map((entry) => entry.text);

    it('names the person, and says where a device moved from and to', async () => {
      await services.devices.registry.register(megan, tenant, [{ mac, location: 'Building A Floor 2' }]);
      clock.advance(60_000);
      await services.devices.registry.register(megan, tenant, [{ mac, location: 'Building A Floor 3' }]);
      expect(await history()).toEqual(['Megan Bowen registered the device', 'Megan Bowen moved the device from Building A Floor 2 to Building A Floor 3']);
      expect((await db().auditEvent.findMany({ where: { tenantId: tenant } })).map((row) => row.actorName)).toEqual(['Megan Bowen', 'Megan Bowen']);
    });

    it("rows written before names were kept read the name of the person's role grant, else \"someone\"", async () => {
      await services.devices.registry.register({ kind: 'user', id: 'aad-alex' }, tenant, [{ mac, location: 'Lobby' }]);
      clock.advance(60_000);
      await services.devices.registry.register({ kind: 'user', id: 'aad-nobody' }, tenant, [{ mac, location: 'Lobby 2' }]);
      expect(await history()).toEqual(['Someone registered the device', 'Someone moved the device from Lobby to Lobby 2']);
      await services.roles.grant(megan, tenant, { platform: 'teams', userId: 'AAD-ALEX', name: 'Alex Wilber' }, 'technician');
      expect(await history()).toEqual(['Alex Wilber registered the device', 'Someone moved the device from Lobby to Lobby 2']);
    });

    it("details (one joined read) match the device and its timeline read apart, in order, and only the tenant's own device", async () => {
      await services.devices.registry.register(megan, tenant, [{ mac, location: 'Lobby' }]);
      await services.devices.registry.register(megan, 'tenant-fabrikam', [{ mac, location: 'Elsewhere' }]);
      // Two events at the same instant: ordered by id, as the timeline always was.
      await services.devices.codes.issue(megan, tenant, { macs: [mac] });
      clock.advance(60_000);
      await services.devices.registry.register({ kind: 'user', id: 'aad-alex' }, tenant, [{ mac, location: 'Lobby 2' }]);
      const details = await services.devices.queries.details(tenant, mac);
      const byId = await services.devices.queries.byId(tenant, details.device.id);
      expect(details.device).toEqual(byId);
      expect(details.device.stateChangedAt).toBeInstanceOf(Date);
      expect(details.timeline).toEqual(await services.devices.queries.timelineById(tenant, details.device.id));
      expect(details.timeline.map((entry) => entry.action)).toEqual(['device.registered', 'code.issued', 'device.location_changed']);
      expect(details.timeline.every((entry) => entry.at instanceof Date)).toBe(true);
    });

    it('details of a device with no audit rows has an empty timeline; an unknown MAC is not found', async () => {
      await services.devices.registry.register(megan, tenant, [{ mac, location: 'Lobby' }]);
      await db().auditEvent.deleteMany({ where: { tenantId: tenant } });
      const details = await services.devices.queries.details(tenant, mac);
      expect(details.device).toMatchObject({ mac, location: 'Lobby', state: 'registered' });
      expect(details.timeline).toEqual([]);
      await expect(services.devices.queries.details(tenant, '02-00-00-00-00-99')).rejects.toMatchObject({ code: 'not_found' });
      await expect(services.devices.queries.details('tenant-nobody', mac)).rejects.toMatchObject({ code: 'not_found' });
    });
  });
});
