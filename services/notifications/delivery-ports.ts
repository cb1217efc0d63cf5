// What the outbox delivery engine (./outbox-delivery.ts) is given, and all it knows of the
// world around it:
//  - a planner: who hears about a domain event, and what they are shown;
//  - a messenger: posts a message to a stored conversation, or replaces one posted earlier;
//  - a queue: the stored outbox, leased and settled message by message (./outbox-queue.ts
//    builds it over the database).
// The message is opaque here (`Message`): the planner makes it and the messenger sends it, so
// what a notification looks like (a card, a platform-neutral view) never reaches the engine.
// The chat side implements the messenger (bot/teams/teams-messenger.ts) and the planner.
import type { StoredConversation } from '../conversations/conversation-repository.ts';
import type { DomainEvent } from './domain-events.ts';

/** Where a delivery goes: a conversation the bot was talked to in (its stored reference). */
export type DeliveryDestination = StoredConversation;

/** One destination of an event: what to show in which conversation. */
export interface PlannedDelivery<Message> {
  /** Stable across retries of the event (e.g. "technicians:<conversation id>"): served at most once. */
  key: string;
  conversation: DeliveryDestination;
  message: Message;
  /** Replace this earlier message instead of posting a new one. */
  update?: { activityId: string };
  /**
   * After a post the channel accepted, with the new message's id (to update it later); after an
   * update, with the updated message's id (only split deliveries set it there: the card moved).
   */
  onPosted?: (activityId: string) => Promise<void>;
  /**
   * When the channel says the message is too big (413): smaller deliveries that together carry
   * the same (e.g. a page of a card cut in two), served in its place. [] when it cannot be cut.
   */
  split?: () => Promise<PlannedDelivery<Message>[]>;
}

/**
 * What the planner may share between the events of one delivery run: a read of the state the
 * events report (a hand-off batch with its devices), made once for the run. Every event of a
 * run was committed before the run claimed it, so that read shows what each of them changed;
 * a change committed later has an event of its own, planned in a later run. Not for what
 * delivering changes (posted cards): the run posts those as it goes.
 */
export interface PlanningRun {
  /** Every event of the run, in the order they are planned: what the run's shared reads may cover at once. */
  readonly events: readonly DomainEvent[];
  once<T>(key: string, read: () => Promise<T>): Promise<T>;
}

export function newPlanningRun(events: readonly DomainEvent[] = []): PlanningRun {
  const reads = new Map<string, Promise<unknown>>();
  return {
    events,
    once<T>(key: string, read: () => Promise<T>): Promise<T> {
      let pending = reads.get(key) as Promise<T> | undefined;
      if (!pending) {
        pending = read();
        reads.set(key, pending);
        // A failed read is not kept: the next event of the run reads again.
        pending.catch(() => reads.delete(key));
      }
      return pending;
    },
  };
}

/** The planner port: decides, per event, who hears about it and what they see. No destination = nobody to tell. */
export type NotificationPlanner<Message> = (event: DomainEvent, run?: PlanningRun) => Promise<PlannedDelivery<Message>[]>;

/**
 * The messenger port: reaches people without being asked. Failures are thrown as a
 * ChannelError (status and Retry-After when the channel gave them); anything else thrown
 * counts as transient.
 */
export interface ChatMessenger<Message> {
  /** A new message; resolves with its id ('' when the channel gave none: it cannot be updated). */
  post(conversation: DeliveryDestination, message: Message): Promise<{ activityId: string }>;
  update(conversation: DeliveryDestination, activityId: string, message: Message): Promise<void>;
}

/** The channel refused or failed: `retryAfterMs` when it said when to come back (429 Retry-After). */
export class ChannelError extends Error {
  override name = 'ChannelError';
  constructor(
    message: string,
    readonly status: number | null,
    readonly retryAfterMs: number | null,
  ) {
    super(message);
  }

  /** 413 MessageSizeTooBig: the same message never fits, a smaller one may (PlannedDelivery.split). */
  get tooLarge(): boolean {
    return this.status === 413;
  }

  /** 4xx other than 408/429 will not get better by retrying. */
  get permanent(): boolean {
    return this.status !== null && this.status >= 400 && this.status < 500 && this.status !== 408 && this.status !== 429;
  }
}

/** A message taken from the outbox on a lease. */
export interface ClaimedMessage {
  id: string;
  tenantId: string;
  kind: string;
  /** null when the stored payload cannot be read: the engine marks such a message dead. */
  event: DomainEvent | null;
  /** Failed attempts so far (0 on the first delivery). */
  attempts: number;
  /** Keys of the destinations already served: never served again. */
  progress: string[];
  createdAt: Date;
  leaseUntil: Date;
}

export interface ClaimOptions {
  /** Who takes the lease: one id per running engine (e.g. host/pid/random). */
  holder: string;
  /** At most this many messages per claim. */
  limit: number;
  /** How long the lease lasts: longer than delivering one message can take. */
  leaseMs: number;
  /**
   * Wall-clock time for the lease (default: `now`). Leases guard real processes running side
   * by side, so they follow real time even when the domain clock is set (tests drive it).
   */
  leaseNow?: Date;
}

/**
 * The stored outbox as the engine uses it. Every `mark*` with `holder` only writes while that
 * holder still has the lease, and answers false otherwise (or when the message is gone).
 */
export interface OutboxQueue {
  /** Leases up to `limit` due messages (in due order) to `holder`. */
  claimDue(now: Date, options: ClaimOptions): Promise<ClaimedMessage[]>;
  /**
   * Records that the destination `destinationKey` was served (never served again); `known`: the
   * served list as the holder knows it. With `sentAt`, it was the last one: the message is also
   * marked sent, as markSent would, in the same write.
   */
  markProgress(id: string, destinationKey: string, holder?: string, known?: readonly string[], sentAt?: Date): Promise<boolean>;
  /** One more failed attempt: due again after `delayMs`, lease released. */
  markRetry(id: string, now: Date, delayMs: number, error: string, holder?: string): Promise<boolean>;
  /** Every destination served: done for good. */
  markSent(id: string, now: Date, holder?: string): Promise<boolean>;
  /** Given up: kept with its reason, never tried again. */
  markDead(id: string, error: string, holder?: string): Promise<boolean>;
}
