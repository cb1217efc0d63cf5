// Phones provisioning at once: POST /api/device/v1/provision of distinct devices, each with
// its right code, 50 in flight, against the bot running as its own process on SQLite; side by
// side with restify answering a static JSON on the same route (bench/support/static-json-server.ts),
// fed the same bodies by the same client at the same concurrency. Every device is registered
// and has its code before the server starts (through the real services); each run provisions
// devices no run touched before.
//
// BENCH_CPU_PROFILE_DIR=<dir> makes the bot process write a CPU profile there on exit.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { atMost, median, percentile, type Benchmark, type BenchResult } from '../harness.ts';
import { botEntry, processMemory, projectDir, startChildServer, type ChildServer } from '../support/child-server.ts';
import { benchCodeHashSecret, registerWithCodes, seedThroughServices } from '../support/fleet-seed.ts';
import { keepAliveClient, type Answer, type LoadClient } from '../support/load-client.ts';
import { isProvisionedIn, measuredBatch as measuredOn, provisionBodies, provisionPath, type MeasuredBatch } from '../support/provision-load.ts';

const staticEntry = path.join(projectDir, 'bench', 'support', 'static-json-server.ts');
const concurrency = 50;
const tenantId = 'tenant-contoso';
const isProvisioned = isProvisionedIn(tenantId);

function measuredBatch(server: ChildServer, client: LoadClient, bodies: readonly unknown[], check: (answer: Answer, index: number) => string | null): Promise<MeasuredBatch> {
  return measuredOn([server], provisionPath, client, bodies, concurrency, check);
}

function isStaticAnswer(answer: Answer): string | null {
  return answer.status === 200 && answer.text.includes('"deviceToken"') ? null : `static server answered ${answer.status}: ${answer.text.slice(0, 200)}`;
}

export const deviceApiBenchmark: Benchmark = {
  name: 'device-api',
  description: 'POST /api/device/v1/provision of distinct devices to the bot process (SQLite) vs restify answering a static JSON, 50 concurrent',
  async run({ quick }) {
    // Quick: a few seconds in all (two process starts and the seeding included), for reviewers.
    const provisions = quick ? 500 : 5000;
    const runs = quick ? 1 : 5;
    const warmUp = quick ? 100 : 500;
    const devices = warmUp + runs * provisions;
    const dir = mkdtempSync(path.join(tmpdir(), 'bench-device-api-'));
    const databaseUrl = `file:${path.join(dir, 'bot.db')}`;
    try {
      const codes = await seedThroughServices(databaseUrl, (services) => registerWithCodes(services, tenantId, 0, devices));
      const slice = (first: number, count: number) => provisionBodies(codes, first, count);

      const cpuProfileDir = process.env.BENCH_CPU_PROFILE_DIR;
      const bot = await startChildServer(botEntry, {
        cwd: dir,
        env: { DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn', CODE_HASH_SECRET: benchCodeHashSecret },
        ...(cpuProfileDir ? { cpuProfileDir } : {}),
      });
      const baselineServer = await startChildServer(staticEntry, { cwd: dir, env: {} });
      // One client per server, kept for all its batches: sockets are open before a measured batch starts.
      const botClient = keepAliveClient(concurrency);
      const baselineClient = keepAliveClient(concurrency);
      try {
        await bot.answers200('/readyz');
        await baselineServer.answers200('/healthz');
        // Warm-up on devices of its own: JIT, connections, the SQLite page cache; not measured.
        const warmUpBodies = slice(0, warmUp);
        await measuredBatch(bot, botClient, warmUpBodies, isProvisioned);
        await measuredBatch(baselineServer, baselineClient, warmUpBodies, isStaticAnswer);

        const ours: MeasuredBatch[] = [];
        const baseline: MeasuredBatch[] = [];
        for (let run = 0; run < runs; run++) {
          const bodies = slice(warmUp + run * provisions, provisions);
          // Alternate who goes first, so that neither always runs on a machine warmed (or disturbed) by the other.
          if (run % 2 === 0) {
            ours.push(await measuredBatch(bot, botClient, bodies, isProvisioned));
            baseline.push(await measuredBatch(baselineServer, baselineClient, bodies, isStaticAnswer));
          } else {
            baseline.push(await measuredBatch(baselineServer, baselineClient, bodies, isStaticAnswer));
            ours.push(await measuredBatch(bot, botClient, bodies, isProvisioned));
          }
        }
        return [result({ provisions, runs, warmUp, devices, concurrency }, ours, baseline, processMemory(bot.pid).peakRssMb)];
      } finally {
        botClient.close();
        baselineClient.close();
        await bot.stop();
        await baselineServer.stop();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

function result(parameters: Record<string, number>, ours: MeasuredBatch[], baseline: MeasuredBatch[], peakRssMb: number): BenchResult {
  const all = ours.flatMap((batch) => batch.latencies);
  // p99 per run, then the median run: one run disturbed by a neighbour on the shared machine does not decide.
  const p99 = median(ours.map((batch) => percentile(batch.latencies, 99)));
  const sum = (pick: (batch: MeasuredBatch) => number) => [...ours, ...baseline].reduce((total, batch) => total + pick(batch), 0);
  const clean = [...ours, ...baseline].every((batch) => batch.outcomes.errors === 0 && batch.outcomes.non2xx === 0 && batch.wrongAnswers === 0);
  const firstProblem = [...ours, ...baseline].map((batch) => batch.outcomes.firstProblem).find((problem) => problem !== null);
  return {
    name: 'device-api',
    database: 'sqlite',
    parameters: { ...parameters, call: 'POST /provision, right code' },
    unit: 'ops/s',
    samples: ours.map((batch) => batch.throughput),
    baseline: { description: 'restify answering a static JSON, same route, client and concurrency', samples: baseline.map((batch) => batch.throughput) },
    details: {
      'p50 ms': percentile(all, 50),
      'p95 ms': percentile(all, 95),
      'p99 ms': p99,
      'worst-run p99 ms': Math.max(...ours.map((batch) => percentile(batch.latencies, 99))),
      'baseline p50 ms': percentile(baseline.flatMap((batch) => batch.latencies), 50),
      'baseline p99 ms': median(baseline.map((batch) => percentile(batch.latencies, 99))),
      'server CPU ms/req': median(ours.map((batch) => batch.cpuMsPerRequest)),
      'baseline CPU ms/req': median(baseline.map((batch) => batch.cpuMsPerRequest)),
      'peak RSS MB': peakRssMb,
      'statuses': ours.map((batch) => batch.outcomes.describeStatuses()).join(', '),
      'errors': sum((batch) => batch.outcomes.errors),
      'non-2xx': sum((batch) => batch.outcomes.non2xx),
      'wrong answers': sum((batch) => batch.wrongAnswers),
      ...(firstProblem ? { 'first problem': firstProblem } : {}),
    },
    targets: [atMost(p99, 50, 'ms p99'), { description: 'every device provisioned, 2xx, no errors', met: clean }],
  };
}
