// `status <MAC>` messages from 50 technicians at once, POSTed to /api/messages of the bot
// running as its own process on SQLite, replies collected by the fake channel; side by side
// with a bare botbuilder echo bot (bench/support/echo-bot.ts) on the same server stack, fed
// the same messages by the same client at the same concurrency. Also the bot's peak RSS
// (VmHWM from /proc) over its whole life: start-up, warm-up and runs.
//
// BENCH_CPU_PROFILE_DIR=<dir> makes the bot process write a CPU profile there on exit.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { defaultTenantId } from '../../test/helpers/fake-channel.ts';
import { atMost, median, percentile, type Benchmark, type BenchResult } from '../harness.ts';
import { ChatLine, cleanBatch, type ChatBatch, type ChatMessage, type ReplyCheck } from '../support/chat-load.ts';
import { botEntry, processMemory, projectDir, startChildServer, type ChildServer } from '../support/child-server.ts';
import { benchCodeHashSecret, registerWithCodes, seedThroughServices } from '../support/fleet-seed.ts';
import { benchTechnicians, grantTechnicians, isEcho, isStatusCard, measuredChatBatch, statusMessages as statusMessagesOf, type MeasuredChatBatch as MeasuredBatch } from '../support/status-chat.ts';

const echoEntry = path.join(projectDir, 'bench', 'support', 'echo-bot.ts');
const concurrency = 50;

/** The technicians asking: one per concurrent request, each in their personal chat with the bot. */
const technicians = benchTechnicians(concurrency);

const statusMessages = (count: number, devices: number) => statusMessagesOf(technicians, count, devices);

const measuredBatch = (server: ChildServer, line: ChatLine, messages: readonly ChatMessage[], check: ReplyCheck) => measuredChatBatch([server], line, messages, check);

