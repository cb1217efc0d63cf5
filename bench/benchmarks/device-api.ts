// Phones provisioning at once: POST /api/device/v1/provision of distinct devices, each with
// its right code, 50 in flight, against the bot running as its own process on SQLite; side by
// side with restify answering a static JSON on the same route (bench/support/static-json-server.ts),
// fed the same bodies by the same client at the same concurrency. Every device is registered
// and has its code (through the real services) after the admin set up the technicians and
// admins channels, so its hand-off card is posted there before the runs; each run provisions devices no run
// touched before.
//
// Notifications included: each provision redraws its hand-off card and posts an "awaiting
// sign-in" card (one fake channel plays both channels). A run ends when the outbox has
// delivered all that its provisions caused, each exactly once (bench/support/notification-watch.ts),
// and the server CPU per provision counts that delivery too.
//
// BENCH_CPU_PROFILE_DIR=<dir> makes the bot process write a CPU profile there on exit.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { atLeast, atMost, median, percentile, type Benchmark, type BenchResult } from '../harness.ts';
import { botEntry, processMemory, projectDir, startChildServer, type ChildServer } from '../support/child-server.ts';
import { benchCodeHashSecret, registerWithCodes, seedThroughServices, sitePerBatch } from '../support/fleet-seed.ts';
import { keepAliveClient, type Answer, type LoadClient } from '../support/load-client.ts';
import { benchChannelAdmin, exactlyOnce, NotificationWatch, provisionRun, setUpChannels, sqliteOutboxReader, type ProvisionRun } from '../support/notification-watch.ts';
import { isProvisionedIn, measuredBatch as measuredOn, provisionBodies, provisionPath, type MeasuredBatch } from '../support/provision-load.ts';
import { defaultTenantId, FakeChannel } from '../../test/helpers/fake-channel.ts';

const staticEntry = path.join(projectDir, 'bench', 'support', 'static-json-server.ts');
const concurrency = 50;
// The tenant the fake channel's conversations belong to: the channels the admin sets up are its.
const tenantId = defaultTenantId;
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
    const env = { DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn', CODE_HASH_SECRET: benchCodeHashSecret, ADMIN_USER_IDS: benchChannelAdmin.aadObjectId };
    // The admin sets up the two channels through a first bot process; the seeding then runs with
    // no bot beside it (SQLite is one process's), and the bot under test starts on the result:
    // its outbox posts each batch's hand-off card before the runs.
    const channel = await FakeChannel.start();
    const setUp = await startChildServer(botEntry, { cwd: dir, env });
    try {
      await setUp.answers200('/readyz');
      await setUpChannels(channel, setUp.url);
    } finally {
      await setUp.stop();
    }
    // A site's phones come online together (a morning roll-out): each hand-off batch is one site,
    // provisioned in order, so the provisions in flight redraw the same site's cards.
    const codes = await seedThroughServices(databaseUrl, (services) => registerWithCodes(services, tenantId, 0, devices, sitePerBatch));
    const cpuProfileDir = process.env.BENCH_CPU_PROFILE_DIR;
    const bot = await startChildServer(botEntry, { cwd: dir, env, ...(cpuProfileDir ? { cpuProfileDir } : {}) });
    const baselineServer = await startChildServer(staticEntry, { cwd: dir, env: {} });
    // One client per server, kept for all its batches: sockets are open before a measured batch starts.
    const botClient = keepAliveClient(concurrency);
    const baselineClient = keepAliveClient(concurrency);
    const outbox = sqliteOutboxReader(databaseUrl);
    try {
      await bot.answers200('/readyz');
      await baselineServer.answers200('/healthz');
      channel.useBot(bot.url);
      const watch = new NotificationWatch(channel, outbox);
      await watch.drained();
      const slice = (first: number, count: number) => provisionBodies(codes, first, count);
      const botRun = (first: number, count: number) => provisionRun([bot], botClient, watch, codes, { first, count, concurrency }, isProvisioned);

      // Warm-up on devices of its own: JIT, connections, the SQLite page cache; not measured.
      const warmUpRun = await botRun(0, warmUp);
      if (!exactlyOnce(warmUpRun.delivery)) throw new Error(`device-api warm-up: notifications not delivered exactly once: ${JSON.stringify(warmUpRun.delivery)}`);
      await measuredBatch(baselineServer, baselineClient, slice(0, warmUp), isStaticAnswer);

      const ours: ProvisionRun[] = [];
      const baseline: MeasuredBatch[] = [];
      for (let run = 0; run < runs; run++) {
        const first = warmUp + run * provisions;
        // Alternate who goes first, so that neither always runs on a machine warmed (or disturbed) by the other.
        if (run % 2 === 0) {
          ours.push(await botRun(first, provisions));
          baseline.push(await measuredBatch(baselineServer, baselineClient, slice(first, provisions), isStaticAnswer));
        } else {
          baseline.push(await measuredBatch(baselineServer, baselineClient, slice(first, provisions), isStaticAnswer));
          ours.push(await botRun(first, provisions));
        }
      }
      return [result({ provisions, runs, warmUp, devices, concurrency }, ours, baseline, processMemory(bot.pid).peakRssMb)];
    } finally {
      botClient.close();
      baselineClient.close();
      await channel.close();
      await outbox.close();
      await bot.stop();
      await baselineServer.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

function result(parameters: Record<string, number>, ours: ProvisionRun[], baseline: MeasuredBatch[], peakRssMb: number): BenchResult {
  const all = ours.flatMap((batch) => batch.latencies);
  // p99 per run, then the median run: one run disturbed by a neighbour on the shared machine does not decide.
  const p99 = median(ours.map((batch) => percentile(batch.latencies, 99)));
  const sum = (pick: (batch: MeasuredBatch) => number) => [...ours, ...baseline].reduce((total, batch) => total + pick(batch), 0);
  const clean = [...ours, ...baseline].every((batch) => batch.outcomes.errors === 0 && batch.outcomes.non2xx === 0 && batch.wrongAnswers === 0);
  const firstProblem = [...ours, ...baseline].map((batch) => batch.outcomes.firstProblem).find((problem) => problem !== null);
  return {
    name: 'device-api',
    database: 'sqlite',
    parameters: { ...parameters, call: 'POST /provision, right code; notifications delivered' },
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
      'delivered/s': median(ours.map((batch) => batch.deliveredThroughput)),
      'hand-off updates/provision': median(ours.map((batch) => batch.delivery.handoffUpdates / batch.delivery.provisions)),
      'baseline CPU ms/req': median(baseline.map((batch) => batch.cpuMsPerRequest)),
      'peak RSS MB': peakRssMb,
      'statuses': ours.map((batch) => batch.outcomes.describeStatuses()).join(', '),
      'errors': sum((batch) => batch.outcomes.errors),
      'non-2xx': sum((batch) => batch.outcomes.non2xx),
      'wrong answers': sum((batch) => batch.wrongAnswers),
      ...(firstProblem ? { 'first problem': firstProblem } : {}),
    },
    targets: [
      atLeast(median(ours.map((batch) => batch.throughput)), 500, 'provisions/s'),
      atMost(p99, 100, 'ms p99'),
      { description: 'every device provisioned, 2xx, no errors', met: clean },
      { description: 'every notification delivered exactly once', met: ours.every((batch) => exactlyOnce(batch.delivery)) },
    ],
  };
}
