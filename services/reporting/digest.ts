// The managers' daily digest as plain data: where the devices are in the pipeline, per state
// and per location, and what needs attention (codes about to expire, devices stuck before
// sign-in, lockouts), plus how long provisioning takes. A handful of queries whatever the
// number of devices: counts are grouped by the database, the rest is folded here.
import { waitingInSignInQueues, type QueueWaiting } from '../devices/sign-in-queue.ts';
import { Prisma } from '../../generated/sqlite/client.ts';
import { fleetReadiness } from '../firmware/firmware-service.ts';
import type { Database } from '../../prisma/store.ts';
import { deviceStates, isDeviceState, type DeviceState } from '../devices/device-state.ts';
import { checkTimeZone, localDay } from '../shared/local-time.ts';
import { onPostgres } from '../../prisma/client-provider.ts';

const hourMs = 3_600_000;

/** The windows the digest looks at. */
export const digestWindows = {
  /** Sign-ins are counted since the previous digest; without one, over this long. */
  signedInDefaultMs: 24 * hourMs,
  /** Live codes that expire within this long from now. */
  expiringWithinMs: 24 * hourMs,
  /** A device waiting for sign-in (or signing in) longer than this is stuck. */
  stuckAfterMs: 24 * hourMs,
  /** Lockouts over this long. */
  lockoutsWithinMs: 24 * hourMs,
  /** The median time from registration to signed in, over the sign-ins of this long. */
  timeToSignedInOverMs: 7 * 24 * hourMs,
} as const;

/** States in which a device waits on a person to sign it in. */
export const stuckStates = ['awaiting_sign_in', 'signing_in'] as const satisfies readonly DeviceState[];
type StuckState = (typeof stuckStates)[number];

export type StateCounts = Record<DeviceState, number>;

export interface LocationCounts {
  location: string | null;
  total: number;
  byState: StateCounts;
}

export interface StuckDevice {
  mac: string;
  location: string | null;
  state: StuckState;
  /** When it entered the state it is stuck in. */
  since: Date;
  ageMs: number;
}

export interface Digest {
  tenantId: string;
  /** The local day (YYYY-MM-DD) the digest is for. */
  day: string;
  timeZone: string;
  generatedAt: Date;
  total: number;
  byState: StateCounts;
  /** Every location, most devices first (then by name; devices without a location last). */
  locations: LocationCounts[];
  signedIn: {
    since: Date;
    /** True when `since` is the previous digest, false when it is a default window or given. */
    sincePreviousDigest: boolean;
    /** Devices that signed in after `since`. */
    count: number;
  };
  expiring: {
    until: Date;
    count: number;
    /** Most codes first. */
    byLocation: { location: string | null; count: number }[];
  };
  /** Oldest first. */
  stuck: StuckDevice[];
  lockouts: {
    since: Date;
    /** MACs locked out after too many wrong codes, each once. */
    macs: string[];
  };
  timeToSignedIn: {
    since: Date;
    /** Median of registration → signed in, over the devices that signed in since `since`; null when none did. */
    medianMs: number | null;
    devices: number;
  };
  /** Devices waiting in a location's sign-in queue (services/devices/sign-in-queue.ts), and since when. */
  signInQueues?: QueueWaiting;
  /** Firmware readiness of the fleet (services/firmware): below the minimum, unknown versions, updates available. */
  firmware: { belowMinimum: number; unknownVersion: number; updatesAvailable: number };
}

export interface DigestOptions {
  /** The zone the digest's day is read in. */
  timeZone: string;
  /** Count sign-ins after this time. Default: when the previous digest was made, else 24 h before `now`. */
  sinceLast?: Date;
  /**
   * The local day a scheduled digest is for (default: the day of `now`). With it, the previous
   * digest is the latest of an earlier day, so the digest being sent is not its own "previous".
   */
  day?: string;
}

export function emptyStateCounts(): StateCounts {
  return Object.fromEntries(deviceStates.map((state) => [state, 0])) as StateCounts;
}

/** The middle value (the mean of the two middle ones for an even count); null for none. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

/** Locations by name, "no location" last. */
export const byLocationName = (a: string | null, b: string | null) => (a === null ? 1 : b === null ? -1 : a.localeCompare(b));

async function previousDigestAt(db: Database, tenantId: string, now: Date, day: string | undefined): Promise<Date | null> {
  const previous = await db.dailyReport.findFirst({
    where: { tenantId, kind: 'digest', createdAt: { lte: now }, ...(day !== undefined ? { day: { lt: day } } : {}) },
    orderBy: { createdAt: 'desc' },
    select: { createdAt: true },
  });
  return previous?.createdAt ?? null;
}

