// The fleet tab's dashboard data: medians from registration to signed in per local day and over
// 7 and 30 days, past days kept between polls while today's sign-ins show at once, stuck devices
// counted with the oldest listed, devices waiting in sign-in queues.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lastLocalDays } from '../../../services/reporting/fleet-overview.ts';
import { ManualClock } from '../../helpers/manual-clock.ts';
import { startTestBotOn, testProviders, unavailable, type TestBot } from '../../helpers/test-bot.ts';

const tenantId = 'tenant-overview';
const seed = { kind: 'user' as const, id: 'seed' };
const hour = 3_600_000;
const day = 24 * hour;
const now = new Date('2026-11-23T09:00:00Z');

describe('lastLocalDays', () => {
  it('gives 30 local days ending today, each starting at local midnight (Berlin, UTC+1 in November)', () => {
    const days = lastLocalDays(now, 'Europe/Berlin', 30);
    expect(days).toHaveLength(30);
    expect(days.at(-1)).toEqual({ day: '2026-11-23', from: new Date('2026-11-22T23:00:00Z'), to: now });
    expect(days[0]).toMatchObject({ day: '2026-10-25', to: new Date('2026-10-25T23:00:00Z') });
    // 25 October 2026 is the day Berlin leaves summer time: it starts at 22:00 UTC the day before.
    expect(days[0]?.from).toEqual(new Date('2026-10-24T22:00:00Z'));
  });

  it('finds midnight in a zone with a half-hour offset (Kolkata, UTC+5:30)', () => {
    expect(lastLocalDays(now, 'Asia/Kolkata', 2).at(-1)?.from).toEqual(new Date('2026-11-22T18:30:00Z'));
  });
});

describe.each(testProviders)('on %s', (provider) => {
  describe.skipIf(unavailable(provider))('the fleet overview', () => {
    let bot: TestBot;

    beforeEach(async () => {
      bot = await startTestBotOn(provider, {}, { clock: new ManualClock(now), outboxIntervalMs: 3_600_000 });
    });
    afterEach(async () => {
      await bot.close();
    });

    /** A device registered `tookMs` before it signed in at `at`. */
    async function signedIn(mac: string, at: Date, tookMs: number) {
      await bot.server.services.devices.registry.register(seed, tenantId, [{ mac, location: 'Lobby' }]);
      const db = bot.server.store.db;
      const device = await db.device.update({ where: { tenantId_mac: { tenantId, mac } }, data: { state: 'signed_in', stateChangedAt: at, createdAt: new Date(at.getTime() - tookMs) } });
      await db.auditEvent.create({ data: { id: `signin-${mac}`, tenantId, deviceId: device.id, actor: `device:${device.id}`, action: 'device.signed_in', fromState: 'signing_in', toState: 'signed_in', at } });
    }

    it('gives the median per day and over 7 and 30 days; a sign-in of today shows on the next poll', async () => {
      await signedIn('00-04-F2-00-00-01', new Date(now.getTime() - 20 * day), 10 * hour);
      await signedIn('00-04-F2-00-00-02', new Date(now.getTime() - 3 * day), 2 * hour);
      await signedIn('00-04-F2-00-00-03', new Date(now.getTime() - 3 * day + hour), 4 * hour);
      await signedIn('00-04-F2-00-00-04', new Date(now.getTime() - 40 * day), 1 * hour);
      const overview = () => bot.server.services.reporting.fleetOverview(tenantId, 'UTC');
      const first = await overview();
      expect(first.total).toBe(4);
      expect(first.timeToSignedIn).toMatchObject({ median7dMs: 3 * hour, devices7d: 2, median30dMs: 4 * hour, devices30d: 3 });
      expect(first.timeToSignedIn.daily.find((entry) => entry.day === '2026-11-20')).toEqual({ day: '2026-11-20', medianMs: 3 * hour, devices: 2 });
      expect(first.timeToSignedIn.daily.find((entry) => entry.day === '2026-11-03')).toEqual({ day: '2026-11-03', medianMs: 10 * hour, devices: 1 });

      await signedIn('00-04-F2-00-00-05', new Date(now.getTime() - hour), 30 * hour);
      const second = await overview();
      expect(second.timeToSignedIn).toMatchObject({ devices7d: 3, median7dMs: 4 * hour, devices30d: 4 });
      expect(second.timeToSignedIn.daily.at(-1)).toEqual({ day: '2026-11-23', medianMs: 30 * hour, devices: 1 });
    });

    it('counts every stuck device and lists the oldest first', async () => {
      const macs = Array.from({ length: 3 }, (_, index) => `00-04-F2-00-01-0${index}`);
      await bot.server.services.devices.registry.register(seed, tenantId, macs.map((mac) => ({ mac, location: 'Lobby' })));
      for (const [index, mac] of macs.entries()) {
        await bot.server.store.db.device.update({ where: { tenantId_mac: { tenantId, mac } }, data: { state: 'awaiting_sign_in', stateChangedAt: new Date(now.getTime() - (2 + index) * day) } });
      }
      const overview = await bot.server.services.reporting.fleetOverview(tenantId, 'UTC');
      expect(overview.stuck.count).toBe(3);
      expect(overview.stuck.oldest.map((device) => device.mac)).toEqual([...macs].reverse());
      expect(overview.stuck.oldest[0]?.ageMs).toBe(4 * day);
    });

    it('counts the devices waiting in sign-in queues, at how many locations, and since when the longest waits', async () => {
      const macs = ['00-04-F2-00-02-01', '00-04-F2-00-02-02', '00-04-F2-00-02-03'];
      await bot.server.services.devices.registry.register(seed, tenantId, macs.map((mac, index) => ({ mac, location: index === 2 ? 'Floor 2' : 'Lobby' })));
      const db = bot.server.store.db;
      for (const [index, mac] of macs.entries()) {
        // The last one signed in already: it left the queue's waiting count.
        const device = await db.device.update({ where: { tenantId_mac: { tenantId, mac } }, data: { state: index === 1 ? 'signed_in' : 'awaiting_sign_in' } });
        await db.signInQueueEntry.create({ data: { id: `queue-${index}`, tenantId, deviceId: device.id, locationKey: index === 2 ? 'floor 2' : 'lobby', page: 0, queuedAt: new Date(now.getTime() - (index + 1) * hour) } });
      }
      const overview = await bot.server.services.reporting.fleetOverview(tenantId, 'UTC');
      expect(overview.signInQueues).toEqual({ devices: 2, locations: 2, oldestSince: new Date(now.getTime() - 3 * hour) });
    });
  });
});
