// Domain events are written to the outbox in the same transaction as the change they report,
// so a notification is never lost and never sent for a change that was rolled back. The
// delivery engine (./outbox-delivery.ts) delivers them through the queue operations of
// ./outbox-queue.ts: leased, retried with backoff, each destination served once.
import type { DatabaseOrTransaction } from '../../prisma/store.ts';
import { insertRows } from '../../prisma/bulk-write.ts';
import { newId } from '../shared/random.ts';
import type { DomainEvent } from './domain-events.ts';

export async function enqueueEvent(db: DatabaseOrTransaction, event: DomainEvent, now: Date, dedupeKey?: string): Promise<void> {
  // One row through the bulk writer, nothing read back: every provision enqueues one, and in the
  // device API's transactions it runs on the driver itself (prisma/direct-sqlite.ts). A taken
  // dedupeKey fails it as a unique violation (prisma/unique-violation.ts), as Prisma's create did.
  await insertRows(db, 'OutboxMessage', [
    {
      id: newId(),
      tenantId: event.tenantId,
      kind: event.kind,
      payload: JSON.stringify(event),
      status: 'pending',
      dedupeKey: dedupeKey ?? null,
      attempts: 0,
      nextAttemptAt: now,
      lastError: null,
      createdAt: now,
      sentAt: null,
      leaseHolder: null,
      leaseUntil: null,
      progress: null,
    },
  ]);
}

export interface OutboxEntry {
  id: string;
  event: DomainEvent;
  /** pending | sent | dead */
  status: string;
  createdAt: Date;
  /** Failed delivery attempts so far. */
  attempts: number;
  /** When a pending message is tried (again). */
  nextAttemptAt: Date;
  sentAt: Date | null;
  /** Why the last attempt failed (status and channel error code; never message content). */
  lastError: string | null;
}

// Ties on createdAt (one transaction, or a test's stopped clock) fall back to the id, which is
// time-ordered (random.ts newId): PostgreSQL returns tied rows in no fixed order.
export async function listOutbox(db: DatabaseOrTransaction, tenantId: string): Promise<OutboxEntry[]> {
  const rows = await db.outboxMessage.findMany({ where: { tenantId }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
  return rows.map((row) => ({
    id: row.id,
    event: JSON.parse(row.payload) as DomainEvent,
    status: row.status,
    createdAt: row.createdAt,
    attempts: row.attempts,
    nextAttemptAt: row.nextAttemptAt,
    sentAt: row.sentAt,
    lastError: row.lastError,
  }));
}
