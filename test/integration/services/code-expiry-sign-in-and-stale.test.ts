// The jobs that watch activated devices: device-login codes that lapse, and devices left
// waiting for sign-in, listed once a local day.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findDeviceByMac } from '../../../services/devices/device-repository.ts';
import { localDay } from '../../../services/shared/local-time.ts';
import { listOutbox } from '../../../services/notifications/outbox.ts';
import type { DomainEvent } from '../../../services/notifications/domain-events.ts';
import { hours, ManualClock, minutes } from '../../helpers/manual-clock.ts';
import { startTestBotOn, testProviders, unavailable, type TestBot } from '../../helpers/test-bot.ts';

const tenant = 'tenant-contoso';
const admin = { kind: 'user' as const, id: 'aad-ada' };
const [first, second, idle] = ['00-04-F2-00-00-01', '00-04-F2-00-00-02', '00-04-F2-00-00-03'] as const;

type EventOf<K extends DomainEvent['kind']> = Extract<DomainEvent, { kind: K }>;

describe('the local day', () => {
  it('is the date the zone’s clocks show, across midnight and daylight saving', () => {
    expect(localDay(new Date('2026-11-23T10:59:00Z'), 'Pacific/Auckland')).toBe('2026-11-23');
    expect(localDay(new Date('2026-11-23T11:00:00Z'), 'Pacific/Auckland')).toBe('2026-11-24');
    expect(localDay(new Date('2026-11-23T07:59:00Z'), 'America/Los_Angeles')).toBe('2026-11-22');
    expect(localDay(new Date('2026-11-23T08:00:00Z'), 'America/Los_Angeles')).toBe('2026-11-23');
    expect(localDay(new Date('2026-03-29T00:30:00Z'), 'Europe/Berlin')).toBe('2026-03-29');
    expect(localDay(new Date('2026-12-31T23:59:59Z'), 'UTC')).toBe('2026-12-31');
  });
});