/** Live codes expiring in (now, until], counted per location of their device, by the database. */
export async function expiringPerLocation(db: Database, tenantId: string, now: Date, until: Date): Promise<Map<string | null, number>> {
  // Raw SQL: counting codes per location of their device is a GROUP BY across the relation, which
  // Prisma's groupBy cannot do; without it, every code (20,000 at a big site) and its device's
  // location were read to be counted here. Dates are bound by Prisma as each provider stores them.
  const rows = await db.$queryRaw<{ location: string | null; codes: number | bigint | string }[]>(Prisma.sql`
    SELECT d."location" AS "location", COUNT(*) AS "codes"
    FROM "VerificationCode" c JOIN "Device" d ON d."id" = c."deviceId"
    WHERE c."tenantId" = ${tenantId} AND c."status" = 'live' AND c."expiresAt" > ${now} AND c."expiresAt" <= ${until}
    GROUP BY d."location"`);
  // COUNT is a number on SQLite, a bigint on PostgreSQL.
  return new Map(rows.map((row) => [row.location, Number(row.codes)]));
}

interface SignIn {
  deviceId: string;
  at: Date;
  /** When the device was registered: its row is created then, with the `device.registered` event. */
  registeredAt: Date;
}

/** The sign-in events of (from, now], each with its device's registration time, in one read. */
export async function signInsSince(db: Database, tenantId: string, from: Date, now: Date): Promise<SignIn[]> {
  // One join instead of the events and then the registration events of their devices, 500 ids
  // at a time (10,000 devices signed in over a week at a big site: 20 queries more).
  return db.$queryRaw<SignIn[]>(Prisma.sql`
    SELECT a."deviceId" AS "deviceId", a."at" AS "at", d."createdAt" AS "registeredAt"
    FROM "AuditEvent" a JOIN "Device" d ON d."id" = a."deviceId"
    WHERE a."tenantId" = ${tenantId} AND a."action" = 'device.signed_in' AND a."at" > ${from} AND a."at" <= ${now}`);
}


export interface SignInFigures {
  /** Devices whose latest sign-in in (from, now] is after `since`. */
  signedIn: number;
  /** Devices whose latest sign-in is after `medianSince` and not before their registration. */
  devices: number;
  /** The median of those devices' registration → latest sign-in, in ms; null when none. */
  medianMs: number | null;
}

/** Milliseconds from one stored time to another: SQLite keeps times as text, PostgreSQL as timestamp(3). */
function millisecondsBetween(postgres: boolean, from: string, to: string): Prisma.Sql {
  return postgres
    ? Prisma.raw(`ROUND(EXTRACT(EPOCH FROM (${to} - ${from})) * 1000)::float8`)
    : Prisma.raw(`CAST(ROUND((julianday(${to}) - julianday(${from})) * 86400000) AS INTEGER)`);
}

/**
 * The digest's sign-in figures, computed by the database in one statement: of each device's
 * latest sign-in in (from, now], how many fall after `since`, and the median time from
 * registration over those after `medianSince` (the middle value, or the mean of the two middle
 * ones). The same figures as folding signInsSince's rows here, without carrying 10,000 rows of
 * a big site's week to the bot (most of the digest's time on both databases).
 */
export async function signInFigures(db: Database, tenantId: string, window: { from: Date; now: Date; since: Date; medianSince: Date }): Promise<SignInFigures> {
  const postgres = onPostgres(db);
  const [row] = await db.$queryRaw<{ signedIn: number | bigint; devices: number | bigint; medianMs: number | null }[]>(Prisma.sql`
    WITH "latest" AS (
      SELECT a."deviceId" AS "deviceId", MAX(a."at") AS "at"
      FROM "AuditEvent" a
      WHERE a."tenantId" = ${tenantId} AND a."action" = 'device.signed_in' AND a."at" > ${window.from} AND a."at" <= ${window.now}
      GROUP BY a."deviceId"
    ), "timed" AS MATERIALIZED (
      -- Materialized: used twice, and SQLite, left to inline it, scanned every device of the tenant for the median.
      SELECT l."at" AS "at", ${millisecondsBetween(postgres, 'd."createdAt"', 'l."at"')} AS "ms"
      FROM "latest" l JOIN "Device" d ON d."id" = l."deviceId"
    ), "ranked" AS (
      SELECT "ms", ROW_NUMBER() OVER (ORDER BY "ms") AS "n", COUNT(*) OVER () AS "count"
      FROM "timed" WHERE "at" > ${window.medianSince} AND "ms" >= 0
    )
    SELECT
      (SELECT COUNT(*) FROM "timed" WHERE "at" > ${window.since}) AS "signedIn",
      (SELECT COUNT(*) FROM "ranked") AS "devices",
      (SELECT AVG("ms") FROM "ranked" WHERE "n" IN (("count" + 1) / 2, ("count" + 2) / 2)) AS "medianMs"`);
  // COUNT is a number on SQLite, a bigint on PostgreSQL.
  return { signedIn: Number(row?.signedIn ?? 0), devices: Number(row?.devices ?? 0), medianMs: row?.medianMs === null || row?.medianMs === undefined ? null : Number(row.medianMs) };
}


