// The scheduler on its own terms: node-cron's timer path and the driven path share fire keys,
// a coordinator decides who runs, and nothing here needs a database (an in-memory lease table
// stands in for it) or a real minute (vitest's fake timers move node-cron's clock).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../../../bot/logger.ts';
import { startScheduler, type JobDefinition, type Scheduler, type SchedulerOptions } from '../../../../bot/jobs/scheduler.ts';
import { fireKey, startUpKey, truncateToMinute, type RunCoordinator } from '../../../../services/scheduling/job-leases.ts';
import type { JobRuns } from '../../../../services/scheduling/job-runs.ts';
import { systemClock } from '../../../../services/shared/clock.ts';
import { ManualClock } from '../../../helpers/manual-clock.ts';

const log = createLogger('silent');

/** One lease table shared by every scheduler of a test, like the database would be. */
function memoryLeases() {
  const holders = new Map<string, number>();
  const asked: string[] = [];
  const coordinator = (instance: number): RunCoordinator => ({
    async shouldRun(key) {
      asked.push(key);
      if (holders.has(key)) return false;
      holders.set(key, instance);
      return true;
    },
  });
  return { coordinator, holders, asked };
}

function memoryRuns(): Pick<JobRuns, 'started' | 'succeeded' | 'failed'> & { log: string[] } {
  const entries: string[] = [];
  let next = 0;
  return {
    log: entries,
    async started({ job, fireTime }) {
      entries.push(`started ${job} ${fireTime.toISOString()}`);
      return String(next++);
    },
    async succeeded(id, _at, counts) {
      entries.push(`succeeded ${id} ${JSON.stringify(counts)}`);
    },
    async failed(id, _at, message) {
      entries.push(`failed ${id} ${message}`);
    },
  };
}

function countingJob(name: string, cron: string) {
  const calls: Date[] = [];
  const job: JobDefinition = {
    name,
    cron,
    summary: 'counts its runs (test)',
    async run(now) {
      calls.push(now);
      return { runs: calls.length };
    },
  };
  return { job, calls };
}

const schedulers: Scheduler[] = [];
function start(options: Partial<SchedulerOptions> & Pick<SchedulerOptions, 'jobs' | 'coordinator'>): Scheduler {
  const scheduler = startScheduler({ runs: memoryRuns(), clock: systemClock, instanceId: `test-${schedulers.length}`, log, timers: false, ...options });
  schedulers.push(scheduler);
  return scheduler;
}

afterEach(async () => {
  await Promise.all(schedulers.splice(0).map((scheduler) => scheduler.stop()));
  vi.useRealTimers();
});

describe('fire keys', () => {
  it('name a fire by job and minute, whatever the seconds of the moment it was asked', () => {
    expect(fireKey('expire-codes', new Date('2026-11-22T09:05:42.123Z'))).toBe('expire-codes@2026-11-22T09:05:00.000Z');
    expect(startUpKey('expire-codes', new Date('2026-11-22T09:05:00Z'))).toBe('expire-codes@start-up:2026-11-22T09:05:00.000Z');
    expect(truncateToMinute(new Date('2026-11-22T09:05:59.999Z')).toISOString()).toBe('2026-11-22T09:05:00.000Z');
  });
});

describe('job definitions', () => {
  const leases = memoryLeases();
  it.each([
    ['a name with spaces', { name: 'expire codes', cron: '* * * * *' }, /lowercase letters/],
    ['a schedule with seconds', { name: 'tick', cron: '*/10 * * * * *' }, /five-field/],
    ['an invalid schedule', { name: 'tick', cron: '61 * * * *' }, /five-field/],
  ])('refuses %s at start', (_what, definition, message) => {
    expect(() => start({ jobs: [{ ...definition, summary: '', run: async () => ({}) }], coordinator: leases.coordinator(0) })).toThrow(message);
  });

  it('refuses two jobs of one name', () => {
    const { job } = countingJob('tick', '* * * * *');
    expect(() => start({ jobs: [job, job], coordinator: leases.coordinator(0) })).toThrow(/used twice/);
  });
});

