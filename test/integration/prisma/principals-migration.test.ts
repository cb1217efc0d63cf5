// The principals migration on a database that already has data: role grants and stored
// conversations written before platforms existed are Teams ones afterwards, and the services
// read them as before. Each provider: migrate to just before it, write rows as the old
// schema had them (with the plain driver), then start the store as the bot does.
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createClient } from '@libsql/client';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyMigrations } from '../../../prisma/migrator.ts';
import { createScratchDatabase, postgresPoolConfig, type ScratchDatabase } from '../../../prisma/schema-engine/index.ts';
import { migrationsDirFor, type Provider } from '../../../prisma/schemas.ts';
import { openStore, type Store } from '../../../prisma/store.ts';
import { createServices } from '../../../services/index.ts';
import { systemClock } from '../../../services/shared/clock.ts';
import { postgresServerUrl, skipPostgres } from '../../helpers/postgres.ts';

const principalsMigration = '20261207075058_principals';
const tenantId = 'tenant-before-platforms';
const tom = '0f6c1d2e-2222-4a4a-9b9b-000000000002';
const bea = '0b0b0b0b-0000-4000-8000-00000000000b';

/** Runs statements on their own connection, as an operator's tool would. */
async function execute(url: string, statements: string[]): Promise<void> {
  if (url.startsWith('file:')) {
    const client = createClient({ url });
    try {
      for (const sql of statements) await client.execute(sql);
    } finally {
      client.close();
    }
    return;
  }
  const { Client: _client, ...connection } = postgresPoolConfig(url);
  const client = new pg.Client(connection);
  await client.connect();
  try {
    for (const sql of statements) await client.query(sql);
  } finally {
    await client.end();
  }
}

function migrationTests(provider: Provider, serverUrl?: () => string) {
  let scratch: ScratchDatabase | undefined;
  let store: Store | undefined;
  let before: string;

  beforeEach(async () => {
    scratch = await createScratchDatabase(provider, serverUrl?.(), 'principals_migration');
    // The migrations up to the principals one, as a database deployed before it has them.
    before = mkdtempSync(path.join(os.tmpdir(), 'provisioning-bot-before-principals-'));
    const all = migrationsDirFor(provider);
    for (const name of readdirSync(all)) {
      if (name < principalsMigration) cpSync(path.join(all, name), path.join(before, name), { recursive: true });
    }
    await applyMigrations(scratch.url, { migrationsDir: before });
    const at = provider === 'sqlite' ? '1763632800000' : `'2025-11-20T10:00:00Z'`;
    const reference = JSON.stringify({ user: { id: '29:tom', name: 'Tom Tech', aadObjectId: tom }, conversation: { id: `a:personal-${tom}`, conversationType: 'personal', tenantId }, channelId: 'msteams', serviceUrl: 'https://smba.trafficmanager.net/emea/' });
    await execute(scratch.url, [
      `INSERT INTO "Tenant" ("id", "timeZone", "createdAt", "updatedAt") VALUES ('${tenantId}', 'UTC', ${at}, ${at})`,
      `INSERT INTO "RoleGrant" ("id", "tenantId", "userAadObjectId", "userName", "role", "grantedBy", "createdAt") VALUES ('grant-1', '${tenantId}', '${tom}', 'Tom Tech', 'technician', 'user:${bea}', ${at})`,
      `INSERT INTO "ConversationReference" ("id", "tenantId", "channelId", "conversationId", "conversationType", "teamId", "serviceUrl", "reference", "audience", "userAadObjectId", "createdAt", "updatedAt")
       VALUES ('conversation-1', '${tenantId}', 'msteams', 'a:personal-${tom}', 'personal', NULL, 'https://smba.trafficmanager.net/emea/', '${reference}', NULL, '${tom}', ${at}, ${at})`,
      `INSERT INTO "ConversationReference" ("id", "tenantId", "channelId", "conversationId", "conversationType", "teamId", "serviceUrl", "reference", "audience", "userAadObjectId", "createdAt", "updatedAt")
       VALUES ('conversation-2', '${tenantId}', 'msteams', '19:technicians@thread.tacv2', 'channel', '19:team@thread.tacv2', 'https://smba.trafficmanager.net/emea/', '{}', 'technicians', NULL, ${at}, ${at})`,
    ]);
  });
  afterEach(async () => {
    await store?.close();
    await scratch?.drop();
    rmSync(before, { recursive: true, force: true });
    store = scratch = undefined;
  });

  it(`on ${provider}, roles and destinations stored before platforms are Teams ones afterwards`, async () => {
    store = await openStore(scratch!.url);
    const services = createServices({ db: store.db, clock: systemClock, settings: { codeTtlMs: 86_400_000, codeHashSecret: 'principals-migration-secret-0123456789', bootstrapAdmins: [] } });

    expect(await services.roles.rolesOf({ platform: 'teams', tenantId, userId: tom })).toEqual(new Set(['technician']));
    expect(await services.roles.rolesOf({ platform: 'slack', tenantId, userId: tom })).toEqual(new Set());
    expect(await services.roles.list(tenantId)).toEqual([{ platform: 'teams', userId: tom, userName: 'Tom Tech', role: 'technician', bootstrap: false }]);
    // The unique key now includes the platform: granting again is "already", revoking works.
    const admin = { kind: 'user' as const, id: bea };
    expect(await services.roles.grant(admin, tenantId, { platform: 'teams', userId: tom, name: 'Tom Tech' }, 'technician')).toBe('already');

    const chat = await services.conversations.findPersonalChat(tenantId, { platform: 'teams', userId: tom });
    expect(chat).toMatchObject({ platform: 'teams', userId: tom, conversationId: `a:personal-${tom}`, address: { user: { name: 'Tom Tech' } } });
    expect(await services.conversations.findPersonalChat(tenantId, { platform: 'slack', userId: tom })).toBeNull();
    expect(await services.conversations.findAudience(tenantId, 'technicians')).toMatchObject({ platform: 'teams', conversationId: '19:technicians@thread.tacv2' });

    expect(await services.roles.revoke(tenantId, { platform: 'teams', userId: tom }, 'technician')).toBe('revoked');
  });
}

describe('the principals migration on an existing sqlite database', () => {
  migrationTests('sqlite');
});

describe.skipIf(skipPostgres)('the principals migration on an existing postgresql database', () => {
  migrationTests('postgresql', () => postgresServerUrl('migration'));
});