/** Devices counted per (location, state) by the store, as the pipeline and the per-location rows (largest location first). */
export function pipelineCounts(groups: readonly { location: string | null; state: string; _count: { _all: number } }[]): { total: number; byState: StateCounts; locations: LocationCounts[] } {
  const byState = emptyStateCounts();
  const locations = new Map<string | null, LocationCounts>();
  let total = 0;
  for (const group of groups) {
    if (!isDeviceState(group.state)) continue;
    const count = group._count._all;
    total += count;
    byState[group.state] += count;
    const entry = locations.get(group.location) ?? { location: group.location, total: 0, byState: emptyStateCounts() };
    entry.total += count;
    entry.byState[group.state] += count;
    locations.set(group.location, entry);
  }
  return { total, byState, locations: [...locations.values()].sort((a, b) => b.total - a.total || byLocationName(a.location, b.location)) };
}

export async function buildDigest(db: Database, tenantId: string, now: Date, options: DigestOptions): Promise<Digest> {
  const timeZone = checkTimeZone(options.timeZone);
  const day = options.day ?? localDay(now, timeZone);
  const ago = (ms: number) => new Date(now.getTime() - ms);
  const expiringUntil = new Date(now.getTime() + digestWindows.expiringWithinMs);
  const stuckBefore = ago(digestWindows.stuckAfterMs);
  const lockoutsSince = ago(digestWindows.lockoutsWithinMs);
  const timeToSignedInSince = ago(digestWindows.timeToSignedInOverMs);
  const firmware = await fleetReadiness(db, tenantId);

  const previous = options.sinceLast ? null : await previousDigestAt(db, tenantId, now, options.day);
  const signedInSince = options.sinceLast ?? previous ?? ago(digestWindows.signedInDefaultMs);
  // One statement serves both the count since the last digest and the 7-day median.
  const signInsFrom = signedInSince < timeToSignedInSince ? signedInSince : timeToSignedInSince;

  const [groups, expiringAt, stuckRows, signIns, lockoutRows] = await Promise.all([
    db.device.groupBy({ by: ['location', 'state'], where: { tenantId }, _count: { _all: true } }),
    expiringPerLocation(db, tenantId, now, expiringUntil),
    db.device.findMany({
      where: { tenantId, state: { in: [...stuckStates] }, stateChangedAt: { lte: stuckBefore } },
      orderBy: [{ stateChangedAt: 'asc' }, { mac: 'asc' }],
      select: { mac: true, location: true, state: true, stateChangedAt: true },
    }),
    signInFigures(db, tenantId, { from: signInsFrom, now, since: signedInSince, medianSince: timeToSignedInSince }),
    db.outboxMessage.findMany({
      where: { tenantId, kind: 'device.locked_out', createdAt: { gt: lockoutsSince, lte: now } },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      select: { payload: true },
    }),
  ]);

  const { total, byState, locations } = pipelineCounts(groups);

  // Lockouts: each MAC once, in the order they happened.
  const lockedOut = new Set<string>();
  for (const row of lockoutRows) {
    try {
      const mac = (JSON.parse(row.payload) as { mac?: unknown }).mac;
      if (typeof mac === 'string') lockedOut.add(mac);
    } catch {
      // An unreadable payload is the outbox's problem (it marks the message dead), not the digest's.
    }
  }

  const signInQueues = await waitingInSignInQueues(db, tenantId);

  return {
    tenantId,
    day,
    timeZone,
    generatedAt: now,
    total,
    byState,
    locations,
    signedIn: { since: signedInSince, sincePreviousDigest: previous !== null, count: signIns.signedIn },
    expiring: {
      until: expiringUntil,
      count: [...expiringAt.values()].reduce((sum, count) => sum + count, 0),
      byLocation: [...expiringAt]
        .map(([location, count]) => ({ location, count }))
        .sort((a, b) => b.count - a.count || byLocationName(a.location, b.location)),
    },
    stuck: stuckRows.map((row) => ({
      mac: row.mac,
      location: row.location,
      state: row.state as StuckState,
      since: row.stateChangedAt,
      ageMs: now.getTime() - row.stateChangedAt.getTime(),
    })),
    lockouts: { since: lockoutsSince, macs: [...lockedOut] },
    timeToSignedIn: { since: timeToSignedInSince, medianMs: signIns.medianMs, devices: signIns.devices },
    signInQueues,
    firmware: { belowMinimum: firmware.belowMinimum, unknownVersion: firmware.unknownVersion, updatesAvailable: firmware.updatesAvailable },
  };
}
