// Scaling out: the device-api load and the chat load against one bot process, then against two
// on the same PostgreSQL, the load client sending request i to instance i % n (round robin, no
// proxy). Each instance runs the bot as `npm start` does, with the same CODE_HASH_SECRET, and
// every instance runs its outbox and jobs, as in a deployment.
//
// What must hold when going from one instance to two (issue 17): the server CPU per request
// stays within 10 % (the steadiest figure on a shared 2-core machine, where the load client and
// PostgreSQL take cores too, so throughput cannot double), nothing fails, and every
// notification is delivered exactly once across the instances. The notifications are those a
// provision causes: its hand-off card redrawn in the technicians channel and an "awaiting
// sign-in" card posted to the admins channel, both channels played by one fake channel. The
// outbox records each destination it served (its progress); the channel must have received
// exactly that many notifications, and every provisioned device exactly one awaiting card.
//
// Server CPU per provision is counted until the outbox has delivered what the batch caused:
// delivering notifications is part of a provision's cost, whichever instance does it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createScratchDatabase } from '../../prisma/schema-engine/index.ts';
import { defaultTenantId, FakeChannel } from '../../test/helpers/fake-channel.ts';
import { median, percentile, type Benchmark, type BenchResult, type Target } from '../harness.ts';
import { ChatLine, cleanBatch, type ChatMessage } from '../support/chat-load.ts';
import { botEntry, processCpuMs, projectDir, startChildServer, type ChildServer } from '../support/child-server.ts';
import { benchCodeHashSecret, registerWithCodes, seedThroughServices } from '../support/fleet-seed.ts';
import { keepAliveClient, type LoadClient } from '../support/load-client.ts';
import { benchChannelAdmin, exactlyOnce, NotificationWatch, postgresOutboxReader, provisionRun, setUpChannels, type ProvisionRun } from '../support/notification-watch.ts';
import { isProvisionedIn } from '../support/provision-load.ts';
import { benchTechnicians, grantTechnicians, isEcho, isStatusCard, measuredChatBatch, statusMessages, type MeasuredChatBatch } from '../support/status-chat.ts';

const echoEntry = path.join(projectDir, 'bench', 'support', 'echo-bot.ts');
const concurrency = 50;
const tenantId = defaultTenantId;
const isProvisioned = isProvisionedIn(tenantId);
const technicians = benchTechnicians(concurrency);

interface Sizes {
  /** Devices the chat load asks about (`status <MAC>`); never provisioned, so no card of theirs is redrawn. */
  chatDevices: number;
  /** Provisions and messages each instance gets before its measured runs. */
  warmUp: number;
  chatWarmUp: number;
  runs: number;
  provisions: number;
  messages: number;
}

const started = Date.now();
const trace = (what: string) => process.env.BENCH_TRACE && console.error(`${((Date.now() - started) / 1000).toFixed(1)} s ${what}`);

/**
 * The most connections the instances held to the database while `work` ran, sampled every
 * 100 ms: what a deployment sizes PostgreSQL's max_connections by.
 */
async function peakConnections<T>(db: pg.Client, work: () => Promise<T>): Promise<{ result: T; peak: number }> {
  let peak = 0;
  const sample = async () => {
    const { rows } = await db.query<{ count: string }>('SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()');
    peak = Math.max(peak, Number(rows[0]!.count));
  };
  const timer = setInterval(() => void sample().catch(() => undefined), 100);
  try {
    return { result: await work(), peak };
  } finally {
    clearInterval(timer);
  }
}

/**
 * CPU time so far of each PostgreSQL backend serving the instances (by pid): the database's
 * share of a request, another process on the same machine. A backend the pool closes during a
 * measurement takes its CPU with it, so the figure errs low, if anything.
 */
async function backendsCpuMs(db: pg.Client): Promise<Map<number, number>> {
  const { rows } = await db.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()');
  const cpu = new Map<number, number>();
  for (const { pid } of rows) {
    try {
      cpu.set(pid, processCpuMs(pid));
    } catch {
      // ended between the query and the read
    }
  }
  return cpu;
}

