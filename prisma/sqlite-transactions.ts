// Transactions of the bot's Prisma client on SQLite, each on a connection of its own that is
// closed when the transaction ends.
//
// Why: @libsql/client's transaction() hands its connection to the transaction and opens a new
// one for itself, and the transaction never closes the connection it was handed: commit and
// rollback only end the transaction. Each such connection (its page cache, its schema, its
// statements) stays in memory until V8 happens to collect the transaction object, which it has
// no reason to do soon: it does not see the native memory. A closed connection is freed as
// soon as its statements are (young objects, collected often). In the device-api benchmark
// (one transaction per provision, plus the outbox's) the bot's peak RSS over 1,200 provisions
// was 1,010 MB without this and 430 MB with it (and 110 → 150 provisions/s).
//
// What stays the same: a fresh connection per transaction, with the same busy timeout, so a
// transaction sees the file as it is now (a file that turned read-only refuses it; see
// sqlite-client.ts). Prisma's libsql adapter runs one transaction at a time and nothing else
// on the client meanwhile, and its transactions only execute statements: executeMultiple,
// which libsql would end with a ROLLBACK, is refused here (the migration runner, which needs
// it, keeps libsql's own transactions).
import { createClient, type Client, type InStatement, type ResultSet, type Transaction, type TransactionMode } from '@libsql/client';
import { sqliteBusyTimeoutMs, sqliteSynchronous } from './sqlite-client.ts';

const beginStatements: Record<TransactionMode, string> = {
  write: 'BEGIN IMMEDIATE',
  read: 'BEGIN TRANSACTION READONLY',
  deferred: 'BEGIN DEFERRED',
};

/**
 * `client` with transactions that open their own connection to `url` and close it when they
 * end. (`connect` opens that connection; tests pass their own to watch it.)
 */
export function withClosingTransactions(client: Client, url: string, connect: (url: string) => Client = (target) => createClient({ url: target })): Client {
  return new Proxy(client, {
    get(target, property) {
      if (property === 'transaction') return (mode: TransactionMode = 'write') => beginOnOwnConnection(connect(url), mode);
      const value = Reflect.get(target, property, target) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

async function beginOnOwnConnection(connection: Client, mode: TransactionMode): Promise<Transaction> {
  try {
    await connection.execute(`PRAGMA busy_timeout = ${sqliteBusyTimeoutMs}`);
    await connection.execute(sqliteSynchronous);
    await connection.execute(beginStatements[mode]);
  } catch (error) {
    connection.close();
    throw error;
  }
  let open = true;

  const ensureOpen = () => {
    if (!open) throw new Error('The transaction is closed');
  };
  /**
   * Ends the transaction with `sql`, then closes its connection. A COMMIT that fails leaves the
   * transaction open, and libsql keeps a closed connection alive while its statements are, so
   * the transaction is rolled back explicitly: its write lock must not outlive this call.
   */
  const end = async (sql: 'COMMIT' | 'ROLLBACK') => {
    if (!open) return;
    open = false;
    try {
      await connection.execute(sql);
    } catch (error) {
      if (sql === 'COMMIT') await connection.execute('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      connection.close();
    }
  };
  const execute = async (statement: InStatement): Promise<ResultSet> => {
    ensureOpen();
    return connection.execute(statement);
  };

  return {
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
