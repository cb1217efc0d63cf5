// The device API trusts only the device token it gave at provisioning, and only five guesses
// of a verification code per MAC in 15 minutes. Drilled over real HTTP, with codes read off
// the hand-off card an admin got in chat.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { deviceApiBase } from '../../../bot/device-api/device-routes.ts';
import { everything, TenantChat } from './chat-driver.ts';
import { cardOf, codesOnCard } from '../../helpers/card-text.ts';
import { callDeviceApi } from '../../helpers/device-api.ts';
import type { ReceivedActivity } from '../../helpers/fake-channel.ts';
import { ManualClock, minutes } from '../../helpers/manual-clock.ts';
import { startTestBot, type TestBot } from '../../helpers/test-bot.ts';

const adminId = '6a1e0c7e-5d0b-4a8e-9c3f-00000000a001';
const admin = { id: '29:ada', name: 'Ada Admin', aadObjectId: adminId };
const tenantId = 'tenant-contoso';

/**
 * Every route of the device API, read from its source, so that a new route is drilled as soon
 * as it exists. All but /provision must demand a device token.
 */
function deviceRoutes(): { method: 'GET' | 'POST'; path: string }[] {
  const source = readFileSync(path.resolve('bot/device-api/device-routes.ts'), 'utf8');
  return [...source.matchAll(/server\.(get|post)\(`\$\{deviceApiBase\}(\/[\w-]+)`/g)].map((match) => ({
    method: match[1] === 'get' ? 'GET' : 'POST',
    path: match[2] ?? '',
  }));
}
const authenticatedRoutes = deviceRoutes().filter((route) => route.path !== '/provision');

const bots: TestBot[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const bot of bots.splice(0)) await bot.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function start(env: Record<string, string> = {}, clock?: ManualClock): Promise<{ bot: TestBot; chat: TenantChat }> {
  const bot = await startTestBot({ ADMIN_USER_IDS: adminId, ...env }, { outboxIntervalMs: 50, ...(clock ? { clock } : {}) });
  bots.push(bot);
  return { bot, chat: new TenantChat(bot, tenantId, admin, 'contoso') };
}

describe('device tokens', () => {
  it('the drill covers every route of the device API', () => {
    expect(deviceRoutes().map((route) => route.path)).toContain('/provision');
    expect(authenticatedRoutes.map((route) => `${route.method} ${route.path}`)).toEqual(
      expect.arrayContaining(['GET /state', 'POST /login-code', 'POST /signed-in', 'POST /reset']),
    );
    expect(deviceApiBase).toBe('/api/device/v1');
  });

  it('every authenticated route answers 401 to a missing, malformed, forged, altered or revoked token, and changes nothing', async () => {
    const { bot, chat } = await start();
    const [kept, resetOne] = ['00-04-F2-A0-00-01', '00-04-F2-A0-00-02'];
    const { codes } = await chat.registerWithCodes([kept, resetOne], 'Lobby');
    const provision = async (mac: string) => {
      const answer = await callDeviceApi(bot.url, 'POST', '/provision', { mac, verificationCode: codes.get(mac) });
      expect(answer.status).toBe(200);
      return String(answer.body.deviceToken);
    };
    const token = await provision(kept);
    const revoked = await provision(resetOne);
    expect((await callDeviceApi(bot.url, 'POST', '/reset', {}, revoked)).status).toBe(200);
    await chat.say(`signin ${kept} lobby@contoso.com`);

    const middle = Math.floor(token.length / 2);
    const altered = token.slice(0, middle) + (token[middle] === 'A' ? 'B' : 'A') + token.slice(middle + 1);
    const forged = `dvt_${randomBytes(32).toString('base64url')}`;
    const badHeaders: [string, Record<string, string>][] = [
      ['no Authorization header', {}],
      ['an empty bearer', { authorization: 'Bearer ' }],
      ['another scheme', { authorization: `Basic ${Buffer.from(`device:${token}`).toString('base64')}` }],
      ['the token without its scheme', { authorization: token }],
      ['two tokens', { authorization: `Bearer ${token} ${token}` }],
      ['a forged token', { authorization: `Bearer ${forged}` }],
      ['the token with one character changed', { authorization: `Bearer ${altered}` }],
      ['the token of a device since factory-reset', { authorization: `Bearer ${revoked}` }],
    ];
    const bodies: Record<string, unknown> = { '/login-code': { loginCode: 'HX7PQ2WKM' }, '/signed-in': { account: 'lobby@contoso.com' }, '/reset': {}, '/inventory': { firmwareVersion: '58.15.0.130' }, '/update-status': { updateId: 'some-update', status: 'downloading' } };
    const before = JSON.stringify(await bot.server.store.db.device.findMany({ orderBy: { mac: 'asc' } }));
    const auditBefore = await bot.server.store.db.auditEvent.count();

    for (const route of authenticatedRoutes) {
      for (const [what, headers] of badHeaders) {
        const body = bodies[route.path];
        const response = await fetch(`${bot.url}${deviceApiBase}${route.path}`, {
          method: route.method,
          headers: { ...headers, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
          ...(route.method === 'POST' ? { body: JSON.stringify(body ?? {}) } : {}),
        });
        expect(response.status, `${route.method} ${route.path} with ${what}`).toBe(401);
        expect(await response.json()).toEqual({ code: 'unauthorized', message: expect.stringContaining('device token') });
      }
    }
    expect(JSON.stringify(await bot.server.store.db.device.findMany({ orderBy: { mac: 'asc' } }))).toBe(before);
    expect(await bot.server.store.db.auditEvent.count()).toBe(auditBefore);
    // The real token still works: the refusals were about the tokens, not the device.
    expect((await callDeviceApi(bot.url, 'GET', '/state', undefined, token)).body).toMatchObject({ state: 'awaiting_sign_in', signInRequested: true });
  });

  it('a device provisioned again gets a new token; the old one is dead', async () => {
    const { bot, chat } = await start();
    const mac = '00-04-F2-A0-00-03';
    const first = await chat.registerWithCodes([mac], 'Lobby');
    const oldToken = String((await callDeviceApi(bot.url, 'POST', '/provision', { mac, verificationCode: first.codes.get(mac) })).body.deviceToken);
    expect((await callDeviceApi(bot.url, 'POST', '/reset', {}, oldToken)).status).toBe(200);
    const [again] = await chat.say(`codes ${mac}`);
    const newCode = codesOnCard(cardOf(again!)).get(mac);
    expect(newCode).toMatch(/^\d{6}$/);
    const newToken = String((await callDeviceApi(bot.url, 'POST', '/provision', { mac, verificationCode: newCode })).body.deviceToken);
    expect(newToken).toMatch(/^dvt_/);
    expect(newToken).not.toBe(oldToken);
    expect((await callDeviceApi(bot.url, 'GET', '/state', undefined, oldToken)).status).toBe(401);
    expect((await callDeviceApi(bot.url, 'GET', '/state', undefined, newToken)).status).toBe(200);
  });

  it('a new CODE_HASH_SECRET invalidates every device token, as .env.example says', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'provisioning-bot-rotation-'));
    dirs.push(dir);
    const databaseUrl = `file:${path.join(dir, 'bot.db')}`;
    const mac = '00-04-F2-A0-00-04';
    const first = await start({ DATABASE_URL: databaseUrl, CODE_HASH_SECRET: randomBytes(32).toString('base64url') });
    const { codes } = await first.chat.registerWithCodes([mac], 'Lobby');
    const token = String((await callDeviceApi(first.bot.url, 'POST', '/provision', { mac, verificationCode: codes.get(mac) })).body.deviceToken);
    expect((await callDeviceApi(first.bot.url, 'GET', '/state', undefined, token)).status).toBe(200);
    await first.bot.close();
    bots.splice(bots.indexOf(first.bot), 1);

    const rotated = await start({ DATABASE_URL: databaseUrl, CODE_HASH_SECRET: randomBytes(32).toString('base64url') });
    expect((await callDeviceApi(rotated.bot.url, 'GET', '/state', undefined, token)).status).toBe(401);
  });
});