function cpuSpentMs(before: ReadonlyMap<number, number>, after: ReadonlyMap<number, number>): number {
  let spent = 0;
  for (const [pid, cpu] of after) spent += cpu - (before.get(pid) ?? 0);
  return spent;
}

/** A provision run, with the database's CPU per provision (its backends, until the outbox drained). */
interface ProvisionRunOnPostgres extends ProvisionRun {
  databaseCpuMsPerRequest: number;
}

async function provisionRunOnPostgres(servers: readonly ChildServer[], client: LoadClient, watch: NotificationWatch, db: pg.Client, codes: ReadonlyMap<string, string>, first: number, count: number): Promise<ProvisionRunOnPostgres> {
  const databaseBefore = await backendsCpuMs(db);
  let databaseAfter = databaseBefore;
  const run = await provisionRun(servers, client, watch, codes, { first, count, concurrency }, isProvisioned, async () => {
    databaseAfter = await backendsCpuMs(db);
  });
  return { ...run, databaseCpuMsPerRequest: cpuSpentMs(databaseBefore, databaseAfter) / count };
}

const provisionsClean = (batch: ProvisionRun) => batch.outcomes.errors === 0 && batch.outcomes.non2xx === 0 && batch.wrongAnswers === 0;
const chatClean = (batch: ChatRun) => cleanBatch(batch) && batch.strays === 0;

interface ChatRun extends MeasuredChatBatch {
  databaseCpuMsPerMessage: number;
}

async function chatRun(servers: readonly ChildServer[], line: ChatLine, db: pg.Client, messages: readonly ChatMessage[]): Promise<ChatRun> {
  const databaseBefore = await backendsCpuMs(db);
  const batch = await measuredChatBatch(servers, line, messages, isStatusCard);
  return { ...batch, databaseCpuMsPerMessage: cpuSpentMs(databaseBefore, await backendsCpuMs(db)) / messages.length };
}

interface Phase {
  instances: number;
  /** The most connections all instances held to PostgreSQL during the phase. */
  peakConnections: number;
  /** The echo control with as many processes (see echoControl). */
  echoCpuMsPerMessage: number;
  provisions: ProvisionRunOnPostgres[];
  chat: ChatRun[];
}

/**
 * The two loads against `servers` (round robin); provisions take MACs from `first` on. The
 * last server is the one just started: the warm-up is sized so that it gets as much as the
 * first one got before its runs (JIT, its connections and pool), so no instance is measured
 * cold; it also opens the load client's and the channel's sockets to every instance.
 */
async function phase(servers: readonly ChildServer[], watch: NotificationWatch, db: pg.Client, codes: ReadonlyMap<string, string>, first: number, sizes: Sizes): Promise<Phase> {
  const client = keepAliveClient(concurrency);
  const line = await ChatLine.open(
    servers.map((server) => server.url),
    concurrency,
  );
  try {
    // Warm-up on devices of its own; checked, not measured.
    const warmUpProvisions = sizes.warmUp * servers.length;
    const warmUp = await provisionRunOnPostgres(servers, client, watch, db, codes, first, warmUpProvisions);
    const warmUpChat = await chatRun(servers, line, db, statusMessages(technicians, sizes.chatWarmUp * servers.length, sizes.chatDevices));
    if (!provisionsClean(warmUp) || !exactlyOnce(warmUp.delivery) || !chatClean(warmUpChat)) {
      throw new Error(`scale-out warm-up on ${servers.length} instance(s) failed: ${warmUp.outcomes.firstProblem ?? warmUpChat.outcomes.firstProblem ?? JSON.stringify(warmUp.delivery)}`);
    }
    trace(`warm-up on ${servers.length} done`);
    const provisions: ProvisionRunOnPostgres[] = [];
    const chat: ChatRun[] = [];
    const messages = statusMessages(technicians, sizes.messages, sizes.chatDevices);
    for (let run = 0; run < sizes.runs; run++) {
      provisions.push(await provisionRunOnPostgres(servers, client, watch, db, codes, first + warmUpProvisions + run * sizes.provisions, sizes.provisions));
      trace(`run ${run + 1}: provisions`);
      chat.push(await chatRun(servers, line, db, messages));
      trace(`run ${run + 1}: chat`);
    }
    return { instances: servers.length, provisions, chat, peakConnections: 0, echoCpuMsPerMessage: Number.NaN };
  } finally {
    client.close();
    await line.close();
  }
}

