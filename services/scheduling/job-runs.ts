// The record of every job run, whichever instance ran it: started as "running", finished as
// "succeeded" with the counts the job returned, or "failed" with the error's message. A run
// whose instance died mid-run (kill -9, a lost machine) records no end: housekeeping marks it
// "interrupted" once it has been running far longer than any job takes. The `jobs` command and
// /readyz read the last run of each job from here.
import type { DatabaseOrTransaction } from '../../prisma/store.ts';
import { newId } from '../shared/random.ts';

export type JobOutcome = 'running' | 'succeeded' | 'failed' | 'interrupted';

/** What a job returns: how many things it did, by name (e.g. { expired: 3 }). */
export type JobCounts = Record<string, number>;

export interface JobRunRecord {
  id: string;
  job: string;
  fireTime: Date;
  /** The instance that ran it (host/pid/random). */
  instance: string;
  startedAt: Date;
  finishedAt: Date | null;
  outcome: JobOutcome;
  /** When succeeded. */
  counts: JobCounts | null;
  /** When failed or interrupted: what happened (for operators; never shown in chat). */
  error: string | null;
}

export interface JobRuns {
  /** Records a run as started; returns its id. */
  started(run: { job: string; fireTime: Date; instance: string; startedAt: Date }): Promise<string>;
  succeeded(id: string, finishedAt: Date, counts: JobCounts): Promise<void>;
  failed(id: string, finishedAt: Date, message: string): Promise<void>;
  /** The last run of each job that ever ran (latest fire time, then latest start), by job name. */
  lastRuns(): Promise<Map<string, JobRunRecord>>;
  /** Marks the runs still "running" that started before `cutoff` as interrupted; returns how many. */
  markInterruptedBefore(cutoff: Date, now: Date): Promise<number>;
  /** Deletes the runs started before `cutoff`; returns how many. */
  purgeStartedBefore(cutoff: Date): Promise<number>;
}

/** How much of an error message is kept: the gist, not a dump. */
const maxMessageLength = 1_000;

interface JobRunRow {
  id: string;
  job: string;
  fireTime: Date;
  instance: string;
  startedAt: Date;
  finishedAt: Date | null;
  outcome: string;
  detail: string | null;
}

function parseCounts(detail: string | null): JobCounts | null {
  if (detail === null) return null;
  try {
    const parsed: unknown = JSON.parse(detail);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return null;
    return Object.fromEntries(Object.entries(parsed).filter((entry): entry is [string, number] => typeof entry[1] === 'number'));
  } catch {
    return null;
  }
}

function toRecord(row: JobRunRow): JobRunRecord {
  const outcome: JobOutcome = row.outcome === 'succeeded' || row.outcome === 'failed' || row.outcome === 'interrupted' ? row.outcome : 'running';
  return {
    id: row.id,
    job: row.job,
    fireTime: row.fireTime,
    instance: row.instance,
    startedAt: row.startedAt,
    finishedAt: row.finishedAt,
    outcome,
    counts: outcome === 'succeeded' ? parseCounts(row.detail) : null,
    error: outcome === 'failed' || outcome === 'interrupted' ? row.detail : null,
  };
}

export function createJobRuns(db: DatabaseOrTransaction): JobRuns {
  return {
    async started({ job, fireTime, instance, startedAt }) {
      const id = newId();
      await db.jobRun.create({ data: { id, job, fireTime, instance, startedAt, outcome: 'running' } });
      return id;
    },

    async succeeded(id, finishedAt, counts) {
      await db.jobRun.update({ where: { id }, data: { finishedAt, outcome: 'succeeded', detail: JSON.stringify(counts) } });
    },

    async failed(id, finishedAt, message) {
      await db.jobRun.update({ where: { id }, data: { finishedAt, outcome: 'failed', detail: message.slice(0, maxMessageLength) } });
    },

    async lastRuns() {
      // The latest fire time per job (the [job, fireTime] index), then those rows: two queries
      // whatever the history's length.
      const latest = await db.jobRun.groupBy({ by: ['job'], _max: { fireTime: true } });
      const wanted = latest.flatMap((group) => (group._max.fireTime ? [{ job: group.job, fireTime: group._max.fireTime }] : []));
      if (wanted.length === 0) return new Map();
      const rows = await db.jobRun.findMany({ where: { OR: wanted }, orderBy: [{ startedAt: 'desc' }, { id: 'desc' }] });
      const last = new Map<string, JobRunRecord>();
      for (const row of rows) if (!last.has(row.job)) last.set(row.job, toRecord(row));
      return last;
    },

    async markInterruptedBefore(cutoff, now) {
      const marked = await db.jobRun.updateMany({
        where: { outcome: 'running', startedAt: { lt: cutoff } },
        data: { outcome: 'interrupted', finishedAt: now, detail: 'No end was recorded: the instance stopped mid-run (crash, kill or lost machine).' },
      });
      return marked.count;
    },

    async purgeStartedBefore(cutoff) {
      const removed = await db.jobRun.deleteMany({ where: { startedAt: { lt: cutoff } } });
      return removed.count;
    },
  };
}
