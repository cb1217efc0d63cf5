// Channel-fault drill: the Teams connector (the fake channel) answers 500, then 429 with
// Retry-After, then does not answer at all. Notifications made by real chat commands and real
// device calls must be delayed, never lost, never duplicated; a stuck request must not hold
// the outbox up beyond the messenger's request timeout; and retries follow the backoff.
//
// Time: the domain clock is moved by hand (it decides when a retry is due, so backoff is
// checked exactly, without waiting); the request timeout is real and short (300 ms).
//
// What "never duplicated" can promise: a hang where the channel never took the activity is
// retried and arrives once. A hang where the channel took it and only its answer was lost
// looks the same to the bot, so the retry sends it again: at least once, never lost. The last
// test pins that window down.
import { afterEach, describe, expect, it } from 'vitest';
import type { Provider } from '../../../prisma/schemas.ts';
import { callDeviceApi } from '../../helpers/device-api.ts';
import { defaultTenantId, type ReceivedActivity } from '../../helpers/fake-channel.ts';
import { ManualClock, minutes } from '../../helpers/manual-clock.ts';
import { eventually, macsOf, notExactlyOnce, sleep } from '../../helpers/reliability.ts';
import { startTestBotOn, testProviders, unavailable, type TestBot } from '../../helpers/test-bot.ts';

const requestTimeoutMs = 300;
const adminId = '5e1f0c2a-0000-4000-8000-0000000fa017';
const admin = { id: '29:fault-admin', name: 'Fay Admin', aadObjectId: adminId };
const adminChat = `a:personal-${adminId}`;
const techChannel = { conversationType: 'channel' as const, conversationId: '19:technicians@thread.tacv2', teamId: '19:team@thread.tacv2' };

const started: TestBot[] = [];
afterEach(async () => {
  for (const bot of started.splice(0)) await bot.close();
});

interface Drill {
  bot: TestBot;
  clock: ManualClock;
}

async function startDrill(provider: Provider): Promise<Drill> {
  const clock = new ManualClock();
  const bot = await startTestBotOn(provider, { ADMIN_USER_IDS: adminId }, { clock, outboxIntervalMs: 20, channelRequestTimeoutMs: requestTimeoutMs });
  started.push(bot);
  // The technicians channel is set up, the admin has talked to the bot (so their chat is known).
  await bot.channel.message('setup technicians', { ...techChannel, mentionBot: true, from: admin });
  await bot.channel.message('help', { from: admin, conversationId: adminChat });
  await bot.channel.waitFor(2);
  return { bot, clock };
}

/** A request of the bot as the fake channel matches faults on it. */
type ChannelRequest = { method: string; conversationId: string; targetActivityId: string | null };
/** A request the bot makes on its own (outbox): a new message, or an update of an earlier one. */
const proactive = (request: ChannelRequest) => request.method === 'PUT' || request.targetActivityId === null;
const toTechnicians = (request: ChannelRequest) => proactive(request) && request.conversationId === techChannel.conversationId;

const handoffPosts = (bot: TestBot) => bot.channel.received.filter((activity) => activity.method === 'POST' && toTechnicians(activity));
const awaitingCards = (bot: TestBot) =>
  bot.channel.received.filter((activity) => activity.conversationId === adminChat && activity.method === 'POST' && /provisioned and waiting for sign-in/.test(String(activity.body.summary)));
const macOnCard = (activity: ReceivedActivity) => /Device ([0-9A-F-]{17})/.exec(String(activity.body.summary))?.[1] ?? String(activity.body.summary);

async function issueCodes(drill: Drill, macs: readonly string[]): Promise<Map<string, string>> {
  await drill.bot.channel.message(`register ${macs.map((mac) => `${mac} Lobby`).join('\n')}`, { from: admin, conversationId: adminChat });
  const report = await drill.bot.server.services.devices.codes.issue({ kind: 'user', id: adminId, name: admin.name }, defaultTenantId, { macs });
  return new Map(report.issued.map((entry) => [entry.mac, entry.code]));
}

