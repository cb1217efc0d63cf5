// /readyz's view of the jobs: the last run of each job (the latest fire time, then the latest
// start, as services/scheduling/job-runs.ts's lastRuns() picks it), read with one plain SQL
// statement on the driver rather than through Prisma. Why: the first Prisma query of a process
// loads Prisma's WASM query compiler (about 50 ms of CPU), and /readyz is what an orchestrator
// waits for before it sends traffic; a probe must not pay for what only the features need.
// The same statement runs on SQLite and PostgreSQL (quoted names, MAX over timestamps).

export interface LastJobRun {
  fireTime: Date;
  /** running | succeeded | failed | interrupted, as recorded. */
  outcome: string;
}

export const lastJobRunsSql =
  'SELECT r."job", r."fireTime", r."outcome" FROM "JobRun" r ' +
  'JOIN (SELECT "job", MAX("fireTime") AS "fireTime" FROM "JobRun" GROUP BY "job") latest ON latest."job" = r."job" AND latest."fireTime" = r."fireTime" ' +
  'ORDER BY r."startedAt" DESC, r."id" DESC';

/** The rows of lastJobRunsSql, by job: the first row of each job wins (the latest start). */
export function lastJobRunsOf(rows: readonly Record<string, unknown>[]): Map<string, LastJobRun> {
  const last = new Map<string, LastJobRun>();
  for (const row of rows) {
    const job = String(row.job);
    // SQLite returns the ISO text Prisma wrote (…+00:00); PostgreSQL through Prisma, a Date.
    if (!last.has(job)) last.set(job, { fireTime: new Date(row.fireTime as string | Date), outcome: String(row.outcome) });
  }
  return last;
}