describe('guessing verification codes', () => {
  it('five wrong codes lock the MAC out (429, Retry-After) and tell the admins; the right code fails until the window passes, then works', async () => {
    const clock = new ManualClock();
    const { bot, chat } = await start({}, clock);
    await chat.setUpChannels();
    const [mac, neighbour] = ['00-04-F2-B0-00-01', '00-04-F2-B0-00-02'];
    const { codes } = await chat.registerWithCodes([mac, neighbour], 'Lobby');
    const right = codes.get(mac) ?? '';
    const wrong = (n: number) => String((Number(right) + 1 + n) % 1_000_000).padStart(6, '0');
    const provision = (verificationCode: string, deviceMac = mac) => callDeviceApi(bot.url, 'POST', '/provision', { mac: deviceMac, verificationCode });

    const attemptsLeft: unknown[] = [];
    for (let n = 0; n < 4; n++) {
      const answer = await provision(wrong(n));
      expect(answer.status).toBe(401);
      attemptsLeft.push(answer.body.attemptsLeft);
      clock.advance(minutes(1));
    }
    expect(attemptsLeft).toEqual([4, 3, 2, 1]);
    const fifth = await provision(wrong(4));
    expect(fifth.status).toBe(429);
    expect(fifth.body).toMatchObject({ code: 'locked_out', retryAfterSeconds: 11 * 60 });
    // The first counted failure, 4 minutes ago, leaves the 15-minute window in 11 minutes.
    expect(fifth.retryAfter).toBe(String(11 * 60));

    // The admins' channel is told, once, with the MAC and what to do.
    const isLockoutCard = (activity: ReceivedActivity) => activity.conversationId === chat.adminsChannel && everything(activity).includes('locked out');
    bot.server.outbox.kick();
    const [told] = await bot.channel.waitFor(1, isLockoutCard, 15_000);
    expect(everything(told)).toContain(mac);

    // Locked: the right code is refused too, all through the window, and the wait counts down.
    const during: { status: number; retryAfter: string | null }[] = [];
    for (const step of [0, minutes(5), minutes(6) - 1000]) {
      clock.advance(step);
      const answer = await provision(right);
      during.push({ status: answer.status, retryAfter: answer.retryAfter });
    }
    expect(during).toEqual([
      { status: 429, retryAfter: String(11 * 60) },
      { status: 429, retryAfter: String(6 * 60) },
      { status: 429, retryAfter: '1' },
    ]);
    // Another device is not locked by its neighbour's lockout.
    expect((await provision(codes.get(neighbour) ?? '', neighbour)).status).toBe(200);
    // Guesses during the lockout neither extend it nor notify again.
    bot.server.outbox.kick();
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(bot.channel.received.filter(isLockoutCard)).toHaveLength(1);

    clock.advance(1000);
    const after = await provision(right);
    expect(after.status).toBe(200);
    expect(after.body.deviceToken).toMatch(/^dvt_/);
  });
});
