// The sweeps that close what ran out: verification codes past their CODE_TTL_HOURS (their devices go
// back to registered) and device-login codes past their 15 minutes (back to waiting for sign-in).
//
// Each closing is a compare-and-set (`… WHERE status = 'live'`, `… WHERE state = 'code_issued'`),
// so when two runs overlap every code and device is closed by exactly one of them, and only
// that one writes the audit and the events.
import type { Database, Transaction } from '../../prisma/store.ts';
import { enqueueEvent } from '../notifications/outbox.ts';
import type { Actor } from '../shared/actor.ts';
import { DomainError } from '../shared/errors.ts';
import { chunks, digestOf, jobTransaction } from './code-expiry-support.ts';
import { groupBy } from '../shared/group-by.ts';
import { findDeviceByMac } from './device-repository.ts';
import { deviceSteps } from './device-steps.ts';
import { lapseIfDueCounted } from './sign-in-sessions.ts';
import { moveDevicesTogether } from './transition.ts';

export interface ExpireCounts {
  /** Codes this run closed as expired. */
  expired: number;
  /** Their devices that went from code_issued back to registered. */
  devicesReset: number;
  /** Tenants that got a `codes.expired` summary. */
  tenants: number;
}

export interface LapseCounts {
  /** Devices moved from signing_in back to awaiting_sign_in. */
  lapsed: number;
}

const expireActor: Actor = { kind: 'job', name: 'expire-codes' };

async function expireForTenant(tx: Transaction, tenantId: string, codeIds: readonly string[], now: Date): Promise<Omit<ExpireCounts, 'tenants'>> {
  const expired: { id: string; deviceId: string }[] = [];
  for (const ids of chunks(codeIds)) {
    expired.push(
      ...(await tx.verificationCode.updateManyAndReturn({
        where: { id: { in: ids }, tenantId, status: 'live', expiresAt: { lte: now } },
        data: { status: 'expired', closedAt: now },
        select: { id: true, deviceId: true },
      })),
    );
  }
  if (expired.length === 0) return { expired: 0, devicesReset: 0 };

  const deviceIds = [...new Set(expired.map((code) => code.deviceId))];
  const macOf = new Map<string, string>();
  const waiting: { id: string; tenantId: string; state: 'code_issued' }[] = [];
  for (const ids of chunks(deviceIds)) {
    for (const device of await tx.device.findMany({ where: { id: { in: ids }, tenantId }, select: { id: true, mac: true, state: true } })) {
      macOf.set(device.id, device.mac);
      if (device.state === 'code_issued') waiting.push({ id: device.id, tenantId, state: 'code_issued' });
    }
  }
  // A device that moved on meanwhile (activated, reset), even between that read and the
  // compare-and-set, is left alone.
  const reset = await moveDevicesTogether(tx, waiting, { step: 'expire_code', actor: expireActor, ifChanged: 'still-there' }, now);
  // Every device whose code expired: its hand-off card shows the code's status, so it is redrawn
  // even when the device itself had moved on.
  for (const code of expired) {
    const mac = macOf.get(code.deviceId);
    if (mac) await enqueueEvent(tx, { kind: deviceSteps.expire_code.event, tenantId, deviceId: code.deviceId, mac }, now, `${deviceSteps.expire_code.event}:${code.id}`);
  }
  const macs = [...new Set(expired.map((code) => macOf.get(code.deviceId)).filter((mac): mac is string => mac !== undefined))].sort();
  // One summary per tenant and run; keyed by the codes, so the same codes are never summed up twice.
  await enqueueEvent(tx, { kind: 'codes.expired', tenantId, macs }, now, `codes.expired:${tenantId}:${digestOf(expired.map((code) => code.id))}`);
  return { expired: expired.length, devicesReset: reset.length };
}

/** Closes every live code whose time is up at `now`, whenever that was. */
export async function expireCodes(db: Database, now: Date): Promise<ExpireCounts> {
  const due = await db.verificationCode.findMany({ where: { status: 'live', expiresAt: { lte: now } }, select: { id: true, tenantId: true }, orderBy: { id: 'asc' } });
  const totals: ExpireCounts = { expired: 0, devicesReset: 0, tenants: 0 };
  for (const [tenantId, codes] of groupBy(due, (code) => code.tenantId)) {
    const counts = await db.$transaction((tx) => expireForTenant(tx, tenantId, codes.map((code) => code.id), now), jobTransaction);
    totals.expired += counts.expired;
    totals.devicesReset += counts.devicesReset;
    if (counts.expired > 0) totals.tenants += 1;
  }
  return totals;
}

/** Puts every device whose device-login code ran out back to waiting for sign-in. */
export async function lapseLoginCodes(db: Database, now: Date): Promise<LapseCounts> {
  const sessions = await db.signInSession.findMany({
    where: { status: 'code_reported', loginCodeExpiresAt: { lte: now }, device: { state: 'signing_in' } },
    select: { tenantId: true, device: { select: { mac: true } } },
  });
  const seen = new Set<string>();
  let lapsed = 0;
  for (const session of sessions) {
    const key = `${session.tenantId}:${session.device.mac}`;
    if (seen.has(key)) continue;
    seen.add(key);
    try {
      const moved = await db.$transaction(async (tx) => {
        // Read again inside the transaction: another run may have lapsed it, or a new code came.
        const device = await findDeviceByMac(tx, session.tenantId, session.device.mac);
        if (!device || device.state !== 'signing_in') return false;
        // Counted only when this run moved it: under READ COMMITTED a concurrent run's lapse is
        // visible to the next read, and would otherwise be counted twice.
        return (await lapseIfDueCounted(tx, device, now)).lapsed;
      });
      if (moved) lapsed += 1;
    } catch (error) {
      // The compare-and-set lost to a concurrent step (another run lapsed it, or it signed in).
      if (!(error instanceof DomainError && error.code === 'conflict')) throw error;
    }
  }
  return { lapsed };
}
