// The baselines of the import and codes benchmarks: the same rows written with the raw driver
// under Prisma (@libsql/client for SQLite, pg for PostgreSQL) in one transaction, the fastest
// way measured here to write them. No ORM, no validation: the limit the service can approach.
// - SQLite: multi-row INSERTs (10,000 devices: one INSERT per row ≈ 290 ms, multi-row ≈ 85 ms).
// - PostgreSQL: INSERT … SELECT FROM unnest(<one array parameter per column>), about 15%
//   faster than multi-row VALUES here.
//
// Values are encoded as Prisma's driver adapters write them (SQLite: DateTime as the text
// "2026-11-22T21:15:43.354+00:00"; PostgreSQL: TIMESTAMP(3) of the UTC wall time), so the
// rows are the ones the service writes.
import { createClient, type InArgs } from '@libsql/client';
import pg from 'pg';
import { prepareSqliteUrl, providerOf } from '../../prisma/database-url.ts';
import { postgresPoolConfig } from '../../prisma/schema-engine/index.ts';
import type { Provider } from '../../prisma/schemas.ts';

export type RawValue = string | number | Date | null;

/** How each baseline writes, for the results table. */
export const rawDriverName: Record<Provider, string> = {
  sqlite: 'raw @libsql/client, multi-row INSERTs',
  postgresql: 'raw pg, INSERT … SELECT FROM unnest(arrays)',
};

export interface RawWrites {
  /** One statement with positional `?` parameters (turned into $1… on PostgreSQL); returns the rows changed. */
  execute(sql: string, args?: readonly RawValue[]): Promise<number>;
  /** Inserts rows (a value per column, in `columns` order) in as few statements as the driver allows. */
  insert(table: string, columns: readonly string[], rows: readonly (readonly RawValue[])[]): Promise<void>;
}

export interface RawDatabase extends RawWrites {
  provider: Provider;
  /** Runs `work` in one transaction: committed if it resolves, rolled back if it throws. */
  transaction(work: (tx: RawWrites) => Promise<void>): Promise<void>;
  /** The first column of the first row, as a number (e.g. a COUNT). */
  number(sql: string, args?: readonly RawValue[]): Promise<number>;
  /**
   * The rows of a query, each an array of its columns' values as the driver gives them: times
   * are text on SQLite ("2026-11-22T21:15:43.354+00:00") and Dates on PostgreSQL (read as UTC).
   */
  rows(sql: string, args?: readonly RawValue[]): Promise<unknown[][]>;
  close(): Promise<void>;
}

/** SQLite allows 32,766 parameters per statement. */
const sqliteParametersPerStatement = 32_000;

const sqliteDateTime = (date: Date) => date.toISOString().replace('Z', '+00:00');
const postgresTimestamp = (date: Date) => date.toISOString().replace('T', ' ').replace('Z', '');
const quoted = (name: string) => `"${name}"`;

async function openSqlite(databaseUrl: string): Promise<RawDatabase> {
  const client = createClient({ url: prepareSqliteUrl(databaseUrl) });
  await client.execute('PRAGMA busy_timeout = 15000');
  const encode = (args: readonly RawValue[]): InArgs => args.map((value) => (value instanceof Date ? sqliteDateTime(value) : value));
  const writes = (run: (sql: string, args: InArgs) => Promise<number>): RawWrites => ({
    execute: (sql, args = []) => run(sql, encode(args)),
    async insert(table, columns, rows) {
      const perStatement = Math.floor(sqliteParametersPerStatement / columns.length);
      const tuple = `(${columns.map(() => '?').join(', ')})`;
      const into = `INSERT INTO ${quoted(table)} (${columns.map(quoted).join(', ')}) VALUES `;
      for (let start = 0; start < rows.length; start += perStatement) {
        const chunk = rows.slice(start, start + perStatement);
        await run(into + chunk.map(() => tuple).join(', '), encode(chunk.flat()));
      }
    },
  });
  return {
    provider: 'sqlite',
    ...writes(async (sql, args) => (await client.execute({ sql, args })).rowsAffected),
    async transaction(work) {
      const tx = await client.transaction('write');
      try {
        await work(writes(async (sql, args) => (await tx.execute({ sql, args })).rowsAffected));
        await tx.commit();
      } finally {
        tx.close();
      }
    },
    number: async (sql, args = []) => Number((await client.execute({ sql, args: encode(args) })).rows[0]?.[0]),
    rows: async (sql, args = []) => (await client.execute({ sql, args: encode(args) })).rows.map((row) => Array.from(row)),
    close: async () => client.close(),
  };
}

/** The array type of a column for unnest, from its values (all of one kind, or null). */
function postgresArrayType(values: readonly RawValue[]): string {
  const sample = values.find((value) => value !== null);
  if (sample instanceof Date) return 'timestamp(3)[]';
  return typeof sample === 'number' ? 'int[]' : 'text[]';
}

async function openPostgres(databaseUrl: string): Promise<RawDatabase> {
  const { Client: _poolClientClass, ...connection } = postgresPoolConfig(databaseUrl);
  // timestamp(3) columns hold UTC wall time (as Prisma writes them): read them as UTC, not local time.
  const utcTimestamp = (text: string) => new Date(`${text.replace(' ', 'T')}Z`);
  const types = { getTypeParser: ((oid: number, format?: 'text' | 'binary') => (oid === pg.types.builtins.TIMESTAMP ? utcTimestamp : pg.types.getTypeParser(oid, format))) as typeof pg.types.getTypeParser };
  const client = new pg.Client({ ...connection, types });
  await client.connect();
  const encode = (value: RawValue) => (value instanceof Date ? postgresTimestamp(value) : value);
  // One connection runs one query at a time: callers that ask for several at once (Promise.all)
  // wait their turn here, as node-postgres would queue them (it deprecates doing that for us).
  let previous: Promise<unknown> = Promise.resolve();
  const query = (sql: string, args: readonly unknown[]) => {
    let position = 0;
    const text = sql.replace(/\?/g, () => `$${++position}`);
    const result = previous.catch(() => undefined).then(() => client.query({ text, values: [...args], rowMode: 'array' }));
    previous = result;
    return result;
  };
  const writes: RawWrites = {
    execute: async (sql, args = []) => (await query(sql, args.map(encode))).rowCount ?? 0,
    async insert(table, columns, rows) {
      if (rows.length === 0) return;
      // A column of nulls only is left out (it gets NULL anyway): its array type cannot be told.
      const filled = columns.map((column, index) => ({ column, values: rows.map((row) => row[index] ?? null) })).filter(({ values }) => values.some((value) => value !== null));
      const casts = filled.map(({ values }) => `?::${postgresArrayType(values)}`).join(', ');
      const names = filled.map(({ column }) => quoted(column)).join(', ');
      await query(`INSERT INTO ${quoted(table)} (${names}) SELECT * FROM unnest(${casts})`, filled.map(({ values }) => values.map(encode)));
    },
  };
  return {
    provider: 'postgresql',
    ...writes,
    async transaction(work) {
      await client.query('BEGIN');
      try {
        await work(writes);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      }
    },
    number: async (sql, args = []) => Number((await query(sql, args.map(encode))).rows[0]?.[0]),
    rows: async (sql, args = []) => (await query(sql, args.map(encode))).rows as unknown[][],
    close: () => client.end(),
  };
}

export function openRawDatabase(databaseUrl: string): Promise<RawDatabase> {
  return providerOf(databaseUrl) === 'sqlite' ? openSqlite(databaseUrl) : openPostgres(databaseUrl);
}
