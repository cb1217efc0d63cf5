// PostgreSQL through node-postgres. Instances that start together serialise on Prisma's
// own advisory lock key, so each migration is applied once and `prisma migrate` agrees.
import pg from 'pg';
import type { MigrationFile } from './migration-files.ts';
import { MigrationScriptError, type AppliedMigrationRow, type MigrationDriver } from './migration-driver.ts';

const prismaAdvisoryLockKey = 72707369;

const createTable = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

interface PgRow {
  id: string;
  checksum: string;
  migration_name: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
  logs: string | null;
}

export async function openPostgresMigrationDriver(databaseUrl: string): Promise<MigrationDriver> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();

  return {
    async withMigrationLock(work) {
      await client.query('SELECT pg_advisory_lock($1)', [prismaAdvisoryLockKey]);
      try {
        return await work();
      } finally {
        await client.query('SELECT pg_advisory_unlock($1)', [prismaAdvisoryLockKey]);
      }
    },
    async ensureMigrationsTable() {
      await client.query(createTable);
    },
    async readAppliedRows() {
      const result = await client.query<PgRow>('SELECT * FROM "_prisma_migrations" ORDER BY "started_at", "migration_name"');
      return result.rows.map((row) => ({
        id: row.id,
        checksum: row.checksum,
        migrationName: row.migration_name,
        finishedAt: row.finished_at,
        rolledBackAt: row.rolled_back_at,
        logs: row.logs,
      }));
    },
    async applyMigration(migration, id, now) {
      // The advisory lock is held, so no other runner can have applied it since we read the table.
      await client.query('BEGIN');
      try {
        await client.query(migration.sql).catch((error: unknown) => {
          throw new MigrationScriptError(error);
        });
        await client.query(
          `INSERT INTO "_prisma_migrations" ("id", "checksum", "finished_at", "migration_name", "logs", "started_at", "applied_steps_count") VALUES ($1, $2, $3, $4, NULL, $3, 1)`,
          [id, migration.checksum, now, migration.name],
        );
        await client.query('COMMIT');
        return true;
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      }
    },
    async recordFailedMigration(migration, id, startedAt, logs) {
      await client.query(
        `INSERT INTO "_prisma_migrations" ("id", "checksum", "finished_at", "migration_name", "logs", "started_at", "applied_steps_count") VALUES ($1, $2, NULL, $3, $4, $5, 0)`,
        [id, migration.checksum, migration.name, logs, startedAt],
      );
    },
    async markRolledBack(migrationName, now) {
      const result = await client.query(
        `UPDATE "_prisma_migrations" SET "rolled_back_at" = $1 WHERE "migration_name" = $2 AND "finished_at" IS NULL AND "rolled_back_at" IS NULL`,
        [now, migrationName],
      );
      return result.rowCount ?? 0;
    },
    async close() {
      await client.end();
    },
  };
}
