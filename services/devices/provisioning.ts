// A device reporting in with the verification code a technician typed on it. The answer
// never tells a wrong code from an unknown MAC (so MACs cannot be enumerated). Wrong codes are
// limited per MAC and source address, per source, per tenant and overall (./attempt-limits.ts);
// a request over a limit is refused before anything is written.
import { Prisma } from '../../generated/sqlite/client.ts';
import { insertRows, storedDateTime } from '../../prisma/bulk-write.ts';
import { executeStatement, queryRows } from '../../prisma/direct-sqlite.ts';
import { groupedTransactions } from '../../prisma/grouped-transactions.ts';
import type { Database, DatabaseOrTransaction, Transaction } from '../../prisma/store.ts';
import { enqueueEvent } from '../notifications/outbox.ts';
import type { Clock } from '../shared/clock.ts';
import { DomainError } from '../shared/errors.ts';
import type { KeyedHasher } from '../shared/keyed-hash.ts';
import { newBearerToken, newId } from '../shared/random.ts';
import { attemptLimits, lockForCheck, lockoutPolicy, overLimitUntil, rateLimited, RefusedSources, secondsUntil, UnknownMacGuesses, type LimitScope } from './attempt-limits.ts';
import { findDevicesWithMacInAnyTenant } from './device-repository.ts';
import { activated } from './device-state.ts';
import { parseMac } from './mac-address.ts';
import { firmwareReadiness } from '../firmware/readiness.ts';
import { queueOnProvision } from './sign-in-queue.ts';
import { moveDevice } from './transition.ts';
import { onPostgres } from '../../prisma/client-provider.ts';

export { lockoutPolicy } from './attempt-limits.ts';

/**
 * Where a provision request came from, as the bot saw it (never what the device says): the
 * client address (bot/device-api/client-address.ts). The limits count it; the provision's
 * audit row keeps it, and the sign-in card shows it to admins.
 */
export interface ProvisionSource {
  source: string;
}

export interface ProvisionRequest {
  mac: string;
  verificationCode: string;
  manufacturer?: string | null;
  model?: string | null;
  firmwareVersion?: string | null;
}

/**
 * A check that may refuse a device with a valid code before it is provisioned (the firmware
 * readiness policy, services/firmware/firmware-service.ts). It runs in the provision's
 * transaction; a refusal leaves the code valid.
 */
export interface ProvisionGate {
  check(tx: DatabaseOrTransaction, device: { id: string; tenantId: string; mac: string; location: string | null }, reported: { manufacturer: string | null; model: string | null; firmwareVersion: string | null }, now: Date): Promise<DomainError | null>;
}

export interface ProvisionResult {
  deviceId: string;
  /** Shown once to the device; only its keyed hash is stored. */
  deviceToken: string;
  tenantName: string;
}

type Outcome = { ok: true; result: ProvisionResult } | { ok: false; error: DomainError };

/**
 * The newest code of these devices with this hash. The statements every provision runs are
 * written as SQL: in the device API's transactions they run on the driver itself
 * (prisma/direct-sqlite.ts), where through Prisma each cost more than the database's work.
 */
async function codeOfDevices(tx: DatabaseOrTransaction, devices: readonly { id: string }[], codeHash: string) {
  const rows = await queryRows<{ id: string; deviceId: string; status: string; expiresAt: Date }>(
    tx,
    Prisma.sql`SELECT "id", "deviceId", "status", "expiresAt" FROM "VerificationCode" WHERE "deviceId" IN (${Prisma.join(devices.map((device) => device.id))}) AND "codeHash" = ${codeHash} ORDER BY "issuedAt" DESC LIMIT 1`,
    ['expiresAt'],
  );
  return rows[0] ?? null;
}

/** Failures of this MAC from this source that still count: in the window, after the MAC's newest code, not unlocked. */
async function recentFailures(tx: DatabaseOrTransaction, mac: string, source: string, since: Date, now: Date): Promise<Date[]> {
  const windowStart = new Date(now.getTime() - lockoutPolicy.windowMs);
  const rows = await tx.provisioningAttempt.findMany({
    where: { mac, source, succeeded: false, countsForMac: true, at: since > windowStart ? { gte: since } : { gt: windowStart } },
    orderBy: { at: 'desc' },
    take: lockoutPolicy.maxFailures,
    select: { at: true },
  });
  return rows.map((row) => row.at);
}

