// Prisma's schema engine (the part behind `migrate dev`, `migrate diff`, `db push`), run
// in-process from @prisma/schema-engine-wasm instead of the native binary that the prisma
// CLI would download (it cannot here: only the npm registry is reachable). The engine
// reaches the database through a Prisma driver adapter: libsql for SQLite (`file:` URLs),
// adapter-pg for PostgreSQL.
//
//   const engine = await openSchemaEngine({ provider, url, datamodel });
//   try {
//     const { exitCode, stdout } = await engine.diff(engine.targets.migrations(list), engine.targets.datamodel());
//   } finally {
//     await engine.close();
//   }
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import * as glue from '@prisma/schema-engine-wasm/schema_engine_bg';
import type {
  ApplyMigrationsOutput,
  CreateMigrationOutput,
  DiffResult,
  DiffTarget,
  MigrationList,
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
import { prismaDir, type Provider } from './schemas.ts';

export type { DiffResult, DiffTarget, MigrationList } from '@prisma/schema-engine-wasm';

/** We manage every table in the schema; nothing is "external". */
const noFilters: SchemaFilter = { externalTables: [], externalEnums: [] };

// ---------------------------------------------------------------------------
// Loading the WASM module
// ---------------------------------------------------------------------------

// The package's entry point does `import * as wasm from "./schema_engine_bg.wasm"`, which
// needs WebAssembly ES module integration, absent from Node 20. So we do by hand what that
// entry does: instantiate the bytes with the JS glue as the import object, hand the
// instance to the glue, and run the module's start function. The glue keeps the instance
// in a module-level variable, so there is one per process: load it once, share it.
let loaded: Promise<typeof glue.SchemaEngine> | undefined;

// The part of the WebAssembly JS API we use (our tsconfig has no DOM lib, and @types/node
// does not declare it).
const webAssembly = (globalThis as unknown as {
  WebAssembly: { instantiate(bytes: Uint8Array, imports: object): Promise<{ instance: { exports: object } }> };
}).WebAssembly;

function loadWasm(): Promise<typeof glue.SchemaEngine> {
  loaded ??= (async () => {
    const wasmUrl = new URL('schema_engine_bg.wasm', import.meta.resolve('@prisma/schema-engine-wasm/schema_engine_bg'));
    const imports = { './schema_engine_bg.js': withTrackedTimers(glue) };
    const { instance } = await webAssembly.instantiate(readFileSync(wasmUrl), imports);
    glue.__wbg_set_wasm(instance.exports);
    (instance.exports as { __wbindgen_start(): void }).__wbindgen_start();
    return glue.SchemaEngine;
  })();
  return loaded;
}

// The engine's async runtime can leave a timer pending after a call has finished, which
// keeps Node running after a script is done. We track the timers it starts and clear the
// leftovers when the last open engine closes (clearing them earlier could stall a call
// that is waiting on one).
const pendingTimers = new Set<NodeJS.Timeout>();
let openEngines = 0;

function withTrackedTimers(bindings: typeof glue): Record<string, unknown> {
  const wrapped: Record<string, unknown> = { ...bindings };
  for (const [name, binding] of Object.entries(bindings) as [string, unknown][]) {
    if (!name.startsWith('__wbg_setTimeout_')) continue;
    const setTimer = binding as (callback: () => void, ms: number) => NodeJS.Timeout;
    wrapped[name] = (callback: () => void, ms: number) => {
      const timer: NodeJS.Timeout = setTimer(() => {
        pendingTimers.delete(timer);
        callback();
      }, ms);
      pendingTimers.add(timer);
      return timer;
    };
  }
  return wrapped;
}

function clearLeftoverTimers(): void {
  if (openEngines > 0) return;
  for (const timer of pendingTimers) clearTimeout(timer);
  pendingTimers.clear();
}

// ---------------------------------------------------------------------------
// Driver adapters
// ---------------------------------------------------------------------------

/** The driver adapter factory for a database URL, as the engine needs it. */
function adapterFactoryFor(provider: Provider, url: string): SqlMigrationAwareDriverAdapterFactory {
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
function forTheEngine(provider: Provider, factory: SqlMigrationAwareDriverAdapterFactory) {
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

// ---------------------------------------------------------------------------
// The engine
// ---------------------------------------------------------------------------

export interface OpenSchemaEngineOptions {
  provider: Provider;
  /**
   * The database the engine connects to: the one `database` targets, migrations and
   * `createMigration` work on. For PostgreSQL, shadow databases are created (and dropped)
   * next to it, so its user needs the CREATEDB privilege.
   */
  url: string;
  /** The Prisma schema text (with its datasource block). */
  datamodel: string;
  /** Receives the engine's log lines (JSON text). By default they are dropped. */
  onLog?: (line: string) => void;
}

export interface SchemaEngineSession {
  /**
   * Compares two schema sources. `exitCode` is 0 when they agree and 2 when they do not;
   * `stdout` is the SQL that would take `from` to `to` (or a summary with `script: false`).
   */
  diff(from: DiffTarget, to: DiffTarget, options?: { script?: boolean }): Promise<DiffResult>;
  /** Applies the migrations of the list that the database has not recorded yet. */
  applyMigrations(migrations: MigrationList): Promise<ApplyMigrationsOutput>;
  /**
   * What `prisma migrate dev --create-only` does: applies the pending migrations to the
   * database, then returns the script of the next migration (`migrationScript` is null when
   * the database already matches the datamodel). Writes nothing to disk.
   */
  createMigration(name: string, migrations: MigrationList, datamodel?: string): Promise<CreateMigrationOutput>;
  /** Schema sources for `diff`. */
  targets: {
    empty: DiffTarget;
    /** The schema text (by default the one the engine was opened with). */
    datamodel(text?: string): DiffTarget;
    /** The schema the migrations produce, replayed on a shadow database. */
    migrations(list: MigrationList): DiffTarget;
    /** The database at `url`, introspected (the engine no longer supports `url` targets). */
    database: DiffTarget;
  };
  close(): Promise<void>;
}

/** The schema text as the engine wants it: a list of named files. */
export function schemaFiles(datamodel: string): SchemasContainer {
  return { files: [{ path: 'schema.prisma', content: datamodel }] };
}

/** Opens the schema engine on a database. Call `close()` when done. */
export async function openSchemaEngine(options: OpenSchemaEngineOptions): Promise<SchemaEngineSession> {
  const SchemaEngine = await loadWasm();
  const adapters = forTheEngine(options.provider, adapterFactoryFor(options.provider, options.url));
  const engine = await SchemaEngine.new(
    { datamodels: [['schema.prisma', options.datamodel]] },
    (line: string) => options.onLog?.(line),
    bindMigrationAwareSqlAdapterFactory(adapters.factory),
  );
  openEngines += 1;
  let closed = false;

  // The `migrate dev` steps, in the order the WASM engine needs them.
  async function createMigration(name: string, migrations: MigrationList, datamodel: string) {
    // createMigration diffs from the database, so first bring it up to date (this also
    // creates _prisma_migrations on a fresh database, which devDiagnostic needs).
    await engine.applyMigrations({ migrationsList: migrations, filters: noFilters });
    // devDiagnostic must come right before createMigration: it sets up the shadow database
    // that createMigration uses ("shadow DB must be provided through an external factory"
    // otherwise), and any call in between, applyMigrations included, undoes that.
    const { action } = await engine.devDiagnostic({ migrationsList: migrations, filters: noFilters });
    if (action.tag === 'reset') {
      throw new Error(
        `The database at ${redact(options.url)} does not match the migrations; reset it (or use an empty one) before creating a migration. ${action.reason}`,
      );
    }
    return engine.createMigration({
      draft: false,
      migrationName: name,
      migrationsList: migrations,
      schema: schemaFiles(datamodel),
      filters: noFilters,
    });
  }

  return {
    diff: (from, to, { script = true } = {}) =>
      engine.diff({ from, to, script, exitCode: true, filters: noFilters }).catch(rethrowReadable),

    applyMigrations: (migrations) =>
      engine.applyMigrations({ migrationsList: migrations, filters: noFilters }).catch(rethrowReadable),

    createMigration: (name, migrations, datamodel = options.datamodel) =>
      createMigration(name, migrations, datamodel).catch(rethrowReadable),

    targets: {
      empty: { tag: 'empty' },
      datamodel: (text = options.datamodel) => ({ tag: 'schemaDatamodel', ...schemaFiles(text) }),
      migrations: (list) => ({ tag: 'migrations', ...list }),
      database: { tag: 'schemaDatasource', ...schemaFiles(options.datamodel), configDir: prismaDir },
    },

    async close() {
      if (closed) return;
      closed = true;
      engine.free();
      try {
        await adapters.closeAll();
      } finally {
        openEngines -= 1;
        clearLeftoverTimers();
      }
    },
  };
}

/**
 * Engine errors carry a trace of the engine's internal spans after the message
 * ("   0: schema_engine_wasm::..."); keep the message, which says what went wrong.
 */
function rethrowReadable(error: unknown): never {
  if (error instanceof Error) {
    const [message = error.message] = error.message.split(/\n\s+0: /);
    if (message !== error.message) {
      throw Object.assign(new Error(message.trim(), { cause: error }), { name: error.name });
    }
  }
  throw error;
}

/** A database URL with its password hidden, for messages. */
export function redact(url: string): string {
  return url.replace(/\/\/([^:/@]*):[^@]*@/, '//$1:***@');
}

// ---------------------------------------------------------------------------
// Scratch databases
// ---------------------------------------------------------------------------

export interface ScratchDatabase {
  url: string;
  drop(): Promise<void>;
}

/**
 * An empty database to work on, dropped by `drop()`. SQLite: a file in a new temporary
 * folder. PostgreSQL: a new database on the server of `serverUrl`, whose user needs the
 * CREATEDB privilege (the database named in `serverUrl` is only used to connect).
 */
export async function createScratchDatabase(provider: Provider, serverUrl?: string, label = 'scratch'): Promise<ScratchDatabase> {
  if (provider === 'sqlite') {
    const dir = mkdtempSync(path.join(os.tmpdir(), `provisioning-bot-${label}-`));
    return { url: `file:${path.join(dir, 'scratch.db')}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  if (!serverUrl) throw new Error('A PostgreSQL server URL is needed to create a scratch database.');
  const name = `${label}_${Date.now()}_${randomUUID().slice(0, 8)}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  const { Client: _poolClientClass, ...connection } = postgresPoolConfig(serverUrl);
  const onServer = async (sql: string) => {
    const client = new pg.Client(connection);
    await client.connect().catch((error: Error) => {
      throw new Error(`Cannot connect to PostgreSQL at ${redact(serverUrl)}: ${error.message}`, { cause: error });
    });
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await onServer(`CREATE DATABASE "${name}"`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => onServer(`DROP DATABASE IF EXISTS "${name}"`) };
}

// ---------------------------------------------------------------------------
// Migrations on disk (Prisma's layout: <dir>/<name>/migration.sql + migration_lock.toml)
// ---------------------------------------------------------------------------

export const lockfileName = 'migration_lock.toml';

/** The lock file text the prisma CLI writes next to the migrations. */
export function lockfileText(provider: Provider): string {
  return `# Please do not edit this file manually\n# It should be added in your version-control system (e.g., Git)\nprovider = "${provider}"\n`;
}

/**
 * A migrations folder as the engine takes it (what the prisma CLI reads before calling
 * it): each sub-folder with its migration.sql, in name order, and the lock file if any.
 * A missing folder is an empty list.
 */
export function readMigrations(dir: string): MigrationList {
  let names: string[] = [];
  try {
    names = readdirSync(dir, { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  names.sort((a, b) => a.localeCompare(b));
  return {
    baseDir: dir,
    lockfile: { path: lockfileName, content: readIfExists(path.join(dir, lockfileName)) },
    shadowDbInitScript: '',
    migrationDirectories: names.map((name) => {
      const file = path.join(dir, name, 'migration.sql');
      const content = readIfExists(file);
      return {
        path: name,
        migrationFile: {
          path: 'migration.sql',
          content: content === null ? { tag: 'error', value: `${file} is missing or unreadable` } : { tag: 'ok', value: content },
        },
      };
    }),
  };
}

function readIfExists(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}
