// Issue 12, item 13: device-token answers are never cached or type-sniffed, and a failing
// /readyz tells the database's address only to this machine (and the log).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { noteSecret } from '../../helpers/leak-watch.ts';
import { startTestBot, type TestBot } from '../../helpers/test-bot.ts';

let bot: TestBot;
beforeEach(async () => {
  bot = await startTestBot();
});
afterEach(async () => {
  await bot.close();
});

describe('the device API', () => {
  it('answers a provision (with its device token) with Cache-Control: no-store and X-Content-Type-Options: nosniff', async () => {
    const admin = { kind: 'user' as const, id: 'aad-ada' };
    const mac = '00-04-F2-81-24-B3';
    await bot.server.services.devices.registry.register(admin, 'tenant-contoso', [{ mac, location: 'Lobby' }]);
    const code = (await bot.server.services.devices.codes.issue(admin, 'tenant-contoso', { macs: [mac] })).issued[0]?.code ?? '';
    noteSecret('verification code sent by a device', code);
    const response = await fetch(`${bot.url}/api/device/v1/provision`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ mac, verificationCode: code }) });
    const body = (await response.json()) as { deviceToken?: string };
    noteSecret('device token', body.deviceToken);
    expect(response.status).toBe(200);
    expect(body.deviceToken).toMatch(/^dvt_/);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    const state = await fetch(`${bot.url}/api/device/v1/state`, { headers: { authorization: `Bearer ${body.deviceToken}` } });
    expect(state.headers.get('cache-control')).toBe('no-store');
    const refused = await fetch(`${bot.url}/api/device/v1/state`, { headers: { authorization: 'Bearer dvt_nope' } });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('cache-control')).toBe('no-store');
  });
});

describe('a failing /readyz', () => {
  const detailed = 'storage unavailable: cannot connect to db.internal:5432 (ECONNREFUSED)';
  beforeEach(() => {
    bot.server.store.checkReadiness = async () => ({ ready: false, reason: detailed });
  });

  it('shows the database host and port to a client on this machine', async () => {
    const response = await fetch(`${bot.url}/readyz`);
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ status: 'not_ready', reason: detailed });
  });

  it('shows only the kind of failure to a client relayed by a proxy, and logs the detail', async () => {
    const response = await fetch(`${bot.url}/readyz`, { headers: { 'x-forwarded-for': '203.0.113.7' } });
    expect(response.status).toBe(503);
    const body = (await response.json()) as { reason: string };
    expect(body.reason).toBe("storage unavailable; details are in the bot's log");
    expect(JSON.stringify(body)).not.toMatch(/db\.internal|5432/);
    expect(bot.logs().some((line) => line.msg === 'not ready' && line.reason === detailed)).toBe(true);
  });
});