/** When the newest code of these devices (one MAC, perhaps in several tenants) was issued; failures before it no longer count. */
async function newestCodeIssuedAt(tx: DatabaseOrTransaction, devices: readonly { id: string }[]): Promise<Date> {
  const newest = await tx.verificationCode.findFirst({
    where: { deviceId: { in: devices.map((device) => device.id) } },
    orderBy: { issuedAt: 'desc' },
    select: { issuedAt: true },
  });
  return newest?.issuedAt ?? new Date(0);
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
  for (const field of ['manufacturer', 'model', 'firmwareVersion'] as const) {
    const value = request[field]?.trim();
    if (value && !reportedText.test(value)) {
      throw new DomainError('invalid_input', `${field}: up to 100 letters, digits, spaces and . , _ + ( ) - / only.`);
    }
  }
  const code = request.verificationCode.trim();
  if (!/^\d{6}$/.test(code)) throw new DomainError('invalid_input', 'verificationCode: expected the 6 digits from the hand-off card.');
  return { mac: mac.mac, code };
}

export function createProvisioning(db: Database, clock: Clock, hasher: KeyedHasher, gate?: ProvisionGate) {
  const postgres = onPostgres(db);
  // SQLite's single writer: provisions arriving together commit together (group commit, each
  // in its own savepoint; prisma/grouped-transactions.ts). PostgreSQL runs them side by side.
  const writes = postgres ? { run: <T>(work: (tx: Transaction) => Promise<T>) => db.$transaction(work) } : groupedTransactions(db);
  const refusedSources = new RefusedSources();
  const unknownMacs = new UnknownMacGuesses();
  /**
   * What the provisions of one transaction (a group commit's items share it) have read already
   * and nothing in it can have changed: tenant names (a provision never renames a tenant) and
   * the addresses found clean (without failures in the window: only a failure written in this
   * transaction, which forgets the address here, or time passing, which only ages failures out,
   * changes that; an address is known clean from the time it was read on). A site's phones
   * provisioning together read each once per group.
   */
  const readInTransaction = new WeakMap<object, { tenantNames: Map<string, string | null>; cleanSources: Map<string, number> }>();
  const transactionReads = (tx: DatabaseOrTransaction) => {
    let reads = readInTransaction.get(tx);
    if (!reads) {
      reads = { tenantNames: new Map(), cleanSources: new Map() };
      readInTransaction.set(tx, reads);
    }
    return reads;
  };

  /**
   * Whether this address has failed at all in the window. A clean address (a site's roll-out)
   * cannot be over any limit that concerns it, nor have failures against a MAC: the MAC's
   * lockout window is the address's window, and only its own failures count. So a clean one
   * skips every limit query (see attempt-limits.ts).
   */
  async function sourceFailedRecently(tx: DatabaseOrTransaction, source: string, now: Date): Promise<boolean> {
    const { cleanSources } = transactionReads(tx);
    // Clean at that time, so clean at any later time (the window only moves on).
    const cleanAt = cleanSources.get(source);
    if (cleanAt !== undefined && cleanAt <= now.getTime()) return false;
    const since = storedDateTime(new Date(now.getTime() - attemptLimits.source.windowMs));
    const failed = await queryRows<{ id: string }>(tx, Prisma.sql`SELECT "id" FROM "ProvisioningAttempt" WHERE "source" = ${source} AND "succeeded" = ${false} AND "at" > ${since} LIMIT 1`, []);
    if (failed.length === 0) cleanSources.set(source, now.getTime());
    return failed.length > 0;
  }

  async function tenantNameOf(tx: DatabaseOrTransaction, tenantId: string): Promise<string | null> {
    const { tenantNames } = transactionReads(tx);
    if (!tenantNames.has(tenantId)) tenantNames.set(tenantId, (await tx.tenant.findUnique({ where: { id: tenantId }, select: { name: true } }))?.name ?? null);
    return tenantNames.get(tenantId) ?? null;
  }

  /** The limits that refuse before anything is written, for an address with failures; null when the request may go on. */
  async function overALimit(tx: DatabaseOrTransaction, source: string, tenantIds: string[], now: Date): Promise<{ scope: LimitScope; until: Date } | null> {
    if (postgres) {
      // An address with failures is checked one request at a time across instances, so a burst
      // from it cannot all read "under the limit" at once. Clean addresses (a site's roll-out)
      // are never serialized. MAC lock first, then the source's: always in this order.
      await lockForCheck(tx, `provision-source:${source}`);
    }
    const sourceUntil = await overLimitUntil(tx, { source }, attemptLimits.source, now);
    if (sourceUntil) return { scope: 'source', until: sourceUntil };
    if (tenantIds.length > 0) {
      const tenantUntil = await overLimitUntil(tx, { tenantId: { in: tenantIds } }, attemptLimits.tenant, now);
      if (tenantUntil) return { scope: 'tenant', until: tenantUntil };
    }
    const overallUntil = await overLimitUntil(tx, {}, attemptLimits.overall, now);
    return overallUntil ? { scope: 'overall', until: overallUntil } : null;
  }

  /** The source just reached its limit: each tenant whose devices it guessed at hears of it, once per incident. */
  async function alertSourceBlocked(tx: DatabaseOrTransaction, source: string, until: Date, now: Date): Promise<void> {
    const rows = await tx.provisioningAttempt.findMany({
      where: { source, succeeded: false, at: { gt: new Date(now.getTime() - attemptLimits.source.windowMs) } },
      select: { tenantId: true, mac: true },
    });
    const tenants = new Map<string, Set<string>>();
    for (const row of rows) {
      if (row.tenantId && row.mac) tenants.set(row.tenantId, (tenants.get(row.tenantId) ?? new Set()).add(row.mac));
    }
    for (const [tenantId, macs] of tenants) {
      const keyPrefix = `spray:${tenantId}:${source}:`;
      const alreadyTold = await tx.outboxMessage.findFirst({
        where: { tenantId, kind: 'source.blocked', dedupeKey: { startsWith: keyPrefix }, createdAt: { gt: new Date(now.getTime() - attemptLimits.alertEveryMs) } },
        select: { id: true },
      });
      if (alreadyTold) continue;
      await enqueueEvent(tx, { kind: 'source.blocked', tenantId, source, failures: rows.length, macs: macs.size, until: until.toISOString() }, now, `${keyPrefix}${now.toISOString()}`);
    }
  }

  /**
   * A MAC locked for a source: each owning tenant hears of it, at most once per tenant and window
   * (the first lockout), about its own device (the same MAC may be registered in several tenants).
   */
  async function noticeLockout(tx: DatabaseOrTransaction, devices: readonly { id: string; tenantId: string }[], mac: string, source: string, until: string, now: Date): Promise<void> {
    const deviceOfTenant = new Map<string, string>();
    for (const device of devices) if (!deviceOfTenant.has(device.tenantId)) deviceOfTenant.set(device.tenantId, device.id);
    for (const [tenantId, deviceId] of [...deviceOfTenant].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const recent = await tx.outboxMessage.findFirst({
        where: { tenantId, kind: 'device.locked_out', createdAt: { gt: new Date(now.getTime() - lockoutPolicy.windowMs) } },
        select: { id: true },
      });
      if (recent) continue;
      await enqueueEvent(tx, { kind: 'device.locked_out', tenantId, deviceId, mac, until, source }, now, `lockout:${tenantId}:${mac}:${until}`);
    }
  }

  async function attempt(tx: DatabaseOrTransaction, mac: string, code: string, request: ProvisionRequest, source: string, now: Date): Promise<Outcome> {
    // Two instances must not both read "4 failures" for one MAC and both go on (READ COMMITTED).
    if (postgres) await lockForCheck(tx, `provision-mac:${mac}`);
    const devices = await findDevicesWithMacInAnyTenant(tx, mac);
    const tenantIds = [...new Set(devices.map((device) => device.tenantId))].sort();

    const sourceHasFailures = await sourceFailedRecently(tx, source, now);
    const over = sourceHasFailures ? await overALimit(tx, source, tenantIds, now) : null;
    if (over) {
      if (over.scope === 'source') refusedSources.refuse(source, over.until);
      return { ok: false, error: rateLimited(over.scope, secondsUntil(over.until, now)) };
    }

    // A newer code clears the MAC's lock: only failures after the newest code count. An address
    // without failures in the window has none against this MAC either (same window).
    const failures = devices.length === 0
      ? unknownMacs.recent(mac, source, now)
      : sourceHasFailures ? await recentFailures(tx, mac, source, await newestCodeIssuedAt(tx, devices), now) : [];
    if (failures.length >= lockoutPolicy.maxFailures) return { ok: false, error: lockedOut(failures, now) };

    const codeHash = hasher.hash(code);
    const match = devices.length === 0 ? null : await codeOfDevices(tx, devices, codeHash);
    const device = devices.find((candidate) => candidate.id === match?.deviceId);

    if (!match || !device) {
      // Nothing is kept about a MAC that names no device; the failure still counts against its source.
      transactionReads(tx).cleanSources.delete(source);
      await tx.provisioningAttempt.create({ data: { id: newId(), mac: devices.length === 0 ? null : mac, tenantId: tenantIds[0] ?? null, source, succeeded: false, at: now } });
      const sourceUntil = await overLimitUntil(tx, { source }, attemptLimits.source, now);
      if (sourceUntil) {
        refusedSources.refuse(source, sourceUntil);
        await alertSourceBlocked(tx, source, sourceUntil, now);
        return { ok: false, error: rateLimited('source', secondsUntil(sourceUntil, now)) };
      }
      const failuresNow = devices.length === 0 ? unknownMacs.add(mac, source, now) : [now, ...failures];
      if (failuresNow.length < lockoutPolicy.maxFailures) {
        const attemptsLeft = lockoutPolicy.maxFailures - failuresNow.length;
        return { ok: false, error: new DomainError('wrong_code', `That code is not right for this device. Check it on the hand-off card; ${attemptsLeft} ${attemptsLeft === 1 ? 'attempt' : 'attempts'} left.`, { attemptsLeft }) };
      }
      const until = new Date(now.getTime() + retryAfterSeconds(failuresNow, now) * 1000).toISOString();
      await noticeLockout(tx, devices, mac, source, until, now);
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
    const refused = await gate?.check(tx, device, { manufacturer: request.manufacturer?.trim() || null, model, firmwareVersion }, now);
    if (refused) return { ok: false, error: refused };
    const used = await executeStatement(tx, Prisma.sql`UPDATE "VerificationCode" SET "status" = 'used', "closedAt" = ${storedDateTime(now)} WHERE "id" = ${match.id} AND "status" = 'live'`);
    if (used !== 1) return { ok: false, error: new DomainError('already_provisioned', 'This code was just used. If this device is not provisioned, ask your admin for a new code.') };
    const online = await moveDevice(
      tx,
      {
        device,
        step: 'provision',
        actor: { kind: 'device', mac },
        data: { model, firmwareVersion, clientAddress: source },
        set: { deviceTokenHash: hasher.hash(deviceToken), model, firmwareVersion },
        event: { location: device.location, model, firmwareVersion },
      },
      now,
    );
    // With a planned account, its sign-in is requested at once (./sign-in-queue.ts), unless the
    // device runs firmware below its model's minimum for remote provisioning: a remote sign-in
    // may fail there, so it waits for an admin (the awaiting-sign-in card names the minimum).
    const readiness = firmwareReadiness({ manufacturer: request.manufacturer?.trim() || null, model, firmwareVersion });
    await queueOnProvision(tx, online, now, { firmwareBelowMinimum: readiness.state === 'below_minimum' });
    await insertRows(tx, 'ProvisioningAttempt', [{ id: newId(), mac, tenantId: device.tenantId, source, succeeded: true, at: now, countsForMac: true }]);
    const tenantName = await tenantNameOf(tx, device.tenantId);
    return { ok: true, result: { deviceId: device.id, deviceToken, tenantName: tenantName ?? device.tenantId } };
  }

  return {
    /** `from.source` is the client address; callers without one (jobs, tests) count as "local". */
    async provision(request: ProvisionRequest, from: ProvisionSource = { source: 'local' }): Promise<ProvisionResult> {
      const { mac, code } = checkProvisionRequest(request);
      const now = clock.now();
      const source = from.source || 'unknown';
      // A source this instance already found over its limit is refused without a query.
      const refusedUntil = refusedSources.refusedFor(source, now);
      if (refusedUntil !== null) throw rateLimited('source', secondsUntil(new Date(refusedUntil), now));
      // Failed attempts must be kept, so errors are returned from the transaction, not thrown in it.
      // A site's phones come up together (a power cut, a morning roll-out): a burst of provisions
      // queues for the store (one writer on SQLite, a pool on PostgreSQL) and waits its turn
      // (the store's transactionDefaults, prisma/store.ts).
      const outcome = await writes.run((tx) => attempt(tx, mac, code, request, source, now));
      if (!outcome.ok) throw outcome.error;
      return outcome.result;
    },

    /**
     * An admin clears a MAC's lockout (every source) in their tenant: the failures stop counting
     * for the MAC, but still count against the addresses they came from. How many were cleared.
     */
    async unlock(tenantId: string, mac: string): Promise<number> {
      const parsed = parseMac(mac);
      if (!parsed.ok) throw new DomainError('invalid_input', `${parsed.reason}. Example: "unlock 00-04-F2-81-24-B3".`);
      const device = await db.device.findUnique({ where: { tenantId_mac: { tenantId, mac: parsed.mac } }, select: { id: true } });
      if (!device) throw new DomainError('not_found', `No device ${parsed.mac} is registered here. "list" shows the registered devices.`);
      const cleared = await db.provisioningAttempt.updateMany({ where: { mac: parsed.mac, succeeded: false, countsForMac: true }, data: { countsForMac: false } });
      return cleared.count;
    },

    /** Housekeeping: failed attempts older than every window are forgotten. How many. */
    async purgeAttempts(now: Date): Promise<number> {
      const longest = Math.max(lockoutPolicy.windowMs, attemptLimits.source.windowMs, attemptLimits.tenant.windowMs, attemptLimits.overall.windowMs);
      const purged = await db.provisioningAttempt.deleteMany({ where: { succeeded: false, at: { lt: new Date(now.getTime() - longest) } } });
      return purged.count;
    },
  };
}

export type Provisioning = ReturnType<typeof createProvisioning>;
