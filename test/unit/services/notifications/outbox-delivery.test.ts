// The delivery engine on its ports alone: an in-memory queue, a recording messenger and a
// planner whose messages are opaque objects. No database, no chat SDK, no cards.
import { describe, expect, it } from 'vitest';
import type { StoredConversation } from '../../../../services/conversations/conversation-repository.ts';
import type { DomainEvent } from '../../../../services/notifications/domain-events.ts';
import {
  ChannelError,
  type ChatMessenger,
  type ClaimedMessage,
  type NotificationPlanner,
  type OutboxQueue,
  type PlannedDelivery,
} from '../../../../services/notifications/delivery-ports.ts';
import { createOutboxDelivery, defaultMaxAttempts } from '../../../../services/notifications/outbox-delivery.ts';
import { newPlanningRun } from '../../../../services/notifications/delivery-ports.ts';
import type { Log } from '../../../../services/shared/log.ts';
import { ManualClock } from '../../../helpers/manual-clock.ts';

/** What the engine must pass along untouched: it has no idea what this is. */
interface OpaqueView {
  secret: string;
}

const event: DomainEvent = { kind: 'device.locked_out', tenantId: 'tenant-1', mac: 'AA-BB-CC-DD-EE-01', until: '2026-11-22T09:15:00.000Z' };

function destination(conversationId: string): StoredConversation {
  return {
    tenantId: 'tenant-1',
    channelId: 'msteams',
    conversationId,
    conversationType: 'channel',
    teamId: null,
    serviceUrl: 'http://127.0.0.1:9',
    platform: 'teams',
    userId: null,
    audience: null,
    address: {},
    updatedAt: new Date(0),
  };
}

const to = (conversationId: string, extra: Partial<PlannedDelivery<OpaqueView>> = {}): PlannedDelivery<OpaqueView> => ({
  key: conversationId,
  conversation: destination(conversationId),
  message: { secret: 'code 123456' },
  ...extra,
});

/** An outbox of one message, in memory; every call is written to `calls` in order. */
function memoryQueue(calls: string[], overrides: Partial<ClaimedMessage> = {}, answers: { progress?: boolean } = {}) {
  let pending = true;
  const claimed: ClaimedMessage = {
    id: 'm1',
    tenantId: 'tenant-1',
    kind: event.kind,
    event,
    attempts: 0,
    progress: [],
    createdAt: new Date(0),
    leaseUntil: new Date(0),
    ...overrides,
  };
  const settled: { retryDelayMs?: number; error?: string } = {};
  const queue: OutboxQueue = {
    async claimDue(_now, { leaseMs, leaseNow }) {
      if (!pending) return [];
      calls.push('claim');
      return [{ ...claimed, leaseUntil: overrides.leaseUntil ?? new Date((leaseNow ?? new Date()).getTime() + leaseMs) }];
    },
    // With sentAt (the message's last destination) the store also marks it sent in that write: seen here as markSent after it.
    async markProgress(id, key, holder, _known, sentAt) {
      calls.push(`progress ${key}`);
      const recorded = answers.progress ?? true;
      return recorded && sentAt ? queue.markSent(id, sentAt, holder) : recorded;
    },
    async markRetry(_id, _now, delayMs, error) {
      calls.push('retry');
      Object.assign(settled, { retryDelayMs: delayMs, error });
      pending = false;
      return true;
    },
    async markSent() {
      calls.push('sent');
      pending = false;
      return true;
    },
    async markDead(_id, error) {
      calls.push('dead');
      settled.error = error;
      pending = false;
      return true;
    },
  };
  return { queue, settled };
}

function recordingMessenger(calls: string[], failures: Error[] = []) {
  const seen: OpaqueView[] = [];
  const messenger: ChatMessenger<OpaqueView> = {
    async post(conversation, message) {
      const failure = failures.shift();
      if (failure) throw failure;
      calls.push(`post ${conversation.conversationId}`);
      seen.push(message);
      return { activityId: `act-${conversation.conversationId}` };
    },
    async update(conversation, activityId, message) {
      calls.push(`update ${conversation.conversationId} ${activityId}`);
      seen.push(message);
    },
  };
  return { messenger, seen };
}

