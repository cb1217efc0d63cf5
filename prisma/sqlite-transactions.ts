// Transactions of the bot's Prisma client on SQLite, on a connection kept for transactions: each
// transaction ends (COMMIT or ROLLBACK) when Prisma says so, and its connection then waits for
// the next transaction instead of being thrown away.
//
// Why a connection of their own: @libsql/client's transaction() hands its connection to the
// transaction and opens a new one for itself, and the transaction never closes the connection
// it was handed: each such connection (its page cache, its schema, its statements) stayed in
// memory until V8 happened to collect the transaction object (peak RSS 1,010 MB over 1,200
// provisions in the device-api benchmark). So transactions run BEGIN … COMMIT on a connection
// this file owns.
//
// Why that connection is kept: opening one per transaction (open the file, read and parse the
// schema, set the pragmas, start with a cold page cache) cost more than the transaction's own
// statements: 1.9 ms of CPU per provision's transaction against 0.9 ms on a kept connection
// (its 16 statements replayed), 8.0-8.9 → 6.6-6.8 ms per provision through Prisma, and in the
// device-api benchmark's quick runs 9.5 → 7.0 ms of server CPU per provision (medians of 5);
// the bot's peak RSS over a full run fell from 699 to 547 MB.
//
// The connection is a KeptStatementsConnection (sqlite-connection.ts): the native driver with
// each statement prepared once, which also lets a service's own SQL run on the open transaction
// (`transactionStatements`, used by direct-sqlite.ts's inTransactionDirectly). Device API
// quick runs: 364-401 → 534-565 provisions/s from the kept statements alone.
//
// What stays the same: a transaction sees the file as it is now. A kept connection would keep
// writing through its open file after the file turned read-only, while every new connection
// fails; so before each transaction the file is checked (write access to the database and its
// WAL: two access() calls), and when that check fails the kept connection is dropped
// and the transaction opens a fresh one, which meets the fault as before (SQLITE_READONLY, see
// sqlite-client.ts). Prisma's libsql adapter runs one transaction at a time and nothing else on
// the client meanwhile; a second transaction that overlaps anyway gets a fresh connection of its
// own, closed when it ends. Transactions only execute statements: executeMultiple, which libsql
// would end with a ROLLBACK, is refused here (the migration runner, which needs it, keeps
// libsql's own transactions).
import { accessSync, constants } from 'node:fs';
import { createClient, type Client, type InStatement, type ResultSet, type Transaction, type TransactionMode } from '@libsql/client';
import { sqliteFilePath } from './database-url.ts';
import { applyConnectionSettings, connectionIsStale } from './sqlite-client.ts';
import { KeptStatementsConnection, type StatementRows } from './sqlite-connection.ts';

/** What a transaction needs of its connection (a KeptStatementsConnection, or @libsql/client's in tests). */
export type TransactionConnection = Pick<Client, 'execute' | 'close'> & { all?: KeptStatementsConnection['all']; run?: KeptStatementsConnection['run'] };

/**
 * The open transaction's own statements, on its connection (direct-sqlite.ts runs a service's
 * SQL there); only while the transaction is open, and only on a connection that keeps statements.
 */
export interface TransactionStatements {
  all(sql: string, values: readonly (string | number | bigint | null)[]): StatementRows;
  run(sql: string, values: readonly (string | number | bigint | null)[]): number;
}

/** A transaction of this file's carries its statements under this key. */
export const transactionStatements = Symbol('transaction statements');

export type TransactionWithStatements = Transaction & { [transactionStatements]?: TransactionStatements };

/** A file's connection keeps its statements; an in-memory database keeps @libsql/client's (each connection of which is a database of its own). */
function defaultConnection(url: string): TransactionConnection {
  return url.includes(':memory:') ? createClient({ url }) : new KeptStatementsConnection(sqliteFilePath(url));
}

const beginStatements: Record<TransactionMode, string> = {
  write: 'BEGIN IMMEDIATE',
  read: 'BEGIN TRANSACTION READONLY',
  deferred: 'BEGIN DEFERRED',
};

/**
 * Whether this process may write the database at `file` now (a permission change, a read-only
 * mount say no). `file` null: an in-memory database.
 */
function writableNow(file: string | null): boolean {
  if (file === null) return true;
  try {
    accessSync(file, constants.W_OK);
  } catch {
    return false;
  }
  try {
    accessSync(`${file}-wal`, constants.W_OK);
  } catch (error) {
    // No WAL file (yet): SQLite creates it in the folder, as a fresh connection would.
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') return false;
  }
  return true;
}

