// Several instances on one PostgreSQL: started at the same moment, each migration runs once.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScratchDatabase, type ScratchDatabase } from '../../../prisma/schema-engine/index.ts';
import { migrationsDirFor } from '../../../prisma/schemas.ts';
import { startBotProcess, waitUntilReady, type BotProcess } from '../../helpers/bot-process.ts';
import { FakeChannel } from '../../helpers/fake-channel.ts';
import { postgresServerUrl, skipPostgres } from '../../helpers/postgres.ts';

const sharedSecret = 'test-secret-shared-by-every-instance-0123456789';

const migrationNames = readdirSync(migrationsDirFor('postgresql'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);

describe.skipIf(skipPostgres)('two instances on one PostgreSQL', () => {
  let database: ScratchDatabase;
  let cwd: string;
  const instances: BotProcess[] = [];
  const ports: number[] = [];

  beforeAll(async () => {
    database = await createScratchDatabase('postgresql', postgresServerUrl('multi-instance'), 'instances');
    cwd = mkdtempSync(path.join(tmpdir(), 'provisioning-bot-instances-'));
    // Both at once: they race for the migration lock.
    instances.push(startBotProcess(cwd, { DATABASE_URL: database.url, CODE_HASH_SECRET: sharedSecret }), startBotProcess(cwd, { DATABASE_URL: database.url, CODE_HASH_SECRET: sharedSecret }));
    ports.push(...(await Promise.all(instances.map((instance) => instance.listening))));
  });

  afterAll(async () => {
    for (const instance of instances) {
      instance.child.kill('SIGTERM');
      await instance.exited;
    }
    await database?.drop();
    if (cwd) rmSync(cwd, { recursive: true, force: true });
  });

  it('both become ready on PostgreSQL', async () => {
    for (const port of ports) {
      await waitUntilReady(`http://127.0.0.1:${port}/readyz`, 20_000);
      const readyz = await fetch(`http://127.0.0.1:${port}/readyz`);
      expect(await readyz.json()).toMatchObject({ status: 'ready', database: 'postgresql', jobs: expect.any(Object) });
    }
  });

  it('every migration was applied exactly once, by one of them', async () => {
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      const rows = await client.query<{ migration_name: string }>('SELECT migration_name FROM _prisma_migrations ORDER BY migration_name');
      expect(rows.rows.map((row) => row.migration_name)).toEqual(migrationNames);
    } finally {
      await client.end();
    }
    const appliedLines = instances.flatMap((instance) => instance.stdout().split('\n').filter((line) => line.includes('"msg":"migration applied"')));
    expect(appliedLines).toHaveLength(migrationNames.length);
  });

  it('they share one store: a conversation seen by both is remembered once', async () => {
    const channels = await Promise.all(ports.map((port) => FakeChannel.start(`http://127.0.0.1:${port}`)));
    try {
      for (const channel of channels) {
        expect((await channel.message('whoami')).status).toBe(200);
        await channel.waitFor(1);
      }
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      try {
        const references = await client.query('SELECT "conversationId" FROM "ConversationReference"');
        expect(references.rowCount).toBe(1);
      } finally {
        await client.end();
      }
    } finally {
      await Promise.all(channels.map((channel) => channel.close()));
    }
  });
});
