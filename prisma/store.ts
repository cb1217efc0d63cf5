// Opens the store the rest of the bot uses: migrations applied first, then a Prisma client
// on the driver adapter that DATABASE_URL calls for. Both generated clients come from the
// same models, so the rest of the code sees one `Database` type.
import { createClient, type Config as LibsqlConfig, type Client as LibsqlClient } from '@libsql/client';
import { PrismaLibSql } from '@prisma/adapter-libsql';
import { PrismaClient as SqliteClient, type Prisma } from '../generated/sqlite/client.ts';
import { prepareSqliteUrl, providerOf } from './database-url.ts';
import { readMigrationFiles } from './migration-files.ts';
import { createSqliteClient } from './sqlite-client.ts';
import { withTransactionConnection } from './sqlite-transactions.ts';
import { attachDirectSqlite, TransactionWatch } from './direct-sqlite.ts';
import { applyMigrations, type MigrationLog } from './migrator.ts';
import { refreshPlannerStatistics } from './planner-statistics.ts';
import { migrationsDirFor, type Provider } from './schemas.ts';
import { describeStorageFailure, storageFailureOf } from './storage-errors.ts';
import { errorSummary } from './error-summary.ts';
import { lastJobRunsOf, lastJobRunsSql, type LastJobRun } from './last-job-runs.ts';

export type Database = SqliteClient;
/** The client inside `db.$transaction(async (tx) => …)`: repositories accept either. */
export type Transaction = Prisma.TransactionClient;
export type DatabaseOrTransaction = Database | Transaction;

export interface Readiness {
  ready: boolean;
  reason?: string;
}

export interface Store {
  db: Database;
  provider: Provider;
  /** Database reachable and every migration of this version applied. */
  checkReadiness(): Promise<Readiness>;
  /** Each job's last run, for /readyz: read without Prisma (see last-job-runs.ts). Not cached. */
  lastJobRuns(): Promise<Map<string, LastJobRun>>;
  /** Loads Prisma's query compiler and opens a connection (the first query's cost), ahead of need; never fails. */
  warmUp(): Promise<void>;
  close(): Promise<void>;
}

/** Prisma's libsql adapter, on connections that wait for other writers and renew themselves (see sqlite-client.ts). */
class WaitingPrismaLibSql extends PrismaLibSql {
  /** When the client's transactions are open (the direct statements of direct-sqlite.ts wait for them). */
  readonly transactions = new TransactionWatch();

  override createClient(config: LibsqlConfig): LibsqlClient {
    return this.transactions.watch(withTransactionConnection(createSqliteClient(config.url, { keptStatements: true }), config.url));
  }
}

/**
 * What readiness asks the database: the migrations applied, and a write that changes nothing
 * but needs write access (a read-only file, server or transaction refuses it). Not the queries
 * of any feature: "can it read, can it write".
 */
type ReadinessProbe = () => Promise<string[]>;
/** Runs one read-only statement for /readyz, without Prisma on SQLite. */
type ReadinessRead = (sql: string) => Promise<Record<string, unknown>[]>;

const appliedMigrationsSql = 'SELECT "migration_name" FROM "_prisma_migrations" WHERE "finished_at" IS NOT NULL AND "rolled_back_at" IS NULL';
const noOpWriteSql = 'UPDATE "_prisma_migrations" SET "logs" = "logs" WHERE 1 = 0';
const probeBusyTimeoutMs = 5_000;
/** How long one readiness answer is reused (a flood of /readyz must not become a flood of writes). */
export const readinessCacheMs = 1_500;

/**
 * SQLite's probe runs on a connection of its own, opened for each check: the bot's working
 * connection may predate a permission change and still write through its open file, while
 * every new connection (and so, from its next transaction on, the bot) fails. A fresh one
 * sees the file as it is now.
 */
function sqliteProbe(url: string): ReadinessProbe {
  return async () => {
    const client = createClient({ url });
    try {
      await client.execute(`PRAGMA busy_timeout = ${probeBusyTimeoutMs}`);
      const applied = (await client.execute(appliedMigrationsSql)).rows.map((row) => String(row.migration_name));
      await client.execute(noOpWriteSql);
      return applied;
    } finally {
      client.close();
    }
  };
}

/** SQLite's reads for /readyz: on a connection of their own, like the probe (no Prisma, so no query compiler to load). */
function sqliteRead(url: string): ReadinessRead {
  return async (sql) => {
    const client = createClient({ url });
    try {
      return (await client.execute(sql)).rows as unknown as Record<string, unknown>[];
    } finally {
      client.close();
    }
  };
}

