// The delivery side of the outbox, as a queue over the OutboxMessage table: take due messages
// on a lease, remember which destinations are done, and end each message as sent, retry
// later, or dead. No chat SDK here; the delivery engine (./outbox-delivery.ts) drives it,
// through the OutboxQueue that createOutboxQueue(db) makes (the engine is given no database).
//
// Several instances may run the engine on one database. A message is delivered by whoever holds
// its lease: claiming is one UPDATE of the oldest due rows ("still pending, due, and its lease
// free or expired"), atomic on SQLite (one writer at a time) and on PostgreSQL, where the rows
// are picked FOR UPDATE SKIP LOCKED: two instances never deliver one message at the same time,
// and neither waits for nor loses a round to the rows the other is taking. Every later write can be made
// conditional on still holding the lease (`holder`), so an instance whose lease ran out cannot
// overwrite what the new holder did.
import { Prisma } from '../../generated/sqlite/client.ts';
import { storedDateTime } from '../../prisma/bulk-write.ts';
import { executeStatement } from '../../prisma/direct-sqlite.ts';
import type { DatabaseOrTransaction } from '../../prisma/store.ts';
import type { DomainEvent } from './domain-events.ts';
import type { ClaimedMessage, ClaimOptions, OutboxQueue } from './delivery-ports.ts';
import { onPostgres } from '../../prisma/client-provider.ts';

export type { ClaimedMessage, ClaimOptions, OutboxQueue };

const lastErrorMaxLength = 1000;

function dueWhere(now: Date, leaseNow: Date) {
  return {
    status: 'pending',
    nextAttemptAt: { lte: now },
    OR: [{ leaseUntil: null }, { leaseUntil: { lte: leaseNow } }],
  };
}

export function parseProgress(stored: string | null): string[] {
  if (stored === null || stored === '') return [];
  try {
    const parsed = JSON.parse(stored) as unknown;
    return Array.isArray(parsed) ? parsed.filter((key): key is string => typeof key === 'string') : [];
  } catch {
    return [];
  }
}

function parseEvent(payload: string): DomainEvent | null {
  try {
    const parsed = JSON.parse(payload) as unknown;
    return parsed !== null && typeof parsed === 'object' && typeof (parsed as { kind?: unknown }).kind === 'string' ? (parsed as DomainEvent) : null;
  } catch {
    return null;
  }
}

// Due order: the one due longest first. A new message is due when it is written, so fresh
// messages go out oldest first; a retried one queues up again behind those due before it.
// This order is the index @@index([status, nextAttemptAt, id]): the database walks it from
// the oldest due row and stops after `limit`, instead of sorting the whole backlog each round
// (which, thousands of rows behind, stalled the server for hundreds of ms every round).
const dueOrder = [{ nextAttemptAt: 'asc' as const }, { id: 'asc' as const }];


/** Leases up to `limit` due messages (in due order) to `holder`; the ones another instance is taking are left out. */
export async function claimDue(db: DatabaseOrTransaction, now: Date, { holder, limit, leaseMs, leaseNow = now }: ClaimOptions): Promise<ClaimedMessage[]> {
  const leaseUntil = new Date(leaseNow.getTime() + leaseMs);
  // One statement instead of a read and an UPDATE per row. Times go as the text Prisma stores
  // (prisma/bulk-write.ts): SQLite compares dates as text, PostgreSQL reads it as the same UTC time.
  const isDue = () => Prisma.sql`"status" = 'pending' AND "nextAttemptAt" <= ${storedDateTime(now)} AND ("leaseUntil" IS NULL OR "leaseUntil" <= ${storedDateTime(leaseNow)})`;
  // The rows are picked once, in a CTE (PostgreSQL may run a subquery in WHERE again per row,
  // and with SKIP LOCKED each run can pick others: more than `limit`). The outer condition is
  // the compare-and-set: PostgreSQL checks it again on a row another instance changed meanwhile,
  // so no row is leased twice even where SKIP LOCKED is not used.
  const claimed = await db.$queryRaw<{ id: string }[]>`
    WITH "picked" AS (
      SELECT "id" FROM "OutboxMessage" WHERE ${isDue()} ORDER BY "nextAttemptAt" ASC, "id" ASC LIMIT ${limit}${onPostgres(db) ? Prisma.sql` FOR UPDATE SKIP LOCKED` : Prisma.empty}
    )
    UPDATE "OutboxMessage" SET "leaseHolder" = ${holder}, "leaseUntil" = ${storedDateTime(leaseUntil)}
    WHERE "id" IN (SELECT "id" FROM "picked") AND ${isDue()}
    RETURNING "id"`;
  const claimedIds = claimed.map((row) => row.id);
  if (claimedIds.length === 0) return [];
  const rows = await db.outboxMessage.findMany({
    where: { id: { in: claimedIds }, leaseHolder: holder },
    orderBy: dueOrder,
  });
  return rows.map((row) => ({
    id: row.id,
    tenantId: row.tenantId,
    kind: row.kind,
    event: parseEvent(row.payload),
    attempts: row.attempts,
    progress: parseProgress(row.progress),
    createdAt: row.createdAt,
    leaseUntil: row.leaseUntil ?? leaseUntil,
  }));
}

