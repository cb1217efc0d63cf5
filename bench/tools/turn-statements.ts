// Lists the SQL statements one chat turn runs: `node --import tsx bench/tools/turn-statements.ts`.
// Starts the real server in this process on a fresh SQLite file seeded as the chat benchmark
// seeds it, sends `status <MAC>` from a technician (twice in the same conversation, then once
// after a role revoke), and prints each statement libsql ran for each turn. For finding what
// a turn costs in statements, not a test: nothing here asserts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Sqlite3Client, Sqlite3Transaction } from '@libsql/client/sqlite3';
import { parseConfig } from '../../bot/config.ts';
import { createLogger } from '../../bot/logger.ts';
import { startServer } from '../../bot/server.ts';
import { FakeChannel, defaultTenantId } from '../../test/helpers/fake-channel.ts';
import { benchCodeHashSecret, benchMac, registerWithCodes, seedThroughServices } from '../support/fleet-seed.ts';
import { benchTechnicians, grantTechnicians } from '../support/status-chat.ts';

const seen: string[] = [];
function watch(proto: { execute: (...args: unknown[]) => Promise<unknown> }, label: string): void {
  const original = proto.execute;
  proto.execute = function (this: unknown, ...args: unknown[]) {
    const statement = args[0];
    const sql = typeof statement === 'string' ? statement : (statement as { sql: string }).sql;
    seen.push(`${label}${sql.replace(/\s+/g, ' ').slice(0, 220)}`);
    return original.apply(this, args);
  };
}
watch(Sqlite3Client.prototype as never, '');
watch(Sqlite3Transaction.prototype as never, '  tx: ');

const dir = mkdtempSync(path.join(tmpdir(), 'turn-statements-'));
const databaseUrl = `file:${path.join(dir, 'bot.db')}`;
const technicians = benchTechnicians(2);
await seedThroughServices(databaseUrl, async (services) => {
  await registerWithCodes(services, defaultTenantId, 0, 10);
  await grantTechnicians(services, defaultTenantId, technicians);
});
const config = parseConfig({ PORT: '0', HOST: '127.0.0.1', SERVICE_URL_HOSTS: '127.0.0.1', DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn', CODE_HASH_SECRET: benchCodeHashSecret });
const server = await startServer(config, { logger: createLogger('warn'), scheduler: 'off' });
const channel = await FakeChannel.start(server.url);
try {
  const from = technicians[0]!;
  const turn = async (title: string, text: string) => {
    await new Promise((resolve) => setTimeout(resolve, 300));
    seen.length = 0;
    const before = channel.received.length;
    await channel.message(text, { from, conversationId: `a:personal-${from.aadObjectId}` });
    await channel.waitFor(before + 1);
    console.log(`\n## ${title}: ${seen.length} statements`);
    for (const line of seen) console.log(`- ${line}`);
  };
  await turn('first message of a conversation', `status ${benchMac(1)}`);
  await turn('second message, same conversation', `status ${benchMac(2)}`);
  await turn('third message, same conversation', `status ${benchMac(3)}`);
  await server.services.roles.revoke(defaultTenantId, { platform: 'teams', userId: from.aadObjectId }, 'technician');
  await turn('after the technician role was revoked', `status ${benchMac(3)}`);
} finally {
  await channel.close();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
}
