// The managers' daily digest as plain data: where the devices are in the pipeline, per state
// and per location, and what needs attention (codes about to expire, devices stuck before
// sign-in, lockouts), plus how long provisioning takes. A handful of queries whatever the
// number of devices: counts are grouped by the database, the rest is folded here.
import type { Database } from '../../prisma/store.ts';
import { deviceStates, isDeviceState, type DeviceState } from '../devices/device-state.ts';
import { checkTimeZone, localDay } from '../shared/local-time.ts';

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

const byLocationName = (a: string | null, b: string | null) => (a === null ? 1 : b === null ? -1 : a.localeCompare(b));

async function previousDigestAt(db: Database, tenantId: string, now: Date, day: string | undefined): Promise<Date | null> {
  const previous = await db.dailyReport.findFirst({
    where: { tenantId, kind: 'digest', createdAt: { lte: now }, ...(day !== undefined ? { day: { lt: day } } : {}) },
    orderBy: { createdAt: 'desc' },
    select: { createdAt: true },
  });
  return previous?.createdAt ?? null;
}

/** When each device was registered (its latest registration before `now`). */
async function registrationTimes(db: Database, tenantId: string, deviceIds: readonly string[], now: Date): Promise<Map<string, Date>> {
  const registered = new Map<string, Date>();
  // Chunks keep each query under the databases' parameter limits.
  for (let start = 0; start < deviceIds.length; start += 500) {
    const rows = await db.auditEvent.findMany({
      where: { tenantId, action: 'device.registered', deviceId: { in: deviceIds.slice(start, start + 500) }, at: { lte: now } },
      select: { deviceId: true, at: true },
    });
    for (const row of rows) {
      if (!row.deviceId) continue;
      const known = registered.get(row.deviceId);
      if (!known || known < row.at) registered.set(row.deviceId, row.at);
    }
  }
  return registered;
}

export async function buildDigest(db: Database, tenantId: string, now: Date, options: DigestOptions): Promise<Digest> {
  const timeZone = checkTimeZone(options.timeZone);
  const day = options.day ?? localDay(now, timeZone);
  const ago = (ms: number) => new Date(now.getTime() - ms);
  const expiringUntil = new Date(now.getTime() + digestWindows.expiringWithinMs);
  const stuckBefore = ago(digestWindows.stuckAfterMs);
  const lockoutsSince = ago(digestWindows.lockoutsWithinMs);
  const timeToSignedInSince = ago(digestWindows.timeToSignedInOverMs);

  const previous = options.sinceLast ? null : await previousDigestAt(db, tenantId, now, options.day);
  const signedInSince = options.sinceLast ?? previous ?? ago(digestWindows.signedInDefaultMs);
  // One read of the sign-ins serves both the count since the last digest and the 7-day median.
  const signInsFrom = signedInSince < timeToSignedInSince ? signedInSince : timeToSignedInSince;

  const [groups, expiringCodes, stuckRows, signIns, lockoutRows] = await Promise.all([
    db.device.groupBy({ by: ['location', 'state'], where: { tenantId }, _count: { _all: true } }),
    db.verificationCode.findMany({
      where: { tenantId, status: 'live', expiresAt: { gt: now, lte: expiringUntil } },
      select: { device: { select: { location: true } } },
    }),
    db.device.findMany({
      where: { tenantId, state: { in: [...stuckStates] }, stateChangedAt: { lte: stuckBefore } },
      orderBy: [{ stateChangedAt: 'asc' }, { mac: 'asc' }],
      select: { mac: true, location: true, state: true, stateChangedAt: true },
    }),
    db.auditEvent.findMany({
      where: { tenantId, action: 'device.signed_in', at: { gt: signInsFrom, lte: now } },
      select: { deviceId: true, at: true },
    }),
    db.outboxMessage.findMany({
      where: { tenantId, kind: 'device.locked_out', createdAt: { gt: lockoutsSince, lte: now } },
      orderBy: { createdAt: 'asc' },
      select: { payload: true },
    }),
  ]);

  // Pipeline and locations.
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

  // Codes about to expire, per location.
  const expiringAt = new Map<string | null, number>();
  for (const code of expiringCodes) expiringAt.set(code.device.location, (expiringAt.get(code.device.location) ?? 0) + 1);

  // Sign-ins: the latest of each device.
  const latestSignIn = new Map<string, Date>();
  for (const event of signIns) {
    if (!event.deviceId) continue;
    const known = latestSignIn.get(event.deviceId);
    if (!known || known < event.at) latestSignIn.set(event.deviceId, event.at);
  }
  const signedInCount = [...latestSignIn.values()].filter((at) => at > signedInSince).length;
  const recent = [...latestSignIn].filter(([, at]) => at > timeToSignedInSince);
  const registered = await registrationTimes(db, tenantId, recent.map(([deviceId]) => deviceId), now);
  const durations = recent.flatMap(([deviceId, at]) => {
    const from = registered.get(deviceId);
    return from && from <= at ? [at.getTime() - from.getTime()] : [];
  });

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

  return {
    tenantId,
    day,
    timeZone,
    generatedAt: now,
    total,
    byState,
    locations: [...locations.values()].sort((a, b) => b.total - a.total || byLocationName(a.location, b.location)),
    signedIn: { since: signedInSince, sincePreviousDigest: previous !== null, count: signedInCount },
    expiring: {
      until: expiringUntil,
      count: expiringCodes.length,
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
    timeToSignedIn: { since: timeToSignedInSince, medianMs: median(durations), devices: durations.length },
  };
}
