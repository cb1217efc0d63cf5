// The bot's SQLite connections (the transactions' in sqlite-transactions.ts, the store client's
// in sqlite-client.ts, direct-sqlite.ts's own): the native driver under @libsql/client, with each
// statement prepared once and kept.
//
// Why: @libsql/client prepares every statement again on each call, asks the driver for its
// columns twice and builds each row with Object.defineProperty per column. A provision's
// transaction repeats the same dozen statement texts for every device: kept, they cost the
// driver a bind and a step. It also lets the statements a service writes as SQL run on the
// open transaction itself (`statements`, see direct-sqlite.ts), without Prisma's layers.
//
// What stays as @libsql/client did it, for Prisma's libsql adapter (the only reader of these
// results; it reads rows by index): the same values bound (booleans as 1/0, a Date as its
// milliseconds, an ArrayBuffer as a Buffer, undefined refused), integers read as numbers (an
// integer beyond 2^53 is an error, not a rounded number), blobs read as ArrayBuffers, the
// declared column types, and errors as LibsqlError with the extended code and raw code the
// adapter maps to Prisma's (a unique violation stays P2002).
import { LibsqlError, type InStatement, type ResultSet } from '@libsql/client';
// The native driver under @libsql/client (the same package and version).
import Libsql from 'libsql';

type LibsqlDatabase = Libsql.Database;
type LibsqlStatement = Libsql.Statement<unknown[]>;

/** Texts kept prepared per connection; Prisma writes a handful per model and query shape. */
const maxKeptStatements = 256;

interface Kept {
  statement: LibsqlStatement;
  reader: boolean;
  columns: string[];
  columnTypes: string[];
}

type SqlValue = string | number | bigint | Buffer | null;

/** @libsql/client's valueToSql, for its default intMode ("number"). */
function bindable(value: unknown): SqlValue {
  if (value === null || typeof value === 'string') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RangeError('Only finite numbers (not Infinity or NaN) can be passed as arguments');
    return value;
  }
  if (typeof value === 'bigint') {
    if (value < -(2n ** 63n) || value > 2n ** 63n - 1n) throw new RangeError('bigint is too large to be represented as a 64-bit integer and passed as argument');
    return value;
  }
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value instanceof ArrayBuffer) return Buffer.from(value);
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (value instanceof Date) return value.valueOf();
  if (value === undefined) throw new TypeError('undefined cannot be passed as argument to the database');
  throw new TypeError(`Unsupported type of value: ${typeof value}`);
}

/** @libsql/client's valueFromSql, for intMode "number" (statements read with safe integers). */
function readable(value: unknown): unknown {
  if (typeof value === 'bigint') {
    if (value < BigInt(Number.MIN_SAFE_INTEGER) || value > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new RangeError('Received integer which cannot be safely represented as a JavaScript number');
    }
    return Number(value);
  }
  if (value instanceof Buffer) return value.buffer.slice(value.byteOffset, value.byteOffset + value.byteLength);
  return value;
}

/**
 * The driver's rows with each value readable, converted in place: the driver hands over a new
 * array per row, and mapping it into another doubled the garbage of a large read (the update
 * planner reads 55,000 rows at a big site).
 */
function readableRows(rows: unknown[][]): unknown[][] {
  for (const row of rows) {
    for (let index = 0; index < row.length; index++) {
      const value = row[index];
      if (typeof value === 'bigint' || value instanceof Buffer) row[index] = readable(value);
    }
  }
  return rows;
}

/** SQLite's error as @libsql/client gives it (the adapter reads rawCode). */
function libsqlErrorOf(error: unknown): unknown {
  // The driver's own errors, and what its constructor throws unconverted (flagged libsqlError).
  if (!(error instanceof Libsql.SqliteError) && !(error as { libsqlError?: boolean } | null)?.libsqlError) return error;
  const { code, rawCode } = error as { code: string; rawCode?: number; message: string };
  const base = rawCode === undefined ? 'SQLITE_UNKNOWN' : baseCodeOf(code, rawCode);
  return new LibsqlError((error as Error).message, base, code, rawCode, error as Error);
}