/**
 * The control for the machine: the bare echo bot fed the same chat load, by one process and then
 * round robin by two. What spreading a load over more processes costs on this machine by itself
 * (more context switches, colder caches on two shared cores) shows here, free of any work of
 * the bot's. Server CPU ms per message, median of the runs.
 */
async function echoControl(echoes: readonly ChildServer[], sizes: Sizes): Promise<number> {
  const line = await ChatLine.open(
    echoes.map((echo) => echo.url),
    concurrency,
  );
  try {
    await measuredChatBatch(echoes, line, statusMessages(technicians, sizes.chatWarmUp * echoes.length, sizes.chatDevices), isEcho);
    const messages = statusMessages(technicians, sizes.messages, sizes.chatDevices);
    const runs: number[] = [];
    for (let run = 0; run < sizes.runs; run++) {
      const batch = await measuredChatBatch(echoes, line, messages, isEcho);
      if (!cleanBatch(batch)) throw new Error(`scale-out: the echo bots failed: ${batch.outcomes.firstProblem ?? 'missing or duplicate replies'}`);
      runs.push(batch.cpuMsPerMessage);
    }
    return median(runs);
  } finally {
    await line.close();
  }
}

export const scaleOutBenchmark: Benchmark = {
  name: 'scale-out',
  description: 'device-api and chat loads, round robin over 1 then 2 bot processes on one PostgreSQL, 50 concurrent',
  async run({ quick, postgresUrl }) {
    if (!postgresUrl) {
      console.log('scale-out                   skipped: it needs PostgreSQL (set BENCH_POSTGRES_URL or DATABASE_URL to a postgres:// server URL)');
      return [];
    }
    // Quick: about 20 s in all (four process starts, the seeding, three waits for the outbox), for
    // reviewers: it shows the checks pass; its figures, on 60 provisions and 100 messages, are rough.
    const sizes: Sizes = quick ? { chatDevices: 50, warmUp: 10, chatWarmUp: 50, runs: 1, provisions: 60, messages: 100 } : { chatDevices: 300, warmUp: 500, chatWarmUp: 1000, runs: 3, provisions: 1000, messages: 1000 };
    const provisionsWithOne = sizes.warmUp + sizes.runs * sizes.provisions;
    const devices = sizes.chatDevices + provisionsWithOne + 2 * sizes.warmUp + sizes.runs * sizes.provisions;
    const scratch = await createScratchDatabase('postgresql', postgresUrl, 'bench_scale_out');
    const dir = mkdtempSync(path.join(tmpdir(), 'bench-scale-out-'));
    const env = { DATABASE_URL: scratch.url, LOG_LEVEL: 'warn', CODE_HASH_SECRET: benchCodeHashSecret, ADMIN_USER_IDS: benchChannelAdmin.aadObjectId };
    const servers: ChildServer[] = [];
    const echoes: ChildServer[] = [];
    const db = new pg.Client({ connectionString: scratch.url });
    let channel: FakeChannel | undefined;
    try {
      trace('start');
      servers.push(await startChildServer(botEntry, { cwd: dir, env }));
      await servers[0]!.answers200('/readyz');
      trace('first ready');
      await db.connect();
      channel = await FakeChannel.start();
      await setUpChannels(channel, servers[0]!.url);
      const watch = new NotificationWatch(channel, postgresOutboxReader(db));
      // Codes issued after the set-up: each batch's hand-off card is posted to the technicians
      // channel (and redrawn by every provision of its devices).
      const codes = await seedThroughServices(scratch.url, async (services) => {
        await grantTechnicians(services, tenantId, technicians);
        return registerWithCodes(services, tenantId, 0, devices);
      });
      await watch.drained();
      trace('seeded');

      for (let index = 0; index < 2; index++) echoes.push(await startChildServer(echoEntry, { cwd: dir, env: {} }));
      for (const echo of echoes) await echo.answers200('/healthz');
      const measure = async (first: number) => {
        const { result, peak } = await peakConnections(db, () => phase(servers, watch, db, codes, first, sizes));
        // Right after, so that the machine is as busy (or quiet) as it was for the bot.
        return { ...result, peakConnections: peak, echoCpuMsPerMessage: await echoControl(echoes.slice(0, servers.length), sizes) };
      };
      const one = await measure(sizes.chatDevices);
      servers.push(await startChildServer(botEntry, { cwd: dir, env }));
      await servers[1]!.answers200('/readyz');
      trace('second ready');
      const two = await measure(sizes.chatDevices + provisionsWithOne);
      return results(sizes, one, two);
    } finally {
      for (const server of [...servers, ...echoes]) await server.stop();
      await channel?.close();
      await db.end().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
      await scratch.drop();
    }
  },
};

