// Queuing the managers' digest: once per tenant and local day, never before the digest time,
// at 08:00 local on both sides of a daylight-saving change, and once after a downtime.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { enqueueEvent, listOutbox } from '../../../services/notifications/outbox.ts';
import { digestDedupeKey } from '../../../services/reporting/digest-schedule.ts';
import { ManualClock } from '../../helpers/manual-clock.ts';
import { startTestBotOn, testProviders, unavailable, type TestBot } from '../../helpers/test-bot.ts';
import { admin, setUpChannel, tenantId } from './reporting-fixtures.ts';

const berlin = { digestTime: '08:00', timeZone: 'Europe/Berlin' };

describe.each(testProviders)('on %s', (provider) => {
  describe.skipIf(unavailable(provider))('queueDueDigests', () => {
    let bot: TestBot;

    beforeEach(async () => {
      // The outbox is left alone (long interval): these tests read what was queued.
      bot = await startTestBotOn(provider, {}, { clock: new ManualClock(new Date('2026-10-24T00:00:00Z')), outboxIntervalMs: 3_600_000 });
      await bot.server.services.devices.registry.register(admin, tenantId, [{ mac: '00-04-F2-00-00-01', location: 'Lobby' }]);
    });
    afterEach(async () => {
      await bot.close();
    });

    const queue = (iso: string, schedule: { digestTime: string; timeZone?: string } = berlin) => bot.server.services.reporting.queueDueDigests(new Date(iso), schedule);
    const reports = () => bot.server.store.db.dailyReport.findMany({ where: { kind: 'digest' }, orderBy: [{ tenantId: 'asc' }, { day: 'asc' }] });
    const digestEvents = async (tenant = tenantId) => (await listOutbox(bot.server.store.db, tenant)).filter((entry) => entry.event.kind === 'digest.due');

    it('queues nothing before the digest time, then one digest.due for the local day, with its dedupe key', async () => {
      expect(await queue('2026-10-24T05:59:00Z')).toEqual({ queued: [], alreadyQueued: 0, notYetDue: 1 });
      expect(await reports()).toEqual([]);

      expect(await queue('2026-10-24T06:00:00Z')).toEqual({ queued: [{ tenantId, day: '2026-10-24' }], alreadyQueued: 0, notYetDue: 0 });
      expect(await reports()).toEqual([expect.objectContaining({ tenantId, kind: 'digest', day: '2026-10-24', createdAt: new Date('2026-10-24T06:00:00Z') })]);
      const events = await digestEvents();
      expect(events.map((entry) => entry.event)).toEqual([{ kind: 'digest.due', tenantId, day: '2026-10-24' }]);
      const row = await bot.server.store.db.outboxMessage.findFirst({ where: { kind: 'digest.due' } });
      expect(row?.dedupeKey).toBe(digestDedupeKey(tenantId, '2026-10-24'));
    });

    it('fires once per local day, however often it runs that day', async () => {
      await queue('2026-10-24T06:00:00Z');
      expect(await queue('2026-10-24T06:01:00Z')).toEqual({ queued: [], alreadyQueued: 1, notYetDue: 0 });
      expect(await queue('2026-10-24T21:59:00Z')).toMatchObject({ queued: [] }); // 23:59 in Berlin
      // 00:30 in Berlin on the 25th: the new day's digest time has not come yet.
      expect(await queue('2026-10-24T22:30:00Z')).toEqual({ queued: [], alreadyQueued: 0, notYetDue: 1 });
      expect((await reports()).map((report) => report.day)).toEqual(['2026-10-24']);
      expect(await digestEvents()).toHaveLength(1);
    });

    it('at 08:00 in Berlin on both sides of the change to winter time: 06:00 UTC on 24 Oct, 07:00 UTC on 25 and 26 Oct', async () => {
      expect((await queue('2026-10-24T05:59:59Z')).queued).toEqual([]);
      expect((await queue('2026-10-24T06:00:00Z')).queued).toEqual([{ tenantId, day: '2026-10-24' }]);
      // Sun 25 Oct: clocks go back at 03:00 CEST. 06:00 UTC is 07:00 CET now.
      expect((await queue('2026-10-25T06:00:00Z')).queued).toEqual([]);
      expect((await queue('2026-10-25T06:59:00Z')).queued).toEqual([]);
      expect((await queue('2026-10-25T07:00:00Z')).queued).toEqual([{ tenantId, day: '2026-10-25' }]);
      expect((await queue('2026-10-26T06:00:00Z')).queued).toEqual([]);
      expect((await queue('2026-10-26T06:30:00Z')).queued).toEqual([]);
      expect((await queue('2026-10-26T07:00:00Z')).queued).toEqual([{ tenantId, day: '2026-10-26' }]);
      expect((await reports()).map((report) => [report.day, report.createdAt.toISOString()])).toEqual([
        ['2026-10-24', '2026-10-24T06:00:00.000Z'],
        ['2026-10-25', '2026-10-25T07:00:00.000Z'],
        ['2026-10-26', '2026-10-26T07:00:00.000Z'],
      ]);
    });

    it('and at 08:00 on both sides of the change to summer time (29 Mar 2026: 07:00 UTC, then 06:00 UTC)', async () => {
      expect((await queue('2026-03-28T06:59:00Z')).queued).toEqual([]);
      expect((await queue('2026-03-28T07:00:00Z')).queued).toEqual([{ tenantId, day: '2026-03-28' }]);
      expect((await queue('2026-03-30T05:59:00Z')).queued).toEqual([]);
      expect((await queue('2026-03-30T06:00:00Z')).queued).toEqual([{ tenantId, day: '2026-03-30' }]);
    });

    it('a digest missed while the bot was down is queued once by the first run after it, the same day', async () => {
      // Down from before 08:00 until 15:00 local.
      expect((await queue('2026-10-24T13:00:00Z')).queued).toEqual([{ tenantId, day: '2026-10-24' }]);
      // The next fire, and a restart, find it done.
      expect((await queue('2026-10-24T13:00:05Z')).queued).toEqual([]);
      expect(await digestEvents()).toHaveLength(1);
    });

    it('two instances running at the same moment queue it once', async () => {
      const results = await Promise.all([queue('2026-10-24T06:00:00Z'), queue('2026-10-24T06:00:00Z'), queue('2026-10-24T06:00:00Z')]);
      expect(results.flatMap((result) => result.queued)).toEqual([{ tenantId, day: '2026-10-24' }]);
      expect(results.reduce((sum, result) => sum + result.alreadyQueued, 0)).toBe(2);
      expect(await reports()).toHaveLength(1);
      expect(await digestEvents()).toHaveLength(1);
    });

    it('when another instance wrote between our read and our insert, the unique keys settle it: no error, nothing twice', async () => {
      // Its digest.due is in the outbox already (same dedupe key): our transaction is refused and rolled back whole.
      await enqueueEvent(bot.server.store.db, { kind: 'digest.due', tenantId, day: '2026-10-24' }, new Date('2026-10-24T06:00:00Z'), digestDedupeKey(tenantId, '2026-10-24'));
      expect(await queue('2026-10-24T06:00:00Z')).toEqual({ queued: [], alreadyQueued: 1, notYetDue: 0 });
      expect(await reports()).toEqual([]);
      expect(await digestEvents()).toHaveLength(1);
    });

    it('covers tenants with devices or a managers channel, and no others', async () => {
      await setUpChannel(bot, 'managers', 'tenant-managers-only');
      await bot.server.services.conversations.remember({
        platform: 'teams',
        tenantId: 'tenant-idle',
        channelId: 'msteams',
        conversationId: '19:idle@thread.tacv2',
        conversationType: 'channel',
        teamId: null,
        serviceUrl: bot.channel.serviceUrl,
        userId: null,
        address: {},
      });
      const result = await queue('2026-10-24T06:00:00Z');
      expect(result.queued.map((entry) => entry.tenantId).sort()).toEqual([tenantId, 'tenant-managers-only']);
    });

    it("without a zone of its own, reads each tenant's time zone", async () => {
      await bot.server.store.db.tenant.update({ where: { id: tenantId }, data: { timeZone: 'Europe/Berlin' } });
      await bot.server.services.devices.registry.register(admin, 'tenant-newyork', [{ mac: '00-04-F2-00-00-02' }]);
      await bot.server.store.db.tenant.update({ where: { id: 'tenant-newyork' }, data: { timeZone: 'America/New_York' } });
      // 08:00 in Berlin is 02:00 in New York (EDT until 1 Nov).
      expect((await queue('2026-10-24T06:00:00Z', { digestTime: '08:00' })).queued).toEqual([{ tenantId, day: '2026-10-24' }]);
      expect((await queue('2026-10-24T12:00:00Z', { digestTime: '08:00' })).queued).toEqual([{ tenantId: 'tenant-newyork', day: '2026-10-24' }]);
    });

    it('refuses a digest time or a zone it cannot read', async () => {
      await expect(queue('2026-10-24T06:00:00Z', { digestTime: '8 am', timeZone: 'Europe/Berlin' })).rejects.toMatchObject({ code: 'invalid_input' });
      await expect(queue('2026-10-24T06:00:00Z', { digestTime: '08:00', timeZone: 'Berlin' })).rejects.toMatchObject({ code: 'invalid_input' });
      expect(await reports()).toEqual([]);
    });
  });
});
