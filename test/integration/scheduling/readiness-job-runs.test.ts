// /readyz reads each job's last run with plain SQL on the driver (prisma/last-job-runs.ts), so
// that a fresh process answers its probes without loading Prisma's query compiler. It must pick
// the same run as the `jobs` command's lastRuns() through Prisma, on both databases: the latest
// fire time of each job, and of runs of that fire, the latest start.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Provider } from '../../../prisma/schemas.ts';
import { openStore, type Store } from '../../../prisma/store.ts';
import { createJobRuns } from '../../../services/scheduling/job-runs.ts';
import { skipPostgres } from '../../helpers/postgres.ts';
import { freshDatabase, type Database } from './scheduling-fixtures.ts';

const providers: Provider[] = ['sqlite', 'postgresql'];

describe.each(providers)('on %s', (provider) => {
  describe.skipIf(provider === 'postgresql' && skipPostgres)("/readyz's job runs", () => {
    let database: Database;
    let store: Store;

    beforeEach(async () => {
      database = await freshDatabase(provider);
      store = await openStore(database.url);
    });
    afterEach(async () => {
      await store.close();
      await database.drop();
    });

    it('are none before any run', async () => {
      expect(await store.lastJobRuns()).toEqual(new Map());
    });

    it('are the runs lastRuns() picks: latest fire per job, then latest start, whatever the outcome', async () => {
      const runs = createJobRuns(store.db);
      const at = (iso: string) => new Date(iso);
      // tick: an older fire that succeeded, then two runs of the latest fire (a restart ran it
      // again): the later start, still running, is the one shown.
      const old = await runs.started({ job: 'tick', fireTime: at('2026-11-22T10:00:00Z'), instance: 'a', startedAt: at('2026-11-22T10:00:01Z') });
      await runs.succeeded(old, at('2026-11-22T10:00:02Z'), { done: 1 });
      const first = await runs.started({ job: 'tick', fireTime: at('2026-11-22T10:05:00Z'), instance: 'a', startedAt: at('2026-11-22T10:05:01Z') });
      await runs.failed(first, at('2026-11-22T10:05:02Z'), 'boom');
      await runs.started({ job: 'tick', fireTime: at('2026-11-22T10:05:00Z'), instance: 'b', startedAt: at('2026-11-22T10:06:00Z') });
      // nightly: one fire, failed.
      const nightly = await runs.started({ job: 'nightly', fireTime: at('2026-11-22T02:00:00Z'), instance: 'a', startedAt: at('2026-11-22T02:00:00.500Z') });
      await runs.failed(nightly, at('2026-11-22T02:00:03Z'), 'refused');
      // A fire time later in the day but earlier in text order of the hour does not confuse MAX.
      const sweep = await runs.started({ job: 'sweep', fireTime: at('2026-11-21T23:59:00Z'), instance: 'a', startedAt: at('2026-11-21T23:59:01Z') });
      await runs.succeeded(sweep, at('2026-11-21T23:59:02Z'), {});
      const later = await runs.started({ job: 'sweep', fireTime: at('2026-11-22T00:00:00Z'), instance: 'a', startedAt: at('2026-11-22T00:00:01Z') });
      await runs.succeeded(later, at('2026-11-22T00:00:02Z'), {});

      const fromDriver = await store.lastJobRuns();
      const fromPrisma = await runs.lastRuns();
      expect(fromDriver).toEqual(
        new Map([
          ['tick', { fireTime: at('2026-11-22T10:05:00Z'), outcome: 'running' }],
          ['nightly', { fireTime: at('2026-11-22T02:00:00Z'), outcome: 'failed' }],
          ['sweep', { fireTime: at('2026-11-22T00:00:00Z'), outcome: 'succeeded' }],
        ]),
      );
      expect(new Map([...fromPrisma].map(([job, run]) => [job, { fireTime: run.fireTime, outcome: run.outcome }]))).toEqual(fromDriver);
    });
  });
});
