// What the fleet tab's dashboard shows: the digest's picture of the pipeline (per state, per
// location, codes expiring, stuck devices, lockouts) plus how long provisioning takes, as the
// median time from registration to signed in over 7 and 30 days and per day over 30 days (the
// chart). Plain data; the tab draws it.
import type { Database } from '../../prisma/store.ts';
import { localDay } from '../shared/local-time.ts';
import { buildDigest, median, signInsSince, type Digest } from './digest.ts';

const dayMs = 24 * 3_600_000;
/** The stuck list is oldest first; the tab shows this many and the count. */
export const stuckShown = 50;

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
  locations: Digest['locations'];
  expiring: Digest['expiring'];
  stuck: { count: number; oldest: Digest['stuck'] };
  lockouts: Digest['lockouts'];
  timeToSignedIn: {
    median7dMs: number | null;
    devices7d: number;
    median30dMs: number | null;
    devices30d: number;
    /** Oldest day first, 30 days ending today. */
    daily: DailyMedian[];
  };
}

export async function buildFleetOverview(db: Database, tenantId: string, now: Date, timeZone: string): Promise<FleetOverview> {
  const since30 = new Date(now.getTime() - 30 * dayMs);
  const since7 = new Date(now.getTime() - 7 * dayMs);
  const [digest, signIns] = await Promise.all([buildDigest(db, tenantId, now, { timeZone }), signInsSince(db, tenantId, since30, now)]);
  // The latest sign-in of each device counts (a device signed in twice is one device).
  const latest = new Map<string, { at: Date; durationMs: number }>();
  for (const event of signIns) {
    const at = new Date(event.at);
    const registeredAt = new Date(event.registeredAt);
    const known = latest.get(event.deviceId);
    if (registeredAt <= at && (!known || known.at < at)) latest.set(event.deviceId, { at, durationMs: at.getTime() - registeredAt.getTime() });
  }
  const all = [...latest.values()];
  const last7 = all.filter((entry) => entry.at > since7).map((entry) => entry.durationMs);
  const byDay = new Map<string, number[]>();
  for (const entry of all) {
    const day = localDay(entry.at, timeZone);
    byDay.set(day, [...(byDay.get(day) ?? []), entry.durationMs]);
  }
  const daily: DailyMedian[] = [];
  for (let back = 29; back >= 0; back--) {
    const day = localDay(new Date(now.getTime() - back * dayMs), timeZone);
    const durations = byDay.get(day) ?? [];
    daily.push({ day, medianMs: median(durations), devices: durations.length });
  }
  return {
    generatedAt: now,
    timeZone: digest.timeZone,
    total: digest.total,
    byState: digest.byState,
    locations: digest.locations,
    expiring: digest.expiring,
    stuck: { count: digest.stuck.length, oldest: digest.stuck.slice(0, stuckShown) },
    lockouts: digest.lockouts,
    timeToSignedIn: {
      median7dMs: median(last7),
      devices7d: last7.length,
      median30dMs: median(all.map((entry) => entry.durationMs)),
      devices30d: all.length,
      daily,
    },
  };
}
