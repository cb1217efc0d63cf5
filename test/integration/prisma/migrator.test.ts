// The migration runner against real databases: SQLite on a temporary file, PostgreSQL on a
// scratch database of the server in TEST_POSTGRES_URL. Each test starts from an empty
// database and reads the result back with the plain driver, as `prisma migrate status` would.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createClient } from '@libsql/client';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { applyMigrations, markMigrationRolledBack, MigrationError, type MigrationOutcome } from '../../../prisma/migrator.ts';
import { createScratchDatabase, type ScratchDatabase } from '../../../prisma/schema-engine/index.ts';
import { migrationsDirFor, prismaDir, projectDir, type Provider } from '../../../prisma/schemas.ts';
import { postgresServerUrl, skipPostgres } from '../../helpers/postgres.ts';

type Row = Record<string, unknown>;

/** Runs one statement on its own connection, so nothing the runner holds open is reused. */
async function query(url: string, sql: string): Promise<Row[]> {
  if (url.startsWith('file:')) {
    const client = createClient({ url });
    try {
      return (await client.execute(sql)).rows as unknown as Row[];
    } finally {
      client.close();
    }
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<Row>(sql)).rows;
  } finally {
    await client.end();
  }
}

const listTables: Record<Provider, string> = {
  sqlite: `SELECT name FROM sqlite_master WHERE type = 'table'`,
  postgresql: `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema()`,
};

const recorded = (url: string) =>
  query(url, `SELECT * FROM "_prisma_migrations" ORDER BY "started_at", "migration_name", "rolled_back_at"`);

/** SQLite stores Prisma's dates as epoch milliseconds, PostgreSQL as timestamptz. */
const millis = (value: unknown) => (value instanceof Date ? value.getTime() : Number(value));

/** The migrations in a folder as the runner must record them, and the tables each creates. */
function migrationsOnDisk(dir: string) {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const bytes = readFileSync(path.join(dir, name, 'migration.sql'));
      // A SQLite table redefinition creates "new_X" and renames it to X: it leaves X, not new_X.
      const tables = [...bytes.toString('utf8').matchAll(/CREATE TABLE "(\w+)"/g)].map((match) => match[1]!.replace(/^new_/, ''));
      return { name, checksum: createHash('sha256').update(bytes).digest('hex'), tables };
    });
}

function writeMigration(dir: string, name: string, sql: string): void {
  mkdirSync(path.join(dir, name), { recursive: true });
  writeFileSync(path.join(dir, name, 'migration.sql'), sql);
}

// Instances are separate processes. (In one process the SQLite driver's synchronous busy
// wait would block the runner that holds the lock, so in-process runners would deadlock.)
const runnerScript = `
const { applyMigrations } = await import(process.env.MIGRATOR_MODULE);
process.stdout.write('ready\\n');
await new Promise((resolve) => process.stdin.once('data', resolve));
const outcome = await applyMigrations(process.env.DATABASE_URL, { migrationsDir: process.env.MIGRATIONS_DIR });
process.stdout.write(JSON.stringify(outcome));
`;

/** A migration runner in its own process; it imports everything, says ready, and runs on `go()`. */
function startRunner(databaseUrl: string, migrationsDir: string) {
  const env = { ...process.env, MIGRATOR_MODULE: path.join(prismaDir, 'migrator.ts'), DATABASE_URL: databaseUrl, MIGRATIONS_DIR: migrationsDir };
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '--eval', runnerScript], { cwd: projectDir, env });
  let stdout = '';
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const done = new Promise<MigrationOutcome>((resolve, reject) =>
    child.on('close', (code) =>
      code === 0 ? resolve(JSON.parse(stdout.replace('ready\n', '')) as MigrationOutcome) : reject(new Error(`runner exited with ${code}: ${stderr}`)),
    ),
  );
  const ready = new Promise<void>((resolve) => {
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      if (stdout.startsWith('ready\n')) resolve();
    });
    child.on('close', () => resolve());
  });
  return { ready, done, go: () => child.stdin.end('go\n') };
}

