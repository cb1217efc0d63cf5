// What the migration runner needs from a database, written once per provider with the
// plain driver (no Prisma engine involved), so that migrations run offline.
import type { MigrationFile } from './migration-files.ts';

/**
 * The migration's own SQL failed. Only this is recorded as a failed migration; any other
 * error (a lock that could not be had, a lost connection) leaves no trace and can be retried.
 */
export class MigrationScriptError extends Error {
  override name = 'MigrationScriptError';
  constructor(readonly original: unknown) {
    super(original instanceof Error ? original.message : String(original));
  }
}

/** A row of Prisma's own `_prisma_migrations` table (the columns Prisma's CLI reads). */
export interface AppliedMigrationRow {
  id: string;
  checksum: string;
  migrationName: string;
  finishedAt: Date | null;
  rolledBackAt: Date | null;
  logs: string | null;
}

export interface MigrationDriver {
  /** Runs `work` while no other instance can run migrations on this database. */
  withMigrationLock<T>(work: () => Promise<T>): Promise<T>;
  ensureMigrationsTable(): Promise<void>;
  readAppliedRows(): Promise<AppliedMigrationRow[]>;
  /**
   * Applies one migration and records it as finished, atomically. Returns false (and changes
   * nothing) when another instance recorded it in the meantime.
   */
  applyMigration(migration: MigrationFile, id: string, now: Date): Promise<boolean>;
  /** Records a migration that failed, as Prisma does: finished_at stays empty, logs hold the error. */
  recordFailedMigration(migration: MigrationFile, id: string, startedAt: Date, logs: string): Promise<void>;
  markRolledBack(migrationName: string, now: Date): Promise<number>;
  close(): Promise<void>;
}