const instancesLabel = (count: number) => `×${count}`;

function withinTenPercent(cpu: number, cpuOfOne: number): Target {
  const ratio = cpu / cpuOfOne;
  return { description: `CPU/request within 10 % of 1 instance (${ratio.toFixed(2)}×)`, met: ratio <= 1.1 };
}

interface LoadFigures {
  load: 'device-api' | 'chat';
  phase: Phase;
  parameters: Record<string, number | string>;
  throughputs: number[];
  /** The same load's throughputs against one instance; null for the one-instance result itself. */
  throughputsOfOne: number[] | null;
  cpu: number;
  cpuOfOne: number;
  details: Record<string, number | string>;
  /** What must hold whatever the instances: nothing fails, everything exactly once. */
  correctness: Target[];
}

/** One load's figures at one instance count: with two, the CPU target and the one-instance throughput as baseline. */
function loadResult(figures: LoadFigures): BenchResult {
  const { phase, throughputsOfOne } = figures;
  return {
    name: `scale-out ${figures.load} ${instancesLabel(phase.instances)}`,
    database: 'postgresql',
    parameters: { ...figures.parameters, instances: phase.instances },
    unit: 'ops/s',
    samples: figures.throughputs,
    ...(throughputsOfOne ? { baseline: { description: 'the same load against 1 instance', samples: throughputsOfOne } } : {}),
    details: figures.details,
    targets: throughputsOfOne ? [withinTenPercent(figures.cpu, figures.cpuOfOne), ...figures.correctness] : figures.correctness,
  };
}