const broken = '20991231000000_broken';
const afterBroken = '20991231000001_after_broken';
const createProbe = 'CREATE TABLE "BrokenProbe" ("id" TEXT NOT NULL PRIMARY KEY);\n';
const failingStatement = `INSERT INTO "NoSuchTable" ("id") VALUES ('x');\n`;

function migratorTests(provider: Provider, serverUrl?: () => string) {
  const realDir = migrationsDirFor(provider);
  const real = migrationsOnDisk(realDir);
  const names = real.map((migration) => migration.name);
  let scratch: ScratchDatabase | undefined;
  let url: string;
  let tempDir: string;
  const tables = async () => (await query(url, listTables[provider])).map((row) => String(row.name));
  /** A copy of the real migrations that a test may add to or edit. */
  const copyOfRealMigrations = () => {
    cpSync(realDir, tempDir, { recursive: true });
    return tempDir;
  };

  beforeEach(async () => {
    tempDir = mkdtempSync(path.join(os.tmpdir(), 'provisioning-bot-migrations-'));
    scratch = await createScratchDatabase(provider, serverUrl?.(), 'migrator_test');
    url = scratch.url;
  });
  afterEach(async () => {
    rmSync(tempDir, { recursive: true, force: true });
    await scratch?.drop();
    scratch = undefined;
  });

  it('on a fresh database, every migration is applied and recorded as Prisma records it', async () => {
    expect(names.length, `no migrations in ${realDir}`).toBeGreaterThan(0);
    const appliedAt = new Date('2026-11-22T10:00:00.000Z');
    const info = vi.fn();

    const outcome = await applyMigrations(url, { now: () => appliedAt, log: { info, warn: vi.fn() } });

    expect(outcome).toEqual({ applied: names, alreadyApplied: [] });
    expect(await tables()).toEqual(expect.arrayContaining(['_prisma_migrations', ...real.flatMap((m) => m.tables)]));
    const rows = await recorded(url);
    expect(rows.map((row) => ({ ...row, finished_at: millis(row.finished_at) }))).toEqual(
      real.map((migration) =>
        expect.objectContaining({
          migration_name: migration.name,
          checksum: migration.checksum,
          applied_steps_count: 1,
          finished_at: appliedAt.getTime(),
          rolled_back_at: null,
          logs: null,
        }),
      ),
    );
    for (const name of names) expect(info).toHaveBeenCalledWith({ migration: name }, 'migration applied');
  });

  it('when run again, it applies nothing and records nothing new', async () => {
    await applyMigrations(url);
    const before = await recorded(url);

    const outcome = await applyMigrations(url);

    expect(outcome).toEqual({ applied: [], alreadyApplied: names });
    expect(await recorded(url)).toEqual(before);
  });

  describe('when a migration fails half-way', () => {
    let firstRun: unknown;

    beforeEach(async () => {
      copyOfRealMigrations();
      writeMigration(tempDir, broken, createProbe + failingStatement);
      writeMigration(tempDir, afterBroken, 'CREATE TABLE "AfterBroken" ("id" TEXT NOT NULL PRIMARY KEY);\n');
      firstRun = await applyMigrations(url, { migrationsDir: tempDir }).catch((error: unknown) => error);
    });

    it('the run stops with a MigrationError that names the migration and says how to go on', async () => {
      expect(firstRun).toBeInstanceOf(MigrationError);
      const message = (firstRun as Error).message;
      expect(message).toContain(`Migration ${broken} failed`);
      expect(message).toContain('NoSuchTable');
      expect(message).toContain(`npm run db:migrate -- --rolled-back ${broken}`);
    });

    it('its first statement is rolled back, the migrations before it stay, the ones after it are not run', async () => {
      const present = await tables();
      expect(present).not.toContain('BrokenProbe');
      expect(present).not.toContain('AfterBroken');
      expect(present).toEqual(expect.arrayContaining(real.flatMap((m) => m.tables)));
    });

    it('the failure is recorded as unfinished, with the error in its logs', async () => {
      const rows = await recorded(url);
      expect(rows.map((row) => row.migration_name)).toEqual([...names, broken]);
      expect(rows.at(-1)).toMatchObject({ finished_at: null, rolled_back_at: null, applied_steps_count: 0 });
      expect(String(rows.at(-1)?.logs)).toContain('NoSuchTable');
    });

    it('the next run refuses, names the failed migration, and applies nothing else', async () => {
      const before = await recorded(url);

      const secondRun = applyMigrations(url, { migrationsDir: tempDir });

      await expect(secondRun).rejects.toThrow(MigrationError);
      await expect(secondRun).rejects.toThrow(new RegExp(`Migration ${broken} failed earlier.*--rolled-back ${broken}`));
      expect(await recorded(url)).toEqual(before);
      expect(await tables()).not.toContain('AfterBroken');
    });

    it('once the file is fixed and the migration marked rolled back, the next run applies it and the later ones', async () => {
      writeFileSync(path.join(tempDir, broken, 'migration.sql'), createProbe);
      await markMigrationRolledBack(url, broken, new Date('2026-11-23T00:00:00.000Z'));

      const outcome = await applyMigrations(url, { migrationsDir: tempDir });

      expect(outcome).toEqual({ applied: [broken, afterBroken], alreadyApplied: names });
      expect(await tables()).toEqual(expect.arrayContaining(['BrokenProbe', 'AfterBroken']));
      const attempts = (await recorded(url)).filter((row) => row.migration_name === broken);
      expect(attempts.map((row) => millis(row.rolled_back_at) || null)).toEqual([Date.parse('2026-11-23T00:00:00.000Z'), null]);
      expect(attempts[1]?.checksum).toBe(createHash('sha256').update(createProbe).digest('hex'));
    });

    it.each([
      ['a migration that was never recorded', '20990101000000_unknown'],
      ['a migration that finished', names[0]!],
    ])('marking %s rolled back throws and changes nothing', async (_what, name) => {
      const before = await recorded(url);

      await expect(markMigrationRolledBack(url, name)).rejects.toThrow(new RegExp(`No failed migration named ${name}.*nothing was changed`));

      expect(await recorded(url)).toEqual(before);
      await expect(applyMigrations(url, { migrationsDir: tempDir })).rejects.toThrow(`Migration ${broken} failed earlier`);
    });
  });

  async function expectFiveRunnersToApplyEachOnce(migrationsDir: string) {
    const expected = migrationsOnDisk(migrationsDir).map((migration) => migration.name);
    const runners = Array.from({ length: 5 }, () => startRunner(url, migrationsDir));
    await Promise.all(runners.map((runner) => runner.ready));
    for (const runner of runners) runner.go();

    const outcomes = await Promise.all(runners.map((runner) => runner.done));

    expect(outcomes.flatMap((outcome) => outcome.applied).sort()).toEqual(expected);
    for (const outcome of outcomes) expect([...outcome.applied, ...outcome.alreadyApplied].sort()).toEqual(expected);
    const rows = await recorded(url);
    expect(rows.map((row) => row.migration_name).sort()).toEqual(expected);
    expect(rows.every((row) => row.finished_at !== null && row.rolled_back_at === null)).toBe(true);
  }

  it('when five instances start at once on a fresh database, each migration is applied exactly once', async () => {
    await expectFiveRunnersToApplyEachOnce(realDir);
  });

  it('when five instances start at once with several pending migrations, each is applied exactly once', async () => {
    const dir = copyOfRealMigrations();
    for (const n of [1, 2, 3]) writeMigration(dir, `2099123100000${n}_extra_${n}`, `CREATE TABLE "Extra${n}" ("id" TEXT NOT NULL PRIMARY KEY);\n`);
    await expectFiveRunnersToApplyEachOnce(dir);
  });

  it('when an applied migration was edited afterwards, it is not applied again and a warning names it', async () => {
    await applyMigrations(url);
    const before = await recorded(url);
    const edited = names.at(-1)!;
    appendFileSync(path.join(copyOfRealMigrations(), edited, 'migration.sql'), '\n-- edited after it was applied\n');
    const warn = vi.fn();

    const outcome = await applyMigrations(url, { migrationsDir: tempDir, log: { info: vi.fn(), warn } });

    expect(outcome).toEqual({ applied: [], alreadyApplied: names });
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn).toHaveBeenCalledWith({ migration: edited }, expect.stringContaining('edited after it was applied'));
    expect(await recorded(url)).toEqual(before);
  });

  it('when the database has a migration this version lacks, a warning names it and the rest runs', async () => {
    writeMigration(copyOfRealMigrations(), '20991231000000_from_a_newer_version', 'CREATE TABLE "Newer" ("id" TEXT NOT NULL PRIMARY KEY);\n');
    await applyMigrations(url, { migrationsDir: tempDir });
    const warn = vi.fn();

    const outcome = await applyMigrations(url, { log: { info: vi.fn(), warn } });

    expect(outcome).toEqual({ applied: [], alreadyApplied: names });
    expect(warn).toHaveBeenCalledWith({ migration: '20991231000000_from_a_newer_version' }, expect.stringContaining('does not know'));
  });
}

