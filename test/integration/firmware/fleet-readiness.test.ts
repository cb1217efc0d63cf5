// Firmware readiness of a fleet counts each device once, in the group of what it reported:
// devices with a manufacturer in their inventory and devices without one, of the same model and
// version, are told apart (the counts come from two grouped reads, see fleetReadiness).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestBotOn, testProviders, unavailable, type TestBot } from '../../helpers/test-bot.ts';

const tenantId = 'tenant-fleet-readiness';
const seed = { kind: 'user' as const, id: 'seed' };
const macs = ['00-04-F2-14-00-01', '00-04-F2-14-00-02', '00-04-F2-14-00-03', '00-04-F2-14-00-04', '00-04-F2-14-00-05'];

describe.each(testProviders)('on %s', (provider) => {
  describe.skipIf(unavailable(provider))('fleet readiness', () => {
    let bot: TestBot;
    beforeEach(async () => {
      bot = await startTestBotOn(provider);
    });
    afterEach(async () => {
      await bot.close();
    });

    it('counts devices with and without a reported manufacturer once each, per family and per unknown model', async () => {
      await bot.server.services.devices.registry.register(seed, tenantId, macs.map((mac) => ({ mac, location: 'Lobby' })));
      const db = bot.server.store.db;
      const device = (mac: string) => db.device.findFirstOrThrow({ where: { tenantId, mac } });
      // Three T56A on 58.15.0.100 (below 58.15.0.124): one reported its manufacturer, two did not.
      for (const mac of macs.slice(0, 3)) await db.device.update({ where: { tenantId_mac: { tenantId, mac } }, data: { model: 'T56A', firmwareVersion: '58.15.0.100' } });
      await db.deviceInventory.create({ data: { deviceId: (await device(macs[0]!)).id, tenantId, manufacturer: 'Yealink', reportedAt: new Date() } });
      // One model the catalog does not know, reported with a manufacturer; one device that reported nothing.
      await db.device.update({ where: { tenantId_mac: { tenantId, mac: macs[3]! } }, data: { model: 'Phone 9000', firmwareVersion: '1.0' } });
      await db.deviceInventory.create({ data: { deviceId: (await device(macs[3]!)).id, tenantId, manufacturer: 'Acme', reportedAt: new Date() } });

      const readiness = await bot.server.services.firmware.fleet(tenantId);
      expect(readiness.devices).toBe(5);
      expect(readiness.belowMinimum).toBe(3);
      expect(readiness.families).toHaveLength(1);
      expect(readiness.families[0]).toMatchObject({ minimum: '58.15.0.124', devices: 3, belowMinimum: 3 });
      expect(readiness.unknownModels.map(({ model, devices }) => ({ model, devices })).sort((a, b) => a.model.localeCompare(b.model))).toEqual([
        { model: 'Acme Phone 9000', devices: 1 },
        { model: 'no model reported', devices: 1 },
      ]);
    });
  });
});
