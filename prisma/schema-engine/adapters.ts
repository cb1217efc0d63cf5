// The engine reaches the database only through a Prisma driver adapter factory: libsql for
// SQLite (`file:` URLs), adapter-pg for PostgreSQL. Neither works for the engine as it comes,
// so this file builds the factories and patches them: adapter-pg's shadow database handling
// and its rejection of PostgreSQL's `"char"` columns, and each adapter's way of running a
// migration script (many statements in one string). It also keeps every connection it hands
// out, so that the session can close what the engine itself leaves open.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { SqlDriverAdapter, SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import { PrismaLibSql } from '@prisma/adapter-libsql';
import { PrismaPg } from '@prisma/adapter-pg';
import type { Provider } from '../schemas.ts';

/** The driver adapter factory for a database URL, as the engine needs it. */
export function adapterFactoryFor(provider: Provider, url: string): SqlMigrationAwareDriverAdapterFactory {
  if (provider === 'sqlite') {
    if (!url.startsWith('file:')) {
      throw new Error(`A SQLite database URL must start with "file:" (e.g. file:./data/dev.db), got "${url}".`);
    }
    // Its shadow database is an in-memory database.
    return new PrismaLibSql({ url });
  }
  return postgresFactory(url);
}

/**
 * adapter-pg, with two fixes for the engine's use of it:
 * - its `connectToShadowDb` drops the shadow database while its own pool is still connected
 *   to it, which PostgreSQL refuses ("is being accessed by other users"); here the shadow
 *   pool is closed first, then the database dropped;
 * - the pool config is given as separate fields, never as a connection string, which would
 *   win over the shadow's `database` field (the "shadow" would be the main database).
 */
function postgresFactory(url: string): SqlMigrationAwareDriverAdapterFactory {
  const config = postgresPoolConfig(url);
  const options = { schema: new URL(url).searchParams.get('schema') ?? undefined };
  const main = new PrismaPg(config, options);
  return {
    provider: main.provider,
    adapterName: main.adapterName,
    connect: () => main.connect(),
    async connectToShadowDb() {
      const admin = await main.connect();
      const name = `prisma_migrate_shadow_db_${randomUUID()}`;
      await admin.executeScript(`CREATE DATABASE "${name}"`);
      const shadow = await new PrismaPg({ ...config, database: name }, options).connect();
      const closeShadowPool = shadow.dispose.bind(shadow);
      shadow.dispose = async () => {
        try {
          await closeShadowPool();
          await admin.executeScript(`DROP DATABASE IF EXISTS "${name}"`);
        } finally {
          await admin.dispose();
        }
      };
      return shadow;
    },
  };
}

/** A postgres:// URL as pg pool fields. */
export function postgresPoolConfig(url: string): pg.PoolConfig {
  const parsed = new URL(url);
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new Error(`A PostgreSQL database URL must start with "postgres://" or "postgresql://", got "${parsed.protocol}//…".`);
  }
  return {
    host: decodeURIComponent(parsed.hostname),
    port: parsed.port ? Number(parsed.port) : 5432,
    user: decodeURIComponent(parsed.username),
    password: decodeURIComponent(parsed.password),
    database: decodeURIComponent(parsed.pathname.slice(1)) || 'postgres',
    Client: CharAsTextClient,
  };
}

/**
 * The engine reads catalog columns of PostgreSQL's one-byte `"char"` type (oid 18, e.g.
 * pg_class.relkind), which adapter-pg rejects ("Column type 'char' could not be
 * deserialized"). The values arrive as one-character strings, so we relabel such columns
 * as text (oid 25) before adapter-pg looks at them. As the pool's Client class, this also
 * covers the shadow database's pool, which is built from the same config.
 */
class CharAsTextClient extends pg.Client {
  override query(...args: unknown[]): any {
    const query = super.query as (...a: unknown[]) => unknown;
    const callback = args.at(-1);
    if (typeof callback === 'function') {
      args[args.length - 1] = (error: unknown, result: unknown) => callback(error, relabelCharColumns(result));
      return query.apply(this, args);
    }
    const returned = query.apply(this, args);
    return returned instanceof Promise ? returned.then(relabelCharColumns) : returned;
  }
}

const PG_CHAR_OID = 18;
const PG_TEXT_OID = 25;

function relabelCharColumns<T>(result: T): T {
  // A multi-statement query returns one result per statement.
  for (const one of Array.isArray(result) ? result : [result]) {
    for (const field of (one as pg.QueryResult | undefined)?.fields ?? []) {
      if (field.dataTypeID === PG_CHAR_OID) field.dataTypeID = PG_TEXT_OID;
    }
  }
  return result;
}

/**
 * Adapts a factory's connections to how the engine runs migration scripts (many statements
 * in one string), and keeps them so `closeAll` can close what the engine leaves open (it
 * never disposes its main connection; an open pool keeps Node running and stops PostgreSQL
 * from dropping that database).
 */
export function forTheEngine(provider: Provider, factory: SqlMigrationAwareDriverAdapterFactory) {
  const open = new Set<SqlDriverAdapter>();

  const prepare = (adapter: SqlDriverAdapter): SqlDriverAdapter => {
    const executeRaw = adapter.executeRaw.bind(adapter);
    if (provider === 'sqlite') {
      // The engine replays migrations on the shadow database through `executeRaw` with no
      // arguments, but libsql's `execute` runs only the first statement (silently: the diff
      // then reports every other table as missing). `executeScript` runs them all.
      adapter.executeRaw = async (query) => {
        if (query.args.length > 0) return executeRaw(query);
        await adapter.executeScript(query.sql);
        return 0;
      };
    } else {
      // adapter-pg's `executeScript` splits the script on every ";", even inside string
      // literals or function bodies. An argument-less query goes over PostgreSQL's simple
      // protocol instead, which runs the whole script as it is (as the native engine does).
      adapter.executeScript = async (script) => {
        await executeRaw({ sql: script, args: [], argTypes: [] });
      };
    }
    const dispose = adapter.dispose.bind(adapter);
    adapter.dispose = async () => {
      open.delete(adapter);
      await dispose();
    };
    open.add(adapter);
    return adapter;
  };

  return {
    factory: {
      provider: factory.provider,
      adapterName: factory.adapterName,
      connect: async () => prepare(await factory.connect()),
      connectToShadowDb: async () => prepare(await factory.connectToShadowDb()),
    } satisfies SqlMigrationAwareDriverAdapterFactory,
    closeAll: async () => {
      await Promise.all([...open].map((adapter) => adapter.dispose()));
    },
  };
}
