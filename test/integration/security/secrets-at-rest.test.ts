// Issue 12, item 9: what a copy of data/ reveals. The SQLite file (and its WAL) and the generated
// code-hash secret are the owner's alone (0600), also when an earlier version left them 0644;
// a device-login code is dropped from the store once its sign-in ends or lapses.
import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveCodeHashSecret } from '../../../bot/code-hash-secret.ts';
import { openStore } from '../../../prisma/store.ts';
import { callDeviceApi } from '../../helpers/device-api.ts';
import { ManualClock, minutes } from '../../helpers/manual-clock.ts';
import { startTestBot, type TestBot } from '../../helpers/test-bot.ts';

const modeOf = (file: string) => statSync(file).mode & 0o777;

describe('files at rest', () => {
  let dir: string;
  const previousUmask = process.umask(0o022);
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'secrets-at-rest-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  afterAll(() => process.umask(previousUmask));

  it('a new SQLite database, its WAL and the generated secret are created 0600 (umask 022)', async () => {
    const databaseUrl = `file:${path.join(dir, 'data', 'bot.db')}`;
    const store = await openStore(databaseUrl);
    try {
      await store.db.tenant.count();
      resolveCodeHashSecret({ codeHashSecret: null, databaseUrl, databaseProvider: 'sqlite' });
      expect(modeOf(path.join(dir, 'data', 'bot.db')).toString(8)).toBe('600');
      expect(modeOf(path.join(dir, 'data', 'bot.db-wal')).toString(8)).toBe('600');
      expect(modeOf(path.join(dir, 'data', 'code-hash.secret')).toString(8)).toBe('600');
      expect(modeOf(path.join(dir, 'data')).toString(8)).toBe('700');
    } finally {
      await store.close();
    }
  });

  it('a database and secret an earlier version left world-readable are narrowed to their owner at start', async () => {
    const databaseUrl = `file:${path.join(dir, 'bot.db')}`;
    (await openStore(databaseUrl)).close();
    const secretFile = path.join(dir, 'code-hash.secret');
    writeFileSync(secretFile, `${'s'.repeat(40)}\n`);
    chmodSync(path.join(dir, 'bot.db'), 0o644);
    chmodSync(secretFile, 0o644);
    const store = await openStore(databaseUrl);
    resolveCodeHashSecret({ codeHashSecret: null, databaseUrl, databaseProvider: 'sqlite' });
    await store.close();
    expect(modeOf(path.join(dir, 'bot.db')).toString(8)).toBe('600');
    expect(modeOf(secretFile).toString(8)).toBe('600');
  });
});

describe('device-login codes', () => {
  const tenantId = 'tenant-contoso';
  const admin = { kind: 'user' as const, id: 'aad-ada' };
  const mac = '00-04-F2-81-24-B3';
  let bot: TestBot;
  let clock: ManualClock;
  beforeEach(async () => {
    clock = new ManualClock();
    bot = await startTestBot({}, { clock });
  });
  afterEach(async () => {
    await bot.close();
  });

  async function signingIn(): Promise<string> {
    const devices = bot.server.services.devices;
    await devices.registry.register(admin, tenantId, [{ mac, location: 'Lobby' }]);
    const code = (await devices.codes.issue(admin, tenantId, { macs: [mac] })).issued[0]?.code;
    const token = String((await callDeviceApi(bot.url, 'POST', '/provision', { mac, verificationCode: code })).body.deviceToken);
    await devices.signIn.request(admin, tenantId, mac, 'lobby@contoso.com');
    expect((await callDeviceApi(bot.url, 'POST', '/login-code', { loginCode: 'EV9PGNQN8', expiresInSeconds: 900 }, token)).status).toBe(200);
    expect((await bot.server.store.db.signInSession.findMany()).map((row) => row.loginCode)).toEqual(['EV9PGNQN8']);
    return token;
  }

  it('is dropped from the store when the account signs in', async () => {
    const token = await signingIn();
    expect((await callDeviceApi(bot.url, 'POST', '/signed-in', { account: 'lobby@contoso.com' }, token)).status).toBe(200);
    expect((await bot.server.store.db.signInSession.findMany()).map((row) => [row.status, row.loginCode])).toEqual([['completed', null]]);
  });

  it('is dropped from the store when it lapses', async () => {
    const token = await signingIn();
    clock.advance(minutes(16));
    expect((await callDeviceApi(bot.url, 'GET', '/state', undefined, token)).body.state).toBe('awaiting_sign_in');
    expect((await bot.server.store.db.signInSession.findMany()).map((row) => [row.status, row.loginCode])).toEqual([['lapsed', null]]);
  });
});
