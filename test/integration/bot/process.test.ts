// The bot as an operator runs it: a separate process started like `npm start`.
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createClient } from '@libsql/client';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeChannel } from '../../helpers/fake-channel.ts';
import { shownText } from '../../helpers/card-text.ts';
import { meaningfulStderr, startBotProcess, waitUntilReady, type BotProcess } from '../../helpers/bot-process.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'provisioning-bot-process-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function track(bot: BotProcess): BotProcess {
  cleanups.push(async () => {
    if (bot.child.exitCode === null && bot.child.signalCode === null) {
      bot.child.kill('SIGKILL');
      await bot.exited;
    }
  });
  return bot;
}

const migrationNames = readdirSync(path.resolve('prisma/migrations'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);

describe('start-up on the embedded default', () => {
  it('with no DATABASE_URL, creates ./data/provisioning.db with every migration applied and becomes ready', async () => {
    const cwd = tempDir();
    const bot = track(startBotProcess(cwd, {}));
    const port = await bot.listening;
    await waitUntilReady(`http://127.0.0.1:${port}/readyz`, 20_000);

    const readyz = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect(await readyz.json()).toMatchObject({ status: 'ready', database: 'sqlite', jobs: expect.any(Object) });
    const file = path.join(cwd, 'data', 'provisioning.db');
    expect(existsSync(file)).toBe(true);
    const db = createClient({ url: `file:${file}` });
    const applied = await db.execute('SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL');
    db.close();
    expect(applied.rows.map((row) => row.migration_name)).toEqual(migrationNames);

    // and it answers a Teams message at the channel's serviceUrl
    const channel = await FakeChannel.start(`http://127.0.0.1:${port}`);
    cleanups.push(() => channel.close());
    expect((await channel.message('help')).status).toBe(200);
    const [reply] = await channel.waitFor(1);
    expect(shownText(reply)).toContain('register MAC [location]');

    // and, from the production build, the files found beside their modules: the fleet tab's page and bundle
    const page = await fetch(`http://127.0.0.1:${port}/tab/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<html');
    expect((await fetch(`http://127.0.0.1:${port}/tab/app.js`)).status).toBe(200);
  });

  it('when a second start finds the database already migrated, it applies nothing and starts', async () => {
    const cwd = tempDir();
    const first = track(startBotProcess(cwd, {}));
    await first.listening;
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);

    const second = track(startBotProcess(cwd, {}));
    await second.listening;
    expect(second.stdout()).not.toContain('migration applied');
  });
});

describe('configuration errors stop start-up with one line', () => {
  const cases: { name: string; env: Record<string, string>; mentions: string[] }[] = [
    { name: 'PORT is not a number', env: { PORT: 'eighty' }, mentions: ['PORT', 'whole number from 0 to 65535', 'eighty'] },
    { name: 'PORT is out of range', env: { PORT: '70000' }, mentions: ['PORT', '70000'] },
    { name: 'DATABASE_URL has an unknown scheme', env: { DATABASE_URL: 'mysql://root:hunter2@db/bot' }, mentions: ['DATABASE_URL', 'postgres://', 'file:'] },
    { name: 'an app id comes without its password', env: { MicrosoftAppId: 'app-id' }, mentions: ['MicrosoftAppPassword', 'required when MicrosoftAppId is set'] },
  ];

  it.each(cases)('when $name, the bot exits 1 and says what is expected', async ({ env, mentions }) => {
    const bot = track(startBotProcess(tempDir(), env));
    expect(await bot.exited).toBe(1);
    const lines = meaningfulStderr(bot.stderr());
    expect(lines).toHaveLength(1);
    for (const text of mentions) expect(lines[0]).toContain(text);
    expect(lines[0]).not.toContain('hunter2');
    expect(bot.stdout()).not.toContain('listening');
  });

  it('when the PostgreSQL server cannot be reached, the bot exits 1 with one line naming the cause', async () => {
    const bot = track(startBotProcess(tempDir(), { DATABASE_URL: 'postgres://bot:hunter2@127.0.0.1:1/bot', CODE_HASH_SECRET: 'a-secret-of-at-least-32-characters-000' }));
    expect(await bot.exited).toBe(1);
    const lines = meaningfulStderr(bot.stderr());
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^Start-up failed: .*ECONNREFUSED/);
    expect(bot.stderr() + bot.stdout()).not.toContain('hunter2');
  });
});

describe('shutdown', () => {
  it('on SIGTERM, a turn in flight still delivers its reply, new requests are refused, and the exit code is 0', async () => {
    const bot = track(startBotProcess(tempDir(), { SHUTDOWN_GRACE_SECONDS: '10' }));
    const port = await bot.listening;
    const channel = await FakeChannel.start(`http://127.0.0.1:${port}`);
    cleanups.push(() => channel.close());
    channel.answerDelayMs = 1500; // the channel is slow: the turn stays in flight

    const turn = channel.message('help');
    await new Promise((resolve) => setTimeout(resolve, 400));
    bot.child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 200));
    // A new request is refused: either the listener is already closed, or (if the connection
    // was accepted just before) it is answered 503 "shutting down".
    const late = await fetch(`http://127.0.0.1:${port}/healthz`).then(
      (response) => response.status,
      () => 'refused',
    );
    expect([503, 'refused']).toContain(late);

    expect((await turn).status).toBe(200);
    expect(await bot.exited).toBe(0);
    expect(channel.received).toHaveLength(1);
    expect(shownText(channel.received[0])).toContain('register MAC [location]');
    expect(bot.stdout()).toContain('"msg":"stopped"');
  });

  it('on SIGINT with nothing in flight, it stops at once with exit code 0', async () => {
    const bot = track(startBotProcess(tempDir(), {}));
    await bot.listening;
    bot.child.kill('SIGINT');
    expect(await bot.exited).toBe(0);
  });
});

describe('authentication and logs', () => {
  it('with an app id, an unauthenticated request gets 401, no reply is sent, and the password never reaches the logs', async () => {
    const password = 'p4ssw0rd-that-must-not-leak';
    const bot = track(startBotProcess(tempDir(), { MicrosoftAppId: '00000000-0000-0000-0000-000000000001', MicrosoftAppPassword: password, LOG_LEVEL: 'trace' }));
    const port = await bot.listening;
    const channel = await FakeChannel.start(`http://127.0.0.1:${port}`);
    cleanups.push(() => channel.close());

    expect((await channel.message('help')).status).toBe(401);
    expect((await channel.message('help', { headers: { authorization: 'Bearer not-a-token' } })).status).toBe(401);
    bot.child.kill('SIGTERM');
    await bot.exited;
    expect(channel.received).toHaveLength(0);
    expect(bot.stdout() + bot.stderr()).not.toContain(password);
  });
});
