// What the notification planner reads about each device of a delivery run, read for all of the
// run's devices at once: a statement per table for the run instead of one per table and event.
// A site's phones coming online together make a run of 20 device.provisioned events; each
// event's plan read the device and its timeline, its latest sign-in session, its planned
// account, its inventory (firmware readiness), its sign-in queue entry, its hand-off batches
// and its status cards: 8 statements per event, now 8 per run (bot/notifications/plan.ts).
//
// Why the run's read shows what each event needs: every event of a run was committed before
// the run claimed it, so the read, made after the claim, shows what each of them changed; a
// change committed later has an event of its own, planned in a later run (the PlanningRun's
// rule, ./delivery-ports.ts). The run posts sign-in and hand-off cards as it goes: those (the
// cards a later event of the run redraws) are not read here.
import type { Database } from '../../prisma/store.ts';
import { auditRecordsOf, type AuditRow } from '../devices/audit-log.ts';
import type { DeviceDetails } from '../devices/device-queries.ts';
import { toDevice } from '../devices/device-repository.ts';
import type { QueueCardRef } from '../devices/sign-in-queue.ts';
import { groupBy } from '../shared/group-by.ts';

export interface LatestSession {
  status: string;
  account: string | null;
  loginCode: string | null;
  loginCodeExpiresAt: Date | null;
}

/** One device as the planner sees it; each field is what the single-device read of its service answers. */
export interface DeviceFacts {
  /** services.devices.queries.details */
  details: DeviceDetails;
  /** services.devices.signIn.latestSession */
  latestSession: LatestSession | null;
  /** services.devices.plannedAccounts.of */
  plannedAccount: string | null;
  /** The manufacturer from its inventory (services.firmware.readinessOf reads it). */
  manufacturer: string | null;
  /** services.devices.signInQueue.cardOf */
  queueCard: QueueCardRef | null;
  /** services.devices.handoffs.batchesOfDevice */
  handoffBatches: string[];
  /** services.postedCards.find(tenantId, 'status', deviceId) */
  statusCards: { channelId: string; conversationId: string; activityId: string }[];
}

export function createPlanningReads(db: Database) {
  return {
    /** The facts of the tenant's devices with these ids, by id; a device not found is left out. */
    async devices(tenantId: string, deviceIds: readonly string[]): Promise<Map<string, DeviceFacts>> {
      const ids = [...new Set(deviceIds)];
      const facts = new Map<string, DeviceFacts>();
      if (ids.length === 0) return facts;
      const devices = await db.device.findMany({ where: { tenantId, id: { in: ids } } });
      if (devices.length === 0) return facts;
      const found = devices.map((device) => device.id);
      // One statement per table; the orders are those of the single-device reads.
      const [audits, sessions, planned, inventories, queueEntries, codes, statusCards] = await Promise.all([
        db.auditEvent.findMany({ where: { tenantId, deviceId: { in: found } }, orderBy: [{ at: 'asc' }, { id: 'asc' }] }),
        db.signInSession.findMany({ where: { tenantId, deviceId: { in: found } }, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] }),
        db.plannedAccount.findMany({ where: { tenantId, deviceId: { in: found } }, select: { deviceId: true, account: true } }),
        db.deviceInventory.findMany({ where: { deviceId: { in: found } }, select: { deviceId: true, manufacturer: true } }),
        db.signInQueueEntry.findMany({ where: { tenantId, deviceId: { in: found } }, select: { deviceId: true, locationKey: true, page: true } }),
        db.verificationCode.findMany({ where: { tenantId, deviceId: { in: found }, batchId: { not: null } }, select: { deviceId: true, batchId: true } }),
        db.postedCard.findMany({ where: { tenantId, kind: 'status', subject: { in: found } }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] }),
      ]);
      const batchIds = [...new Set(codes.map((code) => code.batchId).filter((id): id is string => id !== null))];
      const keptBatches = new Set(batchIds.length === 0 ? [] : (await db.handoffBatch.findMany({ where: { tenantId, id: { in: batchIds } }, select: { id: true } })).map((batch) => batch.id));

      const auditsOf = groupBy(audits, (row) => row.deviceId ?? '');
      const sessionsOf = groupBy(sessions, (row) => row.deviceId);
      const codesOf = groupBy(codes, (row) => row.deviceId);
      const cardsOf = groupBy(statusCards, (row) => row.subject);
      const plannedOf = new Map(planned.map((row) => [row.deviceId, row.account]));
      const manufacturerOf = new Map(inventories.map((row) => [row.deviceId, row.manufacturer]));
      const queueOf = new Map(queueEntries.map((row) => [row.deviceId, { locationKey: row.locationKey, page: row.page }]));
      for (const row of devices) {
        const timelineRows: AuditRow[] = auditsOf.get(row.id) ?? [];
        const session = sessionsOf.get(row.id)?.[0];
        facts.set(row.id, {
          details: { device: toDevice(row), timeline: await auditRecordsOf(db, tenantId, timelineRows) },
          latestSession: session ? { status: session.status, account: session.account, loginCode: session.loginCode, loginCodeExpiresAt: session.loginCodeExpiresAt } : null,
          plannedAccount: plannedOf.get(row.id) ?? null,
          manufacturer: manufacturerOf.get(row.id) ?? null,
          queueCard: queueOf.get(row.id) ?? null,
          handoffBatches: [...new Set((codesOf.get(row.id) ?? []).map((code) => code.batchId!))].filter((id) => keptBatches.has(id)),
          statusCards: (cardsOf.get(row.id) ?? []).map((card) => ({ channelId: card.channelId, conversationId: card.conversationId, activityId: card.activityId })),
        });
      }
      return facts;
    },
  };
}

export type PlanningReads = ReturnType<typeof createPlanningReads>;
