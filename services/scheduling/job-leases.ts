// One run per fire across every instance: the instance whose INSERT of the fire's key succeeds
// runs it; the others hit the primary key (Prisma's P2002) and stand down. A plain insert is
// atomic on SQLite and PostgreSQL alike, so no locking or transaction is needed.
//
// A lease is never released when its run ends: the key names one fire, and releasing it would
// let an instance whose timer is a little late run the same fire again. Leases expire only to
// be purged, long after any instance could still ask for that fire (see defaultLeaseTtlMs).
import type { DatabaseOrTransaction } from '../../prisma/store.ts';
import { isUniqueViolation } from '../../prisma/unique-violation.ts';
import type { Clock } from '../shared/clock.ts';

/** node-cron's RunCoordinator, with the promise made explicit. */
export interface RunCoordinator {
  shouldRun(key: string, ttlMs: number): Promise<boolean>;
  onComplete?(key: string): Promise<void>;
}

export interface JobLeases extends RunCoordinator {
  /** Deletes leases whose expiry is before `now`; returns how many. */
  purgeExpired(now: Date): Promise<number>;
}

/**
 * Two days: far longer than any clock skew or late timer between instances, and long enough
 * that a start-up catch-up of a daily job is not repeated by every restart of the same day.
 */
export const defaultLeaseTtlMs = 2 * 24 * 3_600_000;

const minuteMs = 60_000;

/** The fire time as it names a fire: whole minutes (schedules have minute precision). */
export function truncateToMinute(time: Date): Date {
  return new Date(Math.floor(time.getTime() / minuteMs) * minuteMs);
}

/** "<job>@<fire time ISO>": the key of one scheduled fire of a job. */
export function fireKey(job: string, fireTime: Date): string {
  return `${job}@${truncateToMinute(fireTime).toISOString()}`;
}

/** "<job>@start-up:<fire time ISO>": the start-up catch-up after the fire at that time. */
export function startUpKey(job: string, lastFire: Date): string {
  return `${job}@start-up:${truncateToMinute(lastFire).toISOString()}`;
}

export function createJobLeases({ db, clock, holder }: { db: DatabaseOrTransaction; clock: Clock; holder: string }): JobLeases {
  return {
    async shouldRun(key, ttlMs) {
      const acquiredAt = clock.now();
      try {
        await db.jobLease.create({ data: { key, holder, acquiredAt, expiresAt: new Date(acquiredAt.getTime() + ttlMs) } });
        return true;
      } catch (error) {
        // The key is taken: another instance inserted it first and runs this fire.
        if (isUniqueViolation(error)) return false;
        throw error;
      }
    },

    async purgeExpired(now) {
      const removed = await db.jobLease.deleteMany({ where: { expiresAt: { lt: now } } });
      return removed.count;
    },
  };
}
