// The digest's numbers on a store seeded through the services as two days of provisioning
// leave it, and its speed and card on 1,000 devices.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { digestView } from '../../../bot/views/digest-view.ts';
import { renderCard } from '../../../cards/render.ts';
import { emptyStateCounts } from '../../../services/reporting/digest.ts';
import { stringsOf, cardProblems, textsOf } from '../../unit/cards/card-checks.ts';
import { ManualClock } from '../../helpers/manual-clock.ts';
import { startTestBotOn, testProviders, unavailable, type TestBot } from '../../helpers/test-bot.ts';
import { admin, hourMs, issueCodes, lockOut, moveTo, provision, signIn, startSignIn, tenantId } from './reporting-fixtures.ts';

const zone = 'Europe/Berlin';
/** When the digest is read: Sun 22 Nov 2026, 10:00 in Berlin. */
const D = new Date('2026-11-22T09:00:00Z');
const before = (hours: number) => new Date(D.getTime() - hours * hourMs);

const L = ['00-04-F2-00-01-01', '00-04-F2-00-01-02', '00-04-F2-00-01-03', '00-04-F2-00-01-04'];
const F = ['00-04-F2-00-02-01', '00-04-F2-00-02-02', '00-04-F2-00-02-03'];
const C = ['00-04-F2-00-03-01', '00-04-F2-00-03-02'];
const N = '00-04-F2-00-04-01';

const counts = (partial: Record<string, number>) => ({ ...emptyStateCounts(), ...partial });

