// Moves a device by one step of the step table (device-steps.ts) as a compare-and-set on the
// stored state, and writes the step's audit event (and, for a one-device step, its domain
// event) in the same transaction. Two concurrent requests for the same step: the first wins,
// the second finds the state changed and gets a conflict.
import type { DatabaseOrTransaction } from '../../prisma/store.ts';
import type { DomainEvent } from '../notifications/domain-events.ts';
import { enqueueEvent } from '../notifications/outbox.ts';
import type { Actor } from '../shared/actor.ts';
import { Prisma } from '../../generated/sqlite/client.ts';
import { storedDateTime, updateWhereIn } from '../../prisma/bulk-write.ts';
import { executeStatement } from '../../prisma/direct-sqlite.ts';
import { DomainError } from '../shared/errors.ts';
import { recordAudit, recordAudits } from './audit-log.ts';
import { chunks } from './code-expiry-support.ts';
import type { Device } from './device-repository.ts';
import { stateLabels, type DeviceState } from './device-state.ts';
import { deviceSteps, stepAllowedFrom, type DeviceStepName } from './device-steps.ts';

type Steps = typeof deviceSteps;
type StepEvent<S extends DeviceStepName> = Extract<DomainEvent, { kind: Steps[S]['event'] }>;
/** The event's own facts; the kind, tenant, device and MAC come from the step and the device. */
export type StepEventDetails<S extends DeviceStepName> = Omit<StepEvent<S>, 'kind' | 'tenantId' | 'deviceId' | 'mac'>;

/** A step that emits one event per device takes that event's facts; a batch step emits its own. */
type MoveEvent<S extends DeviceStepName> = Steps[S]['eventPer'] extends 'device' ? { event: StepEventDetails<S> } : { event?: never };

export type Move<S extends DeviceStepName = DeviceStepName> = {
  device: Device;
  step: S;
  actor: Actor;
  /** Defaults to the step's reason. */
  reason?: string;
  data?: Record<string, unknown>;
  /** Other columns to set together with the state. */
  set?: { deviceTokenHash?: string | null; signedInAccount?: string | null; model?: string | null; firmwareVersion?: string | null };
} & MoveEvent<S>;

function refused(mac: string, from: DeviceState, to: DeviceState): DomainError {
  return new DomainError('conflict', `Device ${mac} is ${stateLabels[from]}, so it cannot become ${stateLabels[to]}. Check its status and try the step that fits.`);
}

export async function moveDevice<S extends DeviceStepName>(db: DatabaseOrTransaction, move: Move<S>, now: Date): Promise<Device> {
  const { device } = move;
  const step = deviceSteps[move.step];
  const to: DeviceState = step.to;
  if (!stepAllowedFrom(move.step, device.state)) throw refused(device.mac, device.state, to);
  // Written as SQL: a provision moves its device, and in the device API's transactions this runs
  // on the driver itself (prisma/direct-sqlite.ts). A raw UPDATE does not apply Prisma's
  // @updatedAt: it gets the step's time, as moveDevicesTogether's does.
  const changes = Object.entries({ state: to, stateChangedAt: storedDateTime(now), ...move.set, updatedAt: storedDateTime(now) }).filter(([, value]) => value !== undefined);
  const assignments = Prisma.join(changes.map(([column, value]) => Prisma.sql`${Prisma.raw(`"${column}"`)} = ${value}`));
  const changed = await executeStatement(db, Prisma.sql`UPDATE "Device" SET ${assignments} WHERE "id" = ${device.id} AND "tenantId" = ${device.tenantId} AND "state" = ${device.state}`);
  if (changed !== 1) {
    throw new DomainError('conflict', `Device ${device.mac} changed while this was being done. Look at its status again, then retry if still needed.`);
  }
  const reason = move.reason ?? ('reason' in step ? step.reason : undefined);
  await recordAudit(
    db,
    {
      tenantId: device.tenantId,
      deviceId: device.id,
      actor: move.actor,
      action: step.audit,
      fromState: device.state,
      toState: to,
      reason: reason ?? null,
      ...(move.data ? { data: move.data } : {}),
    },
    now,
  );
  if (step.eventPer === 'device' && move.event) {
    await enqueueEvent(db, { ...move.event, kind: step.event, tenantId: device.tenantId, deviceId: device.id, mac: device.mac } as DomainEvent, now);
  }
  const { set = {} } = move;
  return {
    ...device,
    state: to,
    stateChangedAt: now,
    ...(set.signedInAccount !== undefined ? { signedInAccount: set.signedInAccount } : {}),
    ...(set.model !== undefined ? { model: set.model } : {}),
    ...(set.firmwareVersion !== undefined ? { firmwareVersion: set.firmwareVersion } : {}),
  };
}

export interface BatchMove {
  step: DeviceStepName;
  actor: Actor;
  /** Defaults to the step's reason. */
  reason?: string;
  data?: Record<string, unknown>;
  /**
   * "all" (the default): if any device changed meanwhile, the whole step is refused (a conflict;
   * the transaction rolls back). "still-there": devices that moved on meanwhile are left alone
   * (a sweep: what it finds already moved is someone else's business).
   */
  ifChanged?: 'all' | 'still-there';
}

/**
 * The same step for many devices that are all in one state (e.g. codes issued for a whole
 * floor): one compare-and-set UPDATE … WHERE id IN (…) AND state = <from> and one multi-row
 * audit INSERT per few thousand devices, instead of two queries each. Returns the ids of the
 * devices moved. The step's event is the caller's to emit (one per batch).
 */
export async function moveDevicesTogether(
  db: DatabaseOrTransaction,
  devices: readonly Pick<Device, 'id' | 'tenantId' | 'state'>[],
  move: BatchMove,
  now: Date,
): Promise<string[]> {
  const first = devices[0];
  if (!first) return [];
  const from = first.state;
  const step = deviceSteps[move.step];
  if (devices.some((device) => device.state !== from || device.tenantId !== first.tenantId) || !stepAllowedFrom(move.step, from)) {
    throw new Error('moveDevicesTogether needs devices of one tenant, all in a state that allows the step');
  }
  const ids = devices.map((device) => device.id);
  let moved: string[];
  if ((move.ifChanged ?? 'all') === 'all') {
    const count = await updateWhereIn(db, 'Device', {
      // A raw UPDATE does not apply Prisma's @updatedAt: it gets the step's time, as new rows do.
      set: { state: step.to, stateChangedAt: now, updatedAt: now },
      where: { tenantId: first.tenantId, state: from },
      column: 'id',
      values: ids,
    });
    if (count !== devices.length) {
      throw new DomainError('conflict', 'Some of these devices changed while this was being done. Look at them again, then retry.');
    }
    moved = ids;
  } else {
    moved = [];
    for (const part of chunks(ids)) {
      const rows = await db.device.updateManyAndReturn({
        where: { id: { in: part }, tenantId: first.tenantId, state: from },
        data: { state: step.to, stateChangedAt: now, updatedAt: now },
        select: { id: true },
      });
      moved.push(...rows.map((row) => row.id));
    }
  }
  const reason = move.reason ?? ('reason' in step ? step.reason : undefined);
  await recordAudits(
    db,
    moved.map((deviceId) => ({
      tenantId: first.tenantId,
      deviceId,
      actor: move.actor,
      action: step.audit,
      fromState: from,
      toState: step.to,
      reason: reason ?? null,
      ...(move.data ? { data: move.data } : {}),
    })),
    now,
  );
  return moved;
}
