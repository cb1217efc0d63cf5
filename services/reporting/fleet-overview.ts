// What the fleet tab's dashboard shows, polled every few seconds by everyone who has it open:
// devices per state and per location, codes expiring within 24 h, stuck devices (how many, and
// the oldest), lockouts, and how long provisioning takes: the median time from registration to
// signed in over the last 7 and 30 days (local days, today included) and per day (the chart).
//
// The windows are the digest's (digest.ts), but the reads are cheaper than building a digest:
// stuck devices are counted (the digest lists them all), and the sign-ins of past days, which
// never change (sign-ins are recorded when they happen, so they land on today), are read once
// per tenant and day and kept here. A poll then reads only today's sign-ins.
import type { Database } from '../../prisma/store.ts';
import { waitingInSignInQueues, type QueueWaiting } from '../devices/sign-in-queue.ts';
import type { Clock } from '../shared/clock.ts';
import { localDay } from '../shared/local-time.ts';
import { byLocationName, digestWindows, expiringPerLocation, median, pipelineCounts, signInsSince, stuckStates, type Digest, type LocationCounts, type StuckDevice } from './digest.ts';

const hourMs = 3_600_000;
/** The stuck list is oldest first; the tab shows this many and the count. */
export const stuckShown = 50;
const chartDays = 30;

export interface DailyMedian {
  /** Local day, YYYY-MM-DD, in the tenant's zone. */
  day: string;
  medianMs: number | null;
  devices: number;
}

export interface FleetOverview {
  generatedAt: Date;
  timeZone: string;
  total: number;
  byState: Digest['byState'];
  locations: LocationCounts[];
  expiring: Digest['expiring'];
  stuck: { count: number; oldest: StuckDevice[] };
  lockouts: Digest['lockouts'];
  /** Devices whose login code waits on a location's sign-in queue card, and since when the longest has waited. */
  signInQueues: QueueWaiting;
  timeToSignedIn: {
    median7dMs: number | null;
    devices7d: number;
    median30dMs: number | null;
    devices30d: number;
    /** Oldest day first, 30 days ending today. */
    daily: DailyMedian[];
  };
}

interface LocalDaySpan {
  day: string;
  /** Sign-ins after this instant … */
  from: Date;
  /** … up to this one (the next day's start; now for today). */
  to: Date;
}

/** The last `count` local days in the zone, oldest first, each with its instants. */
export function lastLocalDays(now: Date, timeZone: string, count: number): LocalDaySpan[] {
  // Walk back hour by hour, then find each midnight to the minute (zones with half-hour offsets).
  const starts: { day: string; at: Date }[] = [];
  let day = localDay(now, timeZone);
  let probe = now.getTime();
  while (starts.length < count) {
    const earlier = probe - hourMs;
    const earlierDay = localDay(new Date(earlier), timeZone);
    if (earlierDay !== day) {
      let low = earlier;
      let high = probe;
      while (high - low > 60_000) {
        const middle = low + Math.floor((high - low) / 2);
        if (localDay(new Date(middle), timeZone) === day) high = middle;
        else low = middle;
      }
      starts.push({ day, at: new Date(high) });
      day = earlierDay;
    }
    probe = earlier;
  }
  starts.reverse();
  return starts.map((start, index) => ({ day: start.day, from: start.at, to: starts[index + 1]?.at ?? now }));
}

/** Registration → signed in of each device's latest sign-in in (from, to], sorted. */
async function durationsBetween(db: Database, tenantId: string, from: Date, to: Date): Promise<number[]> {
  const latest = new Map<string, { at: number; durationMs: number }>();
  for (const event of await signInsSince(db, tenantId, from, to)) {
    const at = new Date(event.at).getTime();
    const registeredAt = new Date(event.registeredAt).getTime();
    const known = latest.get(event.deviceId);
    if (registeredAt <= at && (!known || known.at < at)) latest.set(event.deviceId, { at, durationMs: at - registeredAt });
  }
  return [...latest.values()].map((entry) => entry.durationMs).sort((a, b) => a - b);
}

async function lockedOutMacs(db: Database, tenantId: string, since: Date, now: Date): Promise<string[]> {
  const rows = await db.outboxMessage.findMany({
    where: { tenantId, kind: 'device.locked_out', createdAt: { gt: since, lte: now } },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    select: { payload: true },
  });
  const macs = new Set<string>();
  for (const row of rows) {
    try {
      const mac = (JSON.parse(row.payload) as { mac?: unknown }).mac;
      if (typeof mac === 'string') macs.add(mac);
    } catch {
      // An unreadable payload is the outbox's problem (it marks the message dead), not the dashboard's.
    }
  }
  return [...macs];
}


