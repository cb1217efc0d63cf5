// SQLite through libsql. SQLite serialises writers itself: each migration runs in a
// BEGIN IMMEDIATE transaction that first re-checks whether another process applied it.
//
// One native connection for everything (sqlite-connection.ts), transactions included (BEGIN and
// COMMIT as statements): the driver runs one step at a time. @libsql/client's transaction()
// would hand each migration a connection of its own, opening the file and reading its schema
// again each time: most of a first start's migration time (20 migrations).
import { sqliteFilePath } from './database-url.ts';
import { MigrationScriptError, type AppliedMigrationRow, type MigrationDriver } from './migration-driver.ts';
import { applyConnectionSettings } from './sqlite-client.ts';
import { KeptStatementsConnection, type StatementRows } from './sqlite-connection.ts';

// Prisma's own layout for SQLite; dates are stored as milliseconds since the epoch, as Prisma does.
const createTable = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    TEXT PRIMARY KEY NOT NULL,
    "checksum"              TEXT NOT NULL,
    "finished_at"           DATETIME,
    "migration_name"        TEXT NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        DATETIME,
    "started_at"            DATETIME NOT NULL DEFAULT current_timestamp,
    "applied_steps_count"   INTEGER UNSIGNED NOT NULL DEFAULT 0
)`;

function toDate(value: unknown): Date | null {
  if (value === null || value === undefined) return null;
  return new Date(typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : (value as string | number));
}

/** Each row as an object keyed by column name. */
function rowsByName({ columns, rows }: StatementRows): Record<string, unknown>[] {
  return rows.map((row) => Object.fromEntries(columns.map((column, index) => [column, row[index]])));
}

function toRow(row: Record<string, unknown>): AppliedMigrationRow {
  return {
    id: String(row.id),
    checksum: String(row.checksum),
    migrationName: String(row.migration_name),
    finishedAt: toDate(row.finished_at),
    rolledBackAt: toDate(row.rolled_back_at),
    logs: row.logs === null ? null : String(row.logs),
  };
}

const isApplied = `SELECT 1 FROM "_prisma_migrations" WHERE "migration_name" = ? AND "finished_at" IS NOT NULL AND "rolled_back_at" IS NULL`;

export async function openSqliteMigrationDriver(fileUrl: string): Promise<MigrationDriver> {
  // Several instances may start at once on one file: their connections wait for the writer (busy timeout).
  const connection = new KeptStatementsConnection(sqliteFilePath(fileUrl));
  await applyConnectionSettings(connection);
  // WAL lets the bot read while a job writes; the setting is stored in the file. Switching
  // needs the file to itself: when another instance is switching it at the same moment,
  // SQLite answers "busy" at once (no busy wait), and that instance's switch is enough.
  try {
    connection.apply('PRAGMA journal_mode = WAL');
  } catch (error) {
    if ((error as { code?: string }).code !== 'SQLITE_BUSY') throw error;
  }

  return {
    withMigrationLock: (work) => work(),
    async ensureMigrationsTable() {
      connection.apply(createTable);
    },
    async readAppliedRows() {
      return rowsByName(connection.all('SELECT * FROM "_prisma_migrations" ORDER BY "started_at", "migration_name"', [])).map(toRow);
    },
    async applyMigration(migration, id, now) {
      connection.apply('BEGIN IMMEDIATE');
      try {
        if (connection.all(isApplied, [migration.name]).rows.length > 0) {
          connection.apply('ROLLBACK');
          return false;
        }
        try {
          connection.script(migration.sql);
        } catch (error) {
          throw new MigrationScriptError(error);
        }
        connection.run(
          `INSERT INTO "_prisma_migrations" ("id", "checksum", "finished_at", "migration_name", "logs", "started_at", "applied_steps_count") VALUES (?, ?, ?, ?, NULL, ?, 1)`,
          [id, migration.checksum, now.getTime(), migration.name, now.getTime()],
        );
        connection.apply('COMMIT');
        return true;
      } catch (error) {
        // After some errors SQLite has rolled back already; then there is nothing left to undo.
        try {
          connection.apply('ROLLBACK');
        } catch {
          // no transaction is active
        }
        throw error;
      }
    },
    async recordFailedMigration(migration, id, startedAt, logs) {
      connection.run(
        `INSERT INTO "_prisma_migrations" ("id", "checksum", "finished_at", "migration_name", "logs", "started_at", "applied_steps_count") VALUES (?, ?, NULL, ?, ?, ?, 0)`,
        [id, migration.checksum, migration.name, logs, startedAt.getTime()],
      );
    },
    async markRolledBack(migrationName, now) {
      return connection.run(`UPDATE "_prisma_migrations" SET "rolled_back_at" = ? WHERE "migration_name" = ? AND "finished_at" IS NULL AND "rolled_back_at" IS NULL`, [
        now.getTime(),
        migrationName,
      ]);
    },
    async close() {
      connection.close();
    },
  };
}
