// What callers use the engine for: `openSchemaEngine` opens the WASM engine on a database
// (through the adapters of ./adapters.ts) and returns a session whose methods are the
// handful of engine calls we need (`diff`, `applyMigrations`, `createMigration`) with our
// defaults filled in, the engine's quirks about call order handled, and its errors trimmed
// to a readable message. `close()` frees the engine and every connection it left open.
import type {
  ApplyMigrationsOutput,
  CreateMigrationOutput,
  DiffResult,
  DiffTarget,
  MigrationList,
  SchemaFilter,
  SchemasContainer,
} from '@prisma/schema-engine-wasm';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';
import { redactDatabaseUrl } from '../database-url.ts';
import { prismaDir, type Provider } from '../schemas.ts';
import { adapterFactoryFor, forTheEngine } from './adapters.ts';
import { engineClosed, engineOpened, loadWasm } from './wasm.ts';

/** We manage every table in the schema; nothing is "external". */
const noFilters: SchemaFilter = { externalTables: [], externalEnums: [] };

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
  engineOpened();
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
        `The database at ${redactDatabaseUrl(options.url)} does not match the migrations; reset it (or use an empty one) before creating a migration. ${action.reason}`,
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
        engineClosed();
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
