// Store-fault drills: the bot runs as a real process while its store goes away under it —
// the SQLite file turns read-only, the PostgreSQL server stops — and comes back.
//   While down: a chat message gets "storage unavailable, nothing was changed, try again" with
//   a reference (not the generic apology), a card button gets an error answer that keeps the
//   card, the device API answers 503 storage_unavailable with Retry-After, /readyz is 503
//   with the reason, and nothing is half-written.
//   Once back: the same requests succeed, /readyz is 200, the outbox delivers again, and it
//   is still the same process (no restart).
// The faults are real: a file permission on a bot the kernel holds to permissions (as root,
// started without CAP_DAC_OVERRIDE: test/helpers/file-permissions.ts), and `pg_ctl stop -m fast` on a PostgreSQL server of the drill's own (the shared
// one other tests use is never touched).
import { chmodSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startBotProcess, waitUntilReady, type BotProcess, type BotProcessOptions } from '../../helpers/bot-process.ts';
import { cardOf, codesOnCard, shownText } from '../../helpers/card-text.ts';
import { callDeviceApi } from '../../helpers/device-api.ts';
import { FakeChannel, type ReceivedActivity } from '../../helpers/fake-channel.ts';
import { skipPrivatePostgres, startPrivatePostgres } from '../../helpers/private-postgres.ts';
import { commandWherePermissionsHold } from '../../helpers/file-permissions.ts';

const adminId = '0f6c1d2e-3333-4a4a-9b9b-000000000003';
const admin = { id: '29:ada', name: 'Ada Admin', aadObjectId: adminId };
const adminChat = `a:personal-${adminId}`;
const [macA, macB, macC] = ['00-04-F2-00-0F-01', '00-04-F2-00-0F-02', '00-04-F2-00-0F-03'];
const storageSentence = /storage is unavailable right now, so nothing was changed\. Please try again in a minute.*reference: ([2-9A-Z]{4}-[2-9A-Z]{4})/;
const drillTimeoutMs = 180_000;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A way to take the store away and give it back. */
interface StoreFault {
  what: string;
  down(): Promise<void>;
  up(): Promise<void>;
  /** A read-only SQLite file still serves reads; a stopped server serves nothing. */
  readsStillWork: boolean;
}

interface RunningBot {
  process: BotProcess;
  url: string;
  channel: FakeChannel;
}

async function startBot(cwd: string, env: Record<string, string>, options: BotProcessOptions = {}): Promise<RunningBot> {
  const bot = startBotProcess(cwd, { ADMIN_USER_IDS: adminId, LOG_LEVEL: 'info', ...env }, options);
  cleanups.push(async () => {
    if (bot.child.exitCode === null && bot.child.signalCode === null) {
      bot.child.kill('SIGKILL');
      await bot.exited;
    }
  });
  const port = await bot.listening;
  const url = `http://127.0.0.1:${port}`;
  await waitUntilReady(`${url}/readyz`, 60_000);
  const channel = await FakeChannel.start(url);
  cleanups.push(() => channel.close());
  return { process: bot, url, channel };
}

async function readyz(url: string): Promise<{ status: number; body: { status?: string; reason?: string } }> {
  const response = await fetch(`${url}/readyz`);
  return { status: response.status, body: (await response.json()) as { status?: string; reason?: string } };
}

