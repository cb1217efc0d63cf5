// Runs a server (the bot, or a baseline) as its own process, compiled as in production: the bot
// exactly as `npm start` runs it (node bot/start.mjs, the esbuild bundle), each baseline bundled
// the same way into a scratch folder. So that its memory is its own and the load client, the fake
// channel and the bench harness do not share its event loop. The same approach as
// test/helpers/bot-process.ts, plus what a benchmark needs: the moment of spawning, the
// process's memory from /proc, an optional CPU profile, and a clean stop.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { buildServer, bundleModule } from '../../bot/production-build.mjs';

export const projectDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const botEntry = path.join(projectDir, 'bot', 'server.ts');
const botStart = path.join(projectDir, 'bot', 'start.mjs');

const compiled = new Map<string, Promise<string>>();
/** The JavaScript module that runs `entry`: bot/start.mjs for the bot, a bundle of its own for a baseline. Built once per run. */
function compiledEntry(entry: string): Promise<string> {
  let module = compiled.get(entry);
  if (!module) {
    if (entry === botEntry) {
      // Built up front, so that no start-up time measures a rebuild of a stale bundle.
      module = buildServer().then(() => botStart);
    } else {
      // Inside the checkout (dist/ is not committed): its imports of npm packages resolve from node_modules.
      const outfile = path.join(projectDir, 'dist', 'bench', `${path.basename(entry, '.ts')}.cjs`);
      module = bundleModule(entry, outfile).then(() => outfile);
    }
    compiled.set(entry, module);
  }
  return module;
}

export interface ChildServer {
  child: ChildProcess;
  pid: number;
  /** e.g. http://127.0.0.1:41234 */
  url: string;
  /** performance.now() at spawn, for start-up times. */
  spawnedAt: number;
  exited: Promise<number | string>;
  output(): string;
  /** Polls GET url+path until it answers 200 (fails at once if the process exits); resolves with performance.now() then. */
  answers200(path: string, timeoutMs?: number): Promise<number>;
  /** Stops the process with SIGTERM (SIGKILL if it hangs) and waits for its exit. */
  stop(): Promise<void>;
}

export interface ChildServerOptions {
  /** Working directory: the bot reads a .env from there, so benchmarks give it an empty one of their own. */
  cwd: string;
  env: Record<string, string>;
  /** When set, the process writes a V8 CPU profile there on exit (node --cpu-prof), for finding why a target is missed. */
  cpuProfileDir?: string;
}

/** A port nobody listens on right now. The servers run at LOG_LEVEL=warn, so they do not log the port they got from PORT=0. */
export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

export async function startChildServer(entry: string, options: ChildServerOptions): Promise<ChildServer> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const profiling = options.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`] : [];
  const module = await compiledEntry(entry);
  const spawnedAt = performance.now();
  const child = spawn(process.execPath, [...profiling, module], {
    cwd: options.cwd,
    // Only what the benchmark gives, plus PATH: the harness's own variables (DATABASE_URL…) must not leak in.
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', ...options.env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error(`could not spawn ${entry}`);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output = (output + chunk.toString('utf8')).slice(-20_000)));
  child.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString('utf8')).slice(-20_000)));
  let exitCode: number | string | null = null;
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => {
      exitCode = code ?? signal ?? 'unknown';
      resolve(exitCode);
    }),
  );
  const name = path.relative(projectDir, entry);

  return {
    child,
    pid: child.pid,
    url,
    spawnedAt,
    exited,
    output: () => output,
    async answers200(routePath, timeoutMs = 60_000) {
      const deadline = performance.now() + timeoutMs;
      for (;;) {
        if (exitCode !== null) throw new Error(`${name} exited (${exitCode}) before ${routePath} answered 200:\n${output.slice(-4000)}`);
        try {
          const response = await fetch(`${url}${routePath}`);
          await response.arrayBuffer();
          if (response.status === 200) return performance.now();
        } catch {
          // not accepting connections yet
        }
        if (performance.now() > deadline) throw new Error(`${name}: ${routePath} did not answer 200 within ${timeoutMs} ms:\n${output.slice(-4000)}`);
        // Short polls: start-up times are read from this.
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    async stop() {
      if (exitCode !== null) return;
      child.kill('SIGTERM');
      const hung = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(hung);
    },
  };
}

/** Resident memory of a process from /proc/<pid>/status: now (VmRSS) and its peak since it started (VmHWM), in MB. */
export function processMemory(pid: number): { rssMb: number; peakRssMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kilobytes = (field: string) => {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    if (!match) throw new Error(`/proc/${pid}/status has no ${field}`);
    return Number(match[1]);
  };
  return { rssMb: kilobytes('VmRSS') / 1024, peakRssMb: kilobytes('VmHWM') / 1024 };
}

/**
 * CPU time the process has used so far (user + system, from /proc/<pid>/stat), in ms. Unlike
 * wall time it barely moves with what else runs on the machine, so "CPU ms per request" is the
 * steadiest figure for comparing the bot with its baseline on a busy shared machine.
 */
export function processCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) is in parentheses and may hold spaces: count fields after its ")".
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime: fields 14 and 15 of stat
  return (ticks * 1000) / clockTicksPerSecond;
}

// USER_HZ: 100 on every Linux this runs on (x86-64 and arm64 kernels fix it at 100).
const clockTicksPerSecond = 100;
