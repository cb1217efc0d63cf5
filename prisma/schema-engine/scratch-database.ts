// Authoring a migration, and the tests that replay or apply migrations, each need an empty
// database of their own that nothing else uses and that is gone afterwards. This file makes
// one for either provider: a file in a new temporary folder for SQLite, a new database on a
// given server for PostgreSQL. Dropping it forcibly (PostgreSQL 13+) ends whatever
// connections are still open to it, such as a bot process a test started, so that a test
// cannot leave its database behind.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { redactDatabaseUrl } from '../database-url.ts';
import type { Provider } from '../schemas.ts';
import { postgresPoolConfig } from './adapters.ts';

export interface ScratchDatabase {
  url: string;
  drop(): Promise<void>;
}

/**
 * An empty database to work on, dropped by `drop()`. SQLite: a file in a new temporary
 * folder. PostgreSQL: a new database on the server of `serverUrl`, whose user needs the
 * CREATEDB privilege (the database named in `serverUrl` is only used to connect).
 */
export async function createScratchDatabase(provider: Provider, serverUrl?: string, label = 'scratch'): Promise<ScratchDatabase> {
  if (provider === 'sqlite') {
    const dir = mkdtempSync(path.join(os.tmpdir(), `provisioning-bot-${label}-`));
    return { url: `file:${path.join(dir, 'scratch.db')}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  if (!serverUrl) throw new Error('A PostgreSQL server URL is needed to create a scratch database.');
  const name = `${label}_${Date.now()}_${randomUUID().slice(0, 8)}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  const { Client: _poolClientClass, ...connection } = postgresPoolConfig(serverUrl);
  const onServer = async (sql: string) => {
    const client = new pg.Client(connection);
    await client.connect().catch((error: Error) => {
      throw new Error(`Cannot connect to PostgreSQL at ${redactDatabaseUrl(serverUrl)}: ${error.message}`, { cause: error });
    });
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await onServer(`CREATE DATABASE "${name}"`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  // FORCE terminates the sessions still connected to it instead of failing with "is being
  // accessed by other users".
  return { url: url.toString(), drop: () => onServer(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) };
}