function results(sizes: Sizes, one: Phase, two: Phase): BenchResult[] {
  const cpuPerProvision = (phase: Phase) => median(phase.provisions.map((batch) => batch.cpuMsPerRequest));
  const cpuPerMessage = (phase: Phase) => median(phase.chat.map((batch) => batch.cpuMsPerMessage));
  const sum = <T>(batches: T[], pick: (batch: T) => number) => batches.reduce((total, batch) => total + pick(batch), 0);
  const parameters = { ...sizes, concurrency, distribution: 'round robin, no proxy' };

  const provisionResult = (phase: Phase): BenchResult => {
    const batches = phase.provisions;
    const firstProblem = batches.map((batch) => batch.outcomes.firstProblem).find((problem) => problem !== null);
    return loadResult({
      load: 'device-api',
      phase,
      parameters: { ...parameters, call: 'POST /provision, right code' },
      throughputs: batches.map((batch) => batch.throughput),
      throughputsOfOne: phase === one ? null : one.provisions.map((batch) => batch.throughput),
      cpu: cpuPerProvision(phase),
      cpuOfOne: cpuPerProvision(one),
      correctness: [
        { description: 'every provision 200 once and right (no 5xx)', met: batches.every(provisionsClean) },
        { description: 'every notification delivered exactly once', met: batches.every((batch) => exactlyOnce(batch.delivery)) },
      ],
      details: {
        'p50 ms': percentile(batches.flatMap((batch) => batch.latencies), 50),
        'p99 ms': median(batches.map((batch) => percentile(batch.latencies, 99))),
        'with notifications delivered ops/s': median(batches.map((batch) => batch.deliveredThroughput)),
        'server CPU ms/req': cpuPerProvision(phase),
        'PostgreSQL CPU ms/req': median(batches.map((batch) => batch.databaseCpuMsPerRequest)),
        'peak PG connections': phase.peakConnections,
        'statuses': batches.map((batch) => batch.outcomes.describeStatuses()).join(', '),
        'errors': sum(batches, (batch) => batch.outcomes.errors),
        'wrong answers': sum(batches, (batch) => batch.wrongAnswers),
        'notifications served (hand-off redraws apart)': sum(batches, (batch) => batch.delivery.expected),
        'notifications received (hand-off updates apart)': sum(batches, (batch) => batch.delivery.received),
        'hand-off redraws served': sum(batches, (batch) => batch.delivery.redraws),
        'hand-off updates received': sum(batches, (batch) => batch.delivery.handoffUpdates),
        'missing awaiting cards': sum(batches, (batch) => batch.delivery.missingCards),
        'duplicate awaiting cards': sum(batches, (batch) => batch.delivery.duplicateCards),
        'dead notifications': sum(batches, (batch) => batch.delivery.dead),
        ...(firstProblem ? { 'first problem': firstProblem } : {}),
      },
    });
  };

  const chatResult = (phase: Phase): BenchResult => {
    const batches = phase.chat;
    const firstProblem = batches.map((batch) => batch.outcomes.firstProblem).find((problem) => problem !== null);
    return loadResult({
      load: 'chat',
      phase,
      parameters: { ...parameters, command: 'status <MAC>' },
      throughputs: batches.map((batch) => batch.throughput),
      throughputsOfOne: phase === one ? null : one.chat.map((batch) => batch.throughput),
      cpu: cpuPerMessage(phase),
      cpuOfOne: cpuPerMessage(one),
      correctness: [{ description: 'every message answered exactly once, right, 2xx', met: batches.every(chatClean) }],
      details: {
        'p50 ms': percentile(batches.flatMap((batch) => batch.latencies), 50),
        'p99 ms': median(batches.map((batch) => percentile(batch.latencies, 99))),
        'server CPU ms/msg': cpuPerMessage(phase),
        'PostgreSQL CPU ms/msg': median(batches.map((batch) => batch.databaseCpuMsPerMessage)),
        'echo control CPU ms/msg': phase.echoCpuMsPerMessage,
        ...(phase !== one ? { 'echo control CPU ratio': phase.echoCpuMsPerMessage / one.echoCpuMsPerMessage } : {}),
        'client CPU ms/msg': median(batches.map((batch) => batch.clientCpuMsPerMessage)),
        'statuses': batches.map((batch) => batch.outcomes.describeStatuses()).join(', '),
        'errors': sum(batches, (batch) => batch.outcomes.errors),
        'missing replies': sum(batches, (batch) => batch.missingReplies),
        'duplicate replies': sum(batches, (batch) => batch.duplicateReplies),
        'wrong replies': sum(batches, (batch) => batch.wrongReplies),
        'proactive sends': sum(batches, (batch) => batch.strays),
        ...(firstProblem ? { 'first problem': firstProblem } : {}),
      },
    });
  };

  return [provisionResult(one), provisionResult(two), chatResult(one), chatResult(two)];
}
