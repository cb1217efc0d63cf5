// Runs the scheduled jobs (bot/jobs/job-definitions.ts) on every instance, each fire once in
// total: node-cron keeps the time and asks the database leases (services/scheduling/job-leases.ts)
// whether this instance runs a fire; the runs are recorded (job-runs.ts) whatever their outcome.
//
// Two ways into a run, one path through it:
//   - node-cron's timer (real time, UTC schedules): distributed task → lease → run;
//   - runDue(fireTime) / runNow(name), driven by start-up catch-up and by tests: lease → run.
// Either way the job body gets `now` from the injected clock, never from node-cron, so a test
// drives fires at the times it likes without waiting for a real minute.
//
// A job that throws is logged and recorded as failed; the next fire runs as usual. Runs of one
// job in one process never overlap (node-cron's noOverlap for its own fires, a queue for the
// rest); across instances each fire has its own key, so bodies must tolerate a neighbour running
// the previous fire still (they are compare-and-set steps).
import cron, { type Logger as CronLogger, type ScheduledTask } from 'node-cron';
import type { Logger } from '../logger.ts';
import type { Clock } from '../../services/shared/clock.ts';
import type { Services } from '../../services/index.ts';
import { defaultLeaseTtlMs, fireKey, startUpKey, truncateToMinute, type RunCoordinator } from '../../services/scheduling/job-leases.ts';
import type { JobCounts, JobRunRecord, JobRuns } from '../../services/scheduling/job-runs.ts';

export interface JobDefinition {
  /** Lowercase letters, digits and dashes: it names the job's fires, runs and log lines. */
  name: string;
  /** Five cron fields (minute precision), in UTC, e.g. "*\/5 * * * *". */
  cron: string;
  /** One line for the `jobs` command. */
  summary: string;
  /** The job's work at `now`; returns what it did, counted (e.g. { expired: 3 }). */
  run(now: Date): Promise<JobCounts>;
}

/**
 * auto: node-cron fires the jobs, and each job runs once at start-up (catch-up);
 * manual: no timers and no catch-up, runs happen only through runDue/runNow (tests on a set clock);
 * off: this instance runs no jobs (the others' runs still show in `jobs` and /readyz).
 */
export type SchedulerMode = 'auto' | 'manual' | 'off';

export interface FireResult {
  job: string;
  key: string;
  /** skipped: another instance holds this fire, the coordinator failed, or the scheduler stopped. */
  outcome: 'succeeded' | 'failed' | 'skipped';
  counts?: JobCounts;
  error?: string;
}

export interface Scheduler {
  readonly jobs: readonly JobDefinition[];
  /** Fires every job whose schedule matches `fireTime` (truncated to the minute), as node-cron would. */
  runDue(fireTime: Date): Promise<FireResult[]>;
  /** Runs one job now, under its start-up key: with several instances starting, one of them runs it. */
  runNow(name: string): Promise<FireResult>;
  /** Settles once the start-up catch-up has run, or was cancelled by stop() (at once when there is none). */
  readonly caughtUp: Promise<void>;
  /** No new runs; resolves once the runs in progress have finished. */
  stop(): Promise<void>;
}

export interface SchedulerOptions {
  jobs: readonly JobDefinition[];
  /** The shared store's leases: one run per fire across instances. */
  coordinator: RunCoordinator;
  runs: Pick<JobRuns, 'started' | 'succeeded' | 'failed'>;
  clock: Clock;
  /** Who runs it, recorded on leases and runs (host/pid/random). */
  instanceId: string;
  log: Logger;
  /** Default true: node-cron's timers fire the jobs. False: runs only through runDue/runNow. */
  timers?: boolean;
  /** Default: same as timers. Run every job once at start, through its start-up key. */
  catchUp?: boolean;
  /** How long after start the catch-up begins; default defaultCatchUpDelayMs. */
  catchUpDelayMs?: number;
  leaseTtlMs?: number;
}

/** Every instance reads schedules the same way whatever its host's zone, so fire keys agree. */
const timezone = 'UTC';
/** A timer this late still runs its fire (node-cron's default, 1 s, drops fires under load). */
const missedExecutionToleranceMs = 30_000;
/**
 * The catch-up waits this long after start, then runs the jobs one after the other: a fresh
 * process first answers its probes and the requests the channel retried during the restart
 * (the job queries' first compilation is CPU work that would delay them).
 */
export const defaultCatchUpDelayMs = 2_000;
/** How far back start-up looks for the last fire of a schedule. */
const catchUpLookbackMs = 8 * 24 * 3_600_000;
const minuteMs = 60_000;

const namePattern = /^[a-z][a-z0-9-]*$/;

