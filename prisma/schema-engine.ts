// Prisma's schema engine (the part behind `migrate dev`, `migrate diff`, `db push`),
// run in-process from @prisma/schema-engine-wasm instead of the native binary that the
// prisma CLI would download (it cannot here: only the npm registry is reachable).
// The engine talks to the database through a Prisma driver adapter: libsql for SQLite
// (`file:` URLs), adapter-pg for PostgreSQL.
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import * as glue from '@prisma/schema-engine-wasm/schema_engine_bg';
import type {
  ApplyMigrationsOutput,
  CreateMigrationOutput,
  DiffResult,
  DiffTarget,
  MigrationList,
  SchemaEngine,
  SchemaFilter,
  SchemasContainer,
} from '@prisma/schema-engine-wasm';
import {
  bindMigrationAwareSqlAdapterFactory,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
} from '@prisma/driver-adapter-utils';
import { PrismaLibSql } from '@prisma/adapter-libsql';
import { PrismaPg } from '@prisma/adapter-pg';
import type { Provider } from './schemas.ts';

export type { DiffResult, DiffTarget, MigrationList } from '@prisma/schema-engine-wasm';

/** We manage every table in the schema; nothing is "external". */
const noFilters: SchemaFilter = { externalTables: [], externalEnums: [] };

// ---------------------------------------------------------------------------
// Loading the WASM module
// ---------------------------------------------------------------------------

// The package's entry point does `import * as wasm from "./schema_engine_bg.wasm"`, which
// needs the WebAssembly ESM integration that Node 20 does not have. So we do by hand what
// that entry does: instantiate the bytes with the JS glue as the import object, hand the
// instance to the glue, and run the module's start function.
//
// The glue keeps the instance in a module-level variable, so there is one instance per
// process: load it once and share it.
let loaded: Promise<typeof glue.SchemaEngine> | undefined;

/** Timers the engine started and that have not fired yet (see `unrefTimers`). */
const pendingTimers = new Set<NodeJS.Timeout>();

function loadWasm(): Promise<typeof glue.SchemaEngine> {
  loaded ??= (async () => {
    const wasmUrl = new URL('schema_engine_bg.wasm', import.meta.resolve('@prisma/schema-engine-wasm/schema_engine_bg'));
    const imports = { './schema_engine_bg.js': unrefTimers(glue) } as unknown as WebAssembly.Imports;
    const { instance } = await WebAssembly.instantiate(readFileSync(wasmUrl), imports);
    glue.__wbg_set_wasm(instance.exports);
    (instance.exports as { __wbindgen_start(): void }).__wbindgen_start();
    return glue.SchemaEngine;
  })();
  return loaded;
}

// The engine starts timers (its runtime's sleeps) that are still pending when we are done
// with it, which would keep Node running after a script has finished. Let those timers not
// hold the process open: the engine only waits on them while a database call is in flight,
// and that call keeps the process alive by itself.
function unrefTimers(bindings: typeof glue): Record<string, unknown> {
  const wrapped: Record<string, unknown> = { ...bindings };
  for (const [name, fn] of Object.entries(bindings)) {
    if (!name.startsWith('__wbg_setTimeout_') || typeof fn !== 'function') continue;
    wrapped[name] = (...args: unknown[]) => {
      const timer = (fn as (...a: unknown[]) => NodeJS.Timeout)(...args);
      timer.unref();
      return timer;
    };
  }
  return wrapped;
}

// ---------------------------------------------------------------------------
// Driver adapters
// ---------------------------------------------------------------------------

/** The driver adapter factory the engine should use for a database URL. */
export function adapterFactoryFor(provider: Provider, url: string): SqlMigrationAwareDriverAdapterFactory {
  if (provider === 'sqlite') {
    if (!url.startsWith('file:')) {
      throw new Error(`SQLite database URL must start with "file:" (e.g. file:./data/dev.db), got "${url}"`);
    }
    return new PrismaLibSql({ url });
  }
  return postgresFactory(url);
}

/**
 * adapter-pg's own `connectToShadowDb` drops the shadow database while its pool still holds
 * a connection to it, so PostgreSQL refuses ("is being accessed by other users"). This
 * factory does the same steps in the right order: close the shadow pool, then drop.
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
      const disposeShadow = shadow.dispose.bind(shadow);
      shadow.dispose = async () => {
        try {
          await disposeShadow();
          await admin.executeScript(`DROP DATABASE IF EXISTS "${name}"`);
        } finally {
          await admin.dispose();
        }
      };
      return shadow;
    },
  };
}

/**
 * adapter-pg makes its shadow database by copying the pool config with another `database`.
 * A `connectionString` would win over that field (the "shadow" database would be the main
 * one), so the URL is split into separate fields.
 */
