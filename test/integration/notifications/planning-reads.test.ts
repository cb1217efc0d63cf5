// A delivery run reads its provisioned devices at once (services/notifications/planning-reads.ts):
// each device's facts must be what the single-device reads of the services answer, on SQLite
// and PostgreSQL, and another tenant's device with the same id list is never among them.
import { beforeEach, describe, expect, it } from 'vitest';
import { createServices, type Services } from '../../../services/index.ts';
import { ManualClock } from '../../helpers/manual-clock.ts';
import { useScratchStore } from '../../helpers/scratch-store.ts';
import { testProviders, unavailable } from '../../helpers/test-bot.ts';

const tenant = 'tenant-contoso';
const otherTenant = 'tenant-fabrikam';
const admin = { kind: 'user' as const, id: 'aad-megan', name: 'Megan Bowen' };
const macs = ['02-00-00-00-00-01', '02-00-00-00-00-02', '02-00-00-00-00-03'];

describe.each(testProviders)('planning reads on %s', (provider) => {
  describe.skipIf(unavailable(provider))('the devices of a delivery run', () => {
    const store = useScratchStore(provider, 'planning reads');
    let services: Services;
    const db = () => store().db;

    beforeEach(async () => {
      await db().tenant.deleteMany();
      services = createServices({ db: db(), clock: new ManualClock(), settings: { codeTtlMs: 24 * 3_600_000, codeHashSecret: 'planning-reads-secret-0123456789-0123456', bootstrapAdmins: [] } });
    });

    it("gives each device what the services' own reads give, for all of them in one go", async () => {
      await services.devices.registry.register(admin, tenant, macs.map((mac, index) => ({ mac, location: `Floor ${index}` })));
      await services.devices.registry.register(admin, otherTenant, [{ mac: macs[0]!, location: 'Elsewhere' }]);
      await services.devices.plannedAccounts.plan(admin, tenant, [{ line: 1, mac: macs[1]!, account: 'lobby@contoso.com' }]);
      const issued = await services.devices.codes.issue(admin, tenant, { macs });
      const codeOf = new Map(issued.issued.map((code) => [code.mac, code.code]));
      for (const mac of macs.slice(0, 2)) {
        await services.devices.provisioning.provision({ mac, verificationCode: codeOf.get(mac)!, model: 'Yealink MP56', firmwareVersion: '122.15.0.1' });
      }
      const ids = new Map<string, string>();
      for (const mac of macs) ids.set(mac, (await services.devices.queries.details(tenant, mac)).device.id);
      await db().deviceInventory.create({ data: { deviceId: ids.get(macs[0]!)!, tenantId: tenant, manufacturer: 'Yealink', reportedAt: new Date() } });
      await services.postedCards.remember(tenant, 'status', ids.get(macs[0]!)!, { channelId: 'msteams', conversationId: '19:a', activityId: 'status-1' });
      await services.postedCards.remember(tenant, 'status', ids.get(macs[0]!)!, { channelId: 'msteams', conversationId: '19:b', activityId: 'status-2' });
      const foreign = (await services.devices.queries.details(otherTenant, macs[0]!)).device.id;

      const facts = await services.planningReads.devices(tenant, [...ids.values(), foreign, 'no-such-device']);
      expect([...facts.keys()].sort()).toEqual([...ids.values()].sort());
      for (const mac of macs) {
        const id = ids.get(mac)!;
        const fact = facts.get(id)!;
        const details = await services.devices.queries.details(tenant, mac);
        expect(fact.details).toEqual(details);
        expect(fact.latestSession).toEqual(await services.devices.signIn.latestSession(tenant, id));
        expect(fact.plannedAccount).toEqual(await services.devices.plannedAccounts.of(tenant, id));
        expect(fact.queueCard).toEqual(await services.devices.signInQueue.cardOf(tenant, id));
        expect(fact.handoffBatches).toEqual(await services.devices.handoffs.batchesOfDevice(tenant, id));
        expect(fact.statusCards).toEqual(await services.postedCards.find(tenant, 'status', id));
        const inventory = await db().deviceInventory.findUnique({ where: { deviceId: id } });
        expect(fact.manufacturer).toEqual(inventory?.manufacturer ?? null);
      }
      // What the facts cover is not empty: the planned device is queued for sign-in, the first has two status cards.
      expect(facts.get(ids.get(macs[1]!)!)!.plannedAccount).toBe('lobby@contoso.com');
      expect(facts.get(ids.get(macs[0]!)!)!.statusCards.map((card) => card.activityId)).toEqual(['status-1', 'status-2']);
      expect(facts.get(ids.get(macs[0]!)!)!.handoffBatches).toHaveLength(1);
      expect(facts.get(ids.get(macs[0]!)!)!.details.timeline.length).toBeGreaterThan(1);
    });

    it('reads nothing for no devices', async () => {
      expect((await services.planningReads.devices(tenant, [])).size).toBe(0);
    });
  });
});
