// Issue 12, items 1, 2 and 5: code spraying and lockout abuse over HTTP, as an attacker on the
// network would do it. One address sprays 10,000 wrong codes across 1,000 registered MACs with
// live codes: after the source limit every answer is 429 with Retry-After, nothing is provisioned,
// nothing more is written, and the admins hear of it once; devices elsewhere still provision.
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readinessCacheMs } from '../../../prisma/store.ts';
import { attemptLimits, lockoutPolicy } from '../../../services/devices/attempt-limits.ts';
import { listOutbox } from '../../../services/notifications/outbox.ts';
import { closeDeviceRequestAgents, inParallel, provisionFrom, type DeviceAnswer } from '../../helpers/device-requests.ts';
import { ManualClock, minutes } from '../../helpers/manual-clock.ts';
import { macsOf, tally } from '../../helpers/reliability.ts';
import { startTestBotOn, testProviders, unavailable, type TestBot } from '../../helpers/test-bot.ts';

const tenantId = 'tenant-contoso';
const admin = { kind: 'user' as const, id: 'aad-ada' };
const attacker = '203.0.113.66';
const technician = '198.51.100.20';

describe.each(testProviders)('on %s', (provider) => {
  describe.skipIf(unavailable(provider))('code spraying and lockout abuse', () => {
    let bot: TestBot;
    let clock: ManualClock;

    afterEach(async () => {
      await bot?.close();
    });
    afterAll(() => closeDeviceRequestAgents());

    async function registeredWithCodes(macs: readonly string[]): Promise<Map<string, string>> {
      const devices = bot.server.services.devices;
      await devices.registry.register(admin, tenantId, macs.map((mac) => ({ mac, location: 'Lobby' })));
      const report = await devices.codes.issue(admin, tenantId, { macs: [...macs] });
      return new Map(report.issued.map((entry) => [entry.mac, entry.code]));
    }

    /** A 6-digit guess that is none of the live codes (so the drill cannot provision by luck). */
    function wrongGuess(index: number, live: ReadonlySet<string>): string {
      let guess = (index * 7919) % 1_000_000;
      while (live.has(String(guess).padStart(6, '0'))) guess = (guess + 1) % 1_000_000;
      return String(guess).padStart(6, '0');
    }

    const failuresFrom = (source: string) => bot.server.store.db.provisioningAttempt.count({ where: { source, succeeded: false } });

    describe('behind a trusted proxy (TRUST_PROXY=true)', () => {
      beforeEach(async () => {
        clock = new ManualClock();
        bot = await startTestBotOn(provider, { TRUST_PROXY: 'true' }, { clock });
      });

      it('a spray of 10,000 wrong codes across 1,000 MACs from one address ends in 429 after the limit, provisions nothing, and a device elsewhere still provisions', async () => {
        const macs = macsOf(0x5a, 1_000);
        const codes = await registeredWithCodes(macs);
        const live = new Set(codes.values());

        const started = performance.now();
        // Round robin over the MACs, 50 in flight, the attacker's proxy hop in front of ours.
        const answers = await inParallel(10_000, 50, (index) =>
          provisionFrom(bot.url, { mac: macs[index % macs.length]!, verificationCode: wrongGuess(index, live) }, { forwardedFor: `10.9.9.9, ${attacker}` }),
        );
        const elapsedMs = performance.now() - started;
        const statuses = tally(answers.map((answer) => answer.status));
        const firstRefused = answers.findIndex((answer) => answer.status === 429);
        console.info(`spray on ${provider}: ${JSON.stringify(Object.fromEntries(statuses))} in ${Math.round(elapsedMs)} ms; first 429 at guess ${firstRefused + 1}`);

        // Only 401 (wrong code) and 429: no 200, no 5xx.
        expect([...statuses.keys()].sort()).toEqual([401, 429]);
        expect(statuses.get(401)).toBeLessThan(attemptLimits.source.maxFailures);
        const refused = answers.filter((answer) => answer.status === 429);
        expect(refused.every((answer) => answer.body.code === 'rate_limited' && Number(answer.retryAfter) > 0 && Number(answer.retryAfter) <= 15 * 60)).toBe(true);
        expect(refused[0]?.body).toEqual({ code: 'rate_limited', message: expect.stringContaining('from this network address'), retryAfterSeconds: expect.any(Number) });
        // Over the limit nothing is written: the store holds exactly the limit's failures.
        expect(await failuresFrom(attacker)).toBe(attemptLimits.source.maxFailures);
        expect(await bot.server.store.db.device.count({ where: { tenantId, state: { not: 'code_issued' } } })).toBe(0);

        // The admins hear of it once, with the address; no device was locked (at most one guess each).
        const events = (await listOutbox(bot.server.store.db, tenantId)).map((entry) => entry.event);
        const alerts = events.filter((event) => event.kind === 'source.blocked');
        expect(alerts).toEqual([expect.objectContaining({ source: attacker, failures: attemptLimits.source.maxFailures, macs: attemptLimits.source.maxFailures })]);
        expect(events.filter((event) => event.kind === 'device.locked_out')).toEqual([]);

        // Devices elsewhere are not affected: a technician's phone behind the same proxy provisions.
        const mac = macs[3]!;
        const legit = await provisionFrom(bot.url, { mac, verificationCode: codes.get(mac)! }, { forwardedFor: technician, secret: true });
        expect(legit.status).toBe(200);
        // The attacker stays refused, even with a right code, until the window has passed.
        const other = macs[4]!;
        expect((await provisionFrom(bot.url, { mac: other, verificationCode: codes.get(other)! }, { forwardedFor: attacker, secret: true })).status).toBe(429);
        // Every device request's log line names its client address.
        const requestLines = bot.logs().filter((line) => line.msg === 'request' && String(line.path).startsWith('/api/device/v1'));
        expect(requestLines.length).toBeGreaterThan(10_000);
        expect(requestLines.every((line) => line.client === attacker || line.client === technician)).toBe(true);

        // After the window the address is heard again; housekeeping then forgets the attempts.
        clock.advance(minutes(16));
        expect((await provisionFrom(bot.url, { mac: other, verificationCode: codes.get(other)! }, { forwardedFor: attacker, secret: true })).status).toBe(200);
        expect(await bot.server.services.devices.provisioning.purgeAttempts(clock.now())).toBe(attemptLimits.source.maxFailures);
        expect(await failuresFrom(attacker)).toBe(0);
      }, 120_000);

      it('a spray from many addresses at one organisation stops at its limit for addresses that already failed; a clean address still provisions', async () => {
        const macs = macsOf(0x5f, 400);
        const codes = await registeredWithCodes(macs);
        const live = new Set(codes.values());
        const perSource = attemptLimits.source.maxFailures - 1;
        const sources = Math.ceil(attemptLimits.tenant.maxFailures / perSource) + 2;
        // Each address stays under its own limit; together they pass the organisation's.
        const answers = await inParallel(sources * perSource, 20, (index) =>
          provisionFrom(bot.url, { mac: macs[index % macs.length]!, verificationCode: wrongGuess(index, live) }, { forwardedFor: `198.18.0.${Math.floor(index / perSource) + 1}` }),
        );
        const statuses = tally(answers.map((answer) => answer.status));
        expect(statuses.get(200)).toBeUndefined();
        // At the limit, plus at most one first guess per address that had not failed yet (clean addresses are heard once).
        const recorded = await bot.server.store.db.provisioningAttempt.count({ where: { tenantId, succeeded: false } });
        console.info(`many-address spray on ${provider}: ${sources} addresses, ${answers.length} guesses, ${recorded} failures recorded (limit ${attemptLimits.tenant.maxFailures})`);
        expect(recorded).toBeGreaterThanOrEqual(attemptLimits.tenant.maxFailures);
        expect(recorded).toBeLessThanOrEqual(attemptLimits.tenant.maxFailures + sources);
        expect(answers.filter((answer) => answer.status === 429).every((answer) => String(answer.body.message).includes("this organisation's devices"))).toBe(true);
        // An address with failures is refused even with a right code; a clean one is heard.
        const mac = macs[399]!;
        expect((await provisionFrom(bot.url, { mac, verificationCode: codes.get(mac)! }, { forwardedFor: '198.18.0.1', secret: true })).status).toBe(429);
        expect((await provisionFrom(bot.url, { mac, verificationCode: codes.get(mac)! }, { forwardedFor: technician, secret: true })).status).toBe(200);
      }, 60_000);

      it('wrong codes from one address lock the MAC for that address only: the right code from another address provisions', async () => {
        const [mac] = macsOf(0x5b, 1);
        const code = (await registeredWithCodes([mac!])).get(mac!)!;
        const wrong = code === '000000' ? '000001' : '000000';
        const answers: DeviceAnswer[] = [];
        for (let i = 0; i < lockoutPolicy.maxFailures; i++) answers.push(await provisionFrom(bot.url, { mac: mac!, verificationCode: wrong }, { forwardedFor: attacker }));
        expect(answers.map((answer) => answer.status)).toEqual([401, 401, 401, 401, 429]);
        expect(answers.at(-1)?.body.code).toBe('locked_out');
        expect((await provisionFrom(bot.url, { mac: mac!, verificationCode: code }, { forwardedFor: attacker, secret: true })).status).toBe(429);
        expect((await provisionFrom(bot.url, { mac: mac!, verificationCode: code }, { forwardedFor: technician, secret: true })).status).toBe(200);
      });

      it('a MAC that is registered nowhere is not locked: nothing is stored for it, and once registered it provisions', async () => {
        const [mac] = macsOf(0x5c, 1);
        const answers: DeviceAnswer[] = [];
        for (let i = 0; i < lockoutPolicy.maxFailures; i++) answers.push(await provisionFrom(bot.url, { mac: mac!, verificationCode: '123456' }, { forwardedFor: attacker }));
        // Answered as for a registered MAC (no enumeration)…
        expect(answers.map((answer) => answer.status)).toEqual([401, 401, 401, 401, 429]);
        // …but nothing names the MAC in the store.
        expect(await bot.server.store.db.provisioningAttempt.count({ where: { mac: mac! } })).toBe(0);
        const code = (await registeredWithCodes([mac!])).get(mac!)!;
        expect((await provisionFrom(bot.url, { mac: mac!, verificationCode: code }, { forwardedFor: attacker, secret: true })).status).toBe(200);
      });

      it('a new code clears the lock, and so does "unlock" by an admin; lockout notices are one per organisation and window', async () => {
        const macs = macsOf(0x5d, 3);
        const codes = await registeredWithCodes(macs);
        const lockOut = async (mac: string) => {
          for (let i = 0; i < lockoutPolicy.maxFailures; i++) await provisionFrom(bot.url, { mac, verificationCode: codes.get(mac) === '000000' ? '000001' : '000000' }, { forwardedFor: technician });
        };
        await lockOut(macs[0]!);
        await lockOut(macs[1]!);
        expect((await provisionFrom(bot.url, { mac: macs[0]!, verificationCode: codes.get(macs[0]!)! }, { forwardedFor: technician, secret: true })).status).toBe(429);
        const notices = (await listOutbox(bot.server.store.db, tenantId)).filter((entry) => entry.event.kind === 'device.locked_out');
        expect(notices).toHaveLength(1);

        clock.advance(1000);
        const fresh = await bot.server.services.devices.codes.issue(admin, tenantId, { macs: [macs[0]!] });
        const newCode = fresh.issued[0]!.code;
        expect((await provisionFrom(bot.url, { mac: macs[0]!, verificationCode: newCode }, { forwardedFor: technician, secret: true })).status).toBe(200);

        expect(await bot.server.services.devices.provisioning.unlock(tenantId, macs[1]!)).toBe(lockoutPolicy.maxFailures);
        expect((await provisionFrom(bot.url, { mac: macs[1]!, verificationCode: codes.get(macs[1]!)! }, { forwardedFor: technician, secret: true })).status).toBe(200);
      });
    });

    describe('without a proxy (TRUST_PROXY unset)', () => {
      beforeEach(async () => {
        clock = new ManualClock();
        bot = await startTestBotOn(provider, {}, { clock });
      });

      it('a forged X-Forwarded-For does not make a new address: the spray is cut off, and a device from another client address provisions', async () => {
        const macs = macsOf(0x5e, 100);
        const codes = await registeredWithCodes(macs);
        const live = new Set(codes.values());
        const answers = await inParallel(500, 20, (index) =>
          provisionFrom(bot.url, { mac: macs[index % macs.length]!, verificationCode: wrongGuess(index, live) }, { forwardedFor: `198.18.${index >> 8}.${index & 0xff}` }),
        );
        const statuses = tally(answers.map((answer) => answer.status));
        expect(statuses.get(200)).toBeUndefined();
        expect(statuses.get(401)).toBeLessThan(attemptLimits.source.maxFailures);
        expect(await failuresFrom('127.0.0.1')).toBe(attemptLimits.source.maxFailures);
        const mac = macs[7]!;
        expect((await provisionFrom(bot.url, { mac, verificationCode: codes.get(mac)! }, { localAddress: '127.0.0.2', secret: true })).status).toBe(200);
      }, 60_000);

      it('a flood of /readyz does not become a flood of probe writes: one probe answers every request within 1.5 s', async () => {
        const store = bot.server.store;
        const first = store.checkReadiness();
        expect(store.checkReadiness()).toBe(first);
        const answers = await inParallel(300, 30, async () => (await fetch(`${bot.url}/readyz`)).status);
        expect(new Set(answers)).toEqual(new Set([200]));
        await new Promise((resolve) => setTimeout(resolve, readinessCacheMs + 50));
        expect(store.checkReadiness()).not.toBe(first);
      });
    });
  });
});
