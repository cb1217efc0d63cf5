// One device by MAC with its audit trail, in one statement: what `status` (and every card that
// shows a device) reads. Through Prisma it is two queries (the device, then its events: Prisma
// joins relations in the database only on PostgreSQL and MySQL, behind a preview flag), and in
// the chat benchmark Prisma's own work per query was as large as the database's. The join
// written out costs about half of the two (bench/tools/turn-statements.ts lists a turn's
// statements). Plain SQL both providers run alike: quoted identifiers, one bound parameter
// each, no dialect functions. On SQLite it runs on the driver itself (prisma/direct-sqlite.ts).
import { Prisma } from '../../generated/sqlite/client.ts';
import { queryRows } from '../../prisma/direct-sqlite.ts';
import type { DatabaseOrTransaction } from '../../prisma/store.ts';
import { auditRecordsOf, type AuditRecord } from './audit-log.ts';
import { toDevice, type Device, type StoredDevice } from './device-repository.ts';

/** A device row beside one of its audit events (all audit columns null when it has none). */
interface JoinedRow extends StoredDevice {
  auditId: string | null;
  actor: string | null;
  actorName: string | null;
  action: string | null;
  fromState: string | null;
  toState: string | null;
  reason: string | null;
  data: string | null;
  at: Date | null;
}

/** The DateTime columns of a JoinedRow. */
const dateColumns = ['stateChangedAt', 'createdAt', 'at'] as const;

export async function findDeviceWithTimeline(db: DatabaseOrTransaction, tenantId: string, mac: string): Promise<{ device: Device; timeline: AuditRecord[] } | null> {
  const rows = await queryRows<JoinedRow>(
    db,
    Prisma.sql`
    SELECT d."id", d."tenantId", d."mac", d."location", d."model", d."firmwareVersion", d."state", d."stateChangedAt", d."signedInAccount", d."createdAt",
           a."id" AS "auditId", a."actor", a."actorName", a."action", a."fromState", a."toState", a."reason", a."data", a."at"
    FROM "Device" d
    LEFT JOIN "AuditEvent" a ON a."deviceId" = d."id" AND a."tenantId" = d."tenantId"
    WHERE d."tenantId" = ${tenantId} AND d."mac" = ${mac}
    ORDER BY a."at" ASC, a."id" ASC`,
    dateColumns,
  );
  const first = rows[0];
  if (!first) return null;
  const device = toDevice({ ...first, stateChangedAt: asDate(first.stateChangedAt), createdAt: asDate(first.createdAt) });
  const events = rows.flatMap((row) =>
    row.auditId === null || row.actor === null || row.action === null || row.at === null
      ? []
      : [{ at: asDate(row.at), actor: row.actor, actorName: row.actorName, action: row.action, fromState: row.fromState, toState: row.toState, reason: row.reason, data: row.data }],
  );
  return { device, timeline: await auditRecordsOf(db, tenantId, events) };
}

/** Both drivers give DateTime columns as Dates in raw results; a string would be a driver change to fail loudly on, not to guess at. */
function asDate(value: unknown): Date {
  if (value instanceof Date) return value;
  throw new Error(`expected a date from the store, got ${typeof value}`);
}
