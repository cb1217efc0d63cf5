// The audit trail: who did what to which device, when, and why. Append-only; never holds a
// code, token or login code.
import type { DatabaseOrTransaction } from '../../prisma/store.ts';
import { actorLabel, type Actor } from '../shared/actor.ts';
import { insertRows, type CompleteRow } from '../../prisma/bulk-write.ts';
import { newId } from '../shared/random.ts';
import { currentAuditAction } from './device-steps.ts';

export interface AuditEntry {
  tenantId: string;
  deviceId: string | null;
  actor: Actor;
  action: string;
  fromState?: string | null;
  toState?: string | null;
  reason?: string | null;
  data?: Record<string, unknown>;
}

export interface AuditRecord {
  at: Date;
  actor: string;
  action: string;
  fromState: string | null;
  toState: string | null;
  reason: string | null;
  data: Record<string, unknown> | null;
}

/** The stored row of one audit entry (every column named, for bulk inserts too). */
export function auditRow(entry: AuditEntry, now: Date): CompleteRow<'AuditEvent'> {
  return {
    id: newId(),
    tenantId: entry.tenantId,
    deviceId: entry.deviceId,
    actor: actorLabel(entry.actor),
    action: entry.action,
    fromState: entry.fromState ?? null,
    toState: entry.toState ?? null,
    reason: entry.reason ?? null,
    data: entry.data ? JSON.stringify(entry.data) : null,
    at: now,
  };
}

export async function recordAudit(db: DatabaseOrTransaction, entry: AuditEntry, now: Date): Promise<void> {
  await db.auditEvent.create({ data: auditRow(entry, now) });
}

/** Many entries at once (an import, codes for a site): a few multi-row INSERTs. */
export async function recordAudits(db: DatabaseOrTransaction, entries: readonly AuditEntry[], now: Date): Promise<void> {
  await insertRows(db, 'AuditEvent', entries.map((entry) => auditRow(entry, now)));
}

export async function deviceTimeline(db: DatabaseOrTransaction, tenantId: string, deviceId: string): Promise<AuditRecord[]> {
  const rows = await db.auditEvent.findMany({ where: { tenantId, deviceId }, orderBy: [{ at: 'asc' }, { id: 'asc' }] });
  return rows.map((row) => ({
    at: row.at,
    actor: row.actor,
    // Rows written before a step's audit action was renamed read under the current name.
    action: currentAuditAction(row.action),
    fromState: row.fromState,
    toState: row.toState,
    reason: row.reason,
    data: row.data ? (JSON.parse(row.data) as Record<string, unknown>) : null,
  }));
}
