// Domain events are written to the outbox in the same transaction as the change they report,
// so a notification is never lost and never sent for a change that was rolled back. The
// chat layer's sender delivers them (later issue).
import type { DatabaseOrTransaction } from '../../prisma/store.ts';
import { newId } from '../shared/random.ts';
import type { DomainEvent } from './domain-events.ts';

export async function enqueueEvent(db: DatabaseOrTransaction, event: DomainEvent, now: Date, dedupeKey?: string): Promise<void> {
  await db.outboxMessage.create({
    data: {
      id: newId(),
      tenantId: event.tenantId,
      kind: event.kind,
      payload: JSON.stringify(event),
      dedupeKey: dedupeKey ?? null,
      nextAttemptAt: now,
      createdAt: now,
    },
  });
}

export interface OutboxEntry {
  id: string;
  event: DomainEvent;
  status: string;
  createdAt: Date;
}

export async function listOutbox(db: DatabaseOrTransaction, tenantId: string): Promise<OutboxEntry[]> {
  const rows = await db.outboxMessage.findMany({ where: { tenantId }, orderBy: { createdAt: 'asc' } });
  return rows.map((row) => ({ id: row.id, event: JSON.parse(row.payload) as DomainEvent, status: row.status, createdAt: row.createdAt }));
}
