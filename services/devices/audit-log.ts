// The audit trail: who did what to which device, when, and why. Append-only; never holds a
// code, token or login code.
import type { DatabaseOrTransaction } from '../../prisma/store.ts';
import { actorLabel, type Actor } from '../shared/actor.ts';
import { insertRows, type CompleteRow } from '../../prisma/bulk-write.ts';
import { newId } from '../shared/random.ts';
import { canonicalUserId, principalOfActorLabel, type PrincipalId } from '../auth/principal.ts';
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
  /**
   * The person's name when the actor is a user: as stored with the row, or (rows written before
   * names were kept) the name their role grant holds; null when neither knows it.
   */
  actorName: string | null;
  action: string;
  fromState: string | null;
  toState: string | null;
  reason: string | null;
  data: Record<string, unknown> | null;
}

const nameOf = (name: string | null | undefined): string | null => (name && name.trim() !== '' ? name.trim() : null);

/** The stored row of one audit entry (every column named, for bulk inserts too). */
export function auditRow(entry: AuditEntry, now: Date): CompleteRow<'AuditEvent'> {
  return {
    id: newId(),
    tenantId: entry.tenantId,
    deviceId: entry.deviceId,
    actor: actorLabel(entry.actor),
    actorName: entry.actor.kind === 'user' ? nameOf(entry.actor.name) : null,
    action: entry.action,
    fromState: entry.fromState ?? null,
    toState: entry.toState ?? null,
    reason: entry.reason ?? null,
    data: entry.data ? JSON.stringify(entry.data) : null,
    at: now,
  };
}

/** One entry: a one-row INSERT of the bulk writer (run on the driver itself in the device API's transactions, prisma/direct-sqlite.ts). */
export async function recordAudit(db: DatabaseOrTransaction, entry: AuditEntry, now: Date): Promise<void> {
  await insertRows(db, 'AuditEvent', [auditRow(entry, now)]);
}

/** Many entries at once (an import, codes for a site): a few multi-row INSERTs. */
export async function recordAudits(db: DatabaseOrTransaction, entries: readonly AuditEntry[], now: Date): Promise<void> {
  await insertRows(db, 'AuditEvent', entries.map((entry) => auditRow(entry, now)));
}

export async function deviceTimeline(db: DatabaseOrTransaction, tenantId: string, deviceId: string): Promise<AuditRecord[]> {
  const rows = await db.auditEvent.findMany({ where: { tenantId, deviceId }, orderBy: [{ at: 'asc' }, { id: 'asc' }] });
  return auditRecordsOf(db, tenantId, rows);
}

/** The stored columns of an audit row that a timeline shows. */
export type AuditRow = Pick<AuditRecord, 'at' | 'actor' | 'actorName' | 'action' | 'fromState' | 'toState' | 'reason'> & { data: string | null };

/** A device's audit rows (oldest first) as its timeline: names filled in, actions under their current names. */
export async function auditRecordsOf(db: DatabaseOrTransaction, tenantId: string, rows: readonly AuditRow[]): Promise<AuditRecord[]> {
  const grantedNames = await namesFromRoleGrants(db, tenantId, rows.filter((row) => row.actorName === null).map((row) => row.actor));
  return rows.map((row) => ({
    at: row.at,
    actor: row.actor,
    actorName: row.actorName ?? grantedNames.get(row.actor) ?? null,
    // Rows written before a step's audit action was renamed read under the current name.
    action: currentAuditAction(row.action),
    fromState: row.fromState,
    toState: row.toState,
    reason: row.reason,
    data: row.data ? (JSON.parse(row.data) as Record<string, unknown>) : null,
  }));
}

/**
 * Names for user actors of rows written before the audit trail kept names: the name stored
 * with the person's role grant in this tenant (the newest one that has a name), by actor label.
 */
async function namesFromRoleGrants(db: DatabaseOrTransaction, tenantId: string, actorLabels: readonly string[]): Promise<Map<string, string>> {
  const people = new Map<string, PrincipalId>();
  for (const label of new Set(actorLabels)) {
    const person = principalOfActorLabel(label);
    if (person) people.set(label, { platform: person.platform, userId: canonicalUserId(person.platform, person.userId) });
  }
  const names = new Map<string, string>();
  if (people.size === 0) return names;
  const grants = await db.roleGrant.findMany({
    where: { tenantId, userId: { in: [...new Set([...people.values()].map((person) => person.userId))] }, userName: { not: null } },
    orderBy: { createdAt: 'asc' },
    select: { platform: true, userId: true, userName: true },
  });
  for (const [label, person] of people) {
    const name = grants.filter((grant) => grant.userId === person.userId && grant.platform === person.platform).at(-1)?.userName;
    if (name) names.set(label, name);
  }
  return names;
}
