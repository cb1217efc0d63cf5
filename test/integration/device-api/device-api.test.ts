// The device API over real HTTP, on a real SQLite file: every refusal a phone can meet.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listOutbox } from '../../../services/notifications/outbox.ts';
import { callDeviceApi } from '../../helpers/device-api.ts';
import { hours, ManualClock, minutes } from '../../helpers/manual-clock.ts';
import { startTestBotOn, testProviders, unavailable, type TestBot } from '../../helpers/test-bot.ts';

const tenantA = 'tenant-contoso';
const tenantB = 'tenant-fabrikam';
const admin = { kind: 'user' as const, id: 'aad-ada' };
const mac = '00-04-F2-81-24-B3';

describe.each(testProviders)('on %s', (provider) => {
  describe.skipIf(unavailable(provider))('the device API', () => {
    let bot: TestBot;
    let clock: ManualClock;

    beforeEach(async () => {
      clock = new ManualClock();
      bot = await startTestBotOn(provider, {}, { clock });
    });
    afterEach(async () => {
      await bot.close();
    });

    const devices = () => bot.server.services.devices;
    const post = (path: string, body: unknown, token?: string) => callDeviceApi(bot.url, 'POST', path, body, token);
    const get = (path: string, token?: string) => callDeviceApi(bot.url, 'GET', path, undefined, token);

    async function registeredWithCode(tenantId = tenantA, deviceMac = mac): Promise<string> {
      await devices().registry.register(admin, tenantId, [{ mac: deviceMac, location: 'Lobby' }]);
      const report = await devices().codes.issue(admin, tenantId, { macs: [deviceMac] });
      const code = report.issued[0]?.code;
      if (!code) throw new Error('no code issued');
      return code;
    }

    function otherCode(code: string): string {
      return code === '000000' ? '000001' : '000000';
    }

    describe('provision', () => {
      it('with the right code, answers the device id, a token and the tenant name, and the device waits for sign-in', async () => {
        const code = await registeredWithCode();
        const answer = await post('/provision', { mac: '00:04:f2:81:24:b3', verificationCode: code, model: 'Yealink MP56', firmwareVersion: '122.15.0.1' });
        expect(answer.status).toBe(200);
        expect(answer.body).toEqual({ deviceId: expect.any(String), deviceToken: expect.stringMatching(/^dvt_/), tenantName: tenantA });
        const { device } = await devices().queries.details(tenantA, mac);
        expect(device).toMatchObject({ state: 'awaiting_sign_in', model: 'Yealink MP56', firmwareVersion: '122.15.0.1' });
        const events = (await listOutbox(bot.server.store.db, tenantA)).map((entry) => entry.event.kind);
        expect(events).toEqual(['devices.registered', 'codes.issued', 'device.provisioned']);
      });

      it('stores neither the code nor the token in plaintext, and logs neither', async () => {
        const code = await registeredWithCode();
        const answer = await post('/provision', { mac, verificationCode: code });
        const token = String(answer.body.deviceToken);
        const db = bot.server.store.db;
        const stored = JSON.stringify([await db.verificationCode.findMany(), await db.device.findMany(), await db.auditEvent.findMany(), await db.outboxMessage.findMany()]);
        expect(stored).not.toContain(code);
        expect(stored).not.toContain(token);
        expect(bot.logText()).not.toContain(code);
        expect(bot.logText()).not.toContain(token);
      });

      it('answers a wrong code and an unknown MAC the same way, with the attempts left', async () => {
        const code = await registeredWithCode();
        const wrong = await post('/provision', { mac, verificationCode: otherCode(code) });
        const unknown = await post('/provision', { mac: '00-04-F2-00-00-01', verificationCode: code });
        expect(wrong.status).toBe(401);
        expect(unknown.status).toBe(401);
        expect(wrong.body).toEqual({ code: 'wrong_code', message: expect.stringContaining('4 attempts left'), attemptsLeft: 4 });
        expect(unknown.body).toEqual(wrong.body);
      });

      it('after 5 wrong codes within 15 minutes, answers 429 with Retry-After, even to the right code, and tells the admins', async () => {
        const code = await registeredWithCode();
        const left: unknown[] = [];
        for (let i = 0; i < 4; i++) {
          const answer = await post('/provision', { mac, verificationCode: otherCode(code) });
          left.push(answer.body.attemptsLeft);
          clock.advance(minutes(1));
        }
        expect(left).toEqual([4, 3, 2, 1]);
        const fifth = await post('/provision', { mac, verificationCode: otherCode(code) });
        expect(fifth.status).toBe(429);
        expect(fifth.body.code).toBe('locked_out');
        // The oldest counted failure was 4 minutes ago: it leaves the window in 11 minutes.
        expect(fifth.retryAfter).toBe(String(11 * 60));
        expect((await post('/provision', { mac, verificationCode: code })).status).toBe(429);

        const lockouts = (await listOutbox(bot.server.store.db, tenantA)).filter((entry) => entry.event.kind === 'device.locked_out');
        expect(lockouts).toHaveLength(1);

        clock.advance(minutes(11));
        expect((await post('/provision', { mac, verificationCode: code })).status).toBe(200);
      });

      it('with an expired code, answers 410 and tells the technician to ask for a new one', async () => {
        const code = await registeredWithCode();
        clock.advance(hours(24));
        const answer = await post('/provision', { mac, verificationCode: code });
        expect(answer.status).toBe(410);
        expect(answer.body).toEqual({ code: 'code_expired', message: expect.stringContaining('Ask your admin for a new code') });
      });

      it('with a code that a newer one replaced, answers 410 code_replaced; the new code works', async () => {
        const first = await registeredWithCode();
        const second = (await devices().codes.issue(admin, tenantA, { macs: [mac] })).issued[0]?.code ?? '';
        // Live codes of a tenant are unique, so the second differs from the first.
        expect(second).not.toBe(first);
        const old = await post('/provision', { mac, verificationCode: first });
        expect(old.status).toBe(410);
        expect(old.body.code).toBe('code_replaced');
        expect((await post('/provision', { mac, verificationCode: second })).status).toBe(200);
      });

      it('replayed after success, answers 409: a factory reset is needed', async () => {
        const code = await registeredWithCode();
        expect((await post('/provision', { mac, verificationCode: code })).status).toBe(200);
        const replay = await post('/provision', { mac, verificationCode: code });
        expect(replay.status).toBe(409);
        expect(replay.body).toEqual({ code: 'already_provisioned', message: expect.stringContaining('factory-reset') });
      });

      it('when two phones send the same code at once, exactly one is provisioned', async () => {
        const code = await registeredWithCode();
        const answers = await Promise.all([post('/provision', { mac, verificationCode: code }), post('/provision', { mac, verificationCode: code })]);
        expect(answers.map((answer) => answer.status).sort()).toEqual([200, 409]);
        const { timeline } = await devices().queries.details(tenantA, mac);
        expect(timeline.filter((entry) => entry.action === 'device.provisioned')).toHaveLength(1);
      });

      it.each([
        ['no body', undefined],
        ['no code', { mac }],
        ['a MAC that is not one', { mac: 'hello', verificationCode: '123456' }],
        ['a code that is not 6 digits', { mac, verificationCode: '12345' }],
        ['a number instead of a string', { mac, verificationCode: 123456 }],
        ['a model that carries a markdown link', { mac, verificationCode: '123456', model: '[Sign in again](https://phish.example)' }],
      ])('with %s, answers 400 invalid_input and changes nothing', async (_case, body) => {
        await registeredWithCode();
        const answer = await post('/provision', body ?? {});
        expect(answer.status).toBe(400);
        expect(answer.body.code).toBe('invalid_input');
        expect(await bot.server.store.db.provisioningAttempt.count()).toBe(0);
        expect((await devices().queries.details(tenantA, mac)).device.state).toBe('code_issued');
      });

      it('with a body that is not JSON, answers 400 in the same JSON shape', async () => {
        const response = await fetch(`${bot.url}/api/device/v1/provision`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"mac":' });
        expect(response.status).toBe(400);
        expect(await response.json()).toEqual({ code: 'invalid_input', message: expect.any(String) });
      });
    });

    describe('after provisioning', () => {
      async function provisioned(): Promise<string> {
        const code = await registeredWithCode();
        return String((await post('/provision', { mac, verificationCode: code })).body.deviceToken);
      }

      it('a request without a token or with an unknown one answers 401', async () => {
        await provisioned();
        expect((await get('/state')).status).toBe(401);
        expect((await get('/state', 'dvt_forged')).body.code).toBe('unauthorized');
      });

      it('reporting a login code before any sign-in request answers 409 sign_in_not_requested', async () => {
        const token = await provisioned();
        const answer = await post('/login-code', { loginCode: 'EV9PGNQN8' }, token);
        expect(answer.status).toBe(409);
        expect(answer.body.code).toBe('sign_in_not_requested');
      });

      it('a login code that lapses puts the device back to waiting for sign-in, and a fresh request works', async () => {
        const token = await provisioned();
        await devices().signIn.request(admin, tenantA, mac, 'lobby@contoso.com');
        expect((await post('/login-code', { loginCode: 'EV9PGNQN8', expiresInSeconds: 900 }, token)).body.state).toBe('signing_in');
        expect(await devices().signIn.pendingLoginCode(tenantA, mac)).toMatchObject({ loginCode: 'EV9PGNQN8', account: 'lobby@contoso.com' });

        clock.advance(minutes(15));
        expect(await get('/state', token)).toMatchObject({ status: 200, body: { state: 'awaiting_sign_in', signInRequested: false } });
        expect(await devices().signIn.pendingLoginCode(tenantA, mac)).toBeNull();

        await devices().signIn.request(admin, tenantA, mac, 'lobby@contoso.com');
        expect((await get('/state', token)).body.signInRequested).toBe(true);
        expect((await post('/login-code', { loginCode: 'K2M4P6Q8R' }, token)).status).toBe(200);
        expect((await post('/signed-in', { account: 'lobby@contoso.com' }, token)).body).toEqual({ state: 'signed_in', signInRequested: false, account: 'lobby@contoso.com' });
      });

      it('an account that carries a markdown link is refused: it would be shown on admins\' cards', async () => {
      const token = await provisioned();
      await devices().signIn.request(admin, tenantA, mac);
      await post('/login-code', { loginCode: 'EV9PGNQN8' }, token);
      const answer = await post('/signed-in', { account: '[Sign in](https://phish.example)@contoso.com' }, token);
      expect(answer.status).toBe(400);
      expect((await get('/state', token)).body.state).toBe('signing_in');
    });

    it('a bad login code or account answers 400 and changes nothing', async () => {
        const token = await provisioned();
        await devices().signIn.request(admin, tenantA, mac);
        expect((await post('/login-code', { loginCode: 'no spaces!' }, token)).status).toBe(400);
        expect((await post('/login-code', { loginCode: 'EV9PGNQN8', expiresInSeconds: 10 }, token)).status).toBe(400);
        expect((await get('/state', token)).body.state).toBe('awaiting_sign_in');
        await post('/login-code', { loginCode: 'EV9PGNQN8' }, token);
        expect((await post('/signed-in', { account: 'not an account' }, token)).status).toBe(400);
        expect((await get('/state', token)).body.state).toBe('signing_in');
      });

      it('two signed-in reports at once: one wins, the other gets a conflict', async () => {
        const token = await provisioned();
        await devices().signIn.request(admin, tenantA, mac);
        await post('/login-code', { loginCode: 'EV9PGNQN8' }, token);
        const answers = await Promise.all([post('/signed-in', { account: 'a@contoso.com' }, token), post('/signed-in', { account: 'b@contoso.com' }, token)]);
        expect(answers.map((answer) => answer.status).sort()).toEqual([200, 409]);
      });

      it('a factory reset revokes the token; the device provisions again with a new code', async () => {
        const token = await provisioned();
        expect((await post('/reset', {}, token)).body).toEqual({ state: 'registered' });
        expect((await get('/state', token)).status).toBe(401);
        const code = (await devices().codes.issue(admin, tenantA, { macs: [mac] })).issued[0]?.code ?? '';
        expect((await post('/provision', { mac, verificationCode: code })).status).toBe(200);
      });
    });

    describe('tenants', () => {
      it('tenant B can neither see nor change tenant A\'s device', async () => {
        await registeredWithCode(tenantA);
        await expect(devices().queries.details(tenantB, mac)).rejects.toMatchObject({ code: 'not_found' });
        expect(await devices().queries.list(tenantB)).toEqual([]);
        await expect(devices().signIn.request(admin, tenantB, mac)).rejects.toMatchObject({ code: 'not_found' });
        await expect(devices().access.resetByAdmin(admin, tenantB, mac)).rejects.toMatchObject({ code: 'not_found' });
        const codes = await devices().codes.issue(admin, tenantB, { macs: [mac] });
        expect(codes.issued).toEqual([]);
        expect(codes.skipped).toEqual([{ mac, reason: expect.stringContaining('not registered') }]);
        expect((await devices().queries.details(tenantA, mac)).device.state).toBe('code_issued');
      });

      it('the same MAC in two tenants: the code decides which tenant\'s device is provisioned', async () => {
        await registeredWithCode(tenantA);
        const codeB = await registeredWithCode(tenantB);
        const answer = await post('/provision', { mac, verificationCode: codeB });
        expect(answer.body.tenantName).toBe(tenantB);
        expect((await devices().queries.details(tenantB, mac)).device.state).toBe('awaiting_sign_in');
        expect((await devices().queries.details(tenantA, mac)).device.state).toBe('code_issued');
      });
    });
  });
});
