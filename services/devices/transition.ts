// Moves a device from one state to the next as a compare-and-set on the stored state, and
// writes the audit event in the same transaction. Two concurrent requests for the same step:
// the first wins, the second finds the state changed and gets a conflict.
import type { DatabaseOrTransaction } from '../../prisma/store.ts';
import type { Actor } from '../shared/actor.ts';
import { updateWhereIn } from '../../prisma/bulk-write.ts';
import { DomainError } from '../shared/errors.ts';
import { recordAudit, recordAudits } from './audit-log.ts';
import type { Device } from './device-repository.ts';
import { canTransition, stateLabels, type DeviceState } from './device-state.ts';

export interface Transition {
  device: Device;
  to: DeviceState;
  actor: Actor;
  /** The audit action, e.g. "device.provisioned". */
  action: string;
  reason?: string;
  data?: Record<string, unknown>;
  /** Other columns to set together with the state. */
  set?: { deviceTokenHash?: string | null; signedInAccount?: string | null; model?: string | null; firmwareVersion?: string | null };
}

export async function moveDevice(db: DatabaseOrTransaction, transition: Transition, now: Date): Promise<Device> {
  const { device, to } = transition;
  if (!canTransition(device.state, to)) {
    throw new DomainError(
      'conflict',
      `Device ${device.mac} is ${stateLabels[device.state]}, so it cannot become ${stateLabels[to]}. Check its status and try the step that fits.`,
    );
  }
  const result = await db.device.updateMany({
    where: { id: device.id, tenantId: device.tenantId, state: device.state },
    data: { state: to, stateChangedAt: now, ...transition.set },
  });
  if (result.count !== 1) {
    throw new DomainError('conflict', `Device ${device.mac} changed while this was being done. Look at its status again, then retry if still needed.`);
  }
  await recordAudit(
    db,
    {
      tenantId: device.tenantId,
      deviceId: device.id,
      actor: transition.actor,
      action: transition.action,
      fromState: device.state,
      toState: to,
      reason: transition.reason ?? null,
      ...(transition.data ? { data: transition.data } : {}),
    },
    now,
  );
  const { set = {} } = transition;
  return {
    ...device,
    state: to,
    stateChangedAt: now,
    ...(set.signedInAccount !== undefined ? { signedInAccount: set.signedInAccount } : {}),
    ...(set.model !== undefined ? { model: set.model } : {}),
    ...(set.firmwareVersion !== undefined ? { firmwareVersion: set.firmwareVersion } : {}),
  };
}

/**
 * The same step for many devices that are all in one state (e.g. codes issued for a whole
 * floor): one compare-and-set UPDATE … WHERE id IN (…) AND state = <from> and one multi-row
 * audit INSERT per few thousand devices, instead of two queries each.
 * If any device changed meanwhile, the whole step is refused (the transaction rolls back).
 */
export async function moveDevicesTogether(
  db: DatabaseOrTransaction,
  devices: readonly Pick<Device, 'id' | 'tenantId' | 'state'>[],
  step: Omit<Transition, 'device' | 'set'>,
  now: Date,
): Promise<void> {
  const first = devices[0];
  if (!first) return;
  const from = first.state;
  if (devices.some((device) => device.state !== from || device.tenantId !== first.tenantId) || !canTransition(from, step.to)) {
    throw new Error('moveDevicesTogether needs devices of one tenant, all in a state that allows the step');
  }
  const moved = await updateWhereIn(db, 'Device', {
    // A raw UPDATE does not apply Prisma's @updatedAt: it gets the step's time, as new rows do.
    set: { state: step.to, stateChangedAt: now, updatedAt: now },
    where: { tenantId: first.tenantId, state: from },
    column: 'id',
    values: devices.map((device) => device.id),
  });
  if (moved !== devices.length) {
    throw new DomainError('conflict', 'Some of these devices changed while this was being done. Look at them again, then retry.');
  }
  await recordAudits(
    db,
    devices.map((device) => ({
      tenantId: device.tenantId,
      deviceId: device.id,
      actor: step.actor,
      action: step.action,
      fromState: from,
      toState: step.to,
      reason: step.reason ?? null,
      ...(step.data ? { data: step.data } : {}),
    })),
    now,
  );
}
