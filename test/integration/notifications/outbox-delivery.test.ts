// The running bot delivers its outbox: real server, real SQLite, proactive sends at a fake
// channel, time moved by hand. The planner is the test's; what the bot says per event is not
// the subject here, how reliably it gets there is.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { NotificationPlanner } from '../../../bot/notifications/outgoing-message.ts';
import { view } from '../../../bot/views/reply.ts';
import { renderView } from '../../../bot/teams/render-view.ts';
import type { ServerOptions } from '../../../bot/server.ts';
import { ensureTenant } from '../../../services/conversations/conversation-repository.ts';
import type { DomainEvent } from '../../../services/notifications/domain-events.ts';
import { enqueueEvent, listOutbox } from '../../../services/notifications/outbox.ts';
import { FakeChannel } from '../../helpers/fake-channel.ts';
import { hours, ManualClock, minutes } from '../../helpers/manual-clock.ts';
import { startTestBot, type TestBot } from '../../helpers/test-bot.ts';
import { conversationAt, eventually, lockedOut, lockoutPlanner, lockoutText, personalChat, techniciansChannel, tenantId } from './outbox-fixtures.ts';

const mac = 'AA-BB-CC-DD-EE-01';
const started: TestBot[] = [];
const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const bot of started.splice(0)) await bot.close();
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function startBot(clock: ManualClock, planNotifications: ServerOptions['planNotifications'], env: Record<string, string> = {}): Promise<TestBot> {
  const bot = await startTestBot(env, { clock, planNotifications, outboxIntervalMs: 20 });
  started.push(bot);
  return bot;
}

const lockoutsTo =
  (...conversationIds: string[]): ServerOptions['planNotifications'] =>
  ({ services }) =>
    lockoutPlanner(services.conversations, conversationIds);

async function outboxRow(bot: TestBot) {
  const [entry] = await listOutbox(bot.server.store.db, tenantId);
  if (!entry) throw new Error('the outbox is empty');
  return entry;
}

/** Lets the job run a few more times, to see that nothing else happens. */
const quietPeriod = () => new Promise((resolve) => setTimeout(resolve, 150));

