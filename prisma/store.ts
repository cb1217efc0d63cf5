// Opens the store the rest of the bot uses: migrations applied first, then a Prisma client
// on the driver adapter that DATABASE_URL calls for. Both generated clients come from the
// same models, so the rest of the code sees one `Database` type.
import type { Config as LibsqlConfig, Client as LibsqlClient } from '@libsql/client';
import { PrismaLibSql } from '@prisma/adapter-libsql';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient as SqliteClient, type Prisma } from '../generated/sqlite/client.ts';
import { PrismaClient as PostgresClient } from '../generated/postgresql/client.ts';
import { prepareSqliteUrl, providerOf } from './database-url.ts';
import { readMigrationFiles } from './migration-files.ts';
import { createSqliteClient } from './sqlite-client.ts';
import { applyMigrations, type MigrationLog } from './migrator.ts';
import { migrationsDirFor, type Provider } from './schemas.ts';

export type Database = SqliteClient;
/** The client inside `db.$transaction(async (tx) => …)`: repositories accept either. */
export type Transaction = Prisma.TransactionClient;
export type DatabaseOrTransaction = Database | Transaction;

export interface Readiness {
  ready: boolean;
  reason?: string;
}

export interface Store {
  db: Database;
  provider: Provider;
  /** Database reachable and every migration of this version applied. */
  checkReadiness(): Promise<Readiness>;
  close(): Promise<void>;
}

/** Prisma's libsql adapter, on connections that wait for other writers (see sqlite-client.ts). */
class WaitingPrismaLibSql extends PrismaLibSql {
  override createClient(config: LibsqlConfig): LibsqlClient {
    return createSqliteClient(config.url);
  }
}

async function connect(databaseUrl: string, provider: Provider): Promise<Database> {
  if (provider === 'sqlite') {
    // libsql enforces foreign keys by default; WAL mode was set by the migration runner.
    return new SqliteClient({ adapter: new WaitingPrismaLibSql({ url: prepareSqliteUrl(databaseUrl) }) });
  }
  // Same models, same generated API: only the SQL dialect inside differs.
  const db = new PostgresClient({ adapter: new PrismaPg({ connectionString: databaseUrl }) });
  return db as unknown as Database;
}

export async function openStore(databaseUrl: string, options: { log?: MigrationLog } = {}): Promise<Store> {
  const provider = providerOf(databaseUrl);
  await applyMigrations(databaseUrl, options);
  const db = await connect(databaseUrl, provider);
  const expectedMigrations = readMigrationFiles(migrationsDirFor(provider)).map((file) => file.name);

  return {
    db,
    provider,
    async checkReadiness() {
      try {
        const rows = await db.$queryRawUnsafe<{ migration_name: string }[]>(
          'SELECT "migration_name" FROM "_prisma_migrations" WHERE "finished_at" IS NOT NULL AND "rolled_back_at" IS NULL',
        );
        const applied = new Set(rows.map((row) => row.migration_name));
        const pending = expectedMigrations.filter((name) => !applied.has(name));
        return pending.length === 0 ? { ready: true } : { ready: false, reason: `migrations not applied: ${pending.join(', ')}` };
      } catch (error) {
        return { ready: false, reason: `database unreachable: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}` };
      }
    },
    close: () => db.$disconnect(),
  };
}
