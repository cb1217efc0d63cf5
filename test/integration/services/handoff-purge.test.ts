// Hand-off codes are kept sealed so the card can be drawn again; once none of a hand-off's
// codes can be used any more, housekeeping purges them. The card still draws, without digits.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { codeHandoffView } from '../../../bot/views/handoff-view.ts';
import { hours, ManualClock, minutes } from '../../helpers/manual-clock.ts';
import { startTestBotOn, testProviders, unavailable, type TestBot } from '../../helpers/test-bot.ts';

const contoso = 'tenant-contoso';
const fabrikam = 'tenant-fabrikam';
const admin = { kind: 'user' as const, id: 'aad-ada' };
const [lobbyA, lobbyB, floor2, floor3] = ['00-04-F2-00-00-01', '00-04-F2-00-00-02', '00-04-F2-00-00-03', '00-04-F2-00-00-04'] as const;

describe.each(testProviders)('on %s', (provider) => {
  describe.skipIf(unavailable(provider))('purging sealed hand-off codes', () => {
    let bot: TestBot;
    let clock: ManualClock;
    let issuedAt: Date;

    const devices = () => bot.server.services.devices;
    const db = () => bot.server.store.db;
    const sealedOf = async (batchId: string) => (await db().handoffBatch.findUniqueOrThrow({ where: { id: batchId } })).sealedCodes;
    const housekeeping = async () => {
      // One run per fire of the hourly schedule: each run is an hour on.
      clock.advance(hours(1));
      const run = await bot.server.jobs.scheduler!.runNow('housekeeping');
      expect(run).toMatchObject({ outcome: 'succeeded' });
      return (run as { counts: Record<string, number> }).counts;
    };
    const card = async (tenantId: string, batchId: string) => codeHandoffView(await devices().handoffs.get(tenantId, batchId), 'UTC');

    beforeEach(async () => {
      clock = new ManualClock();
      bot = await startTestBotOn(provider, { CODE_TTL_HOURS: '24' }, { clock });
      await devices().registry.register(admin, contoso, [
        { mac: lobbyA, location: 'Lobby' },
        { mac: lobbyB, location: 'Lobby' },
        { mac: floor2, location: 'Floor 2' },
        { mac: floor3, location: 'Floor 3' },
      ]);
      await devices().registry.register(admin, fabrikam, [{ mac: lobbyA, location: 'Reception' }]);
      issuedAt = clock.now();
    });
    afterEach(async () => {
      await bot.close();
    });

    it('after expiry and housekeeping no sealed code of the batch remains, the card still draws with "expired"; live batches and other tenants keep theirs', async () => {
      const expiring = await devices().codes.issue(admin, contoso, { macs: [lobbyA, lobbyB] });
      clock.advance(hours(2));
      const live = await devices().codes.issue(admin, contoso, { macs: [floor2] });
      const otherTenant = await devices().codes.issue(admin, fabrikam, { macs: [lobbyA] });
      const otherSealed = await sealedOf(otherTenant.batchId);
      const liveSealed = await sealedOf(live.batchId);

      // Before expiry nothing is purged: every batch still has a usable code.
      expect(await housekeeping()).toMatchObject({ handoffsPurged: 0 });
      expect(await sealedOf(expiring.batchId)).not.toBeNull();

      clock.advance(issuedAt.getTime() + hours(24) + minutes(5) - clock.now().getTime());
      await bot.server.jobs.scheduler!.runNow('expire-codes');
      expect(await housekeeping()).toMatchObject({ handoffsPurged: 1 });

      // The purged batch: no sealed text, no digits anywhere in its row; the codes' hashes stay.
      const purged = await db().handoffBatch.findUniqueOrThrow({ where: { id: expiring.batchId } });
      expect(purged.sealedCodes).toBeNull();
      for (const { code } of expiring.issued) expect(JSON.stringify(purged)).not.toContain(code);
      const hashes = await db().verificationCode.findMany({ where: { batchId: expiring.batchId } });
      expect(hashes.map((row) => [row.status, row.codeHash.length > 0])).toEqual([
        ['expired', true],
        ['expired', true],
      ]);

      // Its card still draws: the devices, "expired" where the digits were, the codes' status.
      const view = await card(contoso, expiring.batchId);
      expect(view.totalCount).toBe(2);
      expect(view.locations).toEqual([
        {
          name: 'Lobby',
          devices: [
            { mac: lobbyA, code: 'expired', status: 'code expired', statusStyle: 'attention', note: null },
            { mac: lobbyB, code: 'expired', status: 'code expired', statusStyle: 'attention', note: null },
          ],
        },
      ]);

      // A batch with a live code, and another tenant's, are untouched and still show their digits.
      expect(await sealedOf(live.batchId)).toBe(liveSealed);
      expect(await sealedOf(otherTenant.batchId)).toBe(otherSealed);
      expect((await card(contoso, live.batchId)).locations[0]!.devices[0]!.code).toBe(live.issued[0]!.code);
      expect((await card(fabrikam, otherTenant.batchId)).locations[0]!.devices[0]!.code).toBe(otherTenant.issued[0]!.code);
      expect((await devices().handoffs.liveCodes(contoso)).map((entry) => entry.mac)).toEqual([floor2]);

      // Running again changes nothing.
      expect(await devices().handoffs.purgeSealedCodes(clock.now())).toBe(0);
    });

    it('a batch whose codes were all used or replaced before expiry is purged; one with a code left is not', async () => {
      const batch = await devices().codes.issue(admin, contoso, { macs: [lobbyA, lobbyB, floor2] });
      const codeOf = (mac: string) => batch.issued.find((entry) => entry.mac === mac)!.code;
      clock.advance(minutes(10));
      await devices().provisioning.provision({ mac: lobbyA, verificationCode: codeOf(lobbyA) });
      // A newer code replaces lobbyB's.
      const newer = await devices().codes.issue(admin, contoso, { macs: [lobbyB] });
      expect(await housekeeping()).toMatchObject({ handoffsPurged: 0 }); // floor2's code is still usable
      expect(await sealedOf(batch.batchId)).not.toBeNull();

      await devices().provisioning.provision({ mac: floor2, verificationCode: codeOf(floor2) });
      expect(await housekeeping()).toMatchObject({ handoffsPurged: 1 });
      expect(await sealedOf(batch.batchId)).toBeNull();
      expect(await sealedOf(newer.batchId)).not.toBeNull();

      const view = await card(contoso, batch.batchId);
      const rows = view.locations.flatMap((location) => location.devices).map((device) => [device.mac, device.code, device.status]);
      expect(rows).toEqual([
        [floor2, 'expired', 'online: waiting for sign-in'],
        [lobbyA, 'expired', 'online: waiting for sign-in'],
        [lobbyB, '—', 'replaced by a newer code'], // a replaced code is never shown
      ]);
      expect(view.onlineCount).toBe(2);
    });
  });
});
