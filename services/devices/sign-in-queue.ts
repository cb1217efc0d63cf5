// The sign-in queue of each location: devices whose sign-in was requested without an admin
// pressing anything (they came online with a planned account), or for a whole location at once
// ("signin location X", "signin all"). The admins see one queue card per location (and page)
// with every ready login code, its account and the trust facts; a lapsed code is renewed while
// renewals are left (sign-in-plan.ts); an admin may mark a row done, and the device's own
// signed-in report confirms it. The rules are sign-in-plan.ts's; this file reads and writes.
import { Prisma } from '../../generated/sqlite/client.ts';
import { executeStatement, queryRows } from '../../prisma/direct-sqlite.ts';
import type { Database, DatabaseOrTransaction } from '../../prisma/store.ts';
import { enqueueEvent } from '../notifications/outbox.ts';
import { actorLabel, type Actor } from '../shared/actor.ts';
import type { Clock } from '../shared/clock.ts';
import { DomainError } from '../shared/errors.ts';
import { newId } from '../shared/random.ts';
import { locationKeyOf } from '../time-zones.ts';
import { recordAudit, type AuditRecord } from './audit-log.ts';
import { findDeviceByMac, toDevice, type Device } from './device-repository.ts';
import { stateLabels, type DeviceState } from './device-state.ts';
import { deviceRecords } from './device-steps.ts';
import { parseMac } from './mac-address.ts';
import { planAutoSignIn, planLocationSignIn, planRenewal, type AutoSignInDecision } from './sign-in-plan.ts';

/**
 * Devices per queue card. Measured (test/unit/bot/views/sign-in-queue-view.test.ts): a full card
 * of 15 rows with the longest account, location, name and address on each is about 18 KB, under
 * the 24 KB budget the hand-off cards keep (margin under the 28 KB quoted as Teams' oldest limit).
 */
export const queuePageSize = 15;

/** The queue card a device is on: its location and page, as posted-card subjects name it. */
export interface QueueCardRef {
  locationKey: string;
  page: number;
}

export const queueSubjectOf = (ref: QueueCardRef): string => `${ref.page}:${ref.locationKey}`;

const automatic: Actor = { kind: 'system' };

/** The tenant's auto sign-in setting (no row: on). */
async function autoSignInOf(db: DatabaseOrTransaction, tenantId: string): Promise<boolean> {
  const row = await db.signInSetting.findUnique({ where: { tenantId } });
  return row?.autoSignIn ?? true;
}

/** Puts the device on its location's queue (a page is chosen once: it stays on that card), or back to the head of its wait. */
async function enqueue(tx: DatabaseOrTransaction, device: Device, now: Date): Promise<void> {
  const locationKey = locationKeyOf(device.location ?? '');
  const existing = await tx.signInQueueEntry.findUnique({ where: { deviceId: device.id } });
  if (existing && existing.locationKey === locationKey) {
    await tx.signInQueueEntry.update({ where: { id: existing.id }, data: { queuedAt: now, renewals: 0, markedDoneAt: null, markedDoneBy: null } });
    return;
  }
  const before = await tx.signInQueueEntry.count({ where: { tenantId: device.tenantId, locationKey } });
  const page = Math.floor(before / queuePageSize);
  if (existing) await tx.signInQueueEntry.delete({ where: { id: existing.id } });
  await tx.signInQueueEntry.create({ data: { id: newId(), tenantId: device.tenantId, deviceId: device.id, locationKey, page, queuedAt: now } });
}

/** Opens a sign-in for the planned account, as `request` in sign-in.ts does for an admin, and queues the device. */
async function requestQueued(tx: DatabaseOrTransaction, device: Device, account: string, actor: Actor, reason: string, now: Date): Promise<void> {
  await tx.signInSession.create({ data: { id: newId(), tenantId: device.tenantId, deviceId: device.id, requestedBy: actorLabel(actor), account, createdAt: now, updatedAt: now } });
  await recordAudit(tx, { tenantId: device.tenantId, deviceId: device.id, actor, action: deviceRecords.request_sign_in.audit, reason, data: { account } }, now);
  await enqueueEvent(tx, { kind: deviceRecords.request_sign_in.event, tenantId: device.tenantId, actor: actorLabel(actor), deviceId: device.id, mac: device.mac, account }, now);
}

