// DATABASE_POOL_SIZE bounds the connections one instance opens to PostgreSQL, however many
// queries wait: what "Scaling out" sizes max_connections by.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { createScratchDatabase, type ScratchDatabase } from '../../../prisma/schema-engine/index.ts';
import { openStore, type Store } from '../../../prisma/store.ts';
import { postgresServerUrl } from '../../helpers/postgres.ts';
import { unavailable } from '../../helpers/test-bot.ts';

describe.skipIf(unavailable('postgresql'))('the PostgreSQL pool size', () => {
  let database: ScratchDatabase;
  let store: Store;
  const watcher = () => new pg.Client({ connectionString: database.url });

  beforeAll(async () => {
    database = await createScratchDatabase('postgresql', postgresServerUrl('pool-size'), 'pool_size');
    store = await openStore(database.url, { poolSize: 3 });
  });
  afterAll(async () => {
    await store?.close();
    await database?.drop();
  });

  it('opens at most poolSize connections for 12 queries at once, and answers them all', async () => {
    const client = watcher();
    await client.connect();
    try {
      let peak = 0;
      const sample = async () => {
        const { rows } = await client.query<{ count: string }>('SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()');
        peak = Math.max(peak, Number(rows[0]!.count));
      };
      let answered = false;
      const queries = Promise.all(Array.from({ length: 12 }, () => store.db.$queryRawUnsafe('SELECT pg_sleep(0.15)::text AS slept'))).finally(() => (answered = true));
      // Sampled until every query was answered, however slowly the machine opens connections.
      const sampling = (async () => {
        while (!answered) {
          await sample();
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      })();
      expect(await queries).toHaveLength(12);
      await sampling;
      expect(peak).toBeGreaterThanOrEqual(2);
      expect(peak).toBeLessThanOrEqual(3);
    } finally {
      await client.end();
    }
  });
});
