// Runs the bot as `npm start` does (node --import tsx bot/server.ts) in a separate process, in a
// working directory of the test's choosing, so start-up, exit codes and signals are real.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';

const projectDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const serverEntry = path.join(projectDir, 'bot', 'server.ts');
const tsxLoader = pathToFileURL(path.join(projectDir, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;

export interface BotProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the port once the bot logged "listening". */
  listening: Promise<number>;
  /** Resolves with the exit code (or the signal's name). */
  exited: Promise<number | string>;
}

export function startBotProcess(cwd: string, env: Record<string, string>): BotProcess {
  const child = spawn(process.execPath, ['--import', tsxLoader, serverEntry], {
    cwd,
    // Only what the test gives, plus PATH: the test runner's own variables must not leak in.
    env: { PATH: process.env.PATH ?? '', PORT: '0', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
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
