// Writing thousands of rows at once (a CSV import, codes for a whole site) in a few
// multi-row statements instead of Prisma's createMany/updateMany: through the libsql
// driver adapter those cost about 0.15 ms per row each (issue 6's import benchmark), while
// one INSERT … VALUES (…), (…), … per chunk costs a fraction of that.
//
// Everything goes through the transaction's raw query API with a Prisma `Sql` object, so
// Prisma itself writes the placeholders each provider wants (`?` for SQLite, `$1…` for
// PostgreSQL; SQLite parses thousands of named `$n` parameters in quadratic time).
//
// Values are stored as Prisma stores them (the bulk-write test reads rows written here and by
// Prisma back and compares them, on both providers):
// - a Date is sent as the text "2026-11-22T21:15:43.354+00:00": exactly what Prisma's libsql
//   adapter stores on SQLite (where dates are compared as text, so the form matters), and
//   what PostgreSQL reads into a timestamp(3) column as the same UTC time. Sent as a Date, each
//   one costs Prisma's raw path about 5 µs (toString, toJSON, JSON, parsed back, formatted
//   again): a third of a 10,000-row import's time.
// - null is written as the literal NULL rather than a parameter: fewer parameters per row.
import { Prisma } from '../generated/sqlite/client.ts';
import { executeSql } from './direct-sqlite.ts';
import { onPostgres } from './client-provider.ts';
import type { DatabaseOrTransaction } from './store.ts';

/**
 * Bound parameters per statement: SQLite's SQLITE_MAX_VARIABLE_NUMBER (32,766 since 3.32,
 * also in libsql); PostgreSQL allows 65,535. The lower one fits both.
 */
export const maxParametersPerStatement = 32_766;

/** The tables written in bulk, and the columns Prisma's createMany accepts for each. */
interface BulkTables {
  Device: Prisma.DeviceCreateManyInput;
  AuditEvent: Prisma.AuditEventCreateManyInput;
  VerificationCode: Prisma.VerificationCodeCreateManyInput;
  ProvisioningAttempt: Prisma.ProvisioningAttemptCreateManyInput;
  FirmwareUpdate: Prisma.FirmwareUpdateCreateManyInput;
  PostedCard: Prisma.PostedCardCreateManyInput;
  OutboxMessage: Prisma.OutboxMessageCreateManyInput;
}

export type BulkTable = keyof BulkTables;

/**
 * A row with every column named: a raw INSERT applies none of Prisma's defaults (@default(now()),
 * @updatedAt), and the database's own (CURRENT_TIMESTAMP) would store dates in another text
 * format on SQLite, which breaks comparisons. DateTime columns take a Date only, never a string,
 * so that the adapter formats them.
 */
export type CompleteRow<T extends BulkTable> = {
  [K in keyof BulkTables[T]]-?: Date extends Exclude<BulkTables[T][K], undefined>
    ? Date | Extract<BulkTables[T][K], null>
    : Exclude<BulkTables[T][K], undefined>;
};

type ColumnValue = string | number | boolean | Date | null;

/** A Date as Prisma's SQLite adapter stores it ("…Z" becomes "…+00:00"); PostgreSQL reads it as the same UTC time. */
export function storedDateTime(date: Date): string {
  return date.toISOString().replace('Z', '+00:00');
}

/** One value of a statement: NULL inline, anything else a bound parameter (dates as stored text). */
function valueSql(value: ColumnValue, dates: Map<Date, string>): Prisma.Sql | string | number | boolean {
  if (value === null) return Prisma.raw('NULL');
  if (!(value instanceof Date)) return value;
  // Rows of one call mostly share one Date object (the time of the change): format it once.
  let text = dates.get(value);
  if (text === undefined) dates.set(value, (text = storedDateTime(value)));
  return text;
}

/** Table and column names are spliced into SQL: only plain identifiers are accepted. */
function quotedName(identifier: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(identifier)) throw new Error(`"${identifier}" is not a plain SQL identifier`);
  return `"${identifier}"`;
}