function recordingLog(): { log: Log; lines: string[] } {
  const lines: string[] = [];
  const make = (bindings: Record<string, unknown>): Log => {
    const write = (fieldsOrMessage: object | string, message?: string) =>
      lines.push(JSON.stringify(typeof fieldsOrMessage === 'string' ? { ...bindings, msg: fieldsOrMessage } : { ...bindings, ...fieldsOrMessage, msg: message }));
    return { debug: write, info: write, warn: write, error: write, child: (more) => make({ ...bindings, ...more }) };
  };
  return { log: make({}), lines };
}

function engine(queue: OutboxQueue, messenger: ChatMessenger<OpaqueView>, planner: NotificationPlanner<OpaqueView>, log: Log, clock = new ManualClock()) {
  return createOutboxDelivery({ queue, messenger, planner, clock, leaseClock: clock, log, holder: 'unit', random: () => 0.5 });
}

describe('the outbox delivery engine, on its ports', () => {
  it('hands the planned message to the messenger untouched, posting or updating as planned', async () => {
    const calls: string[] = [];
    const { queue } = memoryQueue(calls);
    const { messenger, seen } = recordingMessenger(calls);
    const message = { secret: 'whatever the planner made' };
    const posted: string[] = [];
    const planner: NotificationPlanner<OpaqueView> = async () => [
      to('19:a', { message, onPosted: async (id) => void posted.push(id) }),
      to('19:b', { message, update: { activityId: 'earlier' } }),
    ];
    expect(await engine(queue, messenger, planner, recordingLog().log).runOnce()).toEqual({ sent: 1, retried: 0, dead: 0, moreDue: false });
    expect(seen).toEqual([message, message]);
    expect(seen[0]).toBe(message);
    expect(posted).toEqual(['act-19:a']);
    // Each destination is recorded before the next one is tried.
    expect(calls).toEqual(['claim', 'post 19:a', 'progress 19:a', 'update 19:b earlier', 'progress 19:b', 'sent']);
  });

  it('serves only the destinations not already recorded as served', async () => {
    const calls: string[] = [];
    const { queue } = memoryQueue(calls, { progress: ['19:a'] });
    const { messenger } = recordingMessenger(calls);
    await engine(queue, messenger, async () => [to('19:a'), to('19:b')], recordingLog().log).runOnce();
    expect(calls).toEqual(['claim', 'post 19:b', 'progress 19:b', 'sent']);
  });

  it("a 429 is retried after the channel's Retry-After; a 503 without one after the backoff", async () => {
    for (const [failure, delay] of [
      [new ChannelError('post: the channel answered 429', 429, 7_000), 7_000],
      [new ChannelError('post: the channel answered 503', 503, null), 2_000],
    ] as const) {
      const calls: string[] = [];
      const { queue, settled } = memoryQueue(calls);
      const { messenger } = recordingMessenger(calls, [failure]);
      expect(await engine(queue, messenger, async () => [to('19:a')], recordingLog().log).runOnce()).toEqual({ sent: 0, retried: 1, dead: 0, moreDue: false });
      expect(settled).toEqual({ retryDelayMs: delay, error: `19:a: ${failure.message}` });
    }
  });

  it(`the ${defaultMaxAttempts}th failed attempt makes the message dead`, async () => {
    const calls: string[] = [];
    const { queue, settled } = memoryQueue(calls, { attempts: defaultMaxAttempts - 1 });
    const { messenger } = recordingMessenger(calls, [new Error('socket hang up')]);
    expect(await engine(queue, messenger, async () => [to('19:a')], recordingLog().log).runOnce()).toEqual({ sent: 0, retried: 0, dead: 1, moreDue: false });
    expect(settled.error).toBe(`gave up after ${defaultMaxAttempts} attempts; last: 19:a: Error: socket hang up`);
  });

  it('stops, counting nothing, when the queue says the lease was lost', async () => {
    const calls: string[] = [];
    const { queue } = memoryQueue(calls, {}, { progress: false });
    const { messenger } = recordingMessenger(calls);
    const { log, lines } = recordingLog();
    expect(await engine(queue, messenger, async () => [to('19:a'), to('19:b')], log).runOnce()).toEqual({ sent: 0, retried: 0, dead: 0, moreDue: false });
    expect(calls).toEqual(['claim', 'post 19:a', 'progress 19:a']);
    expect(lines.join('\n')).toContain('lost the lease on this notification');
  });

  it('does not start a destination with less than the lease margin left', async () => {
    const calls: string[] = [];
    const clock = new ManualClock();
    const { queue } = memoryQueue(calls, { leaseUntil: new Date(clock.now().getTime() + 59_000) });
    const { messenger } = recordingMessenger(calls);
    expect(await engine(queue, messenger, async () => [to('19:a')], recordingLog().log, clock).runOnce()).toEqual({ sent: 0, retried: 0, dead: 0, moreDue: false });
    expect(calls).toEqual(['claim']);
  });

  it('a store failure while settling is logged; the message waits for its lease to expire', async () => {
    const calls: string[] = [];
    const { queue } = memoryQueue(calls);
    queue.markSent = async () => {
      throw new Error('SQLITE_BUSY: database is locked');
    };
    const { messenger } = recordingMessenger(calls);
    const { log, lines } = recordingLog();
    expect(await engine(queue, messenger, async () => [to('19:a')], log).runOnce()).toEqual({ sent: 0, retried: 0, dead: 0, moreDue: false });
    expect(lines.join('\n')).toContain('could not settle a notification; it is retried when its lease expires');
  });

  it('never writes message content to the log', async () => {
    const calls: string[] = [];
    const { queue } = memoryQueue(calls);
    const { messenger } = recordingMessenger(calls, [new ChannelError('post: the channel answered 404', 404, null)]);
    const { log, lines } = recordingLog();
    await engine(queue, messenger, async () => [to('19:a'), to('19:b')], log).runOnce();
    expect(lines.join('\n')).toContain('the channel refused this destination for good');
    expect(lines.join('\n')).toContain('destination served');
    expect(lines.join('\n')).not.toContain('123456');
  });
});

