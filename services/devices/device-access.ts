// What a provisioned device may do with its bearer token: prove who it is, and factory-reset
// itself. Only the token's keyed hash is stored; a reset revokes it.
import type { Database, DatabaseOrTransaction } from '../../prisma/store.ts';
import { actorLabel, type Actor } from '../shared/actor.ts';
import type { Clock } from '../shared/clock.ts';
import { DomainError } from '../shared/errors.ts';
import type { KeyedHasher } from '../shared/keyed-hash.ts';
import { findDeviceByMac, findDeviceByTokenHash, type Device } from './device-repository.ts';
import { closeOpenSessions } from './sign-in-sessions.ts';
import { moveDevice } from './transition.ts';

/** Back to `registered`: token revoked, live codes revoked, open sign-ins cancelled. */
export async function resetDevice(tx: DatabaseOrTransaction, device: Device, actor: Actor, now: Date): Promise<Device> {
  const reset = await moveDevice(tx, { device, step: 'reset', actor, set: { deviceTokenHash: null, signedInAccount: null }, event: { actor: actorLabel(actor) } }, now);
  await tx.verificationCode.updateMany({ where: { deviceId: device.id, status: 'live' }, data: { status: 'revoked', closedAt: now } });
  await closeOpenSessions(tx, device, 'cancelled', now);
  return reset;
}

export function createDeviceAccess(db: Database, clock: Clock, hasher: KeyedHasher) {
  const unauthorized = () =>
    new DomainError('unauthorized', 'Missing or unknown device token. Send "Authorization: Bearer <deviceToken>" from provisioning; after a factory reset, provision again.');

  return {
    async authenticate(authorization: string | undefined): Promise<Device> {
      const token = /^Bearer\s+(\S+)$/i.exec(authorization?.trim() ?? '')?.[1];
      if (!token) throw unauthorized();
      const device = await findDeviceByTokenHash(db, hasher.hash(token));
      if (!device) throw unauthorized();
      return device;
    },

    async resetByDevice(device: Device): Promise<Device> {
      return db.$transaction((tx) => resetDevice(tx, device, { kind: 'device', mac: device.mac }, clock.now()));
    },

    async resetByAdmin(actor: Actor, tenantId: string, mac: string): Promise<Device> {
      return db.$transaction(async (tx) => {
        const device = await findDeviceByMac(tx, tenantId, mac);
        if (!device) throw new DomainError('not_found', `No device ${mac} is registered here. Type "list" to see your devices.`);
        return resetDevice(tx, device, actor, clock.now());
      });
    },
  };
}

export type DeviceAccess = ReturnType<typeof createDeviceAccess>;