describe('the outbox of the running bot', () => {
  it('delivers an event once to the conversation the bot learnt from a message', async () => {
    const clock = new ManualClock();
    const bot = await startBot(clock, lockoutsTo(personalChat));
    await bot.channel.message('help');
    await bot.channel.waitFor(1);

    await enqueueEvent(bot.server.store.db, lockedOut(mac), clock.now());
    bot.server.outbox.kick();
    const [delivered] = await bot.channel.waitFor(1, (activity) => activity.body.text === lockoutText(mac));
    expect(delivered).toMatchObject({ method: 'POST', conversationId: personalChat, targetActivityId: null });
    await eventually(async () => (await outboxRow(bot)).status === 'sent', 'the message to be marked sent');
    expect(await outboxRow(bot)).toMatchObject({ status: 'sent', attempts: 0, sentAt: clock.now() });

    await quietPeriod();
    expect(bot.channel.received.filter((activity) => activity.body.text === lockoutText(mac))).toHaveLength(1);
  });

  it('when the channel fails 500 twice and then throttles (429, Retry-After: 1), it backs off and delivers exactly once', async () => {
    const clock = new ManualClock();
    const bot = await startBot(clock, lockoutsTo(personalChat));
    await bot.server.services.conversations.remember(conversationAt(bot.channel, personalChat));
    bot.channel.failNext(2, 500);
    bot.channel.failNext(1, 429, { 'Retry-After': '1' });
    await enqueueEvent(bot.server.store.db, lockedOut(mac), clock.now());
    bot.server.outbox.kick();

    const retryScheduled = async (attempts: number) => {
      await eventually(async () => (await outboxRow(bot)).attempts === attempts, `attempt ${attempts} to be recorded`);
      return (await outboxRow(bot)).nextAttemptAt.getTime() - clock.now().getTime();
    };
    // Exponential backoff with ±20 % jitter: 2 s, then 4 s.
    const first = await retryScheduled(1);
    expect(first).toBeGreaterThanOrEqual(1600);
    expect(first).toBeLessThanOrEqual(2400);
    clock.advance(first);
    const second = await retryScheduled(2);
    expect(second).toBeGreaterThanOrEqual(3200);
    expect(second).toBeLessThanOrEqual(4800);
    clock.advance(second);
    // The channel's own Retry-After, exactly.
    expect(await retryScheduled(3)).toBe(1000);
    expect((await outboxRow(bot)).lastError).toContain('429');

    clock.advance(999);
    await quietPeriod();
    expect(bot.channel.received).toHaveLength(0);
    clock.advance(1);
    await bot.channel.waitFor(1);
    await eventually(async () => (await outboxRow(bot)).status === 'sent', 'the message to be marked sent');

    await quietPeriod();
    expect(bot.channel.failures.map((failure) => failure.status)).toEqual([500, 500, 429]);
    expect(bot.channel.received.map((activity) => activity.body.text)).toEqual([lockoutText(mac)]);
  });

  it('when the channel refuses for good (403), the message is dead with the reason and not retried', async () => {
    const clock = new ManualClock();
    const bot = await startBot(clock, lockoutsTo(personalChat));
    await bot.server.services.conversations.remember(conversationAt(bot.channel, personalChat));
    bot.channel.failNext(1, 403);
    await enqueueEvent(bot.server.store.db, lockedOut(mac), clock.now());
    bot.server.outbox.kick();

    await eventually(async () => (await outboxRow(bot)).status === 'dead', 'the message to be dead');
    expect((await outboxRow(bot)).lastError).toMatch(/403 \(BotNotInConversationRoster\)/);
    clock.advance(hours(1));
    await quietPeriod();
    expect(bot.channel.failures).toHaveLength(1);
    expect(bot.channel.received).toHaveLength(0);
    expect(bot.logText()).toContain('the channel refused this destination for good');
  });

  it('an event nobody is set up to hear about is settled, with a log line saying what to set up', async () => {
    const clock = new ManualClock();
    // The planner finds no stored technicians channel: no destination.
    const bot = await startBot(clock, lockoutsTo(techniciansChannel));
    await ensureTenant(bot.server.store.db, tenantId);
    await enqueueEvent(bot.server.store.db, lockedOut(mac), clock.now());
    bot.server.outbox.kick();
    await eventually(async () => (await outboxRow(bot)).status === 'sent', 'the message to be settled');
    expect(bot.channel.received).toHaveLength(0);
    expect(bot.logText()).toContain('notification has no destination');
    expect(bot.logText()).toContain('setup command');
  });

  it('updates a card in place: a PUT to the activity id the post got, and card content never in the log', async () => {
    const clock = new ManualClock();
    const posted = new Map<string, string>();
    const cardWith = (text: string) => view('blocks', { title: 'Hand-off codes', summary: 'Hand-off codes', blocks: [{ kind: 'text', text }] });
    const planner: ServerOptions['planNotifications'] = ({ services }): NotificationPlanner => async (event) => {
      const conversation = await services.conversations.find(event.tenantId, 'msteams', techniciansChannel);
      if (!conversation) return [];
      if (event.kind === 'codes.issued') {
        return [{ key: 'handoff', conversation, message: { view: cardWith(`${event.devices[0]?.mac} code 482913`) }, onPosted: async (id) => void posted.set(event.batchId, id) }];
      }
      if (event.kind === 'device.provisioned') {
        const activityId = posted.get('batch-1');
        return activityId ? [{ key: 'handoff', conversation, message: { view: cardWith(`${event.mac} online`) }, update: { activityId } }] : [];
      }
      return [];
    };
    const bot = await startBot(clock, planner);
    await bot.server.services.conversations.remember(conversationAt(bot.channel, techniciansChannel));

    const issued: DomainEvent = { kind: 'codes.issued', tenantId, actor: 'user:aad-ada', batchId: 'batch-1', devices: [{ mac, location: null, expiresAt: '2026-11-23T09:00:00.000Z' }] };
    await enqueueEvent(bot.server.store.db, issued, clock.now());
    bot.server.outbox.kick();
    const [post] = await bot.channel.waitFor(1);
    await eventually(async () => posted.has('batch-1'), 'the posted card to be remembered');

    await enqueueEvent(bot.server.store.db, { kind: 'device.provisioned', tenantId, deviceId: 'device-1', mac, location: null, model: null, firmwareVersion: null }, clock.now());
    bot.server.outbox.kick();
    const [, put] = await bot.channel.waitFor(2);
    expect(put).toMatchObject({ method: 'PUT', conversationId: techniciansChannel, targetActivityId: post?.assignedId });
    expect(put?.body.attachments?.[0]?.content).toEqual(renderView(cardWith(`${mac} online`)));
    expect(put?.body.summary).toBe('Hand-off codes');

    expect(bot.logText()).not.toContain('482913');
    expect(bot.logText()).toContain('destination served');
  });

  it('a restart in between loses nothing and sends nothing twice', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'provisioning-bot-restart-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    // One channel for both lives of the bot: the stored references point at it.
    const channel = await FakeChannel.start();
    cleanups.push(() => channel.close());
    const env = { DATABASE_URL: `file:${path.join(dir, 'bot.db')}` };
    const plan = lockoutsTo(personalChat, techniciansChannel);

    const firstClock = new ManualClock();
    const first = await startBot(firstClock, plan, env);
    await first.server.services.conversations.remember(conversationAt(channel, personalChat));
    await first.server.services.conversations.remember(conversationAt(channel, techniciansChannel));
    // Event 1 reaches the personal chat, the channel fails; event 2 fails at the personal chat.
    channel.failNext(1, 500, {}, (request) => request.conversationId === techniciansChannel);
    let personalRequests = 0;
    channel.failNext(1, 503, {}, (request) => request.conversationId === personalChat && ++personalRequests === 2);
    await enqueueEvent(first.server.store.db, lockedOut('AA-BB-CC-DD-EE-01'), firstClock.now());
    firstClock.advance(1);
    await enqueueEvent(first.server.store.db, lockedOut('AA-BB-CC-DD-EE-02'), firstClock.now());
    first.server.outbox.kick();
    await eventually(async () => (await listOutbox(first.server.store.db, tenantId)).every((entry) => entry.attempts === 1), 'both to wait for a retry');
    expect(channel.received.map((activity) => `${activity.conversationId} ${activity.body.text}`)).toEqual([`${personalChat} ${lockoutText('AA-BB-CC-DD-EE-01')}`]);
    await first.close();
    started.splice(started.indexOf(first), 1);

    const secondClock = new ManualClock(new Date(firstClock.now().getTime() + minutes(10)));
    const second = await startBot(secondClock, plan, env);
    await eventually(async () => (await listOutbox(second.server.store.db, tenantId)).every((entry) => entry.status === 'sent'), 'both to be sent after the restart');
    await quietPeriod();

    const deliveries = channel.received.map((activity) => `${activity.conversationId} ${activity.body.text}`).sort();
    expect(deliveries).toEqual(
      [
        `${personalChat} ${lockoutText('AA-BB-CC-DD-EE-01')}`,
        `${techniciansChannel} ${lockoutText('AA-BB-CC-DD-EE-01')}`,
        `${personalChat} ${lockoutText('AA-BB-CC-DD-EE-02')}`,
        `${techniciansChannel} ${lockoutText('AA-BB-CC-DD-EE-02')}`,
      ].sort(),
    );
    expect(channel.failures).toHaveLength(2);
  });
});
