// The delivery engine's decisions on a real SQLite store (its queue port over the database),
// with a scripted messenger: when to retry, when to give up, what a failing planner or callback does.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ChatMessenger, NotificationPlanner, OutgoingMessage, PlannedDelivery } from '../../../bot/notifications/outgoing-message.ts';
import { ChannelError } from '../../../services/notifications/delivery-ports.ts';
import { createOutboxDelivery, defaultMaxAttempts } from '../../../services/notifications/outbox-delivery.ts';
import { createOutboxQueue } from '../../../services/notifications/outbox-queue.ts';
import type { Store } from '../../../prisma/store.ts';
import type { StoredConversation } from '../../../services/conversations/conversation-repository.ts';
import { ensureTenant } from '../../../services/conversations/conversation-repository.ts';
import { enqueueEvent } from '../../../services/notifications/outbox.ts';
import { ManualClock } from '../../helpers/manual-clock.ts';
import { captureLog, freshDatabase, lockedOut, tenantId, type CapturedLog, type StoreRig } from './outbox-fixtures.ts';

let rig: StoreRig;
let store: Store;
let logged: CapturedLog;
const clock = new ManualClock();

beforeEach(async () => {
  rig = await freshDatabase('sqlite');
  store = await rig.open();
  await ensureTenant(store.db, tenantId);
  logged = captureLog();
});
afterEach(async () => {
  await store.close();
  await rig.drop();
});

/** Answers each post with the next scripted outcome (an error to throw, or success). */
function scriptedMessenger(script: (Error | 'ok')[] = []) {
  const posts: { conversationId: string; message: OutgoingMessage }[] = [];
  const messenger: ChatMessenger = {
    async post(conversation, message) {
      const next = script.shift() ?? 'ok';
      if (next !== 'ok') throw next;
      posts.push({ conversationId: conversation.conversationId, message });
      return { activityId: `act-${posts.length}` };
    },
    async update() {},
  };
  return { messenger, posts };
}

const conversation = (conversationId: string): StoredConversation => ({
  platform: 'teams',
  tenantId,
  channelId: 'msteams',
  conversationId,
  conversationType: 'channel',
  teamId: null,
  serviceUrl: 'http://127.0.0.1:9',
  userId: null,
  audience: null,
  address: {},
  updatedAt: clock.now(),
});

const to = (conversationId: string, extra: Partial<PlannedDelivery> = {}): PlannedDelivery => ({
  key: conversationId,
  conversation: conversation(conversationId),
  message: { text: 'Your code is 123456' },
  ...extra,
});

function sender(messenger: ChatMessenger, plan: NotificationPlanner) {
  return createOutboxDelivery({ queue: createOutboxQueue(store.db), messenger, planner: plan, clock, log: logged.log, holder: 'test', random: () => 0.5, leaseClock: clock });
}

const onlyRow = () => store.db.outboxMessage.findFirstOrThrow();

