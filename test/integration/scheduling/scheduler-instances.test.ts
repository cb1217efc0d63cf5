// Scheduled jobs on a real database, as several instances see it: two schedulers (two stores,
// two lease holders) on one SQLite file or one PostgreSQL database, driven to the same fire
// times by the test's clock, never waiting for a real minute.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JobDefinition } from '../../../bot/jobs/scheduler.ts';
import type { Provider } from '../../../prisma/schemas.ts';
import { createJobLeases } from '../../../services/scheduling/job-leases.ts';
import { ManualClock, minutes } from '../../helpers/manual-clock.ts';
import { skipPostgres } from '../../helpers/postgres.ts';
import { countingJob, freshDatabase, gate, openInstanceStore, startInstance, type Database, type Instance } from './scheduling-fixtures.ts';

const providers: Provider[] = ['sqlite', 'postgresql'];

describe.each(providers)('on %s', (provider) => {
  describe.skipIf(provider === 'postgresql' && skipPostgres)('scheduled jobs', () => {
    let database: Database;
    let clock: ManualClock;
    const instances: Instance[] = [];

    beforeEach(async () => {
      database = await freshDatabase(provider);
      clock = new ManualClock(new Date('2026-11-22T09:55:00Z'));
    });
    afterEach(async () => {
      await Promise.all(instances.splice(0).map((instance) => instance.close()));
      await database.drop();
    });

    async function start(id: string, jobs: readonly JobDefinition[], options: { catchUp?: boolean } = {}): Promise<Instance> {
      const instance = startInstance(await openInstanceStore(database.url), { id, jobs, clock, ...options });
      instances.push(instance);
      return instance;
    }

    it('when two instances reach the same fire times, each job body runs exactly once per fire in total', async () => {
      const everyMinute = countingJob('every-minute', '* * * * *', 5);
      const everyFive = countingJob('every-five', '*/5 * * * *', 5);
      const hourly = countingJob('hourly', '0 * * * *', 5);
      const jobs = [everyMinute.job, everyFive.job, hourly.job];
      const [a, b] = [await start('instance-a', jobs), await start('instance-b', jobs)];

      const fires: string[] = [];
      for (let minute = 0; minute < 16; minute++) {
        // Both instances' timers go off for the same minute, at the same moment.
        const [fromA, fromB] = await Promise.all([a!.scheduler.runDue(clock.now()), b!.scheduler.runDue(clock.now())]);
        for (const job of new Set([...fromA, ...fromB].map((result) => result.job))) {
          const outcomes = [...fromA, ...fromB].filter((result) => result.job === job).map((result) => result.outcome);
          expect(outcomes.sort(), `${job} at ${clock.now().toISOString()}`).toEqual(['skipped', 'succeeded']);
        }
        fires.push(clock.now().toISOString());
        clock.advance(minutes(1));
      }

      expect(everyMinute.runs).toEqual(fires);
      expect(everyFive.runs).toEqual(['2026-11-22T09:55:00.000Z', '2026-11-22T10:00:00.000Z', '2026-11-22T10:05:00.000Z', '2026-11-22T10:10:00.000Z']);
      expect(hourly.runs).toEqual(['2026-11-22T10:00:00.000Z']);

      // One lease and one recorded run per fire, whichever instance won it.
      const db = a!.store.db;
      expect(await db.jobLease.count()).toBe(16 + 4 + 1);
      const recorded = await db.jobRun.findMany({ orderBy: [{ job: 'asc' }, { fireTime: 'asc' }] });
      expect(recorded).toHaveLength(16 + 4 + 1);
      expect(new Set(recorded.map((run) => `${run.job}@${run.fireTime.toISOString()}`)).size).toBe(recorded.length);
      expect(recorded.every((run) => run.outcome === 'succeeded' && run.finishedAt !== null)).toBe(true);
      expect(recorded.every((run) => run.instance === 'instance-a' || run.instance === 'instance-b')).toBe(true);
      const leases = await db.jobLease.findMany();
      expect(leases.find((lease) => lease.key === 'hourly@2026-11-22T10:00:00.000Z')?.holder).toBe(recorded.find((run) => run.job === 'hourly')?.instance);
    });

    it('when two instances start together, the start-up catch-up runs each job once', async () => {
      clock.advance(minutes(7) + 13_000); // 10:02:13
      const quarterly = countingJob('quarterly', '*/15 * * * *', 5);
      const daily = countingJob('daily', '30 6 * * *', 5);
      const jobs = [quarterly.job, daily.job];
      // Their stores open one after the other (migrations), then both schedulers start at once.
      const stores = [await openInstanceStore(database.url), await openInstanceStore(database.url)];
      const [a, b] = stores.map((store, i) => startInstance(store, { id: `instance-${i}`, jobs, clock, catchUp: true }));
      instances.push(a!, b!);
      await Promise.all([a!.scheduler.caughtUp, b!.scheduler.caughtUp]);
      expect(quarterly.runs).toEqual(['2026-11-22T10:02:13.000Z']);
      expect(daily.runs).toEqual(['2026-11-22T10:02:13.000Z']);
      expect((await a!.store.db.jobLease.findMany({ orderBy: { key: 'asc' } })).map((lease) => lease.key)).toEqual([
        'daily@start-up:2026-11-22T06:30:00.000Z',
        'quarterly@start-up:2026-11-22T10:00:00.000Z',
      ]);

      // A third instance starting before either schedule fires again has nothing to catch up.
      clock.advance(minutes(5));
      const c = await start('instance-c', jobs, { catchUp: true });
      await c.scheduler.caughtUp;
      expect(quarterly.runs).toHaveLength(1);
    });

    it('when a job fails, the run is recorded failed with its message, the other jobs run, and the next fire runs', async () => {
      let calls = 0;
      const flaky: JobDefinition = {
        name: 'flaky',
        cron: '*/5 * * * *',
        summary: 'fails the first time (test)',
        async run() {
          calls++;
          if (calls === 1) throw new Error('the outbox table is on fire');
          return { fixed: 1 };
        },
      };
      const steady = countingJob('steady', '*/5 * * * *');
      const a = await start('instance-a', [flaky, steady.job]);

      const first = await a.scheduler.runDue(clock.now());
      expect(first).toEqual([
        expect.objectContaining({ job: 'flaky', outcome: 'failed', error: 'the outbox table is on fire' }),
        expect.objectContaining({ job: 'steady', outcome: 'succeeded' }),
      ]);
      let last = await a.runs.lastRuns();
      expect(last.get('flaky')).toMatchObject({ outcome: 'failed', error: 'the outbox table is on fire', counts: null, instance: 'instance-a' });
      expect(last.get('flaky')?.finishedAt).not.toBeNull();
      expect(last.get('steady')).toMatchObject({ outcome: 'succeeded', counts: { done: 1 } });

      clock.advance(minutes(5));
      expect(await a.scheduler.runDue(clock.now())).toEqual([
        expect.objectContaining({ job: 'flaky', outcome: 'succeeded', counts: { fixed: 1 } }),
        expect.objectContaining({ job: 'steady', outcome: 'succeeded' }),
      ]);
      last = await a.runs.lastRuns();
      expect(last.get('flaky')).toMatchObject({ outcome: 'succeeded', counts: { fixed: 1 }, fireTime: new Date('2026-11-22T10:00:00Z') });
      expect(await a.store.db.jobRun.count({ where: { job: 'flaky' } })).toBe(2);
    });

    it('stop() waits for the run in progress to finish and record itself; nothing runs after it', async () => {
      const release = gate();
      let started = false;
      let finished = false;
      const slow: JobDefinition = {
        name: 'slow',
        cron: '* * * * *',
        summary: 'waits for the test (test)',
        async run() {
          started = true;
          await release.opened;
          finished = true;
          return { waited: 1 };
        },
      };
      const a = await start('instance-a', [slow]);
      const running = a.scheduler.runDue(clock.now());
      while (!started) await new Promise((resolve) => setTimeout(resolve, 5));

      let stopped = false;
      const stopping = a.scheduler.stop().then(() => (stopped = true));
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(stopped).toBe(false);

      release.open();
      await stopping;
      expect(finished).toBe(true);
      expect(await running).toEqual([expect.objectContaining({ outcome: 'succeeded' })]);
      // Recorded before stop() returned, so before the store could close.
      expect((await a.runs.lastRuns()).get('slow')).toMatchObject({ outcome: 'succeeded', counts: { waited: 1 } });

      clock.advance(minutes(1));
      finished = false;
      expect(await a.scheduler.runDue(clock.now())).toEqual([]);
      expect(await a.scheduler.runNow('slow')).toMatchObject({ outcome: 'skipped' });
      expect(finished).toBe(false);
    });

    it('leases: the first holder of a key wins, later askers lose, and only expired leases are purged', async () => {
      const a = await start('instance-a', []);
      const other = createJobLeases({ db: a.store.db, clock, holder: 'instance-b' });
      expect(await a.leases.shouldRun('tick@2026-11-22T09:55:00.000Z', minutes(10))).toBe(true);
      expect(await other.shouldRun('tick@2026-11-22T09:55:00.000Z', minutes(10))).toBe(false);
      expect(await other.shouldRun('tick@2026-11-22T09:56:00.000Z', minutes(60))).toBe(true);
      expect(await a.store.db.jobLease.findUnique({ where: { key: 'tick@2026-11-22T09:55:00.000Z' } })).toMatchObject({ holder: 'instance-a' });

      clock.advance(minutes(30));
      expect(await a.leases.purgeExpired(clock.now())).toBe(1);
      expect((await a.store.db.jobLease.findMany()).map((lease) => lease.key)).toEqual(['tick@2026-11-22T09:56:00.000Z']);
      // A purged fire is long past: asking for it again would win, which is why leases live for days.
      expect(await other.shouldRun('tick@2026-11-22T09:55:00.000Z', minutes(10))).toBe(true);
    });

    it('job runs: the last run of each job is the one of its latest fire, even if still running', async () => {
      const a = await start('instance-a', []);
      const at = (iso: string) => new Date(iso);
      const early = await a.runs.started({ job: 'alpha', fireTime: at('2026-11-22T09:00:00Z'), instance: 'x', startedAt: at('2026-11-22T09:00:01Z') });
      await a.runs.succeeded(early, at('2026-11-22T09:00:02Z'), { n: 1 });
      await a.runs.started({ job: 'alpha', fireTime: at('2026-11-22T09:05:00Z'), instance: 'y', startedAt: at('2026-11-22T09:05:01Z') });
      const beta = await a.runs.started({ job: 'beta', fireTime: at('2026-11-22T08:00:00Z'), instance: 'x', startedAt: at('2026-11-22T08:00:01Z') });
      await a.runs.failed(beta, at('2026-11-22T08:00:03Z'), 'x'.repeat(5_000));

      const last = await a.runs.lastRuns();
      expect([...last.keys()].sort()).toEqual(['alpha', 'beta']);
      expect(last.get('alpha')).toMatchObject({ outcome: 'running', instance: 'y', finishedAt: null, counts: null, error: null });
      expect(last.get('beta')).toMatchObject({ outcome: 'failed', counts: null });
      expect(last.get('beta')?.error).toHaveLength(1_000);

      // Instance y died mid-run: an hour on, housekeeping marks its run interrupted; ended runs are untouched.
      expect(await a.runs.markInterruptedBefore(at('2026-11-22T09:05:00Z'), at('2026-11-22T10:05:01Z'))).toBe(0);
      expect(await a.runs.markInterruptedBefore(at('2026-11-22T09:05:02Z'), at('2026-11-22T10:05:02Z'))).toBe(1);
      expect((await a.runs.lastRuns()).get('alpha')).toMatchObject({ outcome: 'interrupted', finishedAt: at('2026-11-22T10:05:02Z'), counts: null });
      expect((await a.runs.lastRuns()).get('alpha')?.error).toMatch(/stopped mid-run/);
      expect((await a.runs.lastRuns()).get('beta')).toMatchObject({ outcome: 'failed' });

      expect(await a.runs.purgeStartedBefore(at('2026-11-22T09:00:00Z'))).toBe(1);
      expect([...(await a.runs.lastRuns()).keys()]).toEqual(['alpha']);
    });
  });
});
