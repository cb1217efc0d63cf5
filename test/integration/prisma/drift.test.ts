// Each provider's migrations must produce exactly the schema in prisma/schema.prisma. The
// schema engine replays the migrations on a shadow database and diffs the result against
// the datamodel, as `prisma migrate diff --from-migrations --to-schema-datamodel` does.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createScratchDatabase,
  openSchemaEngine,
  readMigrations,
  type MigrationList,
  type ScratchDatabase,
  type SchemaEngineSession,
} from '../../../prisma/schema-engine/index.ts';
import { migrationsDirFor, schemaFor, type Provider } from '../../../prisma/schemas.ts';
import { postgresServerUrl, skipPostgres } from '../../helpers/postgres.ts';

const extraModel = '\nmodel DriftProbe {\n  id String @id\n}\n';

/** The migrations plus one that creates a table schema.prisma does not have. */
function withExtraMigration(list: MigrationList): MigrationList {
  const sql = 'CREATE TABLE "DriftLeftover" ("id" TEXT NOT NULL PRIMARY KEY);\n';
  return {
    ...list,
    migrationDirectories: [
      ...list.migrationDirectories,
      { path: '99991231235959_drift_leftover', migrationFile: { path: 'migration.sql', content: { tag: 'ok', value: sql } } },
    ],
  };
}

function driftTests(provider: Provider, serverUrl?: () => string) {
  let scratch: ScratchDatabase | undefined;
  let engine: SchemaEngineSession | undefined;
  const migrations = () => readMigrations(migrationsDirFor(provider));

  beforeEach(async () => {
    scratch = await createScratchDatabase(provider, serverUrl?.(), 'drift_test');
    engine = await openSchemaEngine({ provider, url: scratch.url, datamodel: schemaFor(provider) });
  });
  afterEach(async () => {
    await engine?.close();
    await scratch?.drop();
    engine = scratch = undefined;
  });

  it(`when migrations match schema.prisma, the ${provider} diff is empty`, async () => {
    const list = migrations();
    expect(list.migrationDirectories.length, `no migrations in ${list.baseDir}`).toBeGreaterThan(0);

    const result = await engine!.diff(engine!.targets.migrations(list), engine!.targets.datamodel());

    expect(
      result.exitCode,
      `The ${provider} migrations do not produce prisma/schema.prisma. Author a migration with ` +
        `\`node --import tsx prisma/new-migration.ts <name>\`. The SQL they lack:\n${result.stdout}`,
    ).toBe(0);
  });

  it(`when schema.prisma has a model the migrations lack, the ${provider} diff creates it`, async () => {
    const result = await engine!.diff(
      engine!.targets.migrations(migrations()),
      engine!.targets.datamodel(schemaFor(provider) + extraModel),
    );

    expect(result.exitCode).toBe(2);
    expect(result.stdout).toContain('CREATE TABLE "DriftProbe"');
  });

  it(`when a migration creates a table schema.prisma lacks, the ${provider} diff drops it`, async () => {
    const result = await engine!.diff(engine!.targets.migrations(withExtraMigration(migrations())), engine!.targets.datamodel());

    expect(result.exitCode).toBe(2);
    expect(result.stdout).toContain('DROP TABLE "DriftLeftover"');
  });
}

describe('sqlite migrations against schema.prisma', () => {
  driftTests('sqlite');
});

// Without TEST_POSTGRES_URL these are skipped on a developer machine, and fail on CI.
describe.skipIf(skipPostgres)('postgresql migrations against schema.prisma', () => {
  driftTests('postgresql', () => postgresServerUrl('drift'));
});