function quoted(identifier: string): Prisma.Sql {
  return Prisma.raw(quotedName(identifier));
}

/** How many rows of `columnCount` columns one statement can carry. */
export function rowsPerStatement(columnCount: number, reservedParameters = 0): number {
  const rows = Math.floor((maxParametersPerStatement - reservedParameters) / columnCount);
  if (rows < 1) throw new Error(`${columnCount} columns do not fit in one statement`);
  return rows;
}

/** The columns every row names, checked: a row missing one would silently get the database's default. */
function columnsOf(rows: readonly Record<string, unknown>[]): string[] {
  const columns = Object.keys(rows[0] ?? {});
  for (const [index, row] of rows.entries()) {
    const keys = Object.keys(row);
    if (keys.length !== columns.length || columns.some((column) => row[column] === undefined)) {
      throw new Error(`row ${index} does not name the same columns as row 0 (${columns.join(', ')}), or leaves one undefined`);
    }
  }
  return columns;
}

/** A value as it is bound: a Date as stored text (formatted once per Date object), anything else as is. */
function boundValue(value: ColumnValue, dates: Map<Date, string>): string | number | boolean | null {
  if (!(value instanceof Date)) return value;
  let text = dates.get(value);
  if (text === undefined) dates.set(value, (text = storedDateTime(value)));
  return text;
}

/**
 * Inserts every row, in as few statements as the parameter limit allows, inside the caller's
 * transaction (a failure in any chunk fails the call; the caller's transaction rolls back).
 * Returns the number of rows inserted. `skipExisting`: a row that would break a unique
 * constraint is left out instead (ON CONFLICT DO NOTHING, the same on both databases): one
 * statement where Prisma's upsert needs a transaction of three.
 *
 * A column whose value is the same in every row (the tenant, the actor, the time of the change)
 * is bound once per statement, not once per row; a column that is NULL in every row is the
 * literal NULL. Codes for 10,000 devices then bind about 50,000 values instead of 200,000:
 * Prisma's raw path costs about a microsecond per bound value (serialised to JSON, read back,
 * mapped for the driver), and the garbage of it as much again. How the shared values are named:
 * - PostgreSQL: by number in each row, `VALUES ($3, $1, $4), ($5, $1, $6)`.
 * - SQLite: numbered parameters would cost quadratic time there (the driver asks the name of
 *   every parameter, and SQLite finds the name of a numbered one by walking all of them), so
 *   every parameter is a plain `?` and the shared ones come first, in the SELECT list:
 *   `INSERT … SELECT v."column1", ?, v."column2" FROM (VALUES (?, ?), (?, ?)) AS v`.
 */
