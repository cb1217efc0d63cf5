// Authors a new migration for both providers from prisma/schema.prisma, offline:
//
//   node --import tsx prisma/new-migration.ts <name>
//
// For each provider it does what `prisma migrate dev --create-only --name <name>` does, with
// the schema engine in WASM (prisma/schema-engine/) on a scratch database: apply the
// existing migrations, then let the engine write the next one (the same SQL, and the same
// data-loss warnings header, that Prisma would write). The migration lands in
// `<migrations dir>/<UTC YYYYMMDDHHMMSS>_<name>/migration.sql`; nothing is written when
// neither provider has changes. Nothing is applied to any real database.
//
// PostgreSQL needs a server: SHADOW_POSTGRES_URL (or TEST_POSTGRES_URL), e.g.
// postgres://user:password@127.0.0.1:5432/postgres. A scratch database (and the engine's
// shadow database) is created there and dropped afterwards; the database named in the URL
// is not touched.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { redactDatabaseUrl } from './database-url.ts';
import { createScratchDatabase, lockfileName, lockfileText, openSchemaEngine, readMigrations } from './schema-engine/index.ts';
import { migrationsDirFor, projectDir, providers, schemaFor, type Provider } from './schemas.ts';

const NAME_RULE = /^[a-z0-9_]+$/;

class UsageError extends Error {}

/** YYYYMMDDHHMMSS in UTC, the prefix Prisma gives migration folders. */
function migrationTimestamp(date: Date): string {
  return date.toISOString().replace(/\D/g, '').slice(0, 14);
}

function postgresServerUrl(): string {
  const url = process.env.SHADOW_POSTGRES_URL || process.env.TEST_POSTGRES_URL;
  if (!url) {
    throw new UsageError(
      'Authoring the PostgreSQL migration needs a PostgreSQL server to replay the migrations on.\n' +
        'Set SHADOW_POSTGRES_URL (or TEST_POSTGRES_URL) to a server where the user may create databases, e.g.\n' +
        '  SHADOW_POSTGRES_URL=postgres://user:password@127.0.0.1:5432/postgres',
    );
  }
  return url;
}

/** The script of the next migration for a provider, or null when it has no changes. */
async function nextMigrationScript(provider: Provider, name: string): Promise<string | null> {
  const scratch = await createScratchDatabase(provider, provider === 'postgresql' ? postgresServerUrl() : undefined, 'new_migration');
  try {
    const engine = await openSchemaEngine({ provider, url: scratch.url, datamodel: schemaFor(provider) });
    try {
      const { migrationScript } = await engine.createMigration(name, readMigrations(migrationsDirFor(provider)));
      return migrationScript;
    } finally {
      await engine.close();
    }
  } catch (error) {
    const where = provider === 'postgresql' ? ` (server ${redactDatabaseUrl(postgresServerUrl())})` : '';
    throw new Error(`Could not author the ${provider} migration${where}: ${(error as Error).message}`, { cause: error });
  } finally {
    await scratch.drop();
  }
}

async function main(args: string[]): Promise<void> {
  const name = args[0];
  if (args.length !== 1 || !name) {
    throw new UsageError('Usage: node --import tsx prisma/new-migration.ts <name>   (e.g. add_device_notes)');
  }
  if (!NAME_RULE.test(name)) {
    throw new UsageError(`Invalid migration name "${name}": use only lowercase letters, digits and underscores, e.g. add_device_notes.`);
  }

  // Every provider first, so that a failure on one leaves no half-written change behind.
  const scripts = new Map<Provider, string>();
  for (const provider of providers) {
    const script = await nextMigrationScript(provider, name);
    if (script !== null) scripts.set(provider, script);
  }
  if (scripts.size === 0) {
    console.log('no changes: the migrations already match prisma/schema.prisma');
    return;
  }

  const folder = `${migrationTimestamp(new Date())}_${name}`;
  for (const provider of providers) {
    const dir = migrationsDirFor(provider);
    const script = scripts.get(provider);
    if (script === undefined) {
      console.log(`${provider}: no changes`);
      continue;
    }
    if (existsSync(path.join(dir, folder))) throw new Error(`${path.join(dir, folder)} already exists; run again in a second.`);
    mkdirSync(path.join(dir, folder), { recursive: true });
    writeFileSync(path.join(dir, folder, 'migration.sql'), script);
    if (!existsSync(path.join(dir, lockfileName))) writeFileSync(path.join(dir, lockfileName), lockfileText(provider));
    console.log(`${provider}: wrote ${path.relative(projectDir, path.join(dir, folder, 'migration.sql'))}`);
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = error instanceof UsageError ? 2 : 1;
});