/**
 * A device just provisioned (called in provisioning's transaction): with a planned account its
 * sign-in is requested at once and it joins its location's queue, unless the tenant turned auto
 * sign-in off or its firmware is below the minimum.
 *
 * `firmwareBelowMinimum` is the firmware readiness of issue 14: until that lands it is fed
 * `false` by provisioning (the lead wires the real check at merge).
 */
export async function queueOnProvision(tx: DatabaseOrTransaction, device: Device, now: Date, facts: { firmwareBelowMinimum: boolean }): Promise<AutoSignInDecision> {
  // Written as SQL, like the delete below: every provision runs both (on the driver itself in the device API's transactions, prisma/direct-sqlite.ts).
  const [planned] = await queryRows<{ account: string }>(tx, Prisma.sql`SELECT "account" FROM "PlannedAccount" WHERE "deviceId" = ${device.id}`, []);
  // Without a planned account nothing is requested whatever the setting says: it is read only when it matters.
  const autoSignIn = planned ? await autoSignInOf(tx, device.tenantId) : true;
  const decision = planAutoSignIn({ plannedAccount: planned?.account ?? null, autoSignIn, firmwareBelowMinimum: facts.firmwareBelowMinimum });
  if (!decision.request) {
    // Provisioned again without a queued sign-in (e.g. after a reset, auto sign-in now off): no longer queued.
    await executeStatement(tx, Prisma.sql`DELETE FROM "SignInQueueEntry" WHERE "deviceId" = ${device.id}`);
    return decision;
  }
  await requestQueued(tx, device, decision.account, automatic, 'requested automatically: the device came online with a planned account', now);
  await enqueue(tx, device, now);
  return decision;
}

/**
 * A queued device's login code just lapsed (called where the lapse is written): a new one is
 * requested while renewals are left, so the queue never shows a dead code. Then it waits for the admin.
 */
export async function renewIfQueued(tx: DatabaseOrTransaction, device: Device, now: Date): Promise<boolean> {
  const entry = await tx.signInQueueEntry.findUnique({ where: { deviceId: device.id } });
  if (!entry || !planRenewal({ renewals: entry.renewals }).renew) return false;
  const last = await tx.signInSession.findFirst({ where: { deviceId: device.id }, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] });
  if (!last?.account) return false;
  await tx.signInQueueEntry.update({ where: { id: entry.id }, data: { renewals: entry.renewals + 1, markedDoneAt: null, markedDoneBy: null } });
  await requestQueued(tx, device, last.account, automatic, `login code lapsed: renewed automatically (${entry.renewals + 1} of 4)`, now);
  return true;
}

/** An admin asked for the sign-in themselves: a queued device gets its renewals back. */
export async function renewalsRestored(tx: DatabaseOrTransaction, deviceId: string): Promise<void> {
  await tx.signInQueueEntry.updateMany({ where: { deviceId }, data: { renewals: 0, markedDoneAt: null, markedDoneBy: null } });
}

/** One device as its queue card shows it. */
export interface QueueRow {
  device: Device;
  mac: string;
  location: string | null;
  state: DeviceState;
  queuedAt: Date;
  renewals: number;
  markedDoneAt: Date | null;
  account: string | null;
  /** The open sign-in: requested (no code yet), code_reported; null when none is open. */
  sessionStatus: string | null;
  loginCode: string | null;
  loginCodeExpiresAt: Date | null;
  /** The bot's own record (provisioned, codes issued, resets), oldest first: the trust facts. */
  timeline: AuditRecord[];
  model: string | null;
  firmwareVersion: string | null;
  stateChangedAt: Date;
}

export interface QueuePage extends QueueCardRef {
  /** The location's name as the devices carry it. */
  location: string | null;
  rows: QueueRow[];
  /** Pages of the location's queue so far. */
  pages: number;
}

