// The remote sign-in of a shared account into a device, as it lives in the store: an admin
// requests it, the device reports the device-login code it got (valid 15 minutes), and
// reports when the account is signed in. A login code that lapses puts the device back to
// waiting for sign-in, so a fresh one can be requested.
import type { DatabaseOrTransaction } from '../../prisma/store.ts';
import { findDeviceByMac, type Device } from './device-repository.ts';
import { renewIfQueued } from './sign-in-queue.ts';
import { moveDevice } from './transition.ts';

export type SignInStatus = 'requested' | 'code_reported' | 'completed' | 'lapsed' | 'cancelled';

export interface SignInSession {
  id: string;
  deviceId: string;
  requestedBy: string;
  account: string | null;
  loginCode: string | null;
  loginCodeExpiresAt: Date | null;
  status: SignInStatus;
  createdAt: Date;
}

const openStatuses: SignInStatus[] = ['requested', 'code_reported'];

export async function findOpenSession(db: DatabaseOrTransaction, device: Device): Promise<SignInSession | null> {
  const row = await db.signInSession.findFirst({
    where: { tenantId: device.tenantId, deviceId: device.id, status: { in: openStatuses } },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
  });
  return row ? { ...row, status: row.status as SignInStatus } : null;
}

export async function closeOpenSessions(db: DatabaseOrTransaction, device: Device, status: 'cancelled' | 'lapsed' | 'completed', now: Date): Promise<void> {
  // The device-login code is a credential for the portal step only: once the sign-in ends or
  // lapses it is dropped, so a copy of the store does not keep it (its expiry stays, as history).
  await db.signInSession.updateMany({ where: { deviceId: device.id, status: { in: openStatuses } }, data: { status, loginCode: null, updatedAt: now } });
}

/**
 * When the device's login code has lapsed, moves it back to waiting for sign-in. Returns the
 * device as it now is, and whether THIS call moved it (a concurrent run may have done it first:
 * the sweep counts only its own).
 */
export async function lapseIfDueCounted(db: DatabaseOrTransaction, snapshot: Device, now: Date): Promise<{ device: Device; lapsed: boolean }> {
  // Decide on the stored state, not on the caller's copy: the device may have signed in since
  // that copy was read (a phone polls while the person completes the portal step).
  const device = (await findDeviceByMac(db, snapshot.tenantId, snapshot.mac)) ?? snapshot;
  if (device.state !== 'signing_in') return { device, lapsed: false };
  const session = await findOpenSession(db, device);
  const expiresAt = session?.loginCodeExpiresAt;
  if (expiresAt && expiresAt.getTime() > now.getTime()) return { device, lapsed: false };
  const moved = await moveDevice(db, { device, step: 'lapse_login_code', actor: { kind: 'system' }, event: {} }, now);
  await closeOpenSessions(db, device, 'lapsed', now);
  // A device in a sign-in queue gets a fresh code at once, while renewals are left.
  await renewIfQueued(db, moved, now);
  return { device: moved, lapsed: true };
}

/** When the device's login code has lapsed, moves it back to waiting for sign-in. Returns the device as it now is. */
export async function lapseIfDue(db: DatabaseOrTransaction, snapshot: Device, now: Date): Promise<Device> {
  return (await lapseIfDueCounted(db, snapshot, now)).device;
}