describe.each(testProviders)('on %s', (provider) => {
  describe.skipIf(unavailable(provider))('the digest', () => {
    let bot: TestBot;
    let clock: ManualClock;

    beforeEach(async () => {
      clock = new ManualClock(before(48));
      bot = await startTestBotOn(provider, { CODE_TTL_HOURS: '24' }, { clock });
    });
    afterEach(async () => {
      await bot.close();
    });

    const services = () => bot.server.services;

    /**
     * Two days in the Lobby, on Floor 2, in the Cafeteria and one device without a location:
     * at D, 3 signed in (3 h, 18 h and 40 h after registration), one stuck waiting for sign-in
     * and one stuck signing in since two days, 2 live codes expiring in 14 h, one lockout 5 h
     * ago and one 30 h ago, and the previous digest 32 h ago.
     */
    async function seedTwoDays(): Promise<void> {
      const s = services();
      await s.devices.registry.register(admin, tenantId, [
        ...L.map((mac) => ({ mac, location: 'Lobby' })),
        ...F.map((mac) => ({ mac, location: 'Floor 2' })),
        ...C.map((mac) => ({ mac, location: 'Cafeteria' })),
        { mac: N },
      ]);
      moveTo(clock, before(47));
      const batchA = await issueCodes(s, [L[0]!, L[1]!, L[2]!, F[0]!, F[2]!]);
      moveTo(clock, before(46));
      for (const mac of [L[0]!, L[1]!, F[0]!, F[2]!]) await provision(s, mac, batchA.codes.get(mac));
      moveTo(clock, before(45));
      await signIn(s, L[0]!);
      moveTo(clock, before(44));
      await startSignIn(s, F[2]!);
      moveTo(clock, before(32));
      await s.reporting.queueDueDigests(clock.now(), { digestTime: '02:00', timeZone: zone });
      moveTo(clock, before(30));
      await signIn(s, L[1]!);
      await lockOut(s, N);
      moveTo(clock, before(10));
      const batchB = await issueCodes(s, [L[3]!, F[1]!, C[0]!]);
      moveTo(clock, before(9));
      await provision(s, L[3]!, batchB.codes.get(L[3]!));
      moveTo(clock, before(8));
      await signIn(s, L[3]!);
      moveTo(clock, before(5));
      await lockOut(s, C[1]!);
      // Another tenant's devices never count.
      await s.devices.registry.register(admin, 'tenant-fabrikam', [{ mac: '00-04-F2-00-09-01', location: 'Lobby' }]);
      moveTo(clock, D);
    }

    it('counts devices per state and per location, most devices first and no location last', async () => {
      await seedTwoDays();
      const digest = await services().reporting.buildDigest(tenantId, D, { timeZone: zone });
      expect(digest.day).toBe('2026-11-22');
      expect(digest.total).toBe(10);
      expect(digest.byState).toEqual(counts({ registered: 2, code_issued: 3, awaiting_sign_in: 1, signing_in: 1, signed_in: 3 }));
      expect(digest.locations).toEqual([
        { location: 'Lobby', total: 4, byState: counts({ code_issued: 1, signed_in: 3 }) },
        { location: 'Floor 2', total: 3, byState: counts({ code_issued: 1, awaiting_sign_in: 1, signing_in: 1 }) },
        { location: 'Cafeteria', total: 2, byState: counts({ registered: 1, code_issued: 1 }) },
        { location: null, total: 1, byState: counts({ registered: 1 }) },
      ]);
    });

    it('counts sign-ins since the previous digest, codes expiring in 24 h by location, stuck devices with their age, lockouts in 24 h', async () => {
      await seedTwoDays();
      const digest = await services().reporting.buildDigest(tenantId, D, { timeZone: zone });
      expect(digest.signedIn).toEqual({ since: before(32), sincePreviousDigest: true, count: 2 });
      // Batch A's last live code expired 23 h ago (nobody swept it yet): not "expiring".
      expect(digest.expiring).toEqual({
        until: new Date(D.getTime() + 24 * hourMs),
        count: 2,
        byLocation: [
          { location: 'Cafeteria', count: 1 },
          { location: 'Floor 2', count: 1 },
        ],
      });
      expect(digest.stuck).toEqual([
        { mac: F[0], location: 'Floor 2', state: 'awaiting_sign_in', since: before(46), ageMs: 46 * hourMs },
        { mac: F[2], location: 'Floor 2', state: 'signing_in', since: before(44), ageMs: 44 * hourMs },
      ]);
      expect(digest.lockouts).toEqual({ since: before(24), macs: [C[1]] });
    });

    it('takes the median time from registration to signed in over the last 7 days', async () => {
      await seedTwoDays();
      const digest = await services().reporting.buildDigest(tenantId, D, { timeZone: zone });
      // 3 h (L1), 18 h (L2), 40 h (L4).
      expect(digest.timeToSignedIn).toEqual({ since: before(7 * 24), medianMs: 18 * hourMs, devices: 3 });
      // A week later, none of those sign-ins is in the window.
      const later = await services().reporting.buildDigest(tenantId, new Date(D.getTime() + 7 * 24 * hourMs), { timeZone: zone });
      expect(later.timeToSignedIn).toMatchObject({ medianMs: null, devices: 0 });
    });

    it('the sign-in figures (computed by the database) are those of each device’s latest sign-in: an even median, repeats, a sign-in dated before registration', async () => {
      const db = bot.server.store.db;
      const other = 'tenant-sign-ins';
      await db.tenant.create({ data: { id: other } });
      // Registered 48 h before D; sign-ins (hours before D) per device. d3 signed in twice: its latest
      // counts (12 h → 36 h). d5's only sign-in is dated before its registration: counted as signed
      // in, left out of the median. d6 signed in 8 days ago only: outside both windows.
      const signIns: Record<string, number[]> = { d1: [40], d2: [30], d3: [45, 12], d4: [2], d5: [50], d6: [8 * 24] };
      for (const [index, [id, hours]] of Object.entries(signIns).entries()) {
        await db.device.create({ data: { id, tenantId: other, mac: `02-00-00-00-09-0${index}`, state: 'signed_in', createdAt: before(48) } });
        for (const [n, h] of hours.entries()) {
          await db.auditEvent.create({ data: { id: `${id}-${n}`, tenantId: other, deviceId: id, actor: 'device:x', action: 'device.signed_in', at: before(h) } });
        }
      }
      const digest = await services().reporting.buildDigest(other, D, { timeZone: zone, sinceLast: before(24) });
      // Latest sign-ins after 24 h ago: d3 (12 h ago), d4 (2 h ago).
      expect(digest.signedIn.count).toBe(2);
      // Registration → latest sign-in: d1 8 h, d2 18 h, d3 36 h, d4 46 h: the mean of 18 h and 36 h.
      expect(digest.timeToSignedIn).toEqual({ since: before(7 * 24), medianMs: 27 * hourMs, devices: 4 });
      // Milliseconds count: one more device, 46 h 0.001 s → the median is d3's 36 h.
      await db.device.create({ data: { id: 'd7', tenantId: other, mac: '02-00-00-00-09-07', state: 'signed_in', createdAt: before(48) } });
      await db.auditEvent.create({ data: { id: 'd7-0', tenantId: other, deviceId: 'd7', actor: 'device:x', action: 'device.signed_in', at: new Date(before(2).getTime() + 1) } });
      const odd = await services().reporting.buildDigest(other, D, { timeZone: zone, sinceLast: before(24) });
      expect(odd.timeToSignedIn).toEqual({ since: before(7 * 24), medianMs: 36 * hourMs, devices: 5 });
      expect(odd.signedIn.count).toBe(3);
    });

    it('without a previous digest, counts sign-ins over 24 h; an explicit start wins over both', async () => {
      await seedTwoDays();
      // A digest for the day before the previous one: no digest before it.
      const first = await services().reporting.buildDigest(tenantId, D, { timeZone: zone, day: '2026-11-21' });
      expect(first.signedIn).toEqual({ since: before(24), sincePreviousDigest: false, count: 1 });
      const given = await services().reporting.buildDigest(tenantId, D, { timeZone: zone, sinceLast: before(48) });
      expect(given.signedIn).toEqual({ since: before(48), sincePreviousDigest: false, count: 3 });
    });

    it("the scheduled digest of today counts from the previous day's, not from itself; asked for later, from today's", async () => {
      await seedTwoDays();
      const queued = await services().reporting.queueDueDigests(D, { digestTime: '08:00', timeZone: zone });
      expect(queued.queued).toContainEqual({ tenantId, day: '2026-11-22' });
      const scheduled = await services().reporting.buildDigest(tenantId, D, { timeZone: zone, day: '2026-11-22' });
      expect(scheduled.signedIn).toMatchObject({ since: before(32), sincePreviousDigest: true, count: 2 });
      const onDemand = await services().reporting.buildDigest(tenantId, new Date(D.getTime() + hourMs), { timeZone: zone });
      expect(onDemand.signedIn).toMatchObject({ since: D, sincePreviousDigest: true, count: 0 });
    });

    it('a tenant without devices gets an empty digest, not an error', async () => {
      const digest = await services().reporting.buildDigest('tenant-empty', D, { timeZone: zone });
      expect(digest).toMatchObject({ total: 0, locations: [], stuck: [], expiring: { count: 0 }, lockouts: { macs: [] }, timeToSignedIn: { medianMs: null } });
    });

    it('refuses a time zone that is not one', async () => {
      await expect(services().reporting.buildDigest(tenantId, D, { timeZone: 'Mars/Olympus' })).rejects.toMatchObject({ code: 'invalid_input' });
    });

    it('stays fast on 1,000 devices across 10 locations, and its card is valid', async () => {
      const s = services();
      const macs = Array.from({ length: 1000 }, (_, i) => `00-04-F2-10-${String(Math.floor(i / 100)).padStart(2, '0')}-${String(i % 100).padStart(2, '0')}`);
      await s.devices.registry.register(admin, tenantId, macs.map((mac, i) => ({ mac, location: `Building ${(i % 10) + 1}` })));
      moveTo(clock, before(40));
      const { codes } = await issueCodes(s, macs.slice(0, 600));
      moveTo(clock, before(30));
      for (const mac of macs.slice(0, 60)) await provision(s, mac, codes.get(mac));
      for (const mac of macs.slice(0, 20)) await signIn(s, mac);
      moveTo(clock, before(2));
      await issueCodes(s, macs.slice(600, 700));
      moveTo(clock, D);

      const started = performance.now();
      const digest = await s.reporting.buildDigest(tenantId, D, { timeZone: zone });
      const elapsedMs = performance.now() - started;
      expect(digest.total).toBe(1000);
      expect(digest.byState).toEqual(counts({ registered: 300, code_issued: 640, awaiting_sign_in: 40, signed_in: 20 }));
      expect(digest.locations).toHaveLength(10);
      expect(digest.locations.every((location) => location.total === 100)).toBe(true);
      expect(digest.expiring.count).toBe(100);
      expect(digest.stuck).toHaveLength(40);
      expect(digest.timeToSignedIn).toMatchObject({ medianMs: 18 * hourMs, devices: 20 });
      expect(elapsedMs).toBeLessThan(2000);

      const card = renderCard('digest', digestView(digest, zone));
      expect(cardProblems(card)).toEqual([]);
      expect(stringsOf(card).filter((text) => text.includes('${'))).toEqual([]);
      expect(textsOf(card).filter((text) => text.startsWith('100 devices: '))).toHaveLength(10);
      expect(card.fallbackText).toContain('1,000 devices');
    });
  });
});