/** An outbox of several messages, claimed together in one run; every call is written to `calls` in order. */
function runOfMessages(calls: string[], count: number) {
  const messages: ClaimedMessage[] = Array.from({ length: count }, (_, index) => ({
    id: `m${index + 1}`,
    tenantId: 'tenant-1',
    kind: event.kind,
    event: { ...event, mac: `AA-BB-CC-DD-EE-0${index + 1}` },
    attempts: 0,
    progress: [],
    createdAt: new Date(0),
    leaseUntil: new Date(0),
  }));
  let claimedOnce = false;
  const queue: OutboxQueue = {
    async claimDue(_now, { leaseMs, leaseNow }) {
      if (claimedOnce) return [];
      claimedOnce = true;
      return messages.map((message) => ({ ...message, leaseUntil: new Date((leaseNow ?? new Date()).getTime() + leaseMs) }));
    },
    async markProgress(id, key, holder, _known, sentAt) {
      calls.push(`progress ${id} ${key}`);
      return sentAt ? queue.markSent(id, sentAt, holder) : true;
    },
    async markRetry(id) {
      calls.push(`retry ${id}`);
      return true;
    },
    async markSent(id) {
      calls.push(`sent ${id}`);
      return true;
    },
    async markDead(id, error) {
      calls.push(`dead ${id}: ${error}`);
      return true;
    },
  };
  return queue;
}

/** The n-th message of a run (its event's MAC ends in n). */
const nth = (planned: DomainEvent) => Number((planned as { mac: string }).mac.slice(-1));

