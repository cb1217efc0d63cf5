// Starts the real server in this process, on an ephemeral port, with a fresh SQLite file
// (or the PostgreSQL URL given), a fake channel beside it, and the logs kept for assertions.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { parseConfig } from '../../bot/config.ts';
import { createLogger } from '../../bot/logger.ts';
import { startServer, type RunningServer, type ServerOptions } from '../../bot/server.ts';
import { FakeChannel } from './fake-channel.ts';

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
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(...chunk.toString('utf8').split('\n').filter((line) => line !== ''));
      callback();
    },
  });
  const config = parseConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: `file:${path.join(dir, 'bot.db')}`,
    LOG_LEVEL: 'debug',
    SHUTDOWN_GRACE_SECONDS: '5',
    ...env,
  });
  const server = await startServer(config, { ...options, logger: createLogger(config.logLevel, sink) });
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
