// Moves a device from one state to the next as a compare-and-set on the stored state, and
// writes the audit event in the same transaction. Two concurrent requests for the same step:
// the first wins, the second finds the state changed and gets a conflict.
import type { DatabaseOrTransaction } from '../../prisma/store.ts';
import { actorLabel, type Actor } from '../shared/actor.ts';
import { newId } from '../shared/random.ts';
import { DomainError } from '../shared/errors.ts';
import { recordAudit } from './audit-log.ts';
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
 * floor): one compare-and-set and one audit insert per 500 devices instead of two queries each.
 * If any device changed meanwhile, the whole step is refused (the transaction rolls back).
 */
export async function moveDevicesTogether(
  db: DatabaseOrTransaction,
  devices: readonly Device[],
  step: Omit<Transition, 'device' | 'set'>,
  now: Date,
): Promise<void> {
  for (let start = 0; start < devices.length; start += 500) {
    const chunk = devices.slice(start, start + 500);
    const from = chunk[0]?.state;
    if (!from) continue;
    if (chunk.some((device) => device.state !== from || device.tenantId !== chunk[0]?.tenantId) || !canTransition(from, step.to)) {
      throw new Error('moveDevicesTogether needs devices of one tenant, all in a state that allows the step');
    }
    const result = await db.device.updateMany({
      where: { id: { in: chunk.map((device) => device.id) }, tenantId: chunk[0]?.tenantId, state: from },
      data: { state: step.to, stateChangedAt: now },
    });
    if (result.count !== chunk.length) {
      throw new DomainError('conflict', 'Some of these devices changed while this was being done. Look at them again, then retry.');
    }
    await db.auditEvent.createMany({
      data: chunk.map((device) => ({
        id: newId(),
        tenantId: device.tenantId,
        deviceId: device.id,
        actor: actorLabel(step.actor),
        action: step.action,
        fromState: from,
        toState: step.to,
        reason: step.reason ?? null,
        data: step.data ? JSON.stringify(step.data) : null,
        at: now,
      })),
    });
  }
}