describe('the outbox delivery engine', () => {
  it(`gives up after ${defaultMaxAttempts} failed attempts: the message is dead with the last reason`, async () => {
    await enqueueEvent(store.db, lockedOut('AA-BB-CC-DD-EE-01'), clock.now());
    await store.db.outboxMessage.updateMany({ data: { attempts: defaultMaxAttempts - 1 } });
    const { messenger } = scriptedMessenger([new ChannelError('post: the channel answered 500', 500, null)]);
    expect(await sender(messenger, async () => [to('19:a')]).runOnce()).toEqual({ sent: 0, retried: 0, dead: 1, moreDue: false });
    const row = await onlyRow();
    expect(row).toMatchObject({ status: 'dead', attempts: defaultMaxAttempts });
    expect(row.lastError).toContain(`gave up after ${defaultMaxAttempts} attempts`);
    expect(row.lastError).toContain('500');
  });

  it('a planner that fails is retried with backoff, like a channel failure', async () => {
    await enqueueEvent(store.db, lockedOut('AA-BB-CC-DD-EE-01'), clock.now());
    const { messenger } = scriptedMessenger();
    const result = await sender(messenger, async () => {
      throw new Error('database busy');
    }).runOnce();
    expect(result).toEqual({ sent: 0, retried: 1, dead: 0, moreDue: false });
    const row = await onlyRow();
    expect(row).toMatchObject({ status: 'pending', attempts: 1, lastError: 'planning failed: Error: database busy' });
    expect(row.nextAttemptAt.getTime() - clock.now().getTime()).toBe(2_000);
  });

  it('one destination refused for good does not stop the others; the message ends dead naming it', async () => {
    await enqueueEvent(store.db, lockedOut('AA-BB-CC-DD-EE-01'), clock.now());
    const { messenger, posts } = scriptedMessenger([new ChannelError('post: the channel answered 404 (ConversationNotFound)', 404, null), 'ok']);
    expect(await sender(messenger, async () => [to('19:gone'), to('19:here')]).runOnce()).toEqual({ sent: 0, retried: 0, dead: 1, moreDue: false });
    expect(posts.map((post) => post.conversationId)).toEqual(['19:here']);
    const row = await onlyRow();
    expect(row.status).toBe('dead');
    expect(row.lastError).toBe('refused by the channel: 19:gone: post: the channel answered 404 (ConversationNotFound)');
    expect(row.progress).toBe('["19:here"]');
  });

  it('when remembering the posted message fails, the post still counts: not sent again', async () => {
    await enqueueEvent(store.db, lockedOut('AA-BB-CC-DD-EE-01'), clock.now());
    const { messenger, posts } = scriptedMessenger();
    const plan: NotificationPlanner = async () => [
      to('19:a', {
        onPosted: async () => {
          throw new Error('disk full');
        },
      }),
    ];
    expect(await sender(messenger, plan).runOnce()).toEqual({ sent: 1, retried: 0, dead: 0, moreDue: false });
    expect(await sender(messenger, plan).runOnce()).toEqual({ sent: 0, retried: 0, dead: 0, moreDue: false });
    expect(posts).toHaveLength(1);
    expect(logged.text()).toContain('cannot be updated later');
  });

  it('does not start a destination when its lease is about to run out; the rest goes out after the lease expired', async () => {
    await enqueueEvent(store.db, lockedOut('AA-BB-CC-DD-EE-01'), clock.now());
    const { messenger, posts } = scriptedMessenger();
    const slowPost = messenger.post;
    // The channel takes 4.5 of the lease's 5 minutes to answer.
    messenger.post = async (conversation, message) => {
      clock.advance(270_000);
      return slowPost(conversation, message);
    };
    const plan: NotificationPlanner = async () => [to('19:a'), to('19:b')];
    expect(await sender(messenger, plan).runOnce()).toEqual({ sent: 0, retried: 0, dead: 0, moreDue: false });
    expect(await onlyRow()).toMatchObject({ status: 'pending', attempts: 0, progress: '["19:a"]' });
    expect(logged.text()).toContain('lease on this notification is running out');

    // Still leased: nobody touches it.
    expect(await sender(messenger, plan).runOnce()).toEqual({ sent: 0, retried: 0, dead: 0, moreDue: false });
    clock.advance(30_001);
    messenger.post = slowPost;
    expect(await sender(messenger, plan).runOnce()).toEqual({ sent: 1, retried: 0, dead: 0, moreDue: false });
    expect(posts.map((post) => post.conversationId)).toEqual(['19:a', '19:b']);
  });

  it('a message the channel finds too big (413) goes out as the parts its planner cuts it into, not refused', async () => {
    await enqueueEvent(store.db, lockedOut('AA-BB-CC-DD-EE-01'), clock.now());
    const tooBig = () => new ChannelError('post: the channel answered 413 (MessageSizeTooBig)', 413, null);
    // The whole is too big, and so is its first half: that one is cut again.
    const { messenger, posts } = scriptedMessenger([tooBig(), tooBig(), 'ok', 'ok', 'ok']);
    const part = (name: string, split?: PlannedDelivery['split']): PlannedDelivery => ({ ...to('19:a'), key: name, message: { text: name }, ...(split ? { split } : {}) });
    const plan: NotificationPlanner = async () => [
      part('whole', async () => [part('first half', async () => [part('first quarter'), part('second quarter')]), part('second half')]),
    ];
    expect(await sender(messenger, plan).runOnce()).toEqual({ sent: 1, retried: 0, dead: 0, moreDue: false });
    expect(posts.map((post) => post.message.text)).toEqual(['first quarter', 'second quarter', 'second half']);
    expect(JSON.parse((await onlyRow()).progress ?? '[]')).toEqual(['first quarter', 'second quarter', 'second half']);
    expect(logged.text()).toContain('too big; sending it in smaller parts');
  });

  it('a message too big that cannot be cut is refused for good, not retried', async () => {
    await enqueueEvent(store.db, lockedOut('AA-BB-CC-DD-EE-01'), clock.now());
    const { messenger } = scriptedMessenger([new ChannelError('post: the channel answered 413 (MessageSizeTooBig)', 413, null)]);
    expect(await sender(messenger, async () => [to('19:a', { split: async () => [] })]).runOnce()).toEqual({ sent: 0, retried: 0, dead: 1, moreDue: false });
    expect((await onlyRow()).lastError).toContain('413');
  });

  it('an unreadable stored event is dead at once', async () => {
    await enqueueEvent(store.db, lockedOut('AA-BB-CC-DD-EE-01'), clock.now());
    await store.db.outboxMessage.updateMany({ data: { payload: '{not json' } });
    const { messenger, posts } = scriptedMessenger();
    expect(await sender(messenger, async () => [to('19:a')]).runOnce()).toEqual({ sent: 0, retried: 0, dead: 1, moreDue: false });
    expect(posts).toHaveLength(0);
    expect((await onlyRow()).lastError).toBe('the stored event cannot be read');
  });

  it('never writes message content to the log', async () => {
    await enqueueEvent(store.db, lockedOut('AA-BB-CC-DD-EE-01'), clock.now());
    const { messenger } = scriptedMessenger([new ChannelError('post: the channel answered 503', 503, null)]);
    const plan: NotificationPlanner = async () => [to('19:a')];
    await sender(messenger, plan).runOnce();
    clock.advance(60_000);
    await sender(messenger, plan).runOnce();
    expect(logged.text()).toContain('destination served');
    expect(logged.text()).not.toContain('123456');
  });
});