describe('the outbox delivery engine, several messages redrawing one card in a run', () => {
  // Each message redraws the same hand-off card (19:t, activity "card") and posts a card of its own (19:a).
  const redrawAndPost: NotificationPlanner<OpaqueView> = async (planned) => [
    { key: `redraw-${nth(planned)}`, conversation: destination('19:t'), message: { secret: `card drawn by message ${nth(planned)}` }, update: { activityId: 'card' } },
    { key: `post-${nth(planned)}`, conversation: destination('19:a'), message: { secret: `post ${nth(planned)}` } },
  ];

  it('sends the card once, drawn by the last message, and records it as served for every message', async () => {
    const calls: string[] = [];
    const { messenger, seen } = recordingMessenger(calls);
    const result = await engine(runOfMessages(calls, 3), messenger, redrawAndPost, recordingLog().log).runOnce();
    expect(result).toEqual({ sent: 3, retried: 0, dead: 0, moreDue: false });
    expect(calls.filter((call) => call.startsWith('update'))).toEqual(['update 19:t card']);
    expect(seen.filter((message) => message.secret.startsWith('card'))).toEqual([{ secret: 'card drawn by message 3' }]);
    expect(calls).toEqual([
      'post 19:a', 'progress m1 post-1',
      'post 19:a', 'progress m2 post-2',
      'post 19:a', 'progress m3 post-3',
      // The redraw was each message's last destination: recorded and sent in one write each.
      'update 19:t card', 'progress m3 redraw-3', 'sent m3', 'progress m1 redraw-1', 'sent m1', 'progress m2 redraw-2', 'sent m2',
    ]);
  });

  it('retries every message that shared the card when its update fails for now', async () => {
    const calls: string[] = [];
    const { messenger } = recordingMessenger(calls);
    messenger.update = async () => {
      calls.push('update 19:t card (429)');
      throw new ChannelError('update: the channel answered 429', 429, 5_000);
    };
    const result = await engine(runOfMessages(calls, 2), messenger, redrawAndPost, recordingLog().log).runOnce();
    expect(result).toEqual({ sent: 0, retried: 2, dead: 0, moreDue: false });
    // The posts were recorded, so the retries send only the card.
    expect(calls).toEqual(['post 19:a', 'progress m1 post-1', 'post 19:a', 'progress m2 post-2', 'update 19:t card (429)', 'retry m1', 'retry m2']);
  });

  it('leaves out a message that failed elsewhere: the others share the card, sent as the last of them drew it', async () => {
    const calls: string[] = [];
    const { messenger, seen } = recordingMessenger(calls);
    const post = messenger.post;
    messenger.post = async (conversation, message) => {
      if (message.secret === 'post 3') throw new ChannelError('post: the channel answered 503', 503, null);
      return post(conversation, message);
    };
    const result = await engine(runOfMessages(calls, 3), messenger, redrawAndPost, recordingLog().log).runOnce();
    expect(result).toEqual({ sent: 2, retried: 1, dead: 0, moreDue: false });
    expect(seen.filter((message) => message.secret.startsWith('card'))).toEqual([{ secret: 'card drawn by message 2' }]);
    expect(calls.filter((call) => call.includes('redraw') || call.startsWith('update'))).toEqual(['update 19:t card', 'progress m2 redraw-2', 'progress m1 redraw-1']);
  });

  it('sends each update that moves a card\'s tracking (onPosted) on its own', async () => {
    const calls: string[] = [];
    const { messenger } = recordingMessenger(calls);
    const tracked: NotificationPlanner<OpaqueView> = async (planned) => [
      { key: `redraw-${nth(planned)}`, conversation: destination('19:t'), message: { secret: 'half' }, update: { activityId: 'card' }, onPosted: async () => {} },
    ];
    await engine(runOfMessages(calls, 2), messenger, tracked, recordingLog().log).runOnce();
    expect(calls).toEqual(['update 19:t card', 'progress m1 redraw-1', 'sent m1', 'update 19:t card', 'progress m2 redraw-2', 'sent m2']);
  });
});

describe('the reads the events of one run share', () => {
  it('reads once per key in a run, and again in the next run; a failed read is not kept', async () => {
    const calls: string[] = [];
    const { messenger } = recordingMessenger(calls);
    let reads = 0;
    const runs = new Set<unknown>();
    const planner: NotificationPlanner<OpaqueView> = async (planned, run) => {
      runs.add(run);
      const batch = await run!.once('batch', async () => ++reads);
      return [{ key: `post-${nth(planned)}`, conversation: destination('19:a'), message: { secret: `batch read ${batch}` } }];
    };
    const sender = engine(runOfMessages(calls, 3), messenger, planner, recordingLog().log);
    await sender.runOnce();
    expect(reads).toBe(1);
    expect(runs.size).toBe(1);
    await engine(runOfMessages(calls, 2), messenger, planner, recordingLog().log).runOnce();
    expect(reads).toBe(2);
    expect(runs.size).toBe(2);

    const run = newPlanningRun();
    await expect(run.once('flaky', async () => Promise.reject(new Error('store busy')))).rejects.toThrow('store busy');
    expect(await run.once('flaky', async () => 'read again')).toBe('read again');
  });
});
