// A libsql client whose connections wait for other writers, and which gets a fresh connection
// when its file changed under it.
//
// Waiting: libsql opens a new connection after each transaction (the old one goes to the
// transaction), and a new connection has no busy timeout: another process writing (a second
// instance, `npm run db:migrate` while the bot runs) would fail at once with SQLITE_BUSY. The
// busy timeout is applied to each connection before its first use.
//
// Fresh connections: a connection opened while the file was read-only (or could not be
// opened) stays read-only after the file is writable again; and one opened before the file
// turned read-only keeps writing through its open file descriptors while every new one
// fails. So on SQLITE_READONLY / SQLITE_CANTOPEN the connection is dropped and the call
// tried once more on a new one: such a call failed before writing anything, so repeating it
// is safe.
import { createClient, type Client, type InStatement, type InArgs, type ResultSet, type TransactionMode } from '@libsql/client';
import { sqliteFilePath } from './database-url.ts';
import { KeptStatementsConnection } from './sqlite-connection.ts';
import { storageFailureOf } from './storage-errors.ts';

export const sqliteBusyTimeoutMs = 15_000;

/**
 * WAL's recommended durability: a commit is not fsynced (the WAL is, at checkpoints). A crash or
 * kill of the bot loses nothing; a power cut may lose the last commits, never consistency. With
 * the default (FULL) every commit waits for the disk: 8-15 ms here, one commit at a time, which
 * capped the chat and device API near 30-60 requests/s (bench/benchmarks/chat.ts, device-api.ts).
 */
export const sqliteSynchronous = 'PRAGMA synchronous = NORMAL';

/** Failed before writing anything, and a new connection may succeed where this one cannot. */
export function connectionIsStale(error: unknown): boolean {
  const kind = storageFailureOf(error)?.kind;
  return kind === 'read_only' || kind === 'unreachable';
}

/**
 * How many rows of each index ANALYZE samples (prisma/planner-statistics.ts): enough for the
 * planner's choices, and about 2 ms at 100,000 devices instead of reading every index whole.
 */
export const sqliteAnalysisLimit = 400;

/** What each connection runs before its first statement: wait for other writers, WAL's durability (above), a bounded ANALYZE. */
export const connectionSettings: readonly string[] = [`PRAGMA busy_timeout = ${sqliteBusyTimeoutMs}`, sqliteSynchronous, `PRAGMA analysis_limit = ${sqliteAnalysisLimit}`];

/** The settings each connection gets before its first statement. */
export async function applyConnectionSettings(connection: { execute(sql: string): Promise<unknown> }): Promise<void> {
  for (const sql of connectionSettings) await connection.execute(sql);
}

/**
 * Refreshes of SQLite's planner statistics in this process (prisma/planner-statistics.ts).
 * SQLite reads the statistics when a connection opens and keeps them: a connection kept open
 * across a refresh would plan with the old ones for as long as it lives. So one opened before
 * the last refresh is replaced by a new one at its next use (once an hour; `ANALYZE
 * sqlite_schema`, which reloads them in place, takes the write lock and failed as busy).
 */
export const plannerStatistics = { refreshes: 0 };

/** A connection opened on first use and given its settings before its first statement. */
class LazyConnection<C extends { execute(sql: string): Promise<unknown>; close(): void }> {
  private connection: C | null = null;
  private isNew = true;
  /** The planner statistics it has: those of this many refreshes. */
  private statisticsOf = 0;

  constructor(private readonly open: () => C) {}

  async get(): Promise<C> {
    if (this.connection && this.statisticsOf !== plannerStatistics.refreshes) this.drop();
    if (!this.connection) {
      this.connection = this.open();
      this.isNew = true;
    }
    if (this.isNew) {
      await applyConnectionSettings(this.connection);
      this.isNew = false;
      this.statisticsOf = plannerStatistics.refreshes;
    }
    return this.connection;
  }

  /** The client behind it swapped its connection (see transaction below): settings again on next use. */
  renewed(): void {
    this.isNew = true;
  }

  /** Closes it; the next use opens another. */
  drop(): void {
    const old = this.connection;
    this.connection = null;
    try {
      old?.close();
    } catch {
      // Already unusable: it is being replaced anyway.
    }
  }
}

/**
 * `keptStatements`: single statements (`execute`, all Prisma's adapter runs outside
 * transactions) go to a connection that keeps them prepared (sqlite-connection.ts), whose rows
 * are read by index only, as the adapter does. Without it, rows are @libsql/client's (by name too).
 */
export function createSqliteClient(url: string, options: { keptStatements?: boolean } = {}): Client {
  let closed = false;
  const opened = <C>(open: () => C) => () => {
    if (closed) throw new Error('The database client is closed');
    return open();
  };
  const current = new LazyConnection(opened(() => createClient({ url })));
  const kept = new LazyConnection(opened(() => new KeptStatementsConnection(sqliteFilePath(url))));
  const keepStatements = options.keptStatements === true && !url.includes(':memory:');

  /** Drops the current connections; the next call opens new ones. */
  function reopen(): void {
    current.drop();
    kept.drop();
  }

  /** One statement, on the kept connection: tried once more on a fresh one if it met a stale file. */
  async function executeKept(statement: InStatement): Promise<ResultSet> {
    try {
      return await (await kept.get()).execute(statement);
    } catch (error) {
      if (!connectionIsStale(error)) throw error;
      reopen();
      return (await kept.get()).execute(statement);
    }
  }

  async function attempt<T>(use: (client: Client) => Promise<T>): Promise<T> {
    return use(await current.get());
  }

  /** `retry`: only for calls that are atomic (one statement, or one transaction). */
  async function call<T>(use: (client: Client) => Promise<T>, retry = true): Promise<T> {
    try {
      return await attempt(use);
    } catch (error) {
      if (!connectionIsStale(error)) throw error;
      reopen();
      if (!retry) throw error;
      return attempt(use);
    }
  }

  return {
    get closed() {
      return closed;
    },
    protocol: 'file',
    execute: ((statement: InStatement | string, args?: InArgs) =>
      keepStatements
        ? executeKept(typeof statement === 'string' ? { sql: statement, args: args ?? [] } : statement)
        : call((client) => (typeof statement === 'string' ? client.execute(statement, args) : client.execute(statement)))) as Client['execute'],
    batch: (statements, mode) => call((client) => client.batch(statements, mode)),
    migrate: (statements) => call((client) => client.migrate(statements)),
    // Several statements, each committed on its own: one may have been written already.
    executeMultiple: (sql) => call((client) => client.executeMultiple(sql), false),
    transaction: ((mode?: TransactionMode) =>
      call(async (client) => {
        const transaction = await client.transaction(mode);
        // The transaction took the connection; the client opens a fresh one on next use.
        current.renewed();
        return transaction;
      })) as Client['transaction'],
    sync: () => call((client) => client.sync(), false),
    reconnect: reopen,
    close() {
      closed = true;
      reopen();
    },
  };
}