function validateJobs(jobs: readonly JobDefinition[]): void {
  const seen = new Set<string>();
  for (const job of jobs) {
    if (!namePattern.test(job.name)) throw new Error(`Job name "${job.name}": expected lowercase letters, digits and dashes.`);
    if (seen.has(job.name)) throw new Error(`Job name "${job.name}" is used twice.`);
    seen.add(job.name);
    if (job.cron.trim().split(/\s+/).length !== 5 || !cron.validate(job.cron)) {
      throw new Error(`Job "${job.name}": "${job.cron}" is not a five-field cron schedule (minute hour day-of-month month day-of-week).`);
    }
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** node-cron logs through pino, under the scheduler's component. */
function cronLogger(log: Logger): CronLogger {
  const write = (level: 'debug' | 'error', message: string | Error, err?: Error) =>
    message instanceof Error ? log[level]({ err: message }, message.message) : log[level](err ? { err } : {}, message);
  return {
    info: (message) => log.info(message),
    warn: (message) => log.warn(message),
    error: (message, err) => write('error', message, err),
    debug: (message, err) => write('debug', message, err),
  };
}

export function startScheduler(options: SchedulerOptions): Scheduler {
  const { jobs, coordinator, runs, clock, instanceId, log } = options;
  const timers = options.timers ?? true;
  const leaseTtlMs = options.leaseTtlMs ?? defaultLeaseTtlMs;
  validateJobs(jobs);

  let stopped = false;
  const inFlight = new Set<Promise<unknown>>();
  /** Per job, the tail of this process's runs: a new run waits for the previous one. */
  const queues = new Map<string, Promise<unknown>>();

  function track<T>(promise: Promise<T>): Promise<T> {
    inFlight.add(promise);
    void promise.finally(() => inFlight.delete(promise)).catch(() => {});
    return promise;
  }

  /** Runs the body (elected already) and records the run; never throws. */
  function execute(job: JobDefinition, fireTime: Date, key: string): Promise<FireResult> {
    const previous = queues.get(job.name) ?? Promise.resolve();
    const run = previous.then(() => runBody(job, fireTime, key));
    queues.set(job.name, run);
    void run.finally(() => {
      if (queues.get(job.name) === run) queues.delete(job.name);
    });
    return run;
  }

  async function runBody(job: JobDefinition, fireTime: Date, key: string): Promise<FireResult> {
    const jobLog = log.child({ job: job.name, fireTime: fireTime.toISOString() });
    const startedAt = clock.now();
    let runId: string | null = null;
    try {
      runId = await runs.started({ job: job.name, fireTime, instance: instanceId, startedAt });
    } catch (error) {
      // Not recording is no reason to skip the work: the lease is ours, nobody else runs it.
      jobLog.error({ reason: messageOf(error) }, 'could not record the job run');
    }
    let result: FireResult;
    try {
      const counts = await job.run(startedAt);
      result = { job: job.name, key, outcome: 'succeeded', counts };
      jobLog.info({ counts, ms: clock.now().getTime() - startedAt.getTime() }, 'job run');
    } catch (error) {
      result = { job: job.name, key, outcome: 'failed', error: messageOf(error) };
      jobLog.error({ err: error }, 'job run failed');
    }
    if (runId !== null) {
      const finishedAt = clock.now();
      try {
        if (result.outcome === 'succeeded') await runs.succeeded(runId, finishedAt, result.counts ?? {});
        else await runs.failed(runId, finishedAt, result.error ?? 'failed');
      } catch (error) {
        jobLog.error({ reason: messageOf(error), outcome: result.outcome }, 'could not record the end of the job run');
      }
    }
    return result;
  }

  /** The direct path: ask for the fire's lease, run if elected. */
  function fire(job: JobDefinition, key: string, fireTime: Date): Promise<FireResult> {
    if (stopped) return Promise.resolve({ job: job.name, key, outcome: 'skipped' });
    return track(
      (async (): Promise<FireResult> => {
        let elected: boolean;
        try {
          elected = await coordinator.shouldRun(key, leaseTtlMs);
        } catch (error) {
          log.error({ job: job.name, key, reason: messageOf(error) }, 'job lease failed; this fire is skipped here');
          return { job: job.name, key, outcome: 'skipped', error: messageOf(error) };
        }
        if (!elected) {
          log.debug({ job: job.name, key }, 'another instance runs this fire');
          return { job: job.name, key, outcome: 'skipped' };
        }
        return execute(job, fireTime, key);
      })(),
    );
  }

  /**
   * node-cron's coordinator for one job. node-cron's key is "<name>:<fire ISO>"; the lease is
   * taken under fireKey() so that its fires and runDue's are the same fires. From the lease to
   * onComplete the fire counts as in flight, so stop() waits for it.
   */
  function cronCoordinator(job: JobDefinition) {
    const pending = new Map<string, () => void>();
    return {
      async shouldRun(key: string, ttlMs: number): Promise<boolean> {
        if (stopped) return false;
        const fireTime = key.startsWith(`${job.name}:`) ? new Date(key.slice(job.name.length + 1)) : new Date(Number.NaN);
        if (Number.isNaN(fireTime.getTime())) throw new Error(`unexpected node-cron coordination key "${key}"`);
        let done!: () => void;
        track(new Promise<void>((resolve) => (done = resolve)));
        pending.set(key, done);
        try {
          const elected = await coordinator.shouldRun(fireKey(job.name, fireTime), ttlMs);
          if (!elected) {
            log.debug({ job: job.name, key }, 'another instance runs this fire');
            pending.delete(key);
            done();
          }
          return elected;
        } catch (error) {
          pending.delete(key);
          done();
          throw error;
        }
      },
      async onComplete(key: string): Promise<void> {
        pending.get(key)?.();
        pending.delete(key);
      },
    };
  }

  // node-cron's tasks are made when first needed: making one and arming its timer costs a couple
  // of milliseconds of CPU per job (node-cron computes the next fire through Intl), which a fresh
  // process spends better on its first requests (see `armTimers` below).
  const logger = cronLogger(log);
  const tasks = new Map<string, ScheduledTask>();
  function taskOf(job: JobDefinition): ScheduledTask {
    let task = tasks.get(job.name);
    if (!task) {
      task = cron.createTask(
        job.cron,
        (context) => execute(job, context.date, fireKey(job.name, context.date)),
        {
          name: job.name,
          timezone,
          noOverlap: true,
          distributed: true,
          runCoordinator: cronCoordinator(job),
          distributedLease: leaseTtlMs,
          missedExecutionTolerance: missedExecutionToleranceMs,
          logger,
        },
      );
      tasks.set(job.name, task);
    }
    return task;
  }

  function jobNamed(name: string): JobDefinition {
    const job = jobs.find((candidate) => candidate.name === name);
    if (!job) throw new Error(`There is no job "${name}"; jobs: ${jobs.map((candidate) => candidate.name).join(', ')}.`);
    return job;
  }

  /** The last time the schedule fired at or before `time`, within the look-back; null if none. */
  function lastFire(job: JobDefinition, time: Date): Date | null {
    const task = taskOf(job);
    const latest = truncateToMinute(time).getTime();
    for (let candidate = latest; candidate > latest - catchUpLookbackMs; candidate -= minuteMs) {
      if (task.match(new Date(candidate))) return new Date(candidate);
    }
    return null;
  }

  async function runDue(fireTime: Date): Promise<FireResult[]> {
    if (stopped) return [];
    const due = truncateToMinute(fireTime);
    const matching = jobs.filter((job) => taskOf(job).match(due));
    return Promise.all(matching.map((job) => fire(job, fireKey(job.name, due), due)));
  }

  async function runNow(name: string): Promise<FireResult> {
    const job = jobNamed(name);
    const now = clock.now();
    // Keyed by the schedule's last fire: instances starting together share the key (one runs
    // it), and a later restart before the next fire has nothing new to catch up.
    const key = startUpKey(job.name, lastFire(job, now) ?? now);
    return fire(job, key, truncateToMinute(now));
  }

  let cancelCatchUp = () => {};

  async function stop(): Promise<void> {
    stopped = true;
    cancelCatchUp();
    for (const task of tasks.values()) await task.destroy();
    tasks.clear();
    while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
  }

  function armTimers(): void {
    if (timers && !stopped) for (const job of jobs) void taskOf(job).start();
  }

  // With a catch-up, node-cron's timers are armed when it begins, not at start: a fire in between
  // is the schedule's last fire when the catch-up runs, so the catch-up runs it (under that
  // fire's start-up key) and none is lost, while a fresh process answers its first requests
  // without the timers' CPU in their way. Without a catch-up, they are armed at once.
  const catchUp = options.catchUp ?? timers;
  if (!catchUp) armTimers();
  const caughtUp = !catchUp
    ? Promise.resolve()
    : new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          cancelCatchUp = () => {};
          armTimers();
          // After stop() the remaining runNow calls skip, and stop() waits for the one running.
          void (async () => {
            for (const job of jobs) await runNow(job.name);
          })().then(resolve);
        }, options.catchUpDelayMs ?? defaultCatchUpDelayMs);
        cancelCatchUp = () => {
          clearTimeout(timer);
          resolve();
        };
      });
  return { jobs, runDue, runNow, caughtUp, stop };
}

/** What `jobs` and /readyz show: this instance's job list and the last runs of every instance. */
export interface JobBoard {
  readonly jobs: readonly Pick<JobDefinition, 'name' | 'cron' | 'summary'>[];
  readonly mode: SchedulerMode;
  lastRuns(): Promise<Map<string, JobRunRecord>>;
}

// Commands see only `services`: the board of the server that built those services hangs off
// them here, so that two servers in one process (tests) each show their own.
const boards = new WeakMap<Services, JobBoard>();

export function attachJobBoard(services: Services, board: JobBoard): void {
  boards.set(services, board);
}

export function jobBoardOf(services: Services): JobBoard | undefined {
  return boards.get(services);
}