export function postgresPoolConfig(url: string): pg.PoolConfig {
  const parsed = new URL(url);
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new Error(`PostgreSQL database URL must start with "postgres://" or "postgresql://", got "${parsed.protocol}//..."`);
  }
  return {
    host: decodeURIComponent(parsed.hostname),
    port: parsed.port ? Number(parsed.port) : 5432,
    user: decodeURIComponent(parsed.username),
    password: decodeURIComponent(parsed.password),
    database: decodeURIComponent(parsed.pathname.slice(1)) || 'postgres',
    ...(process.env.NOCHAR ? {} : { Client: CharAsTextClient }),
  };
}

/**
 * The engine's introspection reads catalog columns of PostgreSQL's one-byte `"char"` type
 * (oid 18, e.g. pg_class.relkind), which adapter-pg rejects as an unsupported column type.
 * Its values arrive as one-character strings, so we relabel those columns as text (oid 25)
 * before adapter-pg looks at them. Set as the pool's Client class, this also covers the
 * shadow database pool, which adapter-pg builds from the same config.
 */
class CharAsTextClient extends pg.Client {
  override query(...args: unknown[]): any {
    const last = args.at(-1);
    if (typeof last === 'function') {
      args[args.length - 1] = (error: unknown, result: unknown) => last(error, relabelCharColumns(result));
      return (super.query as (...a: unknown[]) => unknown)(...args);
    }
    const returned = (super.query as (...a: unknown[]) => unknown)(...args);
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
 * Wraps a factory for the engine's use:
 * - The engine sends a whole migration script (many statements) through `executeRaw`, with
 *   no arguments. libsql's `execute` runs one statement only, so argument-less calls go to
 *   the adapter's `executeScript`, which runs them all.
 * - The engine never disposes its main connection (freeing the engine does not do it), so
 *   the open connections are kept for `disposeAll` to close: otherwise a pool stays open,
 *   and PostgreSQL will not drop a database that still has sessions.
 */
function forTheEngine(factory: SqlMigrationAwareDriverAdapterFactory) {
  const open = new Set<SqlDriverAdapter>();
  const prepare = (adapter: SqlDriverAdapter): SqlDriverAdapter => {
    const executeRaw = adapter.executeRaw.bind(adapter);
    const executeScript = adapter.executeScript.bind(adapter);
    adapter.executeScript = async (sql) => { if (process.env.TRACE) console.log('executeScript', sql.length, JSON.stringify(sql.slice(0,50))); return executeScript(sql); };
    adapter.executeRaw = async (query) => {
      if (process.env.TRACE) console.log('executeRaw', query.args.length, query.sql.length, JSON.stringify(query.sql.slice(0,50)));
      if (query.args.length > 0 || process.env.NOROUTE) return executeRaw(query);
      await adapter.executeScript(query.sql);
      return 0;
    };
    const dispose = adapter.dispose.bind(adapter);
    adapter.dispose = async () => {
      open.delete(adapter);
      await dispose();
    };
    open.add(adapter);
    return adapter;
  };
  const wrapped: SqlMigrationAwareDriverAdapterFactory = {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: async () => prepare(await factory.connect()),
    connectToShadowDb: async () => prepare(await factory.connectToShadowDb()),
  };
  const disposeAll = async () => {
    await Promise.all([...open].map((adapter) => adapter.dispose()));
  };
  return { factory: wrapped, disposeAll };
}

// ---------------------------------------------------------------------------
// The engine
// ---------------------------------------------------------------------------

export interface OpenSchemaEngineOptions {
  provider: Provider;
  /** The database the engine connects to ("url" diff targets, migrations, shadow database). */
  url: string;
  /** The Prisma schema text (with its datasource block). */
  datamodel: string;
  /** Receives the engine's log lines (JSON text). Default: dropped. */
  onLog?: (line: string) => void;
}

export interface SchemaEngineSession {
  /** Compare two schema sources. `exitCode: true` makes a non-empty diff return exitCode 2. */
  diff(from: DiffTarget, to: DiffTarget, options?: { script?: boolean; exitCode?: boolean }): Promise<DiffResult>;
  /** Apply the migrations from the list that the database has not recorded yet. */
  applyMigrations(migrations: MigrationList): Promise<ApplyMigrationsOutput>;
  /**
   * What `prisma migrate dev --create-only` does: the script that takes the migrations to
   * `datamodel` (null when there is nothing to do). Nothing is written to disk.
   */
  createMigration(name: string, migrations: MigrationList, datamodel?: string): Promise<CreateMigrationOutput>;
  /** Targets for `diff`. */
  targets: {
    empty: DiffTarget;
    datamodel(text?: string): DiffTarget;
    migrations(list: MigrationList): DiffTarget;
    url(url?: string): DiffTarget;
  };
  close(): Promise<void>;
}

/** The schema text as the engine wants it: a list of named files. */
export function schemaFiles(datamodel: string): SchemasContainer {
  return { files: [{ path: 'schema.prisma', content: datamodel }] };
}

/** Open the schema engine on a database. Call `close()` when done. */
export async function openSchemaEngine(options: OpenSchemaEngineOptions): Promise<SchemaEngineSession> {
  const SchemaEngineClass = await loadWasm();
  const adapters = forTheEngine(adapterFactoryFor(options.provider, options.url));
  const log = (line: string) => options.onLog?.(line);
  const engine: SchemaEngine = await SchemaEngineClass.new(
    { datamodels: [['schema.prisma', options.datamodel]] },
    log,
    bindMigrationAwareSqlAdapterFactory(adapters.factory),
  );

  return {
    diff: (from, to, { script = true, exitCode = true } = {}) =>
      engine.diff({ from, to, script, exitCode, filters: noFilters }),

    applyMigrations: (migrations) => engine.applyMigrations({ migrationsList: migrations, filters: noFilters }),

    async createMigration(name, migrations, datamodel = options.datamodel) {
      // `migrate dev` always asks for a diagnostic first; createMigration relies on the
      // state that call sets up and fails without it.
      const { action } = await engine.devDiagnostic({ migrationsList: migrations, filters: noFilters });
      if (action.tag === 'reset') {
        throw new Error(`The database at ${redact(options.url)} must be reset before a migration can be created: ${action.reason}`);
      }
      return engine.createMigration({
        draft: false,
        migrationName: name,
        migrationsList: migrations,
        schema: schemaFiles(datamodel),
        filters: noFilters,
      });
    },

    targets: {
      empty: { tag: 'empty' },
      datamodel: (text = options.datamodel) => ({ tag: 'schemaDatamodel', ...schemaFiles(text) }),
      migrations: (list) => ({ tag: 'migrations', ...list }),
      url: (url = options.url) => ({ tag: 'url', url }),
    },

    async close() {
      engine.free();
      await adapters.disposeAll();
    },
  };
}

/** Hide the password of a database URL in messages. */
export function redact(url: string): string {
  return url.replace(/\/\/([^:/@]*):[^@]*@/, '//$1:***@');
}

// ---------------------------------------------------------------------------
// Migrations on disk
// ---------------------------------------------------------------------------

export const lockfileName = 'migration_lock.toml';

/** The lock file Prisma writes next to the migrations (its exact text). */
export function lockfileText(provider: Provider): string {
  return `# Please do not edit this file manually\n# It should be added in your version-control system (e.g., Git)\nprovider = "${provider}"\n`;
}

/**
 * A migrations folder as the engine wants it (what the prisma CLI reads before calling it):
 * every sub-folder with its migration.sql, in name order, and the lock file if any.
 */
export function readMigrations(dir: string): MigrationList {
  const readOrNull = (file: string) => {
    try {
      return readFileSync(file, 'utf8');
    } catch {
      return null;
    }
  };
  let entries: string[] = [];
  try {
    entries = readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  entries.sort((a, b) => a.localeCompare(b));
  return {
    baseDir: dir,
    lockfile: { path: lockfileName, content: readOrNull(path.join(dir, lockfileName)) },
    shadowDbInitScript: '',
    migrationDirectories: entries.map((name) => {
      const content = readOrNull(path.join(dir, name, 'migration.sql'));
      return {
        path: name,
        migrationFile: {
          path: 'migration.sql',
          content: content === null ? { tag: 'error', value: `cannot read ${path.join(dir, name, 'migration.sql')}` } : { tag: 'ok', value: content },
        },
      };
    }),
  };
}
