// Statements a service writes as SQL, run on SQLite by the embedded driver itself, each prepared
// once and kept:
// - outside transactions (the chat turn's redelivery claim and device with its timeline), on a
//   connection of this file's own;
// - inside a transaction that asked for it (inTransactionDirectly: the device API's group
//   commit), on that transaction's own connection (sqlite-transactions.ts), between its Prisma
//   statements, so a provision's dozen statements skip Prisma's layers too.
// Everything else, every statement on PostgreSQL and in other transactions, goes through Prisma.
//
// Why: through Prisma a statement costs its client runtime, the query interpreter, the driver
// adapter and @libsql/client (which prepares the SQL again each time and builds each row with
// Object.defineProperty per column): 150 µs of CPU for the status turn's joined read and 65 µs
// for the claim, against 20 µs each here (bench/tools/chat-ab.ts, notes in the commit).
//
// One SQL text for both paths: callers write a Prisma.Sql (`Prisma.sql\`…\``), which Prisma
// runs with PostgreSQL's placeholders and this file with SQLite's `?`.
//
// What stays the same as through Prisma:
// - Order with transactions. Prisma's libsql adapter runs nothing else while one of its
//   transactions is open (a mutex held from BEGIN to COMMIT), and the bot's transactions begin
//   DEFERRED: a write from another connection between a transaction's first read and its first
//   write would fail that transaction (SQLITE_BUSY_SNAPSHOT), and a write waiting for the lock
//   inside this synchronous driver would block the event loop the transaction needs to finish.
//   So a statement here runs only while no transaction of the client is open: the client's
//   transactions are watched (watchTransactions), and statements that arrive during one are
//   run the moment it ends, before anything else (a stream of transactions cannot starve them).
// - Values as Prisma stores and reads them: a Date is bound as Prisma's text form, a boolean
//   as 1/0; the DateTime columns a caller names come back as Dates.
// - Faults: the same busy timeout and synchronous mode as the client's connections, and on
//   SQLITE_READONLY / SQLITE_CANTOPEN the connection is dropped and the statement tried once
//   more on a new one (one statement fails before writing anything), as sqlite-client.ts does.
//   Both paths run on a KeptStatementsConnection (sqlite-connection.ts), so driver errors are
//   @libsql/client's LibsqlError (`code` SQLITE_…, `extendedCode`), which storage-errors.ts and
//   unique-violation.ts read.
import type { Client, Transaction as LibsqlTransaction, TransactionMode } from '@libsql/client';
import type { Prisma, PrismaClient } from '../generated/sqlite/client.ts';
import { sqliteFilePath } from './database-url.ts';
import { connectionIsStale, connectionSettings } from './sqlite-client.ts';
import { KeptStatementsConnection, type StatementRows } from './sqlite-connection.ts';
import { transactionStatements, type TransactionStatements, type TransactionWithStatements } from './sqlite-transactions.ts';

/** store.ts's DatabaseOrTransaction (named here without importing the store, which imports this file). */
type DatabaseOrTransaction = PrismaClient | Prisma.TransactionClient;


/**
 * Knows whether one of the client's transactions is open, and runs work when none is. The
 * client's transactions are seen through `watch`, which the store wraps its libsql client in.
 */
export class TransactionWatch {
  private open = 0;
  private waiting: Array<() => void> = [];
  /** The statements of the transaction open now (Prisma's adapter opens one at a time). */
  private current: TransactionStatements | null = null;

  /** The open transaction's own statements, if one is open on a connection that keeps them. */
  openTransactionStatements(): TransactionStatements | null {
    return this.open === 1 ? this.current : null;
  }

  /** `client`, telling this watch when each of its transactions begins and ends. */
  watch(client: Client): Client {
    const begin = async (mode?: TransactionMode): Promise<LibsqlTransaction> => {
      this.open++;
      let transaction: LibsqlTransaction;
      try {
        transaction = await client.transaction(mode);
      } catch (error) {
        this.ended();
        throw error;
      }
      this.current = (transaction as TransactionWithStatements)[transactionStatements] ?? null;
      return this.endsOnce(transaction);
    };
    return new Proxy(client, {
      get: (target, key, receiver) => (key === 'transaction' ? begin : Reflect.get(target, key, receiver)),
    });
  }

