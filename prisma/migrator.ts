// The project's own migration runner: applies prisma/**/migrations/*/migration.sql in name
// order with the plain driver and records each in Prisma's `_prisma_migrations` table, so
// stock `prisma migrate status` agrees with it. It runs at start-up and as `npm run db:migrate`.
//
// Rules, as Prisma's `migrate deploy` has them:
// - a migration is applied once, even when several instances start at the same moment;
// - a migration that fails is rolled back and recorded with its error, and every later run
//   refuses to continue until someone fixes the cause and marks it rolled back.
import { randomUUID } from 'node:crypto';
import { openSqliteMigrationDriver } from './migration-driver-sqlite.ts';
import { MigrationScriptError, type AppliedMigrationRow, type MigrationDriver } from './migration-driver.ts';
import { readMigrationFiles } from './migration-files.ts';
import { prepareSqliteUrl, providerOf } from './database-url.ts';
import { migrationsDirFor } from './schemas.ts';

export interface MigrationLog {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

export interface MigrationOutcome {
  applied: string[];
  alreadyApplied: string[];
}

export class MigrationError extends Error {
  override name = 'MigrationError';
}

const silentLog: MigrationLog = { info() {}, warn() {} };

async function openDriver(databaseUrl: string): Promise<MigrationDriver> {
  return providerOf(databaseUrl) === 'sqlite'
    ? openSqliteMigrationDriver(prepareSqliteUrl(databaseUrl))
    : // Loaded only for PostgreSQL: a bot on SQLite never loads the pg driver.
      (await import('./migration-driver-postgresql.ts')).openPostgresMigrationDriver(databaseUrl);
}

async function withDriver<T>(databaseUrl: string, work: (driver: MigrationDriver) => Promise<T>): Promise<T> {
  const driver = await openDriver(databaseUrl);
  try {
    return await work(driver);
  } finally {
    await driver.close();
  }
}

const isSuccessful = (row: AppliedMigrationRow) => row.finishedAt !== null && row.rolledBackAt === null;
const isFailed = (row: AppliedMigrationRow) => row.finishedAt === null && row.rolledBackAt === null;

function refuseAfterFailure(rows: AppliedMigrationRow[]): void {
  const failed = rows.find(isFailed);
  if (!failed) return;
  throw new MigrationError(
    `Migration ${failed.migrationName} failed earlier and the database may be half-changed; refusing to apply more. ` +
      `Error recorded: ${firstLine(failed.logs)}. Fix the cause in the database, then run ` +
      `"npm run db:migrate -- --rolled-back ${failed.migrationName}" and start again.`,
  );
}

function firstLine(text: string | null): string {
  return (text ?? 'none').split('\n')[0] ?? 'none';
}

export async function applyMigrations(
  databaseUrl: string,
  options: { log?: MigrationLog; migrationsDir?: string; now?: () => Date } = {},
): Promise<MigrationOutcome> {
  const log = options.log ?? silentLog;
  const now = options.now ?? (() => new Date());
  const files = readMigrationFiles(options.migrationsDir ?? migrationsDirFor(providerOf(databaseUrl)));

  return withDriver(databaseUrl, (driver) =>
    driver.withMigrationLock(async () => {
      await driver.ensureMigrationsTable();
      const rows = await driver.readAppliedRows();
      refuseAfterFailure(rows);
      warnAboutDivergence(rows, files, log);

      const done = new Set(rows.filter(isSuccessful).map((row) => row.migrationName));
      const outcome: MigrationOutcome = { applied: [], alreadyApplied: [] };
      for (const migration of files) {
        if (done.has(migration.name)) {
          outcome.alreadyApplied.push(migration.name);
          continue;
        }
        const id = randomUUID();
        const startedAt = now();
        try {
          const appliedHere = await driver.applyMigration(migration, id, now());
          (appliedHere ? outcome.applied : outcome.alreadyApplied).push(migration.name);
          if (appliedHere) log.info({ migration: migration.name }, 'migration applied');
        } catch (error) {
          if (!(error instanceof MigrationScriptError)) {
            throw new MigrationError(`Could not apply migration ${migration.name}, nothing was changed: ${error instanceof Error ? error.message : String(error)}. Start again once the database is reachable and not locked.`);
          }
          const message = error.message;
          await driver.recordFailedMigration(migration, id, startedAt, message);
          throw new MigrationError(
            `Migration ${migration.name} failed and was rolled back: ${message}. Nothing after it was applied. ` +
              `Fix the cause, then run "npm run db:migrate -- --rolled-back ${migration.name}" and start again.`,
          );
        }
      }
      return outcome;
    }),
  );
}

function warnAboutDivergence(rows: AppliedMigrationRow[], files: ReturnType<typeof readMigrationFiles>, log: MigrationLog): void {
  const byName = new Map(files.map((file) => [file.name, file]));
  for (const row of rows.filter(isSuccessful)) {
    const file = byName.get(row.migrationName);
    if (!file) {
      log.warn({ migration: row.migrationName }, 'the database has a migration this version does not know (a newer version ran here?)');
    } else if (file.checksum !== row.checksum) {
      log.warn({ migration: row.migrationName }, 'a migration was edited after it was applied; the database keeps the applied version');
    }
  }
}

/** Marks a failed migration as rolled back, once its cause was fixed by hand, so migrations can go on. */
export async function markMigrationRolledBack(databaseUrl: string, migrationName: string, now = new Date()): Promise<void> {
  const changed = await withDriver(databaseUrl, async (driver) => {
    await driver.ensureMigrationsTable();
    return driver.markRolledBack(migrationName, now);
  });
  if (changed === 0) {
    throw new MigrationError(`No failed migration named ${migrationName} is recorded; nothing was changed. Run "npm run db:migrate" to see the state.`);
  }
}