interface KeptConnection {
  client: TransactionConnection;
  /** Opened while the file was writable: a connection opened read-only stays so, and is never kept. */
  openedWritable: boolean;
}

/**
 * `client` with transactions on a connection to `url` of their own, kept from one transaction
 * to the next while the file stays writable. (`connect` opens a connection; tests pass their
 * own to watch it.)
 */
export function withTransactionConnection(client: Client, url: string, connect: (url: string) => TransactionConnection = defaultConnection): Client {
  const file = url.includes(':memory:') ? null : sqliteFilePath(url);
  let idle: KeptConnection | null = null;
  let closed = false;

  async function open(): Promise<KeptConnection> {
    const kept = idle;
    idle = null;
    if (kept && writableNow(file)) return kept;
    kept?.client.close();
    const connection = connect(url);
    try {
      await applyConnectionSettings(connection);
    } catch (error) {
      connection.close();
      throw error;
    }
    // Checked after opening: a file that turned read-only meanwhile makes this connection one that is not kept.
    return { client: connection, openedWritable: writableNow(file) };
  }

  /** After a clean end: kept for the next transaction, unless one is kept already or the client closed. */
  function release(connection: KeptConnection): void {
    if (!connection.openedWritable || idle || closed) connection.client.close();
    else idle = connection;
  }

  return new Proxy(client, {
    get(target, property) {
      if (property === 'transaction') return async (mode: TransactionMode = 'write') => beginOn(await open(), mode, release);
      if (property === 'close')
        return () => {
          closed = true;
          idle?.client.close();
          idle = null;
          target.close();
        };
      const value = Reflect.get(target, property, target) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

async function beginOn(kept: KeptConnection, mode: TransactionMode, release: (connection: KeptConnection) => void): Promise<TransactionWithStatements> {
  const connection = kept.client;
  try {
    await connection.execute(beginStatements[mode]);
  } catch (error) {
    connection.close();
    throw error;
  }
  let open = true;
  /** A connection that met a storage failure (read-only, unreachable) is not kept: a fresh one sees the file as it is. */
  let healthy = true;

  const ensureOpen = () => {
    if (!open) throw new Error('The transaction is closed');
  };
  /**
   * Ends the transaction with `sql`; the connection goes back for the next transaction. A COMMIT
   * that fails leaves the transaction open, so it is rolled back explicitly (its write lock must
   * not outlive this call) and the connection is closed: a connection that failed is not kept.
   */
  const end = async (sql: 'COMMIT' | 'ROLLBACK') => {
    if (!open) return;
    open = false;
    try {
      await connection.execute(sql);
    } catch (error) {
      if (sql === 'COMMIT') await connection.execute('ROLLBACK').catch(() => {});
      connection.close();
      throw error;
    }
    if (healthy) release(kept);
    else connection.close();
  };
  const execute = async (statement: InStatement): Promise<ResultSet> => {
    ensureOpen();
    try {
      return await connection.execute(statement);
    } catch (error) {
      if (connectionIsStale(error)) healthy = false;
      throw error;
    }
  };

  /** A service's statement on this transaction: runs only while it is open; a storage failure keeps the connection from being reused. */
  const direct = <T>(use: () => T): T => {
    ensureOpen();
    try {
      return use();
    } catch (error) {
      if (connectionIsStale(error)) healthy = false;
      throw error;
    }
  };
  const { all, run } = connection;
  const statements: TransactionStatements | undefined =
    all && run
      ? {
          all: (sql, values) => direct(() => all.call(connection, sql, values)),
          run: (sql, values) => direct(() => run.call(connection, sql, values)),
        }
      : undefined;

  return {
    [transactionStatements]: statements,
    execute,
    async batch(statements: InStatement[]): Promise<ResultSet[]> {
      const results: ResultSet[] = [];
      for (const statement of statements) results.push(await execute(statement));
      return results;
    },
    async executeMultiple(): Promise<void> {
      throw new Error('executeMultiple is not available inside this transaction (libsql would roll it back); run the statements one by one');
    },
    commit: () => end('COMMIT'),
    rollback: () => end('ROLLBACK'),
    close() {
      void end('ROLLBACK').catch(() => {
        // Nothing was left to roll back (the connection failed): it is closed either way.
      });
    },
    get closed() {
      return !open;
    },
  };
}
