// Runs the bot as `npm start` does (node bot/start.mjs: the production build, rebuilt when a
// source is newer) in a separate process, in a
// working directory of the test's choosing, so start-up, exit codes and signals are real.
// Its stdout and stderr go to the run's leak watch, with the secrets it was started with
// (test/helpers/leak-watch.ts): the run fails if one of them is ever logged.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { secretFilePath } from '../../bot/code-hash-secret.ts';
import { defaultDatabaseUrl } from '../../prisma/database-url.ts';
import { captureLogLines, currentTestFile, lineSplitter, noteSecret } from './leak-watch.ts';

const projectDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const startEntry = path.join(projectDir, 'bot', 'start.mjs');

export interface BotProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the port once the bot logged "listening". */
  listening: Promise<number>;
  /** Resolves with the exit code (or the signal's name). */
  exited: Promise<number | string>;
}

/** Values of settings named like secrets (passwords, hash secrets, tokens) must never be logged. */
function noteSecretsOf(env: Record<string, string>): void {
  for (const [key, value] of Object.entries(env)) {
    if (/password|secret|token/i.test(key)) noteSecret(key, value);
  }
}

/** The hash secret the embedded default generates beside its SQLite file on first start. */
function noteGeneratedSecret(cwd: string, env: Record<string, string>): void {
  const databaseUrl = env.DATABASE_URL || defaultDatabaseUrl;
  if (!databaseUrl.startsWith('file:') || env.CODE_HASH_SECRET) return;
  // A relative file: URL is relative to the bot's working directory, not the test's.
  const file = secretFilePath(databaseUrl.replace(/^file:(?!\/)/, `file:${cwd}/`));
  if (existsSync(file)) noteSecret('generated code hash secret', readFileSync(file, 'utf8'));
}

export interface BotProcessOptions {
  /** A command the bot is started under, e.g. `setpriv …` (test/helpers/file-permissions.ts). */
  commandPrefix?: readonly string[];
}

export function startBotProcess(cwd: string, env: Record<string, string>, options: BotProcessOptions = {}): BotProcess {
  noteSecretsOf(env);
  const testFile = currentTestFile();
  const [command, ...args] = [...(options.commandPrefix ?? []), process.execPath, startEntry];
  const child = spawn(command!, args, {
    cwd,
    // Only what the test gives, plus PATH: the test runner's own variables must not leak in.
    // The fake channel and its files are on loopback: allowed as channel and file hosts.
    env: { PATH: process.env.PATH ?? '', PORT: '0', HOST: '127.0.0.1', SERVICE_URL_HOSTS: '127.0.0.1', FILE_DOWNLOAD_HOSTS: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const outLines = lineSplitter((lines) => captureLogLines('bot process stdout', lines, testFile));
  const errLines = lineSplitter((lines) => captureLogLines('bot process stderr', lines, testFile));
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString('utf8');
    outLines.push(chunk.toString('utf8'));
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    err += chunk.toString('utf8');
    errLines.push(chunk.toString('utf8'));
  });
  // 'close' comes after the last output: the unterminated last line is kept too.
  child.once('close', () => {
    outLines.flush();
    errLines.flush();
  });
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => {
      noteGeneratedSecret(cwd, env);
      resolve(code ?? signal ?? 'unknown');
    }),
  );
  const listening = new Promise<number>((resolve, reject) => {
    const look = () => {
      const line = out.split('\n').find((candidate) => candidate.includes('"msg":"listening"'));
      if (line) resolve((JSON.parse(line) as { port: number }).port);
    };
    child.stdout?.on('data', look);
    void exited.then((code) => reject(new Error(`bot exited (${code}) before listening:\n${err}\n${out}`)));
  });
  listening.catch(() => {});
  return { child, stdout: () => out, stderr: () => err, listening, exited };
}

/** Polls GET url until it answers 200; returns how long that took. */
export async function waitUntilReady(url: string, timeoutMs: number): Promise<number> {
  const started = Date.now();
  for (;;) {
    try {
      const response = await fetch(url);
      if (response.status === 200) return Date.now() - started;
    } catch {
      // not listening yet
    }
    if (Date.now() - started > timeoutMs) throw new Error(`${url} not ready after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Lines the process wrote to stderr, without Node's deprecation notices from dependencies. */
export function meaningfulStderr(stderr: string): string[] {
  return stderr
    .split('\n')
    .filter((line) => line.trim() !== '' && !/DeprecationWarning|--trace-deprecation/.test(line));
}
