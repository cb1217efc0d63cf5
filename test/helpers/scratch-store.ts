// A store on a scratch database for one describe block of integration tests: the database is
// created and migrated before its tests, and closed and dropped after them. PostgreSQL needs
// TEST_POSTGRES_URL (see ./postgres.ts); pair it with `describe.skipIf(unavailable(provider))`.
import { afterAll, beforeAll } from 'vitest';
import { createScratchDatabase, type ScratchDatabase } from '../../prisma/schema-engine/index.ts';
import type { Provider } from '../../prisma/schemas.ts';
import { openStore, type Store } from '../../prisma/store.ts';
import { postgresServerUrl } from './postgres.ts';

/** `what` names the tests (in errors, and as the database's name). Returns the open store. */
export function useScratchStore(provider: Provider, what: string): () => Store {
  let database: ScratchDatabase | undefined;
  let store: Store | undefined;
  beforeAll(async () => {
    database = await createScratchDatabase(provider, provider === 'postgresql' ? postgresServerUrl(what) : undefined, what.replace(/\W+/g, '_'));
    store = await openStore(database.url);
  });
  afterAll(async () => {
    await store?.close();
    await database?.drop();
  });
  return () => {
    if (!store) throw new Error(`the scratch store of the ${what} tests is opened before them (beforeAll)`);
    return store;
  };
}
