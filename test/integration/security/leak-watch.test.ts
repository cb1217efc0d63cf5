// The leak watch of the test run (test/global-setup/leak-check.ts): the scan finds secrets in
// log lines and does not cry wolf; a leak fails a whole vitest run; and in this very run, the
// helpers really capture the bot's logs and the secrets the tests handle, so the final scan
// cannot pass for lack of anything to scan.
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { inspectLeakWatch } from '../../global-setup/leak-check.ts';
import { Writable } from 'node:stream';
import { createLogger } from '../../../bot/logger.ts';
import { findLeaks, secretFieldNames } from '../../global-setup/leak-scan.ts';
import { startBotProcess } from '../../helpers/bot-process.ts';
import { callDeviceApi } from '../../helpers/device-api.ts';
import { leakWatchDirVariable, type CapturedLine, type HandledSecret } from '../../helpers/leak-watch.ts';
import { startTestBot, type TestBot } from '../../helpers/test-bot.ts';
import { TenantChat } from './chat-driver.ts';

const run = promisify(execFile);
const thisFile = 'test/integration/security/leak-watch.test.ts';
const line = (text: string): CapturedLine => ({ file: 'a.test.ts', source: 'in-process bot', line: text });
const secret = (value: string, kind = 'verification code'): HandledSecret => ({ file: 'a.test.ts', kind, value });

describe('the scan', () => {
  const code = '482913';
  const token = `dvt_${randomBytes(32).toString('base64url')}`;
  const jwt = 'eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJodHRwczovL2FwaS5ib3RmcmFtZXdvcmsuY29tIn0.c2lnbmF0dXJl';

  it.each([
    ['a handled code as a number of its own', `{"msg":"wrong code ${code}"}`],
    ['a handled code in a field', `{"msg":"x","attempt":{"code":"${code}"}}`],
    ['a handled device token anywhere', `{"msg":"refused","header":"Bearer ${token}"}`],
    ['a handled password in a plain line', 'Start-up failed: login with p4ssw0rd-that-must-not-leak refused'],
    ['any device token, handled or not', `{"msg":"x","detail":"dvt_${'x'.repeat(43)}"}`],
    ['any JWT', `{"msg":"token check","detail":"${jwt}"}`],
    ['a password in a URL', '{"msg":"connecting to postgres://bot:hunter2hunter2@db.internal:5432/provisioning"}'],
    ['a secret setting', 'CODE_HASH_SECRET=9f8e7d6c5b4a39281706f5e4d3c2b1a0 from .env'],
    ['a secret field with a value', '{"msg":"config","MicrosoftAppPassword":"abc"}'],
    ['a six-digit code field', '{"msg":"x","err":{"cause":{"code":"123456"}}}'],
    ['a login code field', '{"msg":"x","report":{"body":{"detail":{"loginCode":"HX7PQ2WKM"}}}}'],
  ])('finds %s', (_what, text) => {
    const leaks = findLeaks([line(text)], [secret(code), secret(token, 'device token'), secret('p4ssw0rd-that-must-not-leak', 'MicrosoftAppPassword')]);
    expect(leaks.length).toBeGreaterThan(0);
    // The report does not repeat the secret (it goes to CI logs).
    for (const leak of leaks) {
      for (const value of [code, token, 'p4ssw0rd-that-must-not-leak', jwt, 'hunter2hunter2', '9f8e7d6c5b4a39281706f5e4d3c2b1a0', '"abc"', 'HX7PQ2WKM', 'x'.repeat(43)]) {
        expect(leak.excerpt).not.toContain(value);
      }
    }
  });

  it.each([
    ['the code inside a longer number or an id', `{"msg":"x","ms":1${code},"id":"01a2${code}f-3b"}`],
    ['redacted fields', '{"msg":"x","password":"[redacted]","deviceToken":"[redacted]","authorization":"[redacted]"}'],
    ['error codes in a code field', '{"msg":"refused","code":"wrong_code","err":{"code":"ECONNREFUSED"}}'],
    ['a masked or placeholder password in a URL', 'DATABASE_URL: expected "postgres://user:password@host:5432/database" (got "postgres://bot:***@db/x")'],
    ['a masked setting', 'MicrosoftAppPassword=*** CODE_HASH_SECRET=[redacted]'],
    ['an ordinary request line', '{"level":30,"requestId":"c0a8f0e2-6b1d-4f3e-9a7c-2d5e8f1b3a64","method":"POST","path":"/api/device/v1/provision","status":401,"ms":12,"msg":"request"}'],
  ])('does not flag %s', (_what, text) => {
    expect(findLeaks([line(text)], [secret(code), secret(token, 'device token')])).toEqual([]);
  });
});

describe("the bot's logger", () => {
  it('redacts every field the scan looks for, at the top and two levels down', () => {
    const written: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        written.push(...chunk.toString('utf8').split('\n').filter((text) => text !== ''));
        callback();
      },
    });
    const log = createLogger('info', sink);
    for (const name of secretFieldNames) {
      const value = `value-of-${name}-0123456789`;
      log.info({ [name]: value, nested: { [name]: value }, deeper: { inner: { [name]: value } } }, 'fields');
    }
    log.info({ attempt: { code: '482913' } }, 'a code');
    expect(written).toHaveLength(secretFieldNames.length + 1);
    expect(findLeaks(written.map(line), [])).toEqual([]);
    expect(written.join('\n')).not.toContain('value-of-');
  });
});

