// SQLite through libsql. SQLite serialises writers itself: each migration runs in a
// BEGIN IMMEDIATE transaction that first re-checks whether another process applied it.
import type { Client, Row } from '@libsql/client';
import type { MigrationFile } from './migration-files.ts';
import { MigrationScriptError, type AppliedMigrationRow, type MigrationDriver } from './migration-driver.ts';
import { createSqliteClient } from './sqlite-client.ts';

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

function toRow(row: Row): AppliedMigrationRow {
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
  // Several instances may start at once on one file: their connections wait for the writer.
  const client: Client = createSqliteClient(fileUrl);
  // WAL lets the bot read while a job writes; the setting is stored in the file. Switching
  // needs the file to itself: when another instance is switching it at the same moment,
  // SQLite answers "busy" at once (no busy wait), and that instance's switch is enough.
  await client.execute('PRAGMA journal_mode = WAL').catch((error: { code?: string }) => {
    if (error.code !== 'SQLITE_BUSY') throw error;
  });

  return {
    withMigrationLock: (work) => work(),
    async ensureMigrationsTable() {
      await client.execute(createTable);
    },
    async readAppliedRows() {
      const result = await client.execute('SELECT * FROM "_prisma_migrations" ORDER BY "started_at", "migration_name"');
      return result.rows.map(toRow);
    },
    async applyMigration(migration, id, now) {
      const tx = await client.transaction('write');
      try {
        const already = await tx.execute({ sql: isApplied, args: [migration.name] });
        if (already.rows.length > 0) {
          await tx.rollback();
          return false;
        }
        await tx.executeMultiple(migration.sql).catch((error: unknown) => {
          throw new MigrationScriptError(error);
        });
        await tx.execute({
          sql: `INSERT INTO "_prisma_migrations" ("id", "checksum", "finished_at", "migration_name", "logs", "started_at", "applied_steps_count") VALUES (?, ?, ?, ?, NULL, ?, 1)`,
          args: [id, migration.checksum, now.getTime(), migration.name, now.getTime()],
        });
        await tx.commit();
        return true;
      } catch (error) {
        if (!tx.closed) await tx.rollback();
        throw error;
      } finally {
        tx.close();
      }
    },
    async recordFailedMigration(migration, id, startedAt, logs) {
      await client.execute({
        sql: `INSERT INTO "_prisma_migrations" ("id", "checksum", "finished_at", "migration_name", "logs", "started_at", "applied_steps_count") VALUES (?, ?, NULL, ?, ?, ?, 0)`,
        args: [id, migration.checksum, migration.name, logs, startedAt.getTime()],
      });
    },
    async markRolledBack(migrationName, now) {
      const result = await client.execute({
        sql: `UPDATE "_prisma_migrations" SET "rolled_back_at" = ? WHERE "migration_name" = ? AND "finished_at" IS NULL AND "rolled_back_at" IS NULL`,
        args: [now.getTime(), migrationName],
      });
      return result.rowsAffected;
    },
    async close() {
      client.close();
    },
  };
}