  /** Runs `work` now if no transaction is open, or as soon as the open ones ended. */
  run<T>(work: () => T): Promise<T> {
    if (this.open === 0) {
      try {
        return Promise.resolve(work());
      } catch (error) {
        return Promise.reject(error);
      }
    }
    return new Promise<T>((resolve, reject) => {
      this.waiting.push(() => {
        try {
          resolve(work());
        } catch (error) {
          reject(error);
        }
      });
    });
  }

  /** COMMIT, ROLLBACK or close settled (as the adapter releases its mutex, whatever the outcome). */
  private endsOnce(transaction: LibsqlTransaction): LibsqlTransaction {
    let done = false;
    const end = () => {
      if (done) return;
      done = true;
      this.ended();
    };
    const settle = <A extends unknown[], R>(call: (...args: A) => Promise<R>) =>
      async (...args: A): Promise<R> => {
        try {
          return await call(...args);
        } finally {
          end();
        }
      };
    const commit = settle(() => transaction.commit());
    const rollback = settle(() => transaction.rollback());
    const close = () => {
      try {
        transaction.close();
      } finally {
        end();
      }
    };
    return new Proxy(transaction, {
      get: (target, key, receiver) => (key === 'commit' ? commit : key === 'rollback' ? rollback : key === 'close' ? close : Reflect.get(target, key, receiver)),
    });
  }

  private ended(): void {
    this.open--;
    this.current = null;
    if (this.open > 0) return;
    // Synchronously, before the adapter hands its mutex to the next transaction.
    const ready = this.waiting;
    this.waiting = [];
    for (const work of ready) work();
  }
}

function bound(value: unknown): string | number | bigint | null {
  if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  // Prisma's libsql adapter's form (bulk-write.ts's storedDateTime).
  if (value instanceof Date) return value.toISOString().replace('Z', '+00:00');
  throw new TypeError(`a ${typeof value} cannot be bound to a statement`);
}

/**
 * A stored DateTime as a Date, read as Prisma reads it: Prisma's own text ("…+00:00"), a text
 * without a zone as UTC (SQLite's CURRENT_TIMESTAMP), or milliseconds since the epoch.
 */
export function storedDate(value: unknown): Date | null {
  if (value === null) return null;
  if (typeof value === 'number' || typeof value === 'bigint') return new Date(Number(value));
  if (typeof value === 'string') {
    const hasZone = /(Z|[+-]\d\d:?\d\d)$/i.test(value);
    const date = new Date(hasZone ? value : `${value.replace(' ', 'T')}Z`);
    if (!Number.isNaN(date.getTime())) return date;
  }
  throw new Error(`expected a stored date, got ${typeof value === 'string' ? JSON.stringify(value) : typeof value}`);
}

/** One connection of the bot's own to its SQLite file, with its statements kept prepared. */
export class DirectSqlite {
  private connection: KeptStatementsConnection | null = null;
  private closed = false;

  constructor(
    private readonly file: string,
    private readonly transactions: TransactionWatch,
  ) {}

  /** The statements of the store's transaction open now, if any (inTransactionDirectly). */
  openTransactionStatements(): TransactionStatements | null {
    return this.transactions.openTransactionStatements();
  }

  /** The rows of a read, its `dateColumns` as Dates. */
  query<Row>(query: Prisma.Sql, dateColumns: readonly string[]): Promise<Row[]> {
    return this.transactions.run(() => rowObjects<Row>(this.withConnection((connection) => connection.all(query.sql, query.values.map(bound))), dateColumns));
  }

  /** A write: how many rows it changed. */
  execute(query: Prisma.Sql): Promise<number> {
    return this.executeText(query.sql, query.values);
  }

  /** A write in SQLite's own placeholders (`?`), its values as Prisma.Sql's. */
  executeText(sql: string, values: readonly unknown[]): Promise<number> {
    return this.transactions.run(() => this.withConnection((connection) => connection.run(sql, values.map(bound))));
  }

  close(): void {
    this.closed = true;
    this.drop();
  }

  private withConnection<T>(use: (connection: KeptStatementsConnection) => T): T {
    try {
      return use(this.open());
    } catch (error) {
      // Errors are rare here (a taken unique key of an outbox message's dedupe key, say). A
      // statement stopped midway could keep its read snapshot open, so the connection goes
      // either way; the next statement opens another.
      this.drop();
      if (!connectionIsStale(error)) throw error;
      // Failed before writing anything: once more on a fresh connection.
      return use(this.open());
    }
  }

  private open(): KeptStatementsConnection {
    if (this.closed) throw new Error('The database client is closed');
    if (!this.connection) {
      const connection = new KeptStatementsConnection(this.file);
      try {
        for (const sql of connectionSettings) connection.apply(sql);
      } catch (error) {
        connection.close();
        throw error;
      }
      this.connection = connection;
    }
    return this.connection;
  }

