// Starts the real server in this process, on an ephemeral port, with a fresh SQLite file
// (or the PostgreSQL URL given), a fake channel beside it, and the logs kept for assertions.
// Every log line also goes to the run's leak watch, and the secrets the bot runs with are
// noted there (test/helpers/leak-watch.ts): the run fails if one of them is ever logged.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { secretFilePath } from '../../bot/code-hash-secret.ts';
import { parseConfig } from '../../bot/config.ts';
import { createLogger } from '../../bot/logger.ts';
import { startServer, type RunningServer, type ServerOptions } from '../../bot/server.ts';
import { createScratchDatabase } from '../../prisma/schema-engine/index.ts';
import type { Provider } from '../../prisma/schemas.ts';
import { FakeChannel } from './fake-channel.ts';
import { captureLogLines, currentTestFile, noteSecret } from './leak-watch.ts';
import { postgresServerUrl, skipPostgres } from './postgres.ts';

export interface TestBot {
  server: RunningServer;
  channel: FakeChannel;
  url: string;
  /** Every log line so far, parsed. */
  logs(): Record<string, unknown>[];
  logText(): string;
  close(): Promise<void>;
}

export async function startTestBot(env: Record<string, string> = {}, options: Omit<ServerOptions, 'logger'> = {}): Promise<TestBot> {
  const dir = mkdtempSync(path.join(tmpdir(), 'provisioning-bot-test-'));
  const lines: string[] = [];
  // Lines written after the test ended (while closing) still belong to the file that started the bot.
  const testFile = currentTestFile();
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      const written = chunk.toString('utf8').split('\n').filter((line) => line !== '');
      lines.push(...written);
      captureLogLines('in-process bot', written, testFile);
      callback();
    },
  });
  const config = parseConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    // The fake channel and the files it serves are on loopback: allowed as channel and file hosts.
    SERVICE_URL_HOSTS: '127.0.0.1',
    FILE_DOWNLOAD_HOSTS: '127.0.0.1',
    DATABASE_URL: `file:${path.join(dir, 'bot.db')}`,
    LOG_LEVEL: 'debug',
    SHUTDOWN_GRACE_SECONDS: '5',
    ...env,
  });
  noteSecret('MicrosoftAppPassword', config.botAuth.appPassword);
  noteSecret('CODE_HASH_SECRET', config.codeHashSecret);
  noteSecret('SLACK_BOT_TOKEN', config.slack?.botToken);
  noteSecret('SLACK_SIGNING_SECRET', config.slack?.signingSecret);
  noteSecret('SLACK_APP_TOKEN', config.slack?.appToken);
  const server = await startServer(config, { ...options, logger: createLogger(config.logLevel, sink) });
  if (config.databaseProvider === 'sqlite' && !config.codeHashSecret) {
    // The embedded default generated its hash secret beside the database on start-up.
    const secretFile = secretFilePath(config.databaseUrl);
    if (existsSync(secretFile)) noteSecret('generated code hash secret', readFileSync(secretFile, 'utf8'));
  }
  const channel = await FakeChannel.start(server.url);
  return {
    server,
    channel,
    url: server.url,
    logs: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
    logText: () => lines.join('\n'),
    async close() {
      await channel.close();
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The providers a test runs on: PostgreSQL too wherever TEST_POSTGRES_URL is set (always in CI). */
export const testProviders: readonly Provider[] = ['sqlite', 'postgresql'];

/** For `describe.skipIf(...)`: PostgreSQL is skipped only on a developer machine without a server. */
export const unavailable = (provider: Provider) => provider === 'postgresql' && skipPostgres;

/** startTestBot on a fresh database of the provider (a scratch PostgreSQL database, dropped on close). */
export async function startTestBotOn(provider: Provider, env: Record<string, string> = {}, options: Omit<ServerOptions, 'logger'> = {}): Promise<TestBot> {
  if (provider === 'sqlite') return startTestBot(env, options);
  const database = await createScratchDatabase('postgresql', postgresServerUrl('integration'), 'bot');
  const bot = await startTestBot({ DATABASE_URL: database.url, CODE_HASH_SECRET: 'test-secret-0123456789-0123456789-0123456789', ...env }, options);
  return {
    ...bot,
    async close() {
      await bot.close();
      await database.drop();
    },
  };
}