export function createFleetOverview(db: Database, clock: Clock) {
  /** Sorted durations of past days, by tenant, zone and day: they no longer change. */
  const pastDays = new Map<string, number[]>();
  const keyOf = (tenantId: string, timeZone: string, day: string) => `${tenantId}\u0000${timeZone}\u0000${day}`;

  async function dailyDurations(tenantId: string, timeZone: string, days: readonly LocalDaySpan[]): Promise<number[][]> {
    const today = days.at(-1);
    const missing = days.slice(0, -1).filter((span) => !pastDays.has(keyOf(tenantId, timeZone, span.day)));
    const first = missing[0];
    const last = missing.at(-1);
    if (first && last) {
      // One read for every past day not yet kept (all 29 on the first poll), split by day here.
      const events = await signInsSince(db, tenantId, first.from, last.to);
      const perDay = new Map<string, Map<string, { at: number; durationMs: number }>>(missing.map((span) => [span.day, new Map()]));
      for (const event of events) {
        const at = new Date(event.at).getTime();
        const registeredAt = new Date(event.registeredAt).getTime();
        const span = missing.find((candidate) => at > candidate.from.getTime() && at <= candidate.to.getTime());
        const latest = span ? perDay.get(span.day) : undefined;
        if (!latest || registeredAt > at) continue;
        const known = latest.get(event.deviceId);
        if (!known || known.at < at) latest.set(event.deviceId, { at, durationMs: at - registeredAt });
      }
      for (const [day, latest] of perDay) pastDays.set(keyOf(tenantId, timeZone, day), [...latest.values()].map((entry) => entry.durationMs).sort((a, b) => a - b));
    }
    // Forget days that left the window.
    const kept = new Set(days.map((span) => keyOf(tenantId, timeZone, span.day)));
    const prefix = keyOf(tenantId, timeZone, '');
    for (const key of pastDays.keys()) if (key.startsWith(prefix) && !kept.has(key)) pastDays.delete(key);
    const todays = today ? await durationsBetween(db, tenantId, today.from, today.to) : [];
    return [...days.slice(0, -1).map((span) => pastDays.get(keyOf(tenantId, timeZone, span.day)) ?? []), todays];
  }

  return async function fleetOverview(tenantId: string, timeZone: string): Promise<FleetOverview> {
    const now = clock.now();
    const ago = (ms: number) => new Date(now.getTime() - ms);
    const expiringUntil = new Date(now.getTime() + digestWindows.expiringWithinMs);
    const lockoutsSince = ago(digestWindows.lockoutsWithinMs);
    const stuckWhere = { tenantId, state: { in: [...stuckStates] }, stateChangedAt: { lte: ago(digestWindows.stuckAfterMs) } };
    const days = lastLocalDays(now, timeZone, chartDays);
    const [groups, expiringAt, stuckCount, stuckRows, lockouts, durations, signInQueues] = await Promise.all([
      db.device.groupBy({ by: ['location', 'state'], where: { tenantId }, _count: { _all: true } }),
      expiringPerLocation(db, tenantId, now, expiringUntil),
      db.device.count({ where: stuckWhere }),
      db.device.findMany({ where: stuckWhere, orderBy: [{ stateChangedAt: 'asc' }, { mac: 'asc' }], take: stuckShown, select: { mac: true, location: true, state: true, stateChangedAt: true } }),
      lockedOutMacs(db, tenantId, lockoutsSince, now),
      dailyDurations(tenantId, timeZone, days),
      waitingInSignInQueues(db, tenantId),
    ]);

    const { total, byState, locations } = pipelineCounts(groups);
    const last7 = durations.slice(-7).flat();
    const last30 = durations.flat();
    return {
      generatedAt: now,
      timeZone,
      total,
      byState,
      locations,
      expiring: {
        until: expiringUntil,
        count: [...expiringAt.values()].reduce((sum, count) => sum + count, 0),
        byLocation: [...expiringAt].map(([location, count]) => ({ location, count })).sort((a, b) => b.count - a.count || byLocationName(a.location, b.location)),
      },
      stuck: {
        count: stuckCount,
        oldest: stuckRows.map((row) => ({ mac: row.mac, location: row.location, state: row.state as StuckDevice['state'], since: row.stateChangedAt, ageMs: now.getTime() - row.stateChangedAt.getTime() })),
      },
      lockouts: { since: lockoutsSince, macs: lockouts },
      signInQueues,
      timeToSignedIn: {
        median7dMs: median(last7),
        devices7d: last7.length,
        median30dMs: median(last30),
        devices30d: last30.length,
        daily: days.map((span, index) => ({ day: span.day, medianMs: median(durations[index] ?? []), devices: durations[index]?.length ?? 0 })),
      },
    };
  };
}

export type FleetOverviewReader = ReturnType<typeof createFleetOverview>;
