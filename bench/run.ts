// Measurements of the foundation, printed as a table (`npm run bench`). Nothing here asserts
// a time: figures are read, compared between commits and quoted in issue notes.
//   - cold start: a new process on an empty SQLite folder until /readyz is 200;
//   - message round trip: POST /api/messages "help" until the reply reaches the channel;
//   - migrations: applying every migration to an empty database;
//   - provisioning at scale: a 10,000-row CSV import, codes for all 10,000 devices, and the
//     device API's provision call, one phone after another.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { applyMigrations } from '../prisma/migrator.ts';
import { startBotProcess, waitUntilReady } from '../test/helpers/bot-process.ts';
import { startTestBot } from '../test/helpers/test-bot.ts';

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

function summary(name: string, samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const f = (value: number) => value.toFixed(1).padStart(8);
  return `${name.padEnd(52)}${String(samples.length).padStart(5)}${f(percentile(sorted, 50))}${f(percentile(sorted, 95))}${f(sorted.at(-1) ?? NaN)}`;
}

async function coldStarts(runs: number): Promise<number[]> {
  const samples: number[] = [];
  for (let run = 0; run < runs; run++) {
    const cwd = mkdtempSync(path.join(tmpdir(), 'bench-start-'));
    const started = performance.now();
    const bot = startBotProcess(cwd, {}); // "listening" is an info line
    const port = await bot.listening;
    await waitUntilReady(`http://127.0.0.1:${port}/readyz`, 30_000);
    samples.push(performance.now() - started);
    bot.child.kill('SIGTERM');
    await bot.exited;
    rmSync(cwd, { recursive: true, force: true });
  }
  return samples;
}

async function roundTrips(count: number): Promise<number[]> {
  const bot = await startTestBot({ LOG_LEVEL: 'warn' });
  try {
    for (let i = 0; i < 20; i++) await bot.channel.message('help'); // warm up
    await bot.channel.waitFor(20);
    const samples: number[] = [];
    for (let i = 0; i < count; i++) {
      const before = bot.channel.received.length;
      const started = performance.now();
      await bot.channel.message('help');
      await bot.channel.waitFor(before + 1);
      samples.push(performance.now() - started);
    }
    return samples;
  } finally {
    await bot.close();
  }
}

async function migrationRuns(runs: number, serverUrl?: string): Promise<number[]> {
  const samples: number[] = [];
  for (let run = 0; run < runs; run++) {
    const dir = mkdtempSync(path.join(tmpdir(), 'bench-migrate-'));
    const url = serverUrl ?? `file:${path.join(dir, 'bench.db')}`;
    const started = performance.now();
    await applyMigrations(url);
    samples.push(performance.now() - started);
    rmSync(dir, { recursive: true, force: true });
  }
  return samples;
}

async function provisioningAtScale(devices: number, provisions: number): Promise<string[]> {
  const bot = await startTestBot({ LOG_LEVEL: 'warn' });
  try {
    const admin = { kind: 'user' as const, id: 'bench-admin' };
    const services = bot.server.services.devices;
    const rows = Array.from({ length: devices }, (_, index) => `02-00-00-${[(index >> 16) & 0xff, (index >> 8) & 0xff, index & 0xff].map((byte) => byte.toString(16).padStart(2, '0').toUpperCase()).join('-')};Floor ${index % 20}`);
    const csv = `MAC address;Location\r\n${rows.join('\r\n')}\r\n`;
    let started = performance.now();
    const report = await services.registry.importCsv(admin, 'bench-tenant', csv);
    const importMs = performance.now() - started;
    started = performance.now();
    const codes = await services.codes.issue(admin, 'bench-tenant', { all: true });
    const codesMs = performance.now() - started;
    const samples: number[] = [];
    for (const entry of codes.issued.slice(0, provisions)) {
      const before = performance.now();
      const response = await fetch(`${bot.url}/api/device/v1/provision`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ mac: entry.mac, verificationCode: entry.code }),
      });
      if (response.status !== 200) throw new Error(`provision answered ${response.status}`);
      samples.push(performance.now() - before);
    }
    return [
      summary(`import a ${report.added.length}-row CSV (SQLite, one transaction)`, [importMs]),
      summary(`issue codes for ${codes.issued.length} devices (SQLite)`, [codesMs]),
      summary('POST /provision with the right code (SQLite)', samples),
    ];
  } finally {
    await bot.close();
  }
}

console.log(`${'measure (ms)'.padEnd(52)}${'n'.padStart(5)}${'p50'.padStart(8)}${'p95'.padStart(8)}${'max'.padStart(8)}`);
console.log(summary('cold start to /readyz 200 (SQLite, new file)', await coldStarts(5)));
console.log(summary('message round trip, "help" (SQLite)', await roundTrips(300)));
console.log(summary('apply all migrations (SQLite, empty file)', await migrationRuns(10)));
for (const line of await provisioningAtScale(10_000, 200)) console.log(line);