async function outboxRows(bot: TestBot, kind: string) {
  return bot.server.store.db.outboxMessage.findMany({ where: { kind }, orderBy: { createdAt: 'asc' } });
}

/** The one outbox row of `kind` once it has failed `attempts` times: how long until its retry is due. */
async function retryDelayAfter(drill: Drill, kind: string, attempts: number): Promise<{ delayMs: number; lastError: string }> {
  await eventually(async () => (await outboxRows(drill.bot, kind))[0]?.attempts === attempts, `${kind} to have failed ${attempts} times`);
  const [row] = await outboxRows(drill.bot, kind);
  return { delayMs: row!.nextAttemptAt.getTime() - drill.clock.now().getTime(), lastError: row!.lastError ?? '' };
}

/** Lets the outbox job run many times (every 20 ms) to see that nothing more happens. */
const quietPeriod = () => sleep(200);

describe.each(testProviders)('channel faults, on %s', (provider) => {
  describe.skipIf(unavailable(provider))('the outbox', () => {
    it('500, then 429 with Retry-After, then a hang past the request timeout: the hand-off card is delayed by the backoff, then posted exactly once', async () => {
      const drill = await startDrill(provider);
      const { bot, clock } = drill;
      bot.channel.failNext(1, 500, {}, toTechnicians);
      bot.channel.failNext(1, 429, { 'Retry-After': '7' }, toTechnicians);
      bot.channel.hangNext(1, { match: toTechnicians });
      await issueCodes(drill, macsOf(0x21, 3));
      bot.server.outbox.kick();

      // 500: exponential backoff, first step 2 s (±20 % jitter).
      const afterServerError = await retryDelayAfter(drill, 'codes.issued', 1);
      expect(afterServerError.delayMs).toBeGreaterThanOrEqual(1600);
      expect(afterServerError.delayMs).toBeLessThanOrEqual(2400);
      expect(afterServerError.lastError).toContain('500');
      clock.advance(afterServerError.delayMs);

      // 429: exactly what Retry-After said, and not a moment earlier.
      const afterThrottle = await retryDelayAfter(drill, 'codes.issued', 2);
      expect(afterThrottle.delayMs).toBe(7000);
      clock.advance(6999);
      await quietPeriod();
      expect(bot.channel.hangs).toHaveLength(0);
      clock.advance(1);

      // The hang: the bot gives up after its request timeout, and backs off again (third step: 8 s ±20 %).
      const afterHang = await retryDelayAfter(drill, 'codes.issued', 3);
      await eventually(() => bot.channel.hangs[0]?.abandonedByBot === true, 'the bot to give up on the hung request');
      expect(bot.channel.hangs).toMatchObject([{ accepted: false, abandonedByBot: true }]);
      expect(afterHang.lastError).toMatch(/could not be reached/);
      expect(afterHang.delayMs).toBeGreaterThanOrEqual(6400);
      expect(afterHang.delayMs).toBeLessThanOrEqual(9600);
      expect(handoffPosts(bot)).toHaveLength(0);
      clock.advance(afterHang.delayMs);

      await bot.channel.waitFor(1, (activity) => activity.method === 'POST' && toTechnicians(activity), 10_000);
      await eventually(async () => (await outboxRows(bot, 'codes.issued'))[0]?.status === 'sent', 'the hand-off to be marked sent');
      clock.advance(minutes(30));
      await quietPeriod();
      expect(handoffPosts(bot)).toHaveLength(1);
      expect(bot.channel.failures.map((failure) => failure.status)).toEqual([500, 429]);
      expect((await outboxRows(bot, 'codes.issued'))[0]).toMatchObject({ status: 'sent', attempts: 3 });
    });

    it('a channel that hangs on every request does not hold up other notifications, is retried with growing backoff, and gets its card once when it recovers', async () => {
      const drill = await startDrill(provider);
      const { bot, clock } = drill;
      // The technicians channel is stuck: every request to it hangs until the test clears it.
      bot.channel.hangNext(100, { match: toTechnicians });
      const [lockedMac, ...others] = macsOf(0x22, 3);
      const codes = await issueCodes(drill, [lockedMac!, ...others]);
      bot.server.outbox.kick();
      await eventually(() => bot.channel.hangs.length === 1, 'the hand-off post to hang');

      // Meanwhile a device gets five wrong codes: the admin's lockout warning goes out all the same.
      for (let attempt = 0; attempt < 5; attempt++) {
        await callDeviceApi(bot.url, 'POST', '/provision', { mac: lockedMac, verificationCode: codes.get(lockedMac!) === '000000' ? '000001' : '000000' });
      }
      bot.server.outbox.kick();
      const [warning] = await bot.channel.waitFor(1, (activity) => activity.conversationId === adminChat && /locked out/i.test(JSON.stringify(activity.body)), 10_000);
      expect(warning?.method).toBe('POST');

      // The stuck channel is tried again and again, each time after a longer wait, never given up on.
      const delays: number[] = [];
      for (let attempts = 1; attempts <= 4; attempts++) {
        const { delayMs } = await retryDelayAfter(drill, 'codes.issued', attempts);
        delays.push(delayMs);
        clock.advance(delayMs);
      }
      expect(delays.every((delay, index) => index === 0 || delay > delays[index - 1]!)).toBe(true);
      await eventually(() => bot.channel.hangs.length === 5, 'the fifth attempt to hang');
      await eventually(() => bot.channel.hangs.every((hung) => hung.abandonedByBot), 'the bot to give up on every hung request');

      // The channel recovers: the hand-off card arrives once; the warning was not sent again.
      bot.channel.cancelPlannedFaults();
      clock.advance((await retryDelayAfter(drill, 'codes.issued', 5)).delayMs);
      await bot.channel.waitFor(1, (activity) => activity.method === 'POST' && toTechnicians(activity), 10_000);
      await eventually(async () => (await bot.server.store.db.outboxMessage.count({ where: { status: { not: 'sent' } } })) === 0, 'every notification to be sent');
      await quietPeriod();
      expect(handoffPosts(bot)).toHaveLength(1);
      expect(bot.channel.received.filter((activity) => activity.conversationId === adminChat && /locked out/i.test(JSON.stringify(activity.body)))).toHaveLength(1);
    });

    it('a storm of 500s, 429s, 503s and hangs over 12 provisions: every card arrives exactly once, and the hand-off card ends up current', async () => {
      const drill = await startDrill(provider);
      const { bot, clock } = drill;
      const macs = macsOf(0x23, 12);
      const codes = await issueCodes(drill, macs);
      bot.server.outbox.kick();
      await bot.channel.waitFor(1, (activity) => activity.method === 'POST' && toTechnicians(activity), 10_000);

      // The next proactive requests fail in every way the channel can, one after the other; each
      // failure lands on whichever notification the outbox tries at that moment. Half of them hit
      // only the admin's "waiting for sign-in" post, which comes after the hand-off update of the
      // same event: its retry must not update the hand-off card again.
      type Match = (request: ChannelRequest) => boolean;
      const anyRequest: Match = proactive;
      const awaitingPost: Match = (request) => request.method === 'POST' && request.targetActivityId === null && request.conversationId === adminChat;
      type Fault = { hang: true; match: Match } | { hang: false; status: number; headers: Record<string, string>; match: Match };
      const fail = (status: number, match: Match, headers: Record<string, string> = {}): Fault => ({ hang: false, status, headers, match });
      const hang = (match: Match): Fault => ({ hang: true, match });
      const storm: Fault[] = [
        fail(500, anyRequest), hang(awaitingPost), fail(429, awaitingPost, { 'Retry-After': '3' }), fail(503, anyRequest),
        hang(anyRequest), fail(502, awaitingPost), fail(429, anyRequest, { 'Retry-After': '1' }), hang(awaitingPost),
        fail(500, awaitingPost), fail(500, anyRequest), hang(anyRequest), fail(503, awaitingPost),
      ];
      for (const fault of storm) {
        if (fault.hang) bot.channel.hangNext(1, { match: fault.match });
        else bot.channel.failNext(1, fault.status, fault.headers, fault.match);
      }
      const answers = await Promise.all(macs.map((mac) => callDeviceApi(bot.url, 'POST', '/provision', { mac, verificationCode: codes.get(mac), model: 'Storm Phone' })));
      expect(answers.map((answer) => answer.status)).toEqual(macs.map(() => 200));
      bot.server.outbox.kick();

      // Time moves on a minute at a time until everything is delivered (retries are due by then).
      await eventually(
        async () => {
          clock.advance(minutes(1));
          bot.server.outbox.kick();
          return (await bot.server.store.db.outboxMessage.count({ where: { status: { not: 'sent' } } })) === 0;
        },
        'every notification to be sent',
        45_000,
        100,
      );
      await eventually(() => bot.channel.hangs.every((hung) => hung.abandonedByBot), 'the bot to give up on every hung request');
      await quietPeriod();

      expect(bot.channel.failures).toHaveLength(storm.filter((fault) => !fault.hang).length);
      expect(bot.channel.hangs).toHaveLength(storm.filter((fault) => fault.hang).length);
      expect(bot.channel.hangs.every((hung) => hung.abandonedByBot)).toBe(true);
      // One hand-off card; one "waiting for sign-in" card per device; the hand-off card updated at
      // most once per provision (provisions delivered in one outbox run share one update of it),
      // its last update showing every device online.
      expect(handoffPosts(bot)).toHaveLength(1);
      expect(notExactlyOnce(macs, awaitingCards(bot).map(macOnCard))).toEqual([]);
      const handoffId = handoffPosts(bot)[0]!.assignedId;
      const handoffUpdates = bot.channel.received.filter((activity) => activity.method === 'PUT' && activity.targetActivityId === handoffId);
      expect(handoffUpdates.length).toBeGreaterThanOrEqual(1);
      expect(handoffUpdates.length).toBeLessThanOrEqual(macs.length);
      expect(JSON.stringify(handoffUpdates.at(-1)!.body)).toContain(`${macs.length} of ${macs.length} online`);
      // Each retried notification was retried, not lost: attempts were counted on the rows (a
      // failed update shared by several notifications counts once for each of them).
      const rows = await bot.server.store.db.outboxMessage.findMany({ where: { kind: 'device.provisioned' } });
      expect(rows.reduce((sum, row) => sum + row.attempts, 0)).toBeGreaterThanOrEqual(storm.length);
      expect(rows.every((row) => row.status === 'sent')).toBe(true);
    }, 90_000);
  });
});

describe('the window "exactly once" cannot close', () => {
  it('when the channel takes a card but its answer never comes, the retry posts it again: at least once, never lost', async () => {
    const drill = await startDrill('sqlite');
    const { bot, clock } = drill;
    bot.channel.hangNext(1, { accept: true, match: toTechnicians });
    await issueCodes(drill, macsOf(0x24, 2));
    bot.server.outbox.kick();

    // The bot cannot tell "never arrived" from "arrived, answer lost": it retries after backoff.
    const { delayMs } = await retryDelayAfter(drill, 'codes.issued', 1);
    await eventually(() => bot.channel.hangs[0]?.abandonedByBot === true, 'the bot to give up on the hung request');
    expect(bot.channel.hangs).toMatchObject([{ accepted: true, abandonedByBot: true }]);
    clock.advance(delayMs);
    await eventually(async () => (await outboxRows(bot, 'codes.issued'))[0]?.status === 'sent', 'the hand-off to be marked sent');
    clock.advance(minutes(30));
    await quietPeriod();
    // Teams offers no idempotency key for new messages, so this is the one duplicate the design
    // admits: the activity the channel took before its answer was lost, and only that one.
    expect(handoffPosts(bot)).toHaveLength(2);
  });
});