describe('applying migrations to sqlite', () => {
  migratorTests('sqlite');
});

// Without TEST_POSTGRES_URL these are skipped on a developer machine, and fail on CI.
describe.skipIf(skipPostgres)('applying migrations to postgresql', () => {
  migratorTests('postgresql', () => postgresServerUrl('migrator'));
});

/** Another instance's write transaction on a SQLite file, held for `ms`; returns once it holds the lock. */
function holdSqliteWriteLockSync(databaseUrl: string, ms: number): void {
  const flag = `${databaseUrl.slice('file:'.length)}.locked`;
  const script = `
    import { writeFileSync } from 'node:fs';
    import { createClient } from '@libsql/client';
    const tx = await createClient({ url: process.env.DATABASE_URL }).transaction('write');
    writeFileSync(process.env.FLAG, '');
    setTimeout(() => tx.commit(), ${ms});`;
  spawn(process.execPath, ['--input-type=module', '--eval', script], { cwd: projectDir, env: { ...process.env, DATABASE_URL: databaseUrl, FLAG: flag } });
  // The runner calls log.info synchronously between migrations, so this waits synchronously.
  const deadline = Date.now() + 10_000;
  while (!existsSync(flag)) {
    if (Date.now() > deadline) throw new Error('the lock holder did not start');
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
  }
}

