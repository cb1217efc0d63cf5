// A device reporting in with the verification code a technician typed on it. The answer
// never tells a wrong code from an unknown MAC (so MACs cannot be enumerated), and five wrong
// codes for one MAC within 15 minutes lock that MAC out for the rest of the window.
import type { Database, DatabaseOrTransaction } from '../../prisma/store.ts';
import { enqueueEvent } from '../notifications/outbox.ts';
import type { Clock } from '../shared/clock.ts';
import { DomainError } from '../shared/errors.ts';
import type { KeyedHasher } from '../shared/keyed-hash.ts';
import { newBearerToken, newId } from '../shared/random.ts';
import { findDevicesWithMacInAnyTenant } from './device-repository.ts';
import { activated } from './device-state.ts';
import { parseMac } from './mac-address.ts';
import { moveDevice } from './transition.ts';

export const lockoutPolicy = { maxFailures: 5, windowMs: 15 * 60_000 };

export interface ProvisionRequest {
  mac: string;
  verificationCode: string;
  model?: string | null;
  firmwareVersion?: string | null;
}

export interface ProvisionResult {
  deviceId: string;
  /** Shown once to the device; only its keyed hash is stored. */
  deviceToken: string;
  tenantName: string;
}

/** Where the request came from, as the bot saw it (never what the device says): kept on the audit row, shown to admins. */
export interface ProvisionSource {
  clientAddress: string | null;
}

type Outcome = { ok: true; result: ProvisionResult } | { ok: false; error: DomainError };

async function recentFailures(tx: DatabaseOrTransaction, mac: string, now: Date): Promise<Date[]> {
  const rows = await tx.provisioningAttempt.findMany({
    where: { mac, succeeded: false, at: { gt: new Date(now.getTime() - lockoutPolicy.windowMs) } },
    orderBy: { at: 'desc' },
    select: { at: true },
  });
  return rows.map((row) => row.at);
}

/** Seconds until the oldest failure that still counts leaves the window. */
function retryAfterSeconds(failures: readonly Date[], now: Date): number {
  const oldestCounted = failures[lockoutPolicy.maxFailures - 1] ?? failures.at(-1) ?? now;
  return Math.max(1, Math.ceil((oldestCounted.getTime() + lockoutPolicy.windowMs - now.getTime()) / 1000));
}

function lockedOut(failures: readonly Date[], now: Date): DomainError {
  const seconds = retryAfterSeconds(failures, now);
  return new DomainError(
    'locked_out',
    `Too many wrong codes for this device. Wait ${Math.ceil(seconds / 60)} minutes, then enter the code again; your admin has been told.`,
    { retryAfterSeconds: seconds },
  );
}

/**
 * What a device reports about itself is shown on admins' cards: letters, digits, spaces and
 * a few separators only, so a rogue device cannot put a markdown link (a phishing lure) there.
 */
const reportedText = /^[\p{L}\p{N} .,_+()\-/]{1,100}$/u;

export function checkProvisionRequest(request: ProvisionRequest): { mac: string; code: string } {
  const mac = parseMac(request.mac);
  if (!mac.ok) throw new DomainError('invalid_input', `mac: ${mac.reason}.`);
  for (const field of ['model', 'firmwareVersion'] as const) {
    const value = request[field]?.trim();
    if (value && !reportedText.test(value)) {
      throw new DomainError('invalid_input', `${field}: up to 100 letters, digits, spaces and . , _ + ( ) - / only.`);
    }
  }
  const code = request.verificationCode.trim();
  if (!/^\d{6}$/.test(code)) throw new DomainError('invalid_input', 'verificationCode: expected the 6 digits from the hand-off card.');
  return { mac: mac.mac, code };
}