/** Polls /readyz until it answers `status` (an orchestrator's probe does the same). */
async function waitForReadyz(url: string, status: number, timeoutMs = 60_000): Promise<{ status: number; body: { status?: string; reason?: string } }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answer = await readyz(url);
    if (answer.status === status) return answer;
    if (Date.now() > deadline) throw new Error(`/readyz still answers ${answer.status} ${JSON.stringify(answer.body)} after ${timeoutMs} ms, expected ${status}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** The drill itself, the same for every store: set up, take the store away, check, give it back, check. */
async function drill(bot: RunningBot, fault: StoreFault): Promise<void> {
  const { channel, url } = bot;
  const inAdminChat = (activity: ReceivedActivity) => activity.conversationId === adminChat && activity.method === 'POST';
  const adminSays = async (text: string): Promise<ReceivedActivity> => {
    const before = channel.received.filter(inAdminChat).length;
    expect((await channel.message(text, { from: admin, conversationId: adminChat })).status).toBe(200);
    const reply = (await channel.waitFor(before + 1, inAdminChat, 20_000)).at(before);
    if (!reply) throw new Error(`no reply to "${text}"`);
    return reply;
  };
  const pressSignIn = (on: ReceivedActivity, mac: string) => {
    const value = { action: { type: 'Action.Execute', verb: 'device.signIn', data: { mac } }, trigger: 'manual' };
    return channel.post(channel.activity({ type: 'invoke', name: 'adaptiveCard/action', value, replyToId: on.assignedId }, { from: admin, conversationId: adminChat }));
  };
  const awaitingCardFor = async (mac: string) =>
    (await channel.waitFor(1, (activity) => inAdminChat(activity) && /provisioned,? (and )?waiting for sign-in/i.test(shownText(activity)) && shownText(activity).includes(mac), 30_000))[0];
  const device = (method: 'GET' | 'POST', route: string, body?: unknown, token?: string) => callDeviceApi(url, method, route, body, token);

  // Before: two devices registered with codes, A provisioned (its "waiting for sign-in" card came through the outbox).
  expect(shownText(await adminSays(`register ${macA} Lobby\n${macB} Lobby`))).toMatch(/Registered 2/);
  const codes = codesOnCard(cardOf(await adminSays(`codes ${macA} ${macB}`)));
  expect(codes.size).toBe(2);
  const provisionedA = await device('POST', '/provision', { mac: macA, verificationCode: codes.get(macA) });
  expect(provisionedA.status).toBe(200);
  const tokenA = String(provisionedA.body.deviceToken);
  const awaitingA = await awaitingCardFor(macA);
  if (!awaitingA) throw new Error('no awaiting sign-in card for A');
  expect((await device('GET', '/state', undefined, tokenA)).body).toMatchObject({ state: 'awaiting_sign_in', signInRequested: false });
  expect(shownText(await adminSays(`status ${macA}`))).toMatch(/waiting for sign-in/i);
  const pid = bot.process.child.pid;

  // Down.
  await fault.down();
  const notReady = await waitForReadyz(url, 503, 30_000);
  expect(notReady.body).toMatchObject({ status: 'not_ready', reason: expect.stringMatching(/^storage unavailable: /) });

  // A chat command: the storage sentence with a reference that is in the log, not the generic apology.
  const refused = shownText(await adminSays(`register ${macC} Floor 2`));
  expect(refused).toMatch(storageSentence);
  expect(refused).not.toMatch(/something went wrong/i);
  const chatReference = storageSentence.exec(refused)?.[1] ?? '';
  // A card button: an error answer (Teams shows it and keeps the card), not a replaced card.
  // The invoke's HTTP status is the answer's statusCode, as botbuilder sends it.
  const pressedWhileDown = await pressSignIn(awaitingA, macA);
  expect(pressedWhileDown.status).toBe(503);
  expect(pressedWhileDown.body).toMatchObject({ statusCode: 503, type: 'application/vnd.microsoft.error', value: { code: 'storage_unavailable', message: expect.stringMatching(storageSentence) } });
  // The device API: 503 storage_unavailable with Retry-After, for a write…
  const provisionWhileDown = await device('POST', '/provision', { mac: macB, verificationCode: codes.get(macB) });
  expect(provisionWhileDown.status).toBe(503);
  expect(provisionWhileDown.retryAfter).toBe('30');
  expect(provisionWhileDown.body).toMatchObject({ code: 'storage_unavailable', message: expect.stringMatching(storageSentence), reference: expect.any(String) });
  // …and a read: served from a read-only file, refused by a stopped server.
  const stateWhileDown = await device('GET', '/state', undefined, tokenA);
  if (fault.readsStillWork) expect(stateWhileDown).toMatchObject({ status: 200, body: { state: 'awaiting_sign_in', signInRequested: false } });
  else expect(stateWhileDown).toMatchObject({ status: 503, body: { code: 'storage_unavailable' } });
  // The process lives on: health is fine, readiness says why it is not ready.
  expect((await fetch(`${url}/healthz`)).status).toBe(200);
  // The background jobs meet the fault too (the outbox polls every 2 s); the process must outlive them.
  await new Promise((resolve) => setTimeout(resolve, 2_500));
  expect((await readyz(url)).status).toBe(503);
  expect(bot.process.child.exitCode).toBeNull();

  // Back.
  await fault.up();
  const ready = await waitForReadyz(url, 200, 60_000);
  expect(ready.body.status).toBe('ready');

  // Nothing was half-written while down: C is not registered, A's sign-in was never requested
  // (and below, B provisions with the same code: the refused attempt used nothing up).
  expect(shownText(await adminSays(`status ${macC}`))).toMatch(/No device|not registered|not found/i);
  expect((await device('GET', '/state', undefined, tokenA)).body).toMatchObject({ signInRequested: false });
  // The same requests now succeed, in the same process.
  expect(shownText(await adminSays(`register ${macC} Floor 2`))).toMatch(/Registered 1/);
  const pressedWhenBack = await pressSignIn(awaitingA, macA);
  expect(pressedWhenBack.status).toBe(200);
  expect(pressedWhenBack.body).toMatchObject({ statusCode: 200, type: 'application/vnd.microsoft.card.adaptive' });
  expect((await device('GET', '/state', undefined, tokenA)).body).toMatchObject({ signInRequested: true });
  const provisionedB = await device('POST', '/provision', { mac: macB, verificationCode: codes.get(macB) });
  expect(provisionedB.status).toBe(200);
  // The outbox delivers again: B's "waiting for sign-in" card arrives.
  expect(await awaitingCardFor(macB)).toBeDefined();

  // No restart: the same process, which listened once; no generic apology was ever sent.
  expect(bot.process.child.pid).toBe(pid);
  expect(bot.process.child.exitCode).toBeNull();
  const log = bot.process.stdout();
  expect(log.match(/"msg":"listening"/g)).toHaveLength(1);
  expect(channel.received.map((activity) => shownText(activity)).join('\n')).not.toMatch(/something went wrong/i);
  // The reference the user saw is on the log line that says what failed.
  const failureLine = log.split('\n').find((line) => line.includes(chatReference) && line.includes('turn failed: storage unavailable'));
  expect(failureLine).toBeDefined();
  expect(log).toContain('device request failed: storage unavailable');
}

describe('store faults', () => {
  it(
    'SQLite: when the database file turns read-only mid-run, users are told storage is unavailable, /readyz is 503, and the bot recovers without a restart',
    async () => {
      const commandPrefix = commandWherePermissionsHold();
      const cwd = mkdtempSync(path.join(tmpdir(), 'provisioning-bot-store-fault-'));
      cleanups.push(() => rmSync(cwd, { recursive: true, force: true }));
      const dataDir = path.join(cwd, 'data');
      const bot = await startBot(cwd, { DATABASE_URL: 'file:./data/provisioning.db' }, { commandPrefix });

      // The database file, its WAL and shared-memory files, and the folder (where SQLite would create them).
      const paths = ['provisioning.db', 'provisioning.db-wal', 'provisioning.db-shm'].map((name) => path.join(dataDir, name)).concat(dataDir);
      const modes = new Map<string, number>();
      const restore = () => {
        for (const [file, mode] of modes) chmodSync(file, mode);
      };
      cleanups.push(restore);
      await drill(bot, {
        what: 'read-only database file',
        readsStillWork: true,
        async down() {
          for (const file of paths.filter((candidate) => existsSync(candidate))) {
            modes.set(file, statSync(file).mode & 0o7777);
            chmodSync(file, file === dataDir ? 0o555 : 0o444);
          }
        },
        async up() {
          restore();
        },
      });
    },
    drillTimeoutMs,
  );

  it.skipIf(skipPrivatePostgres)(
    'PostgreSQL: when the server stops mid-run, users are told storage is unavailable, /readyz is 503, and the bot recovers without a restart when it is back',
    async () => {
      const postgres = await startPrivatePostgres();
      cleanups.push(() => postgres.destroy());
      const cwd = mkdtempSync(path.join(tmpdir(), 'provisioning-bot-store-fault-'));
      cleanups.push(() => rmSync(cwd, { recursive: true, force: true }));
      const bot = await startBot(cwd, { DATABASE_URL: postgres.url, CODE_HASH_SECRET: 'store-fault-drill-secret-0123456789-0123456789' });
      await drill(bot, {
        what: 'stopped PostgreSQL server',
        readsStillWork: false,
        down: () => postgres.stop(),
        up: () => postgres.start(),
      });
    },
    drillTimeoutMs,
  );
});