describe('applying migrations to sqlite while another instance writes', () => {
  let scratch: ScratchDatabase;
  let dir: string;
  beforeEach(async () => {
    scratch = await createScratchDatabase('sqlite', undefined, 'migrator_lock_test');
    dir = mkdtempSync(path.join(os.tmpdir(), 'provisioning-bot-migrations-'));
  });
  afterEach(async () => {
    await scratch.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  // libsql's transaction() detaches the connection that had `PRAGMA busy_timeout`; the next
  // connection must get it too (prisma/sqlite-client.ts), or this fails at once with SQLITE_BUSY.
  it('between two migrations, the runner waits for the other writer instead of failing', async () => {
    writeMigration(dir, '20990101000000_first', 'CREATE TABLE "First" ("id" TEXT NOT NULL PRIMARY KEY);\n');
    writeMigration(dir, '20990101000001_second', 'CREATE TABLE "Second" ("id" TEXT NOT NULL PRIMARY KEY);\n');
    const info = (fields: { migration?: string }) => {
      if (fields.migration === '20990101000000_first') holdSqliteWriteLockSync(scratch.url, 500);
    };

    const outcome = await applyMigrations(scratch.url, { migrationsDir: dir, log: { info, warn: vi.fn() } });

    expect(outcome.applied).toEqual(['20990101000000_first', '20990101000001_second']);
  });
});
