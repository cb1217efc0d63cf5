// What the scheduling tests share: a fresh database of either provider, and "instances" on it:
// each its own store (its own connections), leases, run records and scheduler, as separate
// processes would have, driven by the test's clock instead of node-cron's timer.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLogger } from '../../../bot/logger.ts';
import { startScheduler, type JobDefinition, type Scheduler, type SchedulerOptions } from '../../../bot/jobs/scheduler.ts';
import { openStore, type Store } from '../../../prisma/store.ts';
import { createScratchDatabase } from '../../../prisma/schema-engine/index.ts';
import type { Provider } from '../../../prisma/schemas.ts';
import { createJobLeases, type JobLeases } from '../../../services/scheduling/job-leases.ts';
import { createJobRuns, type JobRuns } from '../../../services/scheduling/job-runs.ts';
import type { Clock } from '../../../services/shared/clock.ts';
import { postgresServerUrl } from '../../helpers/postgres.ts';

export interface Database {
  url: string;
  drop(): Promise<void>;
}

export async function freshDatabase(provider: Provider): Promise<Database> {
  if (provider === 'postgresql') {
    const database = await createScratchDatabase('postgresql', postgresServerUrl('scheduling'), 'jobs');
    return { url: database.url, drop: () => database.drop() };
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'provisioning-bot-jobs-'));
  return { url: `file:${path.join(dir, 'bot.db')}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
}

export interface Instance {
  id: string;
  store: Store;
  leases: JobLeases;
  runs: JobRuns;
  scheduler: Scheduler;
  close(): Promise<void>;
}

/** A store on the database (migrations applied), for an instance to start on. */
export const openInstanceStore = (url: string): Promise<Store> => openStore(url);

export function startInstance(
  store: Store,
  { id, jobs, clock, ...options }: { id: string; jobs: readonly JobDefinition[]; clock: Clock } & Partial<Pick<SchedulerOptions, 'catchUp' | 'catchUpDelayMs' | 'leaseTtlMs'>>,
): Instance {
  const leases = createJobLeases({ db: store.db, clock, holder: id });
  const runs = createJobRuns(store.db);
  const scheduler = startScheduler({ jobs, coordinator: leases, runs, clock, instanceId: id, log: createLogger('silent'), timers: false, catchUpDelayMs: 0, ...options });
  return {
    id,
    store,
    leases,
    runs,
    scheduler,
    async close() {
      await scheduler.stop();
      await store.close();
    },
  };
}

/** A job that counts each run it does, by the `now` it was given. */
export function countingJob(name: string, cron: string, delayMs = 0) {
  const runs: string[] = [];
  const job: JobDefinition = {
    name,
    cron,
    summary: `${name} (test)`,
    async run(now) {
      runs.push(now.toISOString());
      if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
      return { done: 1 };
    },
  };
  return { job, runs };
}

/** Every minute from `from` for `count` minutes. */
export function minutesFrom(from: string, count: number): Date[] {
  return Array.from({ length: count }, (_, i) => new Date(new Date(from).getTime() + i * 60_000));
}

/** A promise the test opens when it likes (a job body that waits for it). */
export function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}