export function createProvisioning(db: Database, clock: Clock, hasher: KeyedHasher) {
  async function attempt(tx: DatabaseOrTransaction, mac: string, code: string, request: ProvisionRequest, source: ProvisionSource, now: Date): Promise<Outcome> {
    const failures = await recentFailures(tx, mac, now);
    if (failures.length >= lockoutPolicy.maxFailures) return { ok: false, error: lockedOut(failures, now) };

    const devices = await findDevicesWithMacInAnyTenant(tx, mac);
    const codeHash = hasher.hash(code);
    const match = devices.length === 0 ? null : await tx.verificationCode.findFirst({
      where: { deviceId: { in: devices.map((device) => device.id) }, codeHash },
      orderBy: { issuedAt: 'desc' },
    });
    const device = devices.find((candidate) => candidate.id === match?.deviceId);

    if (!match || !device) {
      await tx.provisioningAttempt.create({ data: { id: newId(), mac, succeeded: false, at: now } });
      const failuresNow = [now, ...failures];
      if (failuresNow.length < lockoutPolicy.maxFailures) {
        const attemptsLeft = lockoutPolicy.maxFailures - failuresNow.length;
        return { ok: false, error: new DomainError('wrong_code', `That code is not right for this device. Check it on the hand-off card; ${attemptsLeft} ${attemptsLeft === 1 ? 'attempt' : 'attempts'} left.`, { attemptsLeft }) };
      }
      const until = new Date(now.getTime() + retryAfterSeconds(failuresNow, now) * 1000).toISOString();
      for (const owner of devices) {
        await enqueueEvent(tx, { kind: 'device.locked_out', tenantId: owner.tenantId, mac, until }, now, `lockout:${owner.tenantId}:${mac}:${until}`);
      }
      return { ok: false, error: lockedOut(failuresNow, now) };
    }

    if (match.status === 'used' || activated.includes(device.state)) {
      return { ok: false, error: new DomainError('already_provisioned', 'This device is already provisioned. To provision it again, factory-reset it and ask your admin for a new code.') };
    }
    if (match.status === 'revoked') {
      return { ok: false, error: new DomainError('code_replaced', 'This code was replaced by a newer one. Use the latest code from the hand-off card, or ask your admin.') };
    }
    if (match.status === 'expired' || match.expiresAt.getTime() <= now.getTime()) {
      return { ok: false, error: new DomainError('code_expired', 'This code has expired. Ask your admin for a new code for this device.') };
    }

    const deviceToken = newBearerToken('dvt');
    const model = request.model?.trim() || device.model;
    const firmwareVersion = request.firmwareVersion?.trim() || device.firmwareVersion;
    const used = await tx.verificationCode.updateMany({ where: { id: match.id, status: 'live' }, data: { status: 'used', closedAt: now } });
    if (used.count !== 1) return { ok: false, error: new DomainError('already_provisioned', 'This code was just used. If this device is not provisioned, ask your admin for a new code.') };
    await moveDevice(
      tx,
      {
        device,
        step: 'provision',
        actor: { kind: 'device', mac },
        data: { model, firmwareVersion, clientAddress: source.clientAddress },
        set: { deviceTokenHash: hasher.hash(deviceToken), model, firmwareVersion },
        event: { location: device.location, model, firmwareVersion },
      },
      now,
    );
    await tx.provisioningAttempt.create({ data: { id: newId(), mac, succeeded: true, at: now } });
    const tenant = await tx.tenant.findUnique({ where: { id: device.tenantId } });
    return { ok: true, result: { deviceId: device.id, deviceToken, tenantName: tenant?.name ?? device.tenantId } };
  }

  return {
    async provision(request: ProvisionRequest, source: ProvisionSource = { clientAddress: null }): Promise<ProvisionResult> {
      const { mac, code } = checkProvisionRequest(request);
      const now = clock.now();
      // Failed attempts must be kept, so errors are returned from the transaction, not thrown in it.
      // A site's phones come up together (a power cut, a morning roll-out): a burst of provisions
      // queues for the store (one writer on SQLite, a pool on PostgreSQL) and waits its turn
      // (the store's transactionDefaults, prisma/store.ts).
      const outcome = await db.$transaction((tx) => attempt(tx, mac, code, request, source, now));
      if (!outcome.ok) throw outcome.error;
      return outcome.result;
    },
  };
}

export type Provisioning = ReturnType<typeof createProvisioning>;