export interface QueueWaiting {
  devices: number;
  /** When the device waiting longest joined its queue; null when none waits. */
  oldestSince: Date | null;
  locations: number;
}

/** Devices waiting in a sign-in queue (not signed in, not marked done), at how many locations, and since when the longest has waited. */
export async function waitingInSignInQueues(db: DatabaseOrTransaction, tenantId: string): Promise<QueueWaiting> {
  // Counted per location by the database: a row per location instead of one per waiting device.
  const perLocation = await db.signInQueueEntry.groupBy({
    by: ['locationKey'],
    where: { tenantId, markedDoneAt: null, device: { state: { in: ['awaiting_sign_in', 'signing_in'] } } },
    _count: { _all: true },
    _min: { queuedAt: true },
  });
  const oldest = perLocation.reduce<Date | null>((min, row) => (row._min.queuedAt !== null && (min === null || row._min.queuedAt < min) ? row._min.queuedAt : min), null);
  return { devices: perLocation.reduce((sum, row) => sum + row._count._all, 0), oldestSince: oldest, locations: perLocation.length };
}

const trustActions = ['device.provisioned', 'code.issued', 'code.reissued', 'device.reset'];

export function createSignInQueue(db: Database, clock: Clock) {
  async function deviceOf(tenantId: string, rawMac: string): Promise<Device> {
    const mac = parseMac(rawMac);
    if (!mac.ok) throw new DomainError('invalid_input', `"${rawMac}" is not a MAC address: ${mac.reason}.`);
    const device = await findDeviceByMac(db, tenantId, mac.mac);
    if (!device) throw new DomainError('not_found', `No device ${mac.mac} is registered here. Type "list" to see your devices.`);
    return device;
  }

  return {
    /** The queue card a device is on, or null when it never joined a queue. */
    async cardOf(tenantId: string, deviceId: string): Promise<QueueCardRef | null> {
      const entry = await db.signInQueueEntry.findFirst({ where: { tenantId, deviceId }, select: { locationKey: true, page: true } });
      return entry;
    },

    /** One queue card's devices, in the order they came online, with what the card shows of each. */
    async page(tenantId: string, ref: QueueCardRef): Promise<QueuePage> {
      const entries = await db.signInQueueEntry.findMany({
        where: { tenantId, locationKey: ref.locationKey, page: ref.page },
        orderBy: [{ queuedAt: 'asc' }, { id: 'asc' }],
        include: { device: true },
      });
      const ids = entries.map((entry) => entry.deviceId);
      const [sessions, audits, last] = await Promise.all([
        db.signInSession.findMany({ where: { tenantId, deviceId: { in: ids }, status: { in: ['requested', 'code_reported'] } }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] }),
        db.auditEvent.findMany({ where: { tenantId, deviceId: { in: ids }, action: { in: trustActions } }, orderBy: [{ at: 'asc' }, { id: 'asc' }] }),
        db.signInQueueEntry.findFirst({ where: { tenantId, locationKey: ref.locationKey }, orderBy: { page: 'desc' }, select: { page: true } }),
      ]);
      const openSession = new Map(sessions.map((session) => [session.deviceId, session]));
      const rows: QueueRow[] = entries.map((entry) => {
        const device = toDevice(entry.device);
        const session = openSession.get(entry.deviceId);
        return {
          device,
          mac: device.mac,
          location: device.location,
          state: device.state,
          queuedAt: entry.queuedAt,
          renewals: entry.renewals,
          markedDoneAt: entry.markedDoneAt,
          account: device.state === 'signed_in' ? device.signedInAccount : (session?.account ?? null),
          sessionStatus: session?.status ?? null,
          loginCode: session?.loginCode ?? null,
          loginCodeExpiresAt: session?.loginCodeExpiresAt ?? null,
          timeline: audits
            .filter((row) => row.deviceId === entry.deviceId)
            .map((row) => ({ at: row.at, actor: row.actor, actorName: row.actorName, action: row.action, fromState: row.fromState, toState: row.toState, reason: row.reason, data: row.data ? (JSON.parse(row.data) as Record<string, unknown>) : null })),
          model: device.model,
          firmwareVersion: device.firmwareVersion,
          stateChangedAt: device.stateChangedAt,
        };
      });
      return { ...ref, location: rows.find((row) => row.location !== null)?.location ?? null, rows, pages: (last?.page ?? ref.page) + 1 };
    },

    /** An admin says they signed the device in at the portal: the row moves to done; the device's report confirms it. */
    async markDone(actor: Actor, tenantId: string, rawMac: string): Promise<Device> {
      const device = await deviceOf(tenantId, rawMac);
      const now = clock.now();
      return db.$transaction(async (tx) => {
        const entry = await tx.signInQueueEntry.findUnique({ where: { deviceId: device.id } });
        if (!entry) throw new DomainError('not_found', `Device ${device.mac} is not in a sign-in queue. "status ${device.mac}" shows where it is.`);
        const current = (await findDeviceByMac(tx, tenantId, device.mac)) ?? device;
        if (current.state === 'signed_in' || entry.markedDoneAt) return current;
        if (current.state !== 'signing_in') {
          throw new DomainError('conflict', `Device ${device.mac} is ${stateLabels[current.state]}: its login code is not on the card yet, so there is nothing to mark done.`);
        }
        await tx.signInQueueEntry.update({ where: { id: entry.id }, data: { markedDoneAt: now, markedDoneBy: actorLabel(actor) } });
        await recordAudit(tx, { tenantId, deviceId: device.id, actor, action: deviceRecords.mark_sign_in_done.audit }, now);
        await enqueueEvent(tx, { kind: deviceRecords.mark_sign_in_done.event, tenantId, actor: actorLabel(actor), deviceId: device.id, mac: device.mac }, now);
        return current;
      });
    },

    /**
     * "signin location X" (or every location, with null): requests the sign-in of every device
     * waiting there with its planned account and queues it; devices without one are listed.
     * `dryRun` only counts (for the confirmation above 20 devices).
     */
    async requestWaiting(actor: Actor, tenantId: string, location: string | null, options: { dryRun?: boolean } = {}) {
      const now = clock.now();
      const wanted = location === null ? null : locationKeyOf(location);
      return db.$transaction(async (tx) => {
        const rows = await tx.device.findMany({
          where: { tenantId, state: { in: ['awaiting_sign_in', 'signing_in'] } },
          include: { plannedAccount: { select: { account: true } }, signInSessions: { where: { status: { in: ['requested', 'code_reported'] } }, select: { id: true } } },
          orderBy: [{ stateChangedAt: 'asc' }, { mac: 'asc' }],
        });
        const here = rows.filter((row) => wanted === null || locationKeyOf(row.location ?? '') === wanted);
        const plan = planLocationSignIn(here.map((row) => ({ mac: row.mac, state: row.state as DeviceState, plannedAccount: row.plannedAccount?.account ?? null, signInOpen: row.signInSessions.length > 0 })));
        if (options.dryRun) return plan;
        const byMac = new Map(here.map((row) => [row.mac, toDevice(row)]));
        for (const { mac, account } of plan.request) {
          const device = byMac.get(mac)!;
          await requestQueued(tx, device, account, actor, location === null ? 'signin all' : `signin location ${location}`, now);
          await enqueue(tx, device, now);
        }
        return plan;
      }, { timeout: 120_000, maxWait: 30_000 });
    },

    /** Whether a device with a planned account signs in as soon as it provisions (default on). */
    autoSignIn: (tenantId: string): Promise<boolean> => autoSignInOf(db, tenantId),

    async setAutoSignIn(actor: Actor, tenantId: string, on: boolean): Promise<void> {
      await db.signInSetting.upsert({ where: { tenantId }, create: { tenantId, autoSignIn: on, updatedBy: actorLabel(actor) }, update: { autoSignIn: on, updatedBy: actorLabel(actor) } });
    },

    waiting: (tenantId: string) => waitingInSignInQueues(db, tenantId),
  };
}

export type SignInQueue = ReturnType<typeof createSignInQueue>;
