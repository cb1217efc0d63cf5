// The code-expiry jobs against a real store: warnings before verification codes expire, and
// the expiry itself, each run as often, as late and as concurrently as a scheduler may run it.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listOutbox } from '../../../services/notifications/outbox.ts';
import type { DomainEvent } from '../../../services/notifications/domain-events.ts';
import { hours, ManualClock, minutes } from '../../helpers/manual-clock.ts';
import { startTestBotOn, testProviders, unavailable, type TestBot } from '../../helpers/test-bot.ts';

const tenant = 'tenant-contoso';
const admin = { kind: 'user' as const, id: 'aad-ada' };
const [lobbyA, lobbyB, floor2] = ['00-04-F2-00-00-01', '00-04-F2-00-00-02', '00-04-F2-00-00-03'] as const;

type EventOf<K extends DomainEvent['kind']> = Extract<DomainEvent, { kind: K }>;

describe.each(testProviders)('on %s', (provider) => {
  describe.skipIf(unavailable(provider))('code expiry', () => {
    let bot: TestBot;
    let clock: ManualClock;
    let issuedAt: Date;
    let batchId: string;

    const devices = () => bot.server.services.devices;
    const expiry = () => devices().expiry;
    const db = () => bot.server.store.db;
    const at = (ms: number) => new Date(issuedAt.getTime() + ms);
    const outbox = async () => (await listOutbox(db(), tenant)).map((entry) => entry.event);
    async function events<K extends DomainEvent['kind']>(kind: K): Promise<EventOf<K>[]> {
      return (await outbox()).filter((event): event is EventOf<K> => event.kind === kind);
    }
    const stateOf = async (mac: string) => (await db().device.findFirstOrThrow({ where: { tenantId: tenant, mac } })).state;

    beforeEach(async () => {
      clock = new ManualClock();
      bot = await startTestBotOn(provider, { CODE_TTL_HOURS: '24' }, { clock });
      await devices().registry.register(admin, tenant, [
        { mac: lobbyA, location: 'Lobby' },
        { mac: lobbyB, location: 'lobby ' },
        { mac: floor2, location: 'Floor 2' },
      ]);
      issuedAt = clock.now();
      batchId = (await devices().codes.issue(admin, tenant, { all: true })).batchId;
    });
    afterEach(async () => {
      await bot.close();
    });

    describe('warnings before codes expire', () => {
      it('the 4 h warning goes out once per location at T+20h, the 1 h warning once at T+23h', async () => {
        expect(await expiry().warnExpiringCodes(at(hours(20) - 1))).toEqual({ warned: 0, events: 0, skipped: 0 });

        expect(await expiry().warnExpiringCodes(at(hours(20)))).toEqual({ warned: 3, events: 2, skipped: 0 });
        expect(await expiry().warnExpiringCodes(at(hours(20)))).toEqual({ warned: 0, events: 0, skipped: 0 });
        expect(await expiry().warnExpiringCodes(at(hours(22)))).toEqual({ warned: 0, events: 0, skipped: 0 });
        const expiresAt = at(hours(24)).toISOString();
        const byLocation = (a: { location: string | null }, b: { location: string | null }) => (a.location ?? '').localeCompare(b.location ?? '');
        expect((await events('codes.expiring')).sort(byLocation)).toEqual([
          { kind: 'codes.expiring', tenantId: tenant, batchId, location: 'Floor 2', leadMinutes: 240, expiresAt, macs: [floor2], issuedBy: 'user:aad-ada' },
          { kind: 'codes.expiring', tenantId: tenant, batchId, location: 'Lobby', leadMinutes: 240, expiresAt, macs: [lobbyA, lobbyB], issuedBy: 'user:aad-ada' },
        ]);

        expect(await expiry().warnExpiringCodes(at(hours(23)))).toEqual({ warned: 3, events: 2, skipped: 0 });
        expect(await expiry().warnExpiringCodes(at(hours(23) + minutes(30)))).toEqual({ warned: 0, events: 0, skipped: 0 });
        const oneHour = (await events('codes.expiring')).filter((event) => event.leadMinutes === 60);
        expect(oneHour.map((event) => [event.location, event.macs]).sort()).toEqual([
          ['Floor 2', [floor2]],
          ['Lobby', [lobbyA, lobbyB]],
        ]);
        expect(await db().codeWarning.count()).toBe(6);
      });

      it('a catch-up run at T+23h30, the first ever, sends only the 1 h warning and never the 4 h one after', async () => {
        expect(await expiry().warnExpiringCodes(at(hours(23) + minutes(30)))).toEqual({ warned: 3, events: 2, skipped: 3 });
        const sent = await events('codes.expiring');
        expect(sent.map((event) => event.leadMinutes)).toEqual([60, 60]);
        // The 4 h warnings are recorded as done, so a clock moved back cannot send them.
        expect(await db().codeWarning.count({ where: { leadMinutes: 240 } })).toBe(3);
        expect(await expiry().warnExpiringCodes(at(hours(20)))).toEqual({ warned: 0, events: 0, skipped: 0 });
        expect(await expiry().warnExpiringCodes(at(hours(23) + minutes(45)))).toEqual({ warned: 0, events: 0, skipped: 0 });
        expect(await events('codes.expiring')).toHaveLength(2);
      });

      it('two runs at the same moment (two instances) send each warning once', async () => {
        const [first, second] = await Promise.all([expiry().warnExpiringCodes(at(hours(20))), expiry().warnExpiringCodes(at(hours(20)))]);
        expect((first?.warned ?? 0) + (second?.warned ?? 0)).toBe(3);
        expect((first?.events ?? 0) + (second?.events ?? 0)).toBe(2);
        expect(await events('codes.expiring')).toHaveLength(2);
        expect(await db().codeWarning.count()).toBe(3);
      });

      it('a lead longer than the code was valid never applies; the next one does', async () => {
        const leadsMinutes = [25 * 60, 60];
        expect(await expiry().warnExpiringCodes(at(hours(1)), { leadsMinutes })).toEqual({ warned: 0, events: 0, skipped: 0 });
        expect(await expiry().warnExpiringCodes(at(hours(23)), { leadsMinutes })).toEqual({ warned: 3, events: 2, skipped: 0 });
        expect((await events('codes.expiring')).map((event) => event.leadMinutes)).toEqual([60, 60]);
      });

      it('the clock taken from the bot when no time is given', async () => {
        clock.advance(hours(20));
        expect(await expiry().warnExpiringCodes()).toMatchObject({ warned: 3, events: 2 });
      });
    });

    describe('expiring codes', () => {
      it('at T+24h the devices are registered again, each with code.expired, and admins get one summary', async () => {
        expect(await expiry().expireCodes(at(hours(24) - 1))).toEqual({ expired: 0, devicesReset: 0, tenants: 0 });
        expect(await expiry().expireCodes(at(hours(24)))).toEqual({ expired: 3, devicesReset: 3, tenants: 1 });

        for (const mac of [lobbyA, lobbyB, floor2]) expect(await stateOf(mac)).toBe('registered');
        const codes = await db().verificationCode.findMany();
        expect(codes.map((code) => [code.status, code.closedAt?.toISOString()])).toEqual(Array(3).fill(['expired', at(hours(24)).toISOString()]));
        const audit = await db().auditEvent.findMany({ where: { action: 'code.expired' } });
        expect(audit).toHaveLength(3);
        expect(audit.every((entry) => entry.actor === 'job:expire-codes' && entry.fromState === 'code_issued' && entry.toState === 'registered')).toBe(true);
        expect((await events('code.expired')).map((event) => event.mac).sort()).toEqual([lobbyA, lobbyB, floor2]);
        expect(await events('codes.expired')).toEqual([{ kind: 'codes.expired', tenantId: tenant, macs: [lobbyA, lobbyB, floor2] }]);

        expect(await expiry().expireCodes(at(hours(24)))).toEqual({ expired: 0, devicesReset: 0, tenants: 0 });
        expect(await expiry().warnExpiringCodes(at(hours(24)))).toEqual({ warned: 0, events: 0, skipped: 0 });
      });

      it('the whole day run with the clock moved back and forth sends nothing twice', async () => {
        const runAll = async (now: Date) => {
          await expiry().warnExpiringCodes(now);
          await expiry().expireCodes(now);
        };
        for (const hour of [20, 23, 24]) await runAll(at(hours(hour)));
        const once = await outbox();
        expect(once.filter((event) => event.kind === 'codes.expiring')).toHaveLength(4);
        expect(once.filter((event) => event.kind === 'code.expired')).toHaveLength(3);
        expect(once.filter((event) => event.kind === 'codes.expired')).toHaveLength(1);

        for (const hour of [20, 24, 23, 20.5, 23.9, 25, 48]) await runAll(at(hours(hour)));
        expect(await outbox()).toEqual(once);
      });

      it('two sweeps at once (two instances) expire each code once and send one summary', async () => {
        const results = await Promise.all([expiry().expireCodes(at(hours(24))), expiry().expireCodes(at(hours(24)))]);
        expect(results.reduce((sum, result) => sum + result.expired, 0)).toBe(3);
        expect(results.reduce((sum, result) => sum + result.devicesReset, 0)).toBe(3);
        expect(await events('code.expired')).toHaveLength(3);
        expect(await events('codes.expired')).toHaveLength(1);
        expect(await db().auditEvent.count({ where: { action: 'code.expired' } })).toBe(3);
      });

      it('a device that moved on meanwhile is left alone; its card is still redrawn', async () => {
        // As if it had been activated in the same instant the code ran out.
        await db().device.updateMany({ where: { mac: floor2 }, data: { state: 'awaiting_sign_in' } });
        expect(await expiry().expireCodes(at(hours(25)))).toEqual({ expired: 3, devicesReset: 2, tenants: 1 });
        expect(await stateOf(floor2)).toBe('awaiting_sign_in');
        expect(await db().auditEvent.count({ where: { action: 'code.expired' } })).toBe(2);
        expect((await events('code.expired')).map((event) => event.mac).sort()).toEqual([lobbyA, lobbyB, floor2]);
      });
    });

    describe('used and revoked codes', () => {
      it('are never warned about nor expired', async () => {
        // lobbyA is activated with its code (used); lobbyB gets a new code two hours later (revoked).
        clock.advance(hours(1));
        const codeA = (await devices().codes.issue(admin, tenant, { macs: [lobbyA] })).issued[0]?.code ?? '';
        await devices().provisioning.provision({ mac: lobbyA, verificationCode: codeA });
        clock.advance(hours(1));
        const second = await devices().codes.issue(admin, tenant, { macs: [lobbyB] });

        expect(await expiry().warnExpiringCodes(at(hours(20)))).toEqual({ warned: 1, events: 1, skipped: 0 });
        expect((await events('codes.expiring')).map((event) => event.macs)).toEqual([[floor2]]);
        expect(await expiry().expireCodes(at(hours(24)))).toEqual({ expired: 1, devicesReset: 1, tenants: 1 });
        expect(await events('codes.expired')).toEqual([{ kind: 'codes.expired', tenantId: tenant, macs: [floor2] }]);
        expect(await stateOf(lobbyA)).toBe('awaiting_sign_in');
        expect(await stateOf(lobbyB)).toBe('code_issued');
        const statusesOf = async (mac: string) =>
          (await db().verificationCode.findMany({ where: { device: { mac } }, orderBy: { issuedAt: 'asc' } })).map((code) => code.status);
        expect(await statusesOf(lobbyA)).toEqual(['revoked', 'used']);
        expect(await statusesOf(lobbyB)).toEqual(['revoked', 'live']);

        // lobbyB's newer code (issued at T+2h) has its own warning and expiry, from its own hand-off.
        expect(await expiry().warnExpiringCodes(at(hours(22)))).toEqual({ warned: 1, events: 1, skipped: 0 });
        expect((await events('codes.expiring')).at(-1)).toMatchObject({ batchId: second.batchId, macs: [lobbyB], location: 'lobby' });
        expect(await expiry().expireCodes(at(hours(26)))).toEqual({ expired: 1, devicesReset: 1, tenants: 1 });
        expect(await stateOf(lobbyB)).toBe('registered');
      });
    });
  });
});