/** PostgreSQL's probe goes through the pool the bot uses: a stopped server fails both. */
function prismaProbe(db: Database): ReadinessProbe {
  return async () => {
    const rows = await db.$queryRawUnsafe<{ migration_name: string }[]>(appliedMigrationsSql);
    await db.$executeRawUnsafe(noOpWriteSql);
    return rows.map((row) => row.migration_name);
  };
}

/**
 * Every transaction's defaults. Prisma's own (wait 2 s for a connection or SQLite's single
 * writer, run 5 s) turn a burst of requests into errors: the load drill lost 78 of 1,000
 * provisions to "Unable to start a transaction in the given time". Waiting longer is what a
 * user expects of a busy bot; bulk work (imports, codes, sweeps) sets longer runs of its own.
 */
export const transactionDefaults = { maxWait: 30_000, timeout: 30_000 } as const;

/** PostgreSQL connections per instance unless DATABASE_POOL_SIZE says otherwise (node-postgres' own default). */
export const defaultPoolSize = 10;

async function connect(databaseUrl: string, provider: Provider, poolSize: number, log: MigrationLog | undefined): Promise<{ db: Database; probe: ReadinessProbe; read: ReadinessRead; close?: () => void }> {
  if (provider === 'sqlite') {
    // libsql enforces foreign keys by default; WAL mode was set by the migration runner.
    const url = prepareSqliteUrl(databaseUrl);
    const adapter = new WaitingPrismaLibSql({ url });
    const db = new SqliteClient({ adapter, transactionOptions: transactionDefaults });
    // The statements of every chat turn skip Prisma's layers (direct-sqlite.ts).
    const direct = attachDirectSqlite(db, url, adapter.transactions);
    // The planner's statistics as of now (planner-statistics.ts); the housekeeping job keeps them
    // fresh. They only help the planner choose: a file that cannot be written now (read-only,
    // locked) still opens, and /readyz says what is wrong with it.
    try {
      await refreshPlannerStatistics(db);
    } catch (error) {
      log?.warn({ reason: errorSummary(error) }, 'SQLite planner statistics not refreshed at start; the hourly housekeeping job tries again');
    }
    return { db, probe: sqliteProbe(url), read: sqliteRead(url), close: () => direct?.close() };
  }
  // Same models, same generated API: only the SQL dialect inside differs. Loaded only here, so
  // a bot on SQLite never loads the PostgreSQL client and driver.
  const [{ PrismaClient: PostgresClient }, { PrismaPg }] = await Promise.all([import('../generated/postgresql/client.ts'), import('@prisma/adapter-pg')]);
  const db = new PostgresClient({ adapter: new PrismaPg({ connectionString: databaseUrl, max: poolSize }), transactionOptions: transactionDefaults }) as unknown as Database;
  // node-postgres' pool drops broken connections by itself and opens new ones on demand.
  return { db, probe: prismaProbe(db), read: (sql) => db.$queryRawUnsafe<Record<string, unknown>[]>(sql) };
}

export async function openStore(databaseUrl: string, options: { log?: MigrationLog; poolSize?: number } = {}): Promise<Store> {
  const provider = providerOf(databaseUrl);
  await applyMigrations(databaseUrl, options);
  const { db, probe, read, close: closeDirect } = await connect(databaseUrl, provider, options.poolSize ?? defaultPoolSize, options.log);
  const expectedMigrations = readMigrationFiles(migrationsDirFor(provider)).map((file) => file.name);

  // /readyz is open to anyone: its probe (a read and a write) runs at most once per
  // readinessCacheMs, however often it is asked; callers in between share the last answer.
  let lastCheck: { at: number; answer: Promise<Readiness> } | null = null;

  async function check(): Promise<Readiness> {
    try {
      const applied = new Set(await probe());
      const pending = expectedMigrations.filter((name) => !applied.has(name));
      return pending.length === 0 ? { ready: true } : { ready: false, reason: `migrations not applied: ${pending.join(', ')}` };
    } catch (error) {
      const failure = storageFailureOf(error);
      if (!failure) return { ready: false, reason: `database error: ${errorSummary(error)}` };
      return { ready: false, reason: `storage unavailable: ${describeStorageFailure(failure)}` };
    }
  }

  return {
    db,
    provider,
    checkReadiness() {
      const now = Date.now();
      if (!lastCheck || now - lastCheck.at >= readinessCacheMs) lastCheck = { at: now, answer: check() };
      return lastCheck.answer;
    },
    lastJobRuns: async () => lastJobRunsOf(await read(lastJobRunsSql)),
    async warmUp() {
      try {
        await db.$queryRawUnsafe('SELECT 1');
      } catch {
        // An unreachable database shows on /readyz and in the first request's error, not here.
      }
    },
    close: () => {
      closeDirect?.();
      return db.$disconnect();
    },
  };
}