/** "SQLITE_CONSTRAINT_UNIQUE" → "SQLITE_CONSTRAINT": the base code, as @libsql/client names it. */
function baseCodeOf(extended: string, rawCode: number): string {
  if ((rawCode & 0xff) === rawCode) return extended;
  const match = /^(SQLITE_[A-Z]+)(_[A-Z_]+)?$/.exec(extended);
  return match?.[1] ?? `SQLITE_UNKNOWN_${(rawCode & 0xff).toString()}`;
}

/** A statement's rows, each an array in column order; its `columns` name them. */
export interface StatementRows {
  columns: string[];
  rows: unknown[][];
}

/** One native connection to a SQLite file, with its statements kept. */
export class KeptStatementsConnection {
  private readonly statements = new Map<string, Kept>();
  private database: LibsqlDatabase | null;

  constructor(file: string) {
    try {
      this.database = new Libsql(file);
    } catch (error) {
      throw libsqlErrorOf(error);
    }
  }

  get closed(): boolean {
    return this.database === null;
  }

  /** As @libsql/client's execute, for Prisma's adapter and the transaction's own statements. */
  async execute(statement: InStatement | string): Promise<ResultSet> {
    const sql = typeof statement === 'string' ? statement : statement.sql;
    const args = typeof statement === 'string' || statement.args === undefined ? [] : statement.args;
    if (!Array.isArray(args)) throw new TypeError('named arguments are not used by the bot');
    const kept = this.kept(sql);
    try {
      if (kept.reader) {
        const rows = readableRows(kept.statement.all(args.map(bindable)) as unknown[][]);
        return { columns: kept.columns, columnTypes: kept.columnTypes, rows, rowsAffected: 0, lastInsertRowid: undefined } as unknown as ResultSet;
      }
      const info = kept.statement.run(args.map(bindable));
      return { columns: [], columnTypes: [], rows: [], rowsAffected: info.changes, lastInsertRowid: BigInt(info.lastInsertRowid) } as unknown as ResultSet;
    } catch (error) {
      throw libsqlErrorOf(error);
    }
  }

  /**
   * A statement written by a service (direct-sqlite.ts), values already in stored form: its
   * rows (a read) or how many rows it changed (a write). Synchronous, like the driver.
   */
  all(sql: string, values: readonly SqlValue[]): StatementRows {
    const kept = this.kept(sql);
    try {
      return { columns: kept.columns, rows: readableRows(kept.statement.all(values) as unknown[][]) };
    } catch (error) {
      throw libsqlErrorOf(error);
    }
  }

  run(sql: string, values: readonly SqlValue[]): number {
    const kept = this.kept(sql);
    try {
      return kept.statement.run(values).changes;
    } catch (error) {
      throw libsqlErrorOf(error);
    }
  }

  /** A statement run for its effect, whatever it returns (a PRAGMA setting). */
  apply(sql: string): void {
    const kept = this.kept(sql);
    try {
      if (kept.reader) kept.statement.all([]);
      else kept.statement.run([]);
    } catch (error) {
      throw libsqlErrorOf(error);
    }
  }

  /** Several statements separated by semicolons (a migration's script), none of them kept. */
  script(sql: string): void {
    if (!this.database) throw new LibsqlError('The client is closed', 'CLIENT_CLOSED');
    try {
      this.database.exec(sql);
    } catch (error) {
      throw libsqlErrorOf(error);
    }
  }

  close(): void {
    const database = this.database;
    this.database = null;
    this.statements.clear();
    database?.close();
  }

  private kept(sql: string): Kept {
    const found = this.statements.get(sql);
    if (found) return found;
    if (!this.database) throw new LibsqlError('The client is closed', 'CLIENT_CLOSED');
    let statement: LibsqlStatement;
    try {
      statement = this.database.prepare(sql) as LibsqlStatement;
    } catch (error) {
      throw libsqlErrorOf(error);
    }
    statement.safeIntegers(true);
    const reader = statement.reader;
    if (reader) statement.raw(true);
    const described = reader ? (statement.columns() as { name: string; type: string | null }[]) : [];
    const kept: Kept = { statement, reader, columns: described.map((column) => column.name), columnTypes: described.map((column) => column.type ?? '') };
    if (this.statements.size >= maxKeptStatements) this.statements.delete(this.statements.keys().next().value!);
    this.statements.set(sql, kept);
    return kept;
  }
}