const holderGuard = (holder: string | undefined) => (holder === undefined ? {} : { leaseHolder: holder });

/**
 * Records that the destination `destinationKey` was served. An append that cannot lose a
 * concurrent one: the write is conditional on the list it read. False when the message is gone
 * or (with `holder`) no longer leased to it. `known`: the list as the lease holder last saw
 * it (nobody else writes it meanwhile): then one conditional UPDATE does, and the read is
 * needed only if the list turns out to be another.
 */
export async function markProgress(db: DatabaseOrTransaction, id: string, destinationKey: string, holder?: string, known?: readonly string[], sentAt?: Date): Promise<boolean> {
  // With `sentAt` this was the message's last destination: it ends sent in the same write
  // (one statement instead of markProgress and markSent), still only while pending.
  const sent = sentAt ? { status: 'sent', sentAt, leaseHolder: null, leaseUntil: null } : {};
  const stillPending = sentAt ? { status: 'pending' } : {};
  if (known && !known.includes(destinationKey)) {
    // Every delivery writes this: SQL, which on SQLite runs on the driver itself (prisma/direct-sqlite.ts).
    const ends = sentAt ? Prisma.sql`, "status" = 'sent', "sentAt" = ${storedDateTime(sentAt)}, "leaseHolder" = NULL, "leaseUntil" = NULL` : Prisma.empty;
    const listWas = known.length === 0 ? Prisma.sql`"progress" IS NULL` : Prisma.sql`"progress" = ${JSON.stringify(known)}`;
    const conditions = [Prisma.sql`"id" = ${id}`, listWas, ...(sentAt ? [Prisma.sql`"status" = 'pending'`] : []), ...(holder === undefined ? [] : [Prisma.sql`"leaseHolder" = ${holder}`])];
    const count = await executeStatement(db, Prisma.sql`UPDATE "OutboxMessage" SET "progress" = ${JSON.stringify([...known, destinationKey])}${ends} WHERE ${Prisma.join(conditions, ' AND ')}`);
    if (count === 1) return true;
  }
  for (let round = 0; round < 5; round++) {
    const row = await db.outboxMessage.findUnique({ where: { id }, select: { progress: true, leaseHolder: true } });
    if (!row || (holder !== undefined && row.leaseHolder !== holder)) return false;
    const done = parseProgress(row.progress);
    if (done.includes(destinationKey)) return sentAt ? markSent(db, id, sentAt, holder) : true;
    const { count } = await db.outboxMessage.updateMany({
      where: { id, progress: row.progress, ...stillPending, ...holderGuard(holder) },
      data: { progress: JSON.stringify([...done, destinationKey]), ...sent },
    });
    if (count === 1) return true;
  }
  throw new Error(`outbox message ${id}: its progress kept changing under us; giving up recording ${destinationKey}`);
}

/** Every destination served: done for good. */
export async function markSent(db: DatabaseOrTransaction, id: string, now: Date, holder?: string): Promise<boolean> {
  const { count } = await db.outboxMessage.updateMany({
    where: { id, status: 'pending', ...holderGuard(holder) },
    data: { status: 'sent', sentAt: now, leaseHolder: null, leaseUntil: null },
  });
  return count === 1;
}

/** One more failed attempt: try again after `delayMs`, lease released so any instance may. */
export async function markRetry(db: DatabaseOrTransaction, id: string, now: Date, delayMs: number, error: string, holder?: string): Promise<boolean> {
  const { count } = await db.outboxMessage.updateMany({
    where: { id, status: 'pending', ...holderGuard(holder) },
    data: {
      attempts: { increment: 1 },
      nextAttemptAt: new Date(now.getTime() + Math.max(0, delayMs)),
      lastError: error.slice(0, lastErrorMaxLength),
      leaseHolder: null,
      leaseUntil: null,
    },
  });
  return count === 1;
}

/** Given up (permanent refusal, or too many attempts): kept with its reason, never tried again. */
export async function markDead(db: DatabaseOrTransaction, id: string, error: string, holder?: string): Promise<boolean> {
  const { count } = await db.outboxMessage.updateMany({
    where: { id, status: 'pending', ...holderGuard(holder) },
    data: { status: 'dead', attempts: { increment: 1 }, lastError: error.slice(0, lastErrorMaxLength), leaseHolder: null, leaseUntil: null },
  });
  return count === 1;
}

/** The queue port of the delivery engine, over `db`: the functions above with the database bound. */
export function createOutboxQueue(db: DatabaseOrTransaction): OutboxQueue {
  return {
    claimDue: (now, options) => claimDue(db, now, options),
    markProgress: (id, destinationKey, holder, known, sentAt) => markProgress(db, id, destinationKey, holder, known, sentAt),
    markRetry: (id, now, delayMs, error, holder) => markRetry(db, id, now, delayMs, error, holder),
    markSent: (id, now, holder) => markSent(db, id, now, holder),
    markDead: (id, error, holder) => markDead(db, id, error, holder),
  };
}