  private drop(): void {
    const old = this.connection;
    this.connection = null;
    try {
      old?.close();
    } catch {
      // Already unusable: it is being replaced anyway.
    }
  }
}

const directConnections = new WeakMap<object, DirectSqlite>();
/** Prisma transaction clients whose statements here run on their open SQLite transaction (inTransactionDirectly). */
const directTransactions = new WeakMap<object, DirectSqlite>();

/**
 * Runs `work(tx)` with the statements queryRows and executeStatement get with `tx` run on its
 * open SQLite transaction itself, not through Prisma (`db` the store's client, `tx` Prisma's
 * transaction client of it, open now). Only while `work` runs: a transaction client kept
 * beyond it goes back to Prisma (which refuses a closed transaction). Elsewhere (PostgreSQL,
 * an in-memory database) `work(tx)` as it is.
 */
export async function inTransactionDirectly<Tx extends object, T>(db: object, tx: Tx, work: (tx: Tx) => Promise<T>): Promise<T> {
  const direct = directConnections.get(db);
  if (!direct) return work(tx);
  directTransactions.set(tx, direct);
  try {
    return await work(tx);
  } finally {
    directTransactions.delete(tx);
  }
}

/** The open transaction's statements for `tx`, when it runs directly and that transaction is the one open. */
function openStatementsOf(tx: object): TransactionStatements | null {
  return directTransactions.get(tx)?.openTransactionStatements() ?? null;
}

/** Rows as objects by column name, `dateColumns` as Dates (as Prisma gives them). */
function rowObjects<Row>({ columns, rows }: StatementRows, dateColumns: readonly string[]): Row[] {
  return rows.map((values) => {
    const row: Record<string, unknown> = {};
    for (let index = 0; index < columns.length; index++) row[columns[index]!] = values[index];
    for (const column of dateColumns) row[column] = storedDate(row[column]);
    return row as Row;
  });
}

/** Gives the store's client `db` (a file database, not in memory) a direct connection; `close` with the store. */
export function attachDirectSqlite(db: object, url: string, transactions: TransactionWatch): DirectSqlite | null {
  if (url.includes(':memory:')) return null;
  const direct = new DirectSqlite(sqliteFilePath(url), transactions);
  directConnections.set(db, direct);
  return direct;
}

/**
 * The rows of a read (`dateColumns` as Dates, as Prisma gives them): on the store's SQLite
 * client by the direct connection, otherwise (PostgreSQL, a transaction, a client of a test)
 * through Prisma.
 */
export function queryRows<Row>(db: DatabaseOrTransaction, query: Prisma.Sql, dateColumns: readonly string[]): Promise<Row[]> {
  const direct = directConnections.get(db);
  if (direct) return direct.query<Row>(query, dateColumns);
  const open = openStatementsOf(db);
  if (open) return settled(() => rowObjects<Row>(open.all(query.sql, query.values.map(bound)), dateColumns));
  return db.$queryRaw<Row[]>(query);
}

/** A write's count of changed rows, by the same rule as queryRows. */
export function executeStatement(db: DatabaseOrTransaction, query: Prisma.Sql): Promise<number> {
  const direct = directConnections.get(db);
  if (direct) return direct.execute(query);
  const open = openStatementsOf(db);
  if (open) return settled(() => open.run(query.sql, query.values.map(bound)));
  return db.$executeRaw(query);
}

/**
 * A write written for the store's provider already (`?` placeholders on SQLite, `$n` on
 * PostgreSQL; bulk-write.ts), values in stored form: by the rule of executeStatement (the
 * store's SQLite client, or an open transaction that runs directly), otherwise through Prisma.
 * How many rows it changed.
 */
export function executeSql(db: DatabaseOrTransaction, sql: string, values: readonly (string | number | boolean | null)[]): Promise<number> {
  const direct = directConnections.get(db);
  if (direct) return direct.executeText(sql, values);
  const open = openStatementsOf(db);
  if (open) return settled(() => open.run(sql, values.map(bound)));
  return db.$executeRawUnsafe(sql, ...values);
}

/** A synchronous statement's outcome as a promise (its error a rejection, as through Prisma). */
function settled<T>(statement: () => T): Promise<T> {
  try {
    return Promise.resolve(statement());
  } catch (error) {
    return Promise.reject(error);
  }
}