export async function insertRows<T extends BulkTable>(db: DatabaseOrTransaction, table: T, rows: readonly CompleteRow<T>[], options: { skipExisting?: boolean } = {}): Promise<number> {
  if (rows.length === 0) return 0;
  const records = rows as readonly Record<string, ColumnValue>[];
  const columns = columnsOf(records);
  const postgres = onPostgres(db);
  const dates = new Map<Date, string>();
  const first = records[0] ?? {};
  // Per column: the value every row shares (bound once), or undefined when the rows differ.
  const shared = columns.map((column) => {
    const value = boundValue(first[column] ?? null, dates);
    return records.every((row) => boundValue(row[column] ?? null, dates) === value) ? value : undefined;
  });
  const sharedValues = shared.filter((value): value is string | number | boolean => value !== undefined && value !== null);
  const ownColumns = columns.filter((_, index) => shared[index] === undefined);
  const into = `INSERT INTO ${quotedName(table)} (${columns.map(quotedName).join(', ')}) `;
  const chunkSize = rowsPerStatement(Math.max(ownColumns.length, 1), sharedValues.length);
  let inserted = 0;
  for (let start = 0; start < records.length; start += chunkSize) {
    const chunk = records.slice(start, start + chunkSize);
    const values: (string | number | boolean | null)[] = [...sharedValues];
    let sql: string;
    if (postgres) {
      // $1…$k: the shared values, in column order.
      let sharedNumber = 0;
      const sharedSql = shared.map((value) => (value === undefined ? undefined : value === null ? 'NULL' : `$${++sharedNumber}`));
      const tuples = chunk.map((row) => {
        const cells = columns.map((column, index) => {
          const common = sharedSql[index];
          if (common !== undefined) return common;
          const value = boundValue(row[column] ?? null, dates);
          if (value === null) return 'NULL';
          values.push(value);
          return `$${values.length}`;
        });
        return `(${cells.join(', ')})`;
      });
      sql = `${into}VALUES ${tuples.join(', ')}`;
    } else if (ownColumns.length === 0) {
      // Every column shared (one row, or identical rows): VALUES of the shared parameters.
      const tuple = `(${shared.map((value) => (value === null ? 'NULL' : '?')).join(', ')})`;
      values.length = 0;
      for (const _row of chunk) values.push(...sharedValues);
      sql = `${into}VALUES ${chunk.map(() => tuple).join(', ')}`;
    } else {
      let own = 0;
      const select = shared.map((value) => (value === undefined ? `v."column${++own}"` : value === null ? 'NULL' : '?'));
      const tuples = chunk.map((row) => {
        const cells = ownColumns.map((column) => {
          const value = boundValue(row[column] ?? null, dates);
          if (value === null) return 'NULL';
          values.push(value);
          return '?';
        });
        return `(${cells.join(', ')})`;
      });
      // WHERE true: SQLite reads "SELECT … ON CONFLICT" as a join without it.
      sql = `${into}SELECT ${select.join(', ')} FROM (VALUES ${tuples.join(', ')}) AS v${options.skipExisting ? ' WHERE true' : ''}`;
    }
    if (options.skipExisting) sql += ' ON CONFLICT DO NOTHING';
    inserted += await executeSql(db, sql, values);
  }
  return inserted;
}

export interface UpdateWhereIn<T extends BulkTable> {
  /** The columns to set, the same on every row. */
  set: Partial<CompleteRow<T>>;
  /** Equality conditions every updated row must also meet (e.g. tenant and expected state). */
  where: Partial<CompleteRow<T>>;
  /** The column matched against `values`, e.g. "id". */
  column: keyof CompleteRow<T> & string;
  values: readonly string[];
}

/**
 * UPDATE table SET … WHERE column IN (values) AND each `where` condition, in chunks within the
 * parameter limit. Returns the number of rows changed, so a caller can compare and set.
 */
export async function updateWhereIn<T extends BulkTable>(db: DatabaseOrTransaction, table: T, update: UpdateWhereIn<T>): Promise<number> {
  if (update.values.length === 0) return 0;
  const pairs = (record: object) => Object.entries(record).filter(([, value]) => value !== undefined) as [string, ColumnValue][];
  const set = pairs(update.set);
  if (set.length === 0) throw new Error('updateWhereIn needs at least one column to set');
  const dates = new Map<Date, string>();
  const assignments = Prisma.join(set.map(([column, value]) => Prisma.sql`${quoted(column)} = ${valueSql(value, dates)}`));
  const conditions = pairs(update.where).map(([column, value]) =>
    value === null ? Prisma.sql`${quoted(column)} IS NULL` : Prisma.sql`${quoted(column)} = ${valueSql(value, dates)}`,
  );
  const chunkSize = rowsPerStatement(1, set.length + conditions.length);
  let changed = 0;
  for (let start = 0; start < update.values.length; start += chunkSize) {
    const matched = Prisma.sql`${quoted(update.column)} IN (${Prisma.join(update.values.slice(start, start + chunkSize))})`;
    const where = Prisma.join([matched, ...conditions], ' AND ');
    changed += await db.$executeRaw(Prisma.sql`UPDATE ${quoted(table)} SET ${assignments} WHERE ${where}`);
  }
  return changed;
}
