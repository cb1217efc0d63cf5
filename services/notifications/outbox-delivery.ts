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
import { ChannelError, newPlanningRun, type ChatMessenger, type ClaimedMessage, type NotificationPlanner, type OutboxQueue, type PlannedDelivery, type PlanningRun } from './delivery-ports.ts';
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

  /** One claimed message while it is worked on: what it served, what was refused, what waits for a shared update. */
  interface Delivering {
    message: ClaimedMessage;
    log: Log;
    done: Set<string>;
    refused: string[];
    /** Card updates of this message held for the end of the run (see HeldUpdate). */
    held: number;
    /** Settled (retry scheduled, lease lost): what is still held for it is not recorded for it. */
    settled: boolean;
    transient: { reason: string; retryAfterMs: number | null } | null;
    outcome: Outcome | null;
  }

  /**
   * A card that several messages of one run redraw (a hand-off card, as a site's phones come
   * online together): sent once, at the end of the run, by the last message that planned it,
   * drawn from the newest state, instead of once per message. The other messages' destinations
   * count as served when that send succeeded: the card then shows what each of them would have.
   */
  interface HeldUpdate {
    holders: { delivering: Delivering; delivery: PlannedDelivery<Message> }[];
  }

  type Served = 'served' | 'refused' | 'lost' | 'abandoned' | { transient: unknown };

  /**
   * Serves one planned delivery of a message: posts or updates, then records the destination
   * as served. A message the channel finds too big is sent as its split, each part a
   * destination of its own (a queue, not a loop over the plan).
   */
  async function serve(delivering: Delivering, first: PlannedDelivery<Message>, lastOfMessage = false): Promise<Served> {
    const { message, log, done } = delivering;
    const pending = [first];
    let refused = false;
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
          delivering.refused.push(`${delivery.key}: ${error.message}`);
          refused = true;
          continue;
        }
        return { transient: error };
      }
      // The channel has it: whatever happens next, it is never sent there again. The message's
      // last destination, with nothing refused or failed before it, also ends it as sent (one write).
      const sentAt = lastOfMessage && pending.length === 0 && !refused && delivering.refused.length === 0 && delivering.transient === null ? clock.now() : undefined;
      if (!(await queue.markProgress(message.id, delivery.key, holder, [...done], sentAt))) return 'lost';
      done.add(delivery.key);
      if (sentAt) delivering.outcome = 'sent';
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
    return refused ? 'refused' : 'served';
  }

  /** A plain redraw of a card (no tracking to change when it lands) can share its send with other messages of the run. */
  const sharedUpdateKey = (delivery: PlannedDelivery<Message>) =>
    delivery.update && !delivery.onPosted ? `${delivery.conversation.conversationId}\u0000${delivery.update.activityId}` : null;

  /** Plans the message and serves what it can now; updates others of the run redraw too are held. */
  async function deliver(delivering: Delivering, held: Map<string, HeldUpdate>, run: PlanningRun): Promise<Outcome | 'held'> {
    const { message, log } = delivering;
    if (message.event === null) {
      await queue.markDead(message.id, 'the stored event cannot be read', holder);
      log.error('notification dead: its stored event cannot be read');
      return 'dead';
    }

    let deliveries: PlannedDelivery<Message>[];
    try {
      deliveries = await planner(message.event, run);
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

    for (const [index, delivery] of deliveries.entries()) {
      const shared = delivering.done.has(delivery.key) ? null : sharedUpdateKey(delivery);
      if (shared !== null) {
        const update = held.get(shared) ?? { holders: [] };
        update.holders.push({ delivering, delivery });
        held.set(shared, update);
        delivering.held++;
        continue;
      }
      const served = await serve(delivering, delivery, index === deliveries.length - 1 && delivering.held === 0);
      if (served === 'lost') return lostLease(log);
      if (served === 'abandoned') return 'abandoned';
      if (typeof served === 'object') return retryOrGiveUp(message, log, `${delivery.key}: ${describe(served.transient)}`, served.transient instanceof ChannelError ? served.transient.retryAfterMs : null);
    }
    return delivering.held > 0 ? 'held' : finish(delivering);
  }

  /** Every destination was dealt with: sent, or dead for those the channel refused for good. */
  async function finish(delivering: Delivering): Promise<Outcome> {
    const { message, log, refused, done } = delivering;
    // Already ended as sent with its last destination's record (serve).
    if (delivering.outcome === 'sent') return 'sent';
    if (delivering.transient) {
      return retryOrGiveUp(message, log, delivering.transient.reason, delivering.transient.retryAfterMs);
    }
    if (refused.length > 0) {
      await queue.markDead(message.id, `refused by the channel: ${refused.join('; ')}`, holder);
      log.error({ refused: refused.length, served: done.size }, 'notification dead: refused by the channel for some destination');
      return 'dead';
    }
    if (!(await queue.markSent(message.id, clock.now(), holder))) return lostLease(log);
    return 'sent';
  }

  /** The run's shared card updates: each sent once by its last holder still in the run, then recorded for all. */
  async function sendHeld(held: Map<string, HeldUpdate>): Promise<void> {
    for (const { holders } of held.values()) {
      const active = holders.filter((entry) => !entry.delivering.settled);
      const sender = active.at(-1);
      if (sender) {
        // The last update held for a message ends it, in the same write as its record.
        const isLast = (delivering: Delivering) => delivering.held === 1 && delivering.refused.length === 0 && delivering.transient === null;
        const served = await serve(sender.delivering, sender.delivery, isLast(sender.delivering));
        if (served === 'lost') {
          sender.delivering.settled = true;
          sender.delivering.outcome = lostLease(sender.delivering.log);
        }
        for (const { delivering, delivery } of active) {
          if (delivering === sender.delivering) continue;
          if (served === 'served' || served === 'lost') {
            // The card was updated: this message's redraw of it is done too.
            const sentAt = isLast(delivering) ? clock.now() : undefined;
            if (await queue.markProgress(delivering.message.id, delivery.key, holder, [...delivering.done], sentAt)) {
              delivering.done.add(delivery.key);
              if (sentAt) delivering.outcome = 'sent';
            } else {
              delivering.settled = true;
              delivering.outcome = lostLease(delivering.log);
            }
          } else if (served === 'refused') {
            delivering.refused.push(`${delivery.key}: refused by the channel (the same card as ${sender.delivery.key})`);
          }
        }
        if (served === 'abandoned') {
          for (const { delivering } of active) {
            delivering.settled = true;
            delivering.outcome = 'abandoned';
          }
        } else if (typeof served === 'object') {
          const transient = { reason: `${sender.delivery.key}: ${describe(served.transient)}`, retryAfterMs: served.transient instanceof ChannelError ? served.transient.retryAfterMs : null };
          for (const { delivering } of active) delivering.transient ??= transient;
        }
      }
      for (const { delivering } of holders) delivering.held--;
    }
  }

  return {
    async runOnce() {
      const claimed = await queue.claimDue(clock.now(), { holder, limit: batchSize, leaseMs, leaseNow: leaseClock.now() });
      const result: OutboxRunResult = { sent: 0, retried: 0, dead: 0, moreDue: false };
      const count = (outcome: Outcome) => {
        if (outcome !== 'abandoned') result[outcome]++;
      };
      const held = new Map<string, HeldUpdate>();
      // Reads the planner shares between this run's events (a site's hand-off batch, once).
      const run = newPlanningRun(claimed.flatMap((message) => (message.event ? [message.event] : [])));
      const waiting: Delivering[] = [];
      for (const message of claimed) {
        const log = options.log.child({ outboxId: message.id, kind: message.kind, tenantId: message.tenantId, attempt: message.attempts + 1 });
        const delivering: Delivering = { message, log, done: new Set(message.progress), refused: [], held: 0, settled: false, transient: null, outcome: null };
        try {
          const outcome = await deliver(delivering, held, run);
          if (outcome === 'held') waiting.push(delivering);
          else {
            delivering.settled = true;
            count(outcome);
          }
        } catch (error) {
          delivering.settled = true;
          // The store failed under us: the lease expires and the message is tried again then.
          options.log.error({ outboxId: message.id, kind: message.kind, reason: describe(error) }, 'could not settle a notification; it is retried when its lease expires');
        }
      }
      try {
        await sendHeld(held);
        for (const delivering of waiting) count(delivering.outcome ?? (await finish(delivering)));
      } catch (error) {
        options.log.error({ reason: describe(error) }, 'could not settle the notifications of this run; they are retried when their leases expire');
      }
      // Only while the channel keeps up: after a transient failure (a 429 among them) the
      // backlog waits for the next tick rather than pressing on with the next batch.
      result.moreDue = claimed.length >= batchSize && result.retried === 0;
      return result;
    },
  };
}
