// `npm run db:migrate` applies pending migrations to DATABASE_URL (default: the embedded SQLite file).
// `npm run db:migrate -- --rolled-back <name>` marks a failed migration as rolled back after a manual fix.
import { loadEnvironment } from './environment.ts';
import { defaultDatabaseUrl, redactDatabaseUrl } from '../prisma/database-url.ts';
import { applyMigrations, markMigrationRolledBack } from '../prisma/migrator.ts';

const env = loadEnvironment();
const databaseUrl = env.DATABASE_URL || defaultDatabaseUrl;
const args = process.argv.slice(2);

try {
  if (args[0] === '--rolled-back') {
    const name = args[1];
    if (!name) throw new Error('Usage: npm run db:migrate -- --rolled-back <migration name>');
    await markMigrationRolledBack(databaseUrl, name);
    console.log(`Marked ${name} as rolled back on ${redactDatabaseUrl(databaseUrl)}. Run "npm run db:migrate" to apply it again.`);
  } else if (args.length > 0) {
    throw new Error(`Unknown argument ${args[0]}. Usage: npm run db:migrate [-- --rolled-back <migration name>]`);
  } else {
    const outcome = await applyMigrations(databaseUrl, {
      log: { info: (_fields, message) => console.log(message), warn: (_fields, message) => console.warn(message) },
    });
    const appliedList = outcome.applied.length > 0 ? `: ${outcome.applied.join(', ')}` : '';
    console.log(`${redactDatabaseUrl(databaseUrl)}: ${outcome.applied.length} applied${appliedList}; ${outcome.alreadyApplied.length} already applied.`);
  }
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
}