describe.each(testProviders)('on %s', (provider) => {
  describe.skipIf(unavailable(provider))('devices after activation', () => {
    let bot: TestBot;
    let clock: ManualClock;
    let start: Date;

    const devices = () => bot.server.services.devices;
    const expiry = () => devices().expiry;
    const db = () => bot.server.store.db;
    const at = (ms: number) => new Date(start.getTime() + ms);
    async function events<K extends DomainEvent['kind']>(kind: K): Promise<EventOf<K>[]> {
      return (await listOutbox(db(), tenant)).map((entry) => entry.event).filter((event): event is EventOf<K> => event.kind === kind);
    }
    const stateOf = async (mac: string) => (await db().device.findFirstOrThrow({ where: { tenantId: tenant, mac } })).state;
    const device = async (mac: string) => {
      const found = await findDeviceByMac(db(), tenant, mac);
      if (!found) throw new Error(`no device ${mac}`);
      return found;
    };

    /** Activates devices with their codes at the current time: they wait for sign-in from now. */
    async function activate(...macs: string[]) {
      const { issued } = await devices().codes.issue(admin, tenant, { macs });
      for (const entry of issued) await devices().provisioning.provision({ mac: entry.mac, verificationCode: entry.code });
    }

    /** Asks for a sign-in and has the device report a 15-minute login code now. */
    async function startSignIn(mac: string) {
      await devices().signIn.request(admin, tenant, mac, 'lobby-phone@contoso.com');
      await devices().signIn.reportLoginCode(await device(mac), { loginCode: 'EV9PGNQN8', expiresInSeconds: 900 });
    }

    beforeEach(async () => {
      clock = new ManualClock();
      start = clock.now();
      bot = await startTestBotOn(provider, {}, { clock });
      await devices().registry.register(admin, tenant, [
        { mac: first, location: 'Lobby' },
        { mac: second, location: 'Floor 2' },
        { mac: idle, location: 'Floor 2' },
      ]);
    });
    afterEach(async () => {
      await bot.close();
    });

    describe('lapsing device-login codes', () => {
      it('a device signing in whose login code expired goes back to waiting for sign-in, once', async () => {
        await activate(first, second);
        await startSignIn(first);
        clock.advance(minutes(10));
        await startSignIn(second);
        expect(await stateOf(first)).toBe('signing_in');

        expect(await expiry().lapseLoginCodes(at(minutes(15) - 1))).toEqual({ lapsed: 0 });
        expect(await expiry().lapseLoginCodes(at(minutes(15)))).toEqual({ lapsed: 1 });
        expect(await stateOf(first)).toBe('awaiting_sign_in');
        expect(await stateOf(second)).toBe('signing_in');
        expect(await events('sign_in.lapsed')).toEqual([{ kind: 'sign_in.lapsed', tenantId: tenant, deviceId: (await device(first)).id, mac: first }]);
        expect(await db().signInSession.count({ where: { status: 'lapsed' } })).toBe(1);
        expect(await expiry().lapseLoginCodes(at(minutes(16)))).toEqual({ lapsed: 0 });

        // Two instances at once: the device lapses once.
        const both = await Promise.all([expiry().lapseLoginCodes(at(minutes(40))), expiry().lapseLoginCodes(at(minutes(40)))]);
        expect(both.reduce((sum, counts) => sum + counts.lapsed, 0)).toBe(1);
        expect(await stateOf(second)).toBe('awaiting_sign_in');
        expect((await events('sign_in.lapsed')).map((event) => event.mac)).toEqual([first, second]);
      });
    });

    describe('listing stale devices', () => {
      it('lists devices waiting for sign-in over 24 h once per local day, and again the next day', async () => {
        await activate(first);
        clock.advance(hours(12));
        await activate(second);
        await startSignIn(second);
        // 2026-11-22 09:00Z + 24 h: first has waited a day, second only 12 h; idle was never activated.
        expect(await expiry().listStaleDevices(at(hours(24)), { timeZone: 'UTC' })).toEqual({ reported: 1, devices: 1 });
        expect(await events('devices.stale')).toEqual([
          { kind: 'devices.stale', tenantId: tenant, day: '2026-11-23', devices: [{ mac: first, location: 'Lobby', since: start.toISOString() }] },
        ]);
        expect(await expiry().listStaleDevices(at(hours(37)), { timeZone: 'UTC' })).toEqual({ reported: 0, devices: 0 });

        // Past midnight UTC: a new day, and second (signing in since T+12h, its login code long
        // lapsed but nobody swept it) is stale too.
        const [a, b] = await Promise.all([expiry().listStaleDevices(at(hours(39)), { timeZone: 'UTC' }), expiry().listStaleDevices(at(hours(39)), { timeZone: 'UTC' })]);
        expect((a?.reported ?? 0) + (b?.reported ?? 0)).toBe(1);
        const lists = await events('devices.stale');
        expect(lists.map((list) => [list.day, list.devices.map((entry) => entry.mac)])).toEqual([
          ['2026-11-23', [first]],
          ['2026-11-24', [second, first]],
        ]);
      });

      it('counts days in the given zone, or else the tenant’s own', async () => {
        await activate(first);
        // 2026-11-23T09:00Z is 22:00 in Auckland; two hours later it is the 24th there, not in UTC.
        expect(await expiry().listStaleDevices(at(hours(24)), { timeZone: 'Pacific/Auckland' })).toMatchObject({ reported: 1 });
        expect(await expiry().listStaleDevices(at(hours(26)), { timeZone: 'Pacific/Auckland' })).toMatchObject({ reported: 1 });
        expect((await events('devices.stale')).map((list) => list.day)).toEqual(['2026-11-23', '2026-11-24']);

        await db().tenant.update({ where: { id: tenant }, data: { timeZone: 'America/Los_Angeles' } });
        // 2026-11-24T09:00Z is 01:00 on the 24th in Los Angeles: already listed for that day.
        expect(await expiry().listStaleDevices(at(hours(48)))).toEqual({ reported: 0, devices: 0 });
        // 2026-11-25T08:00Z is midnight there.
        expect(await expiry().listStaleDevices(at(hours(71)))).toMatchObject({ reported: 1 });
        expect((await events('devices.stale')).at(-1)?.day).toBe('2026-11-25');
      });

      it('a tenant with nothing stale gets no list, and is looked at again later that day', async () => {
        await activate(first);
        expect(await expiry().listStaleDevices(at(hours(1)), { timeZone: 'UTC' })).toEqual({ reported: 0, devices: 0 });
        expect(await db().dailyReport.count()).toBe(0);
        expect(await expiry().listStaleDevices(at(hours(2)), { timeZone: 'UTC', staleAfterMs: hours(1) })).toEqual({ reported: 1, devices: 1 });
        expect(await expiry().listStaleDevices(at(hours(3)), { timeZone: 'UTC', staleAfterMs: hours(1) })).toEqual({ reported: 0, devices: 0 });
        expect(await expiry().listStaleDevices(at(hours(15)), { timeZone: 'UTC', staleAfterMs: hours(1) })).toEqual({ reported: 1, devices: 1 });
        expect((await events('devices.stale')).map((list) => list.day)).toEqual(['2026-11-22', '2026-11-23']);
      });

      it('refuses a time zone that does not exist', async () => {
        await expect(expiry().listStaleDevices(at(hours(24)), { timeZone: 'Mars/Olympus' })).rejects.toThrow(/IANA/);
      });
    });
  });
});