describe('the check at the end of a run', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  function watchWith(lines: CapturedLine[], secrets: HandledSecret[]): string {
    const dir = mkdtempSync(path.join(tmpdir(), 'leak-watch-test-'));
    dirs.push(dir);
    for (const [kind, records] of [['logs', lines], ['secrets', secrets]] as const) {
      mkdirSync(path.join(dir, kind));
      writeFileSync(path.join(dir, kind, '1.jsonl'), records.map((record) => `${JSON.stringify(record)}\n`).join(''));
    }
    return dir;
  }

  it('reports a leak, and an empty watch when the security tests ran', () => {
    expect(inspectLeakWatch(watchWith([line('{"msg":"code 482913"}')], [secret('482913')]), true).problems).toEqual([expect.stringContaining('Secrets found in the logs of this test run (1)')]);
    expect(inspectLeakWatch(watchWith([], [secret('482913')]), true).problems).toEqual([expect.stringContaining('proves nothing')]);
    expect(inspectLeakWatch(watchWith([line('{"msg":"request"}')], []), true).problems).toEqual([expect.stringContaining('proves nothing')]);
    expect(inspectLeakWatch(watchWith([], []), false).problems).toEqual([]);
    expect(inspectLeakWatch(watchWith([line('{"msg":"request"}')], [secret('482913')]), true)).toMatchObject({ lines: 1, secrets: 1, problems: [] });
  });

  it.each([
    ['leaky', 1],
    ['clean', 0],
  ])('a vitest run whose test logs what it handled (%s) exits with %i', async (fixture, exitCode) => {
    // The nested run gets a watch of its own, not this run's.
    const env: NodeJS.ProcessEnv = { ...process.env, LEAK_FIXTURE: `${fixture}.fixture.ts` };
    delete env[leakWatchDirVariable];
    const outcome = await run(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', '--configLoader', 'runner', '--config', 'test/global-setup/fixtures/vitest.config.ts'], { env }).then(
      ({ stdout, stderr }) => ({ code: 0, output: stdout + stderr }),
      (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, output: error.stdout + error.stderr }),
    );
    const kept = /The captured logs are kept in (\S+)\./.exec(outcome.output)?.[1];
    if (kept) dirs.push(kept);
    expect(outcome.code, outcome.output).toBe(exitCode);
    expect(outcome.output).toContain('1 passed');
    if (fixture === 'leaky') expect(outcome.output).toContain('verification code read off a card (handled in test/global-setup/fixtures/leaky.fixture.ts)');
    else expect(outcome.output).toContain('2 log lines scanned for 2 secrets; no leak');
  }, 60_000);
});

describe('in this run', () => {
  let bot: TestBot | undefined;
  afterEach(async () => {
    await bot?.close();
    bot = undefined;
  });

  function watched(): { lines: CapturedLine[]; secrets: HandledSecret[] } {
    const dir = process.env[leakWatchDirVariable];
    expect(dir, 'vitest.config.ts runs test/global-setup/leak-check.ts, which sets the leak-watch directory').toBeTruthy();
    const read = <T>(kind: string): T[] => {
      const folder = path.join(dir ?? '', kind);
      if (!existsSync(folder)) return [];
      return readdirSync(folder).flatMap((name) => readFileSync(path.join(folder, name), 'utf8').split('\n').filter((text) => text !== '').map((text) => JSON.parse(text) as T));
    };
    return { lines: read<CapturedLine>('logs').filter((record) => record.file === thisFile), secrets: read<HandledSecret>('secrets').filter((record) => record.file === thisFile) };
  }

  it("the in-process bot's log lines, the codes on its cards and the device tokens it gives are all watched, and none leaked", async () => {
    bot = await startTestBot({ ADMIN_USER_IDS: '6a1e0c7e-5d0b-4a8e-9c3f-00000000c001' });
    const chat = new TenantChat(bot, 'tenant-contoso', { id: '29:ada', name: 'Ada Admin', aadObjectId: '6a1e0c7e-5d0b-4a8e-9c3f-00000000c001' }, 'contoso');
    const mac = '00-04-F2-D0-00-01';
    const { codes } = await chat.registerWithCodes([mac], 'Lobby');
    const answer = await callDeviceApi(bot.url, 'POST', '/provision', { mac, verificationCode: codes.get(mac) });
    const token = String(answer.body.deviceToken);
    await callDeviceApi(bot.url, 'POST', '/login-code', { loginCode: 'QW7RT2ZPX' }, token);

    const { lines, secrets } = watched();
    expect(lines.filter((record) => record.source === 'in-process bot').length).toBeGreaterThan(5);
    expect(secrets.map((record) => record.value)).toEqual(expect.arrayContaining([codes.get(mac), token, 'QW7RT2ZPX']));
    expect(secrets.some((record) => record.kind === 'generated code hash secret')).toBe(true);
    expect(findLeaks(lines, secrets)).toEqual([]);
  });

  it("a bot process's stdout and stderr, and the secrets it was started with, are watched too", async () => {
    const cwd = mkdtempSync(path.join(tmpdir(), 'leak-watch-process-'));
    const password = `process-password-${randomBytes(8).toString('hex')}`;
    try {
      const child = startBotProcess(cwd, { MicrosoftAppId: '3f2504e0-4f89-41d3-9a0c-0305e82c3301', MicrosoftAppPassword: password });
      await child.listening;
      child.child.kill('SIGTERM');
      await child.exited;
      // The last output may come after the exit; 'close' comes after all of it.
      if (!(child.child.stdout?.closed && child.child.stderr?.closed)) await once(child.child, 'close');
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
    const { lines, secrets } = watched();
    expect(lines.filter((record) => record.source === 'bot process stdout').some((record) => record.line.includes('"msg":"listening"'))).toBe(true);
    expect(secrets.map((record) => record.value)).toContain(password);
    expect(findLeaks(lines, secrets)).toEqual([]);
  }, 60_000);
});
