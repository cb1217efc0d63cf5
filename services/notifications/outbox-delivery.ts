// The outbox delivery engine: takes due messages on a lease, asks the planner where each event
// goes and what to show there, posts or updates through the messenger, and records the outcome.
// It is given its ports (./delivery-ports.ts): the planner, the messenger and the queue; it
// holds no database and never looks inside a message. bot/jobs/outbox-job.ts runs it on a timer.
//
// Guarantees, and their limits:
//  - A destination the channel accepted is recorded (progress) before the next one is tried,
//    so a retry, a restart or another instance never serves it again. The one window left is
//    between the channel's answer and that write (a crash there sends that destination again
//    after the lease expires): at-least-once, as with any outbox.
//  - A transient failure (5xx, 408, 429, network) stops the message and schedules a retry:
//    the channel's Retry-After if it gave one, else exponential backoff with jitter.
//  - A permanent refusal (other 4xx: bot removed, conversation gone) is not retried; the
//    other destinations are still served; the message ends dead with the reason.
//  - A message too big for the channel (413) that the planner can cut (PlannedDelivery.split)
//    is sent as its smaller parts, each a destination of its own; one it cannot cut is refused.
//  - After maxAttempts failed attempts the message is dead.
//  - Two instances never work on one message at once: it is leased (outbox-queue.ts), and a
//    destination is only started while enough of the lease is left.
// Message content is never logged: a message can hold verification codes.
import type { Log } from '../shared/log.ts';
import { systemClock, type Clock } from '../shared/clock.ts';
import { ChannelError, type ChatMessenger, type ClaimedMessage, type NotificationPlanner, type OutboxQueue, type PlannedDelivery } from './delivery-ports.ts';
import { retryDelayMs, type RandomSource } from './backoff.ts';

export interface OutboxRunResult {
  sent: number;
  retried: number;
  dead: number;
  /**
   * The run claimed a full batch, so more may be due right now: the job runs again at once
   * instead of waiting for its next tick (a backlog drains at the channel's pace, not 20 per tick).
   */
  moreDue?: boolean;
}

export interface OutboxDelivery {
  /** Delivers what is due now (one batch); resolves when every claimed message is settled. */
  runOnce(): Promise<OutboxRunResult>;
}

export interface OutboxDeliveryOptions<Message> {
  /** The stored outbox (createOutboxQueue(db) in ./outbox-queue.ts). */
  queue: OutboxQueue;
  /** Who hears about each event, and what they are shown. */
  planner: NotificationPlanner<Message>;
  /** Gets each planned message to its conversation. */
  messenger: ChatMessenger<Message>;
  clock: Clock;
  /** Real time for leases (see ClaimOptions.leaseNow); default the system clock. */
  leaseClock?: Clock;
  log: Log;
  /** This engine's lease holder id, unique per running instance. */
  holder: string;
  /** Messages per run (default 20). */
  batchSize?: number;
  /** How long a claimed message stays ours (default 5 min): longer than delivering it takes. */
  leaseMs?: number;
  /** Failed attempts before a message is dead (default 12: about 40 minutes of backoff). */
  maxAttempts?: number;
  random?: RandomSource;
}

export const defaultMaxAttempts = 12;

type Outcome = 'sent' | 'retried' | 'dead' | 'abandoned';

/** What a failure says, without anything the message carried. */
function describe(error: unknown): string {
  if (error instanceof ChannelError) return error.message;
  if (error instanceof Error) return `${error.name}: ${(error.message.split('\n')[0] ?? '').slice(0, 200)}`;
  return 'unknown error';
}