export const chatBenchmark: Benchmark = {
  name: 'chat',
  description: '`status <MAC>` through /api/messages of the bot process (SQLite) vs a bare botbuilder echo bot, 50 concurrent',
  async run({ quick }) {
    // Quick: a few seconds in all (two process starts and the seeding included), for reviewers.
    const messages = quick ? 300 : 2000;
    const runs = quick ? 1 : 5;
    // The bot's cost per message falls by a third over its first ~1,000 messages (JIT): warm it up.
    const warmUp = quick ? 300 : 1000;
    const devices = quick ? 300 : 2000;
    const dir = mkdtempSync(path.join(tmpdir(), 'bench-chat-'));
    const databaseUrl = `file:${path.join(dir, 'bot.db')}`;
    try {
      await seedThroughServices(databaseUrl, async (services) => {
        await registerWithCodes(services, defaultTenantId, 0, devices);
        await grantTechnicians(services, defaultTenantId, technicians);
      });
      const cpuProfileDir = process.env.BENCH_CPU_PROFILE_DIR;
      const bot = await startChildServer(botEntry, {
        cwd: dir,
        env: { DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn', CODE_HASH_SECRET: benchCodeHashSecret },
        ...(cpuProfileDir ? { cpuProfileDir } : {}),
      });
      const echo = await startChildServer(echoEntry, { cwd: dir, env: {} });
      let botLine: ChatLine | undefined;
      let echoLine: ChatLine | undefined;
      try {
        await bot.answers200('/readyz');
        await echo.answers200('/healthz');
        botLine = await ChatLine.open(bot.url, concurrency);
        echoLine = await ChatLine.open(echo.url, concurrency);
        // Warm-up: connections, JIT, template parsing, the SQLite page cache; not measured.
        await botLine.batch(statusMessages(warmUp, devices), isStatusCard);
        await echoLine.batch(statusMessages(warmUp, devices), isEcho);

        const ours: MeasuredBatch[] = [];
        const baseline: MeasuredBatch[] = [];
        const work = statusMessages(messages, devices);
        for (let run = 0; run < runs; run++) {
          // Alternate who goes first, so that neither always runs on a machine warmed (or disturbed) by the other.
          if (run % 2 === 0) {
            ours.push(await measuredBatch(bot, botLine, work, isStatusCard));
            baseline.push(await measuredBatch(echo, echoLine, work, isEcho));
          } else {
            baseline.push(await measuredBatch(echo, echoLine, work, isEcho));
            ours.push(await measuredBatch(bot, botLine, work, isStatusCard));
          }
        }
        const botMemory = processMemory(bot.pid);
        const echoMemory = processMemory(echo.pid);
        return results({ messages, runs, warmUp, devices }, ours, baseline, botMemory.peakRssMb, echoMemory.peakRssMb);
      } finally {
        await botLine?.close();
        await echoLine?.close();
        await bot.stop();
        await echo.stop();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

function results(parameters: Record<string, number>, ours: MeasuredBatch[], baseline: MeasuredBatch[], peakRssMb: number, echoPeakRssMb: number): BenchResult[] {
  const throughput = ours.map((batch) => batch.throughput);
  const echoThroughput = baseline.map((batch) => batch.throughput);
  // p99 per run, then the median run: one run disturbed by a neighbour on the shared machine does not decide.
  const p99 = median(ours.map((batch) => percentile(batch.latencies, 99)));
  const ratio = median(throughput) / median(echoThroughput);
  const all = ours.flatMap((batch) => batch.latencies);
  const clean = ours.every(cleanBatch) && baseline.every(cleanBatch);
  const sum = (pick: (batch: ChatBatch) => number) => [...ours, ...baseline].reduce((total, batch) => total + pick(batch), 0);
  const firstProblem = [...ours, ...baseline].map((batch) => batch.outcomes.firstProblem).find((problem) => problem !== null);
  return [
    {
      name: 'chat',
      database: 'sqlite',
      parameters: { ...parameters, concurrency, command: 'status <MAC>' },
      unit: 'ops/s',
      samples: throughput,
      baseline: { description: 'bare botbuilder echo bot, same restify stack and client', samples: echoThroughput },
      details: {
        'p50 ms': percentile(all, 50),
        'p95 ms': percentile(all, 95),
        'p99 ms': p99,
        'worst-run p99 ms': Math.max(...ours.map((batch) => percentile(batch.latencies, 99))),
        'echo p50 ms': percentile(baseline.flatMap((batch) => batch.latencies), 50),
        'echo p99 ms': median(baseline.map((batch) => percentile(batch.latencies, 99))),
        'server CPU ms/msg': median(ours.map((batch) => batch.cpuMsPerMessage)),
        'echo CPU ms/msg': median(baseline.map((batch) => batch.cpuMsPerMessage)),
        'client CPU ms/msg': median(ours.map((batch) => batch.clientCpuMsPerMessage)),
        'echo client CPU ms/msg': median(baseline.map((batch) => batch.clientCpuMsPerMessage)),
        'statuses': ours.map((batch) => batch.outcomes.describeStatuses()).join(', '),
        'errors': sum((batch) => batch.outcomes.errors),
        'non-2xx': sum((batch) => batch.outcomes.non2xx),
        'missing replies': sum((batch) => batch.missingReplies),
        'duplicate replies': sum((batch) => batch.duplicateReplies),
        'wrong replies': sum((batch) => batch.wrongReplies),
        'proactive sends': sum((batch) => batch.strays),
        ...(firstProblem ? { 'first problem': firstProblem } : {}),
      },
      targets: [
        { description: '≥ 0.5× echo throughput', met: ratio >= 0.5 },
        atMost(p99, 100, 'ms p99'),
        { description: 'every message answered once, right, 2xx', met: clean },
      ],
    },
    {
      name: 'chat peak RSS',
      database: 'sqlite',
      parameters: { process: 'bot', measured: 'VmHWM after the runs' },
      unit: 'MB',
      samples: [peakRssMb],
      baseline: { description: 'the echo bot process', samples: [echoPeakRssMb] },
      targets: [atMost(peakRssMb, 250, 'MB')],
    },
  ];
}