describe('node-cron timers', () => {
  it('when two instances reach the same fire, node-cron asks the leases under the fire key and one of them runs it', async () => {
    vi.useFakeTimers({ now: new Date('2026-11-22T09:04:58Z'), toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const leases = memoryLeases();
    const { job, calls } = countingJob('tick', '*/5 * * * *');
    start({ jobs: [job], coordinator: leases.coordinator(1), timers: true, catchUp: false });
    start({ jobs: [job], coordinator: leases.coordinator(2), timers: true, catchUp: false });

    await vi.advanceTimersByTimeAsync(5_000);
    expect(leases.asked).toEqual(['tick@2026-11-22T09:05:00.000Z', 'tick@2026-11-22T09:05:00.000Z']);
    expect(calls).toHaveLength(1);

    await vi.advanceTimersByTimeAsync(5 * 60_000);
    expect([...leases.holders.keys()]).toEqual(['tick@2026-11-22T09:05:00.000Z', 'tick@2026-11-22T09:10:00.000Z']);
    expect(calls).toHaveLength(2);
  });

  it('after stop(), node-cron fires nothing more', async () => {
    vi.useFakeTimers({ now: new Date('2026-11-22T09:04:58Z'), toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const leases = memoryLeases();
    const { job, calls } = countingJob('tick', '* * * * *');
    const scheduler = start({ jobs: [job], coordinator: leases.coordinator(1), timers: true, catchUp: false });
    await scheduler.stop();
    await vi.advanceTimersByTimeAsync(3 * 60_000);
    expect(calls).toHaveLength(0);
    expect(leases.asked).toHaveLength(0);
  });
});

describe('start-up catch-up', () => {
  it('waits a moment after start, then runs each job once, one after the other', async () => {
    vi.useFakeTimers({ now: new Date('2026-11-22T10:07:12Z'), toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    let running = 0;
    let most = 0;
    const order: string[] = [];
    const job = (name: string): JobDefinition => ({
      name,
      cron: '*/15 * * * *',
      summary: '',
      async run() {
        running++;
        most = Math.max(most, running);
        order.push(name);
        await new Promise((resolve) => setTimeout(resolve, 100));
        running--;
        return {};
      },
    });
    const leases = memoryLeases();
    const scheduler = start({ jobs: [job('first'), job('second')], coordinator: leases.coordinator(1), catchUp: true });
    await vi.advanceTimersByTimeAsync(1_900);
    expect(order).toEqual([]);
    await vi.advanceTimersByTimeAsync(1_000);
    await scheduler.caughtUp;
    expect(order).toEqual(['first', 'second']);
    expect(most).toBe(1);
    expect(leases.asked).toEqual(['first@start-up:2026-11-22T10:00:00.000Z', 'second@start-up:2026-11-22T10:00:00.000Z']);
  });

  it("with timers, arms them when the catch-up begins; a fire before that is the catch-up's, and the next one the timer's", async () => {
    vi.useFakeTimers({ now: new Date('2026-11-22T10:04:59Z'), toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const leases = memoryLeases();
    const { job, calls } = countingJob('tick', '*/5 * * * *');
    const scheduler = start({ jobs: [job], coordinator: leases.coordinator(1), timers: true, catchUp: true, catchUpDelayMs: 2_000 });
    // 10:05:00 passes before the catch-up: no timer is armed yet.
    await vi.advanceTimersByTimeAsync(1_500);
    expect(leases.asked).toEqual([]);
    await vi.advanceTimersByTimeAsync(1_000);
    await scheduler.caughtUp;
    expect(leases.asked).toEqual(['tick@start-up:2026-11-22T10:05:00.000Z']);
    await vi.advanceTimersByTimeAsync(5 * 60_000);
    expect(leases.asked).toEqual(['tick@start-up:2026-11-22T10:05:00.000Z', 'tick@2026-11-22T10:10:00.000Z']);
    expect(calls).toHaveLength(2);
  });

  it('a stop() before the catch-up began cancels it', async () => {
    vi.useFakeTimers({ now: new Date('2026-11-22T10:07:12Z'), toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const { job, calls } = countingJob('tick', '* * * * *');
    const scheduler = start({ jobs: [job], coordinator: memoryLeases().coordinator(1), catchUp: true });
    await scheduler.stop();
    await scheduler.caughtUp;
    await vi.advanceTimersByTimeAsync(5_000);
    expect(calls).toEqual([]);
  });
});

describe('driven runs', () => {
  it('runDue fires exactly the jobs whose schedule matches that minute, with now from the clock', async () => {
    const clock = new ManualClock(new Date('2026-11-22T10:00:30Z'));
    const leases = memoryLeases();
    const hourly = countingJob('hourly', '0 * * * *');
    const quarterly = countingJob('quarterly', '*/15 * * * *');
    const scheduler = start({ jobs: [hourly.job, quarterly.job], coordinator: leases.coordinator(1), clock });

    const atTen = await scheduler.runDue(clock.now());
    expect(atTen.map((result) => [result.job, result.outcome, result.key])).toEqual([
      ['hourly', 'succeeded', 'hourly@2026-11-22T10:00:00.000Z'],
      ['quarterly', 'succeeded', 'quarterly@2026-11-22T10:00:00.000Z'],
    ]);
    expect(hourly.calls).toEqual([clock.now()]);

    expect(await scheduler.runDue(new Date('2026-11-22T10:05:00Z'))).toEqual([]);
    const quarterPast = await scheduler.runDue(new Date('2026-11-22T10:15:00Z'));
    expect(quarterPast.map((result) => result.job)).toEqual(['quarterly']);
  });

  it('runNow takes the start-up key of the last fire: instances starting before the next fire share it', async () => {
    const clock = new ManualClock(new Date('2026-11-22T10:07:12Z'));
    const leases = memoryLeases();
    const { job, calls } = countingJob('quarterly', '*/15 * * * *');
    const first = start({ jobs: [job], coordinator: leases.coordinator(1), clock });
    expect(await first.runNow('quarterly')).toMatchObject({ outcome: 'succeeded', key: 'quarterly@start-up:2026-11-22T10:00:00.000Z' });

    clock.advance(5 * 60_000); // 10:12, still before the next fire
    const second = start({ jobs: [job], coordinator: leases.coordinator(2), clock });
    expect(await second.runNow('quarterly')).toMatchObject({ outcome: 'skipped' });

    clock.advance(5 * 60_000); // 10:17: the 10:15 fire came in between
    expect(await second.runNow('quarterly')).toMatchObject({ outcome: 'succeeded', key: 'quarterly@start-up:2026-11-22T10:15:00.000Z' });
    expect(calls).toHaveLength(2);
    await expect(second.runNow('nope')).rejects.toThrow('There is no job "nope"');
  });

  it('a coordinator that fails skips the fire here (fail closed) and the scheduler carries on', async () => {
    const { job, calls } = countingJob('tick', '* * * * *');
    let healthy = false;
    const coordinator: RunCoordinator = {
      async shouldRun() {
        if (!healthy) throw new Error('database unreachable');
        return true;
      },
    };
    const scheduler = start({ jobs: [job], coordinator });
    expect(await scheduler.runDue(new Date('2026-11-22T09:00:00Z'))).toEqual([expect.objectContaining({ outcome: 'skipped', error: 'database unreachable' })]);
    healthy = true;
    expect(await scheduler.runDue(new Date('2026-11-22T09:01:00Z'))).toEqual([expect.objectContaining({ outcome: 'succeeded' })]);
    expect(calls).toHaveLength(1);
  });

  it('two fires of one job in one process run one after the other, never side by side', async () => {
    let running = 0;
    let most = 0;
    const job: JobDefinition = {
      name: 'slow',
      cron: '* * * * *',
      summary: 'slow (test)',
      async run() {
        running++;
        most = Math.max(most, running);
        await new Promise((resolve) => setTimeout(resolve, 20));
        running--;
        return {};
      },
    };
    const scheduler = start({ jobs: [job], coordinator: memoryLeases().coordinator(1) });
    const results = await Promise.all([scheduler.runDue(new Date('2026-11-22T09:00:00Z')), scheduler.runDue(new Date('2026-11-22T09:01:00Z')), scheduler.runNow('slow')]);
    expect(results.flat().map((result) => result.outcome)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    expect(most).toBe(1);
  });
});
