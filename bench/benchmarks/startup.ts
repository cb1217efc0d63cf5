// Start-up: from spawning the bot (node bot/start.mjs, the bundle `npm start` runs) to
// its first 200 on /readyz, on SQLite:
//   - empty: a new folder, so the start creates the file and applies every migration (a first start);
//   - fleet: a copy of a database holding a large fleet (bench/fixtures/large-fleet.ts), all
//     migrations applied (a restart of a big customer's instance). Each run starts on a fresh
//     copy, so no run finds what an earlier run's start-up jobs wrote.
// Side by side, the bare botbuilder echo bot's spawn to its first 200 (/healthz): the floor that
// Node, restify and botbuilder set before the bot does anything of its own (bundled the same way).
// The bot runs its bundle with the V8 code cache an earlier start wrote (bot/code-cache.mjs); the
// first start after the benchmark's build has none, and is reported on its own.
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { codeCacheFile } from '../../bot/code-cache.mjs';
import { serverBundle } from '../../bot/production-build.mjs';
import { fleetCodeHashSecret, seedFleet } from '../fixtures/large-fleet.ts';
import { median, type Benchmark, type BenchResult } from '../harness.ts';
import { botEntry, processCpuMs, processMemory, projectDir, startChildServer } from '../support/child-server.ts';

const echoEntry = path.join(projectDir, 'bench', 'support', 'echo-bot.ts');

interface Start {
  /** Spawn to the first 200, ms. */
  readyMs: number;
  peakRssMb: number;
  /** CPU the process used up to its first 200 (all threads): steadier than wall on a busy machine. */
  cpuMs: number;
}

/** Spawns `entry`, waits for a 200 on `readyPath`, stops it. */
async function timeStart(entry: string, readyPath: string, cwd: string, env: Record<string, string>): Promise<Start> {
  const server = await startChildServer(entry, { cwd, env });
  try {
    const readyAt = await server.answers200(readyPath, 120_000);
    return { readyMs: readyAt - server.spawnedAt, cpuMs: processCpuMs(server.pid), peakRssMb: processMemory(server.pid).peakRssMb };
  } finally {
    await server.stop();
  }
}

/** A copy of the SQLite database at `source` (with its WAL, if one is left) in a new folder. */
function copyDatabase(source: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-startup-run-'));
  for (const suffix of ['', '-wal']) {
    if (existsSync(`${source}${suffix}`)) copyFileSync(`${source}${suffix}`, path.join(dir, `bot.db${suffix}`));
  }
  return dir;
}

export const startupBenchmark: Benchmark = {
  name: 'startup',
  description: 'spawn of the bot process to /readyz 200 on SQLite: empty (first start) and with a large fleet',
  async run({ quick }) {
    const emptyRuns = quick ? 1 : 5;
    const fleetRuns = quick ? 1 : 3;
    // Seeding 100,000 devices with history takes ~15 s of CPU: quick mode starts on a smaller fleet.
    const fleetDevices = quick ? 5_000 : 100_000;
    const baseEnv = { LOG_LEVEL: 'warn' };

    // A start with no code cache, as the first one after a build (another benchmark's starts
    // may have written it already).
    rmSync(codeCacheFile(serverBundle), { force: true });
    const firstDir = mkdtempSync(path.join(tmpdir(), 'bench-startup-first-'));
    let first: Start;
    try {
      first = await timeStart(botEntry, '/readyz', firstDir, { ...baseEnv, DATABASE_URL: `file:${path.join(firstDir, 'bot.db')}` });
    } finally {
      rmSync(firstDir, { recursive: true, force: true });
    }

    const empty: Start[] = [];
    const echo: Start[] = [];
    for (let run = 0; run < emptyRuns; run++) {
      const dir = mkdtempSync(path.join(tmpdir(), 'bench-startup-empty-'));
      try {
        // Interleaved with the echo bot's start, so both see the same machine.
        empty.push(await timeStart(botEntry, '/readyz', dir, { ...baseEnv, DATABASE_URL: `file:${path.join(dir, 'bot.db')}` }));
        echo.push(await timeStart(echoEntry, '/healthz', dir, {}));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }

    const templateDir = mkdtempSync(path.join(tmpdir(), 'bench-startup-fleet-'));
    const template = path.join(templateDir, 'fleet.db');
    const fleet: Start[] = [];
    try {
      const seeded = await seedFleet(`file:${template}`, { devices: fleetDevices, locations: 50, liveCodes: Math.round(fleetDevices / 5) });
      for (let run = 0; run < fleetRuns; run++) {
        const dir = copyDatabase(template);
        try {
          fleet.push(await timeStart(botEntry, '/readyz', dir, { ...baseEnv, DATABASE_URL: `file:${path.join(dir, 'bot.db')}`, CODE_HASH_SECRET: fleetCodeHashSecret }));
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      }
      const rows = Object.values(seeded.rows).reduce((sum, count) => sum + (count ?? 0), 0);
      return [emptyResult(emptyRuns, empty, echo, first), fleetResult(fleetRuns, fleetDevices, rows, fleet)];
    } finally {
      rmSync(templateDir, { recursive: true, force: true });
    }
  },
};

const maxOf = (starts: Start[]) => Math.max(...starts.map((start) => start.peakRssMb));

function emptyResult(runs: number, empty: Start[], echo: Start[], first: Start): BenchResult {
  return {
    name: 'startup empty',
    database: 'sqlite',
    parameters: { runs, database: 'new file, every migration applied at start', code: 'the V8 code cache of an earlier start' },
    unit: 'ms',
    samples: empty.map((start) => start.readyMs),
    baseline: { description: 'bare botbuilder echo bot, spawn to /healthz 200', samples: echo.map((start) => start.readyMs) },
    details: {
      'peak RSS MB': maxOf(empty),
      'echo peak RSS MB': maxOf(echo),
      'CPU ms at ready (median)': median(empty.map((start) => start.cpuMs)),
      'echo CPU ms at ready (median)': median(echo.map((start) => start.cpuMs)),
      'first start after a build (no code cache yet) ms': first.readyMs,
      'its CPU ms at ready': first.cpuMs,
    },
    // Issue 17's goal: the bot ready within 1.3 times the echo bot's start-up, both compiled.
    targets: [{ description: '≤ 1.3× the echo bot', met: median(empty.map((start) => start.readyMs)) <= 1.3 * median(echo.map((start) => start.readyMs)) }],
  };
}

function fleetResult(runs: number, devices: number, rows: number, fleet: Start[]): BenchResult {
  return {
    name: 'startup fleet',
    database: 'sqlite',
    parameters: { runs, devices, rows, database: 'a copy of a seeded fleet per run (bench/fixtures/large-fleet.ts)' },
    unit: 'ms',
    samples: fleet.map((start) => start.readyMs),
    details: { 'peak RSS MB': maxOf(fleet), 'CPU ms at ready (median)': median(fleet.map((start) => start.cpuMs)) },
    targets: [],
  };
}