export function createOutboxDelivery<Message>(options: OutboxDeliveryOptions<Message>): OutboxDelivery {
  const { queue, messenger, planner, clock, holder } = options;
  const leaseClock = options.leaseClock ?? systemClock;
  const batchSize = options.batchSize ?? 20;
  const leaseMs = options.leaseMs ?? 5 * 60_000;
  const maxAttempts = options.maxAttempts ?? defaultMaxAttempts;
  const random = options.random ?? Math.random;
  // A destination is only started with this much lease left: after the lease, another
  // instance may take the message over, and both would send.
  const leaseMarginMs = Math.min(60_000, leaseMs / 5);

  async function retryOrGiveUp(message: ClaimedMessage, log: Log, reason: string, retryAfterMs: number | null): Promise<Outcome> {
    const failedAttempts = message.attempts + 1;
    if (failedAttempts >= maxAttempts) {
      await queue.markDead(message.id, `gave up after ${failedAttempts} attempts; last: ${reason}`, holder);
      log.error({ attempts: failedAttempts, reason }, 'notification dead: too many failed attempts');
      return 'dead';
    }
    const delayMs = retryDelayMs({ failedAttempts, retryAfterMs }, random);
    if (!(await queue.markRetry(message.id, clock.now(), delayMs, reason, holder))) return lostLease(log);
    log.warn({ attempts: failedAttempts, retryInMs: delayMs, reason }, 'notification not delivered; will retry');
    return 'retried';
  }

  function lostLease(log: Log): Outcome {
    // Our lease ran out and another instance took the message over: it carries on from the
    // recorded progress.
    log.warn('lost the lease on this notification; leaving it to the instance that holds it');
    return 'abandoned';
  }

  async function deliver(message: ClaimedMessage, baseLog: Log): Promise<Outcome> {
    const log = baseLog.child({ outboxId: message.id, kind: message.kind, tenantId: message.tenantId, attempt: message.attempts + 1 });
    if (message.event === null) {
      await queue.markDead(message.id, 'the stored event cannot be read', holder);
      log.error('notification dead: its stored event cannot be read');
      return 'dead';
    }

    let deliveries: PlannedDelivery<Message>[];
    try {
      deliveries = await planner(message.event);
    } catch (error) {
      return retryOrGiveUp(message, log, `planning failed: ${describe(error)}`, null);
    }

    if (deliveries.length === 0) {
      if (!(await queue.markSent(message.id, clock.now(), holder))) return lostLease(log);
      log.info(
        { kind: message.kind },
        'notification has no destination; marked sent (if someone should have heard about it: an admin runs the setup command, e.g. "setup technicians", in the channel that should receive it)',
      );
      return 'sent';
    }

    const done = new Set(message.progress);
    const refused: string[] = [];
    // A queue, not a loop over the plan: a delivery the channel found too big is replaced by its split.
    const pending = [...deliveries];
    for (let delivery = pending.shift(); delivery !== undefined; delivery = pending.shift()) {
      const destination = { destination: delivery.key, conversationId: delivery.conversation.conversationId };
      if (done.has(delivery.key)) {
        log.debug(destination, 'destination already served; skipped');
        continue;
      }
      if (leaseClock.now().getTime() + leaseMarginMs >= message.leaseUntil.getTime()) {
        log.warn(destination, 'the lease on this notification is running out; the rest is delivered after it expires');
        return 'abandoned';
      }
      let postedId: string | null = null;
      try {
        if (delivery.update) {
          await messenger.update(delivery.conversation, delivery.update.activityId, delivery.message);
          postedId = delivery.update.activityId;
        } else {
          postedId = (await messenger.post(delivery.conversation, delivery.message)).activityId;
        }
      } catch (error) {
        const smaller = error instanceof ChannelError && error.tooLarge && delivery.split ? await delivery.split() : [];
        if (smaller.length > 0) {
          log.warn({ ...destination, parts: smaller.length }, 'the channel found this message too big; sending it in smaller parts');
          pending.unshift(...smaller);
          continue;
        }
        if (error instanceof ChannelError && error.permanent) {
          log.error({ ...destination, status: error.status, reason: error.message }, 'the channel refused this destination for good; not retried');
          refused.push(`${delivery.key}: ${error.message}`);
          continue;
        }
        return retryOrGiveUp(message, log, `${delivery.key}: ${describe(error)}`, error instanceof ChannelError ? error.retryAfterMs : null);
      }
      // The channel has it: whatever happens next, it is never sent there again.
      if (!(await queue.markProgress(message.id, delivery.key, holder))) return lostLease(log);
      done.add(delivery.key);
      // An empty id: posted, but the channel gave no id to update it by.
      if (delivery.onPosted && !postedId) {
        log.warn(destination, 'tracked card posted without an activity id: it cannot be updated later');
      }
      if (postedId && delivery.onPosted) {
        try {
          await delivery.onPosted(postedId);
        } catch (error) {
          log.error({ ...destination, reason: describe(error) }, 'posted, but remembering the posted message failed: it cannot be updated later');
        }
      }
      log.info({ ...destination, updated: delivery.update !== undefined }, 'destination served');
    }

    if (refused.length > 0) {
      await queue.markDead(message.id, `refused by the channel: ${refused.join('; ')}`, holder);
      log.error({ refused: refused.length, served: done.size }, 'notification dead: refused by the channel for some destination');
      return 'dead';
    }
    if (!(await queue.markSent(message.id, clock.now(), holder))) return lostLease(log);
    return 'sent';
  }

  return {
    async runOnce() {
      const claimed = await queue.claimDue(clock.now(), { holder, limit: batchSize, leaseMs, leaseNow: leaseClock.now() });
      const result: OutboxRunResult = { sent: 0, retried: 0, dead: 0, moreDue: false };
      for (const message of claimed) {
        try {
          const outcome = await deliver(message, options.log);
          if (outcome !== 'abandoned') result[outcome]++;
        } catch (error) {
          // The store failed under us: the lease expires and the message is tried again then.
          options.log.error({ outboxId: message.id, kind: message.kind, reason: describe(error) }, 'could not settle a notification; it is retried when its lease expires');
        }
      }
      // Only while the channel keeps up: after a transient failure (a 429 among them) the
      // backlog waits for the next tick rather than pressing on with the next batch.
      result.moreDue = claimed.length >= batchSize && result.retried === 0;
      return result;
    },
  };
}
