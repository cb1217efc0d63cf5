// Scaling out: the device-api load and the chat load against one bot process and against two
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
//
// One-instance and two-instance runs alternate (1 2, 2 1, 1 2…; eight rounds of short runs), so
// that a slow minute of this shared machine falls on both alike. Run one phase after the other,
// as before, the ratio moved between 0.9 and 1.3 from one full run to the next. Both bot
// processes stay up. During a one-instance run the second is paused (SIGSTOP: no CPU, no
// timers, no outbox polls, no job leases) and sent nothing; it is resumed (SIGCONT) for the next
// two-instance run. It is paused only once the outbox has drained, so it holds no lease that the
// running instance would have to wait out.
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

/** The processes of one configuration: requests go round robin over `servers`; `paused` are stopped meanwhile. */
interface Configuration {
  instances: number;
  servers: readonly ChildServer[];
  paused: readonly ChildServer[];
  /** The instances' application_name in PostgreSQL, to count their connections. */
  applicationNames: readonly string[];
  line: ChatLine;
  echoes: readonly ChildServer[];
  echoLine: ChatLine;
}

/**
 * Runs `work` with the configuration's paused processes stopped. SIGSTOP takes effect at once
 * and the process runs nothing until SIGCONT; its sockets and connections stay open, idle.
 */
async function inConfiguration<T>(configuration: Configuration, work: () => Promise<T>): Promise<T> {
  for (const server of configuration.paused) process.kill(server.pid, 'SIGSTOP');
  try {
    return await work();
  } finally {
    for (const server of configuration.paused) process.kill(server.pid, 'SIGCONT');
  }
}

/**
 * The most connections the running instances held to the database, sampled every 100 ms: what a
 * deployment sizes PostgreSQL's max_connections by. Counted by application_name, so that a
 * paused instance's idle connections are not counted for a one-instance run.
 */
class ConnectionPeaks {
  private readonly peaks = new Map<number, number>();
  private active: Configuration | null = null;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly db: pg.Client) {
    this.timer = setInterval(() => void this.sample().catch(() => undefined), 100);
  }

  async during<T>(configuration: Configuration, work: () => Promise<T>): Promise<T> {
    this.active = configuration;
    try {
      return await work();
    } finally {
      this.active = null;
    }
  }

  peak(instances: number): number {
    return this.peaks.get(instances) ?? 0;
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private async sample(): Promise<void> {
    const configuration = this.active;
    if (!configuration) return;
    const { rows } = await this.db.query<{ count: string }>('SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = ANY($1)', [configuration.applicationNames]);
    const count = Number(rows[0]!.count);
    if (this.active === configuration) this.peaks.set(configuration.instances, Math.max(this.peak(configuration.instances), count));
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

/** What the runs of one configuration measured. */
interface Phase {
  instances: number;
  /** The most connections its instances held to PostgreSQL during its runs. */
  peakConnections: number;
  provisions: ProvisionRunOnPostgres[];
  chat: ChatRun[];
  /**
   * The control for the machine: the bare echo bot fed the same chat load by as many processes,
   * right after each chat run. What spreading a load over more processes costs on this machine
   * by itself (more context switches, colder caches on two shared cores) shows here, free of
   * any work of the bot's. Server CPU ms per message, one per run.
   */
  echoCpuMsPerMessage: number[];
}

/** Provisions take MACs from here on, each run's after the last's. */
class MacCursor {
  constructor(private next: number) {}
  take(count: number): number {
    const first = this.next;
    this.next += count;
    return first;
  }
}

interface Loads {
  client: LoadClient;
  watch: NotificationWatch;
  db: pg.Client;
  codes: ReadonlyMap<string, string>;
  macs: MacCursor;
  sizes: Sizes;
}

/**
 * Warms a configuration on devices of its own; checked, not measured. It opens the load
 * client's and the channel's sockets to its instances, and gives each instance as many
 * provisions and messages (JIT, its connections and pool), so no instance is measured cold.
 */
async function warmUp(configuration: Configuration, loads: Loads, provisionsEach: number, messagesEach: number): Promise<void> {
  const { servers, instances } = configuration;
  const count = provisionsEach * instances;
  const provisions = await provisionRunOnPostgres(servers, loads.client, loads.watch, loads.db, loads.codes, loads.macs.take(count), count);
  const messages = statusMessages(technicians, messagesEach * instances, loads.sizes.chatDevices);
  const chat = await chatRun(servers, configuration.line, loads.db, messages);
  const echo = await measuredChatBatch(configuration.echoes, configuration.echoLine, messages, isEcho);
  if (!provisionsClean(provisions) || !exactlyOnce(provisions.delivery) || !chatClean(chat) || !cleanBatch(echo)) {
    throw new Error(`scale-out warm-up on ${instances} instance(s) failed: ${provisions.outcomes.firstProblem ?? chat.outcomes.firstProblem ?? echo.outcomes.firstProblem ?? JSON.stringify(provisions.delivery)}`);
  }
}

/** One measured run of a configuration: provisions, then chat, then the echo control's chat. */
async function measuredRun(configuration: Configuration, loads: Loads, phase: Phase): Promise<void> {
  const { servers, line, echoes, echoLine } = configuration;
  const { sizes } = loads;
  // Each instance's share, for BENCH_TRACE: whether the second instance works as cheaply as the first.
  const cpuOfEach = () => servers.map((server) => processCpuMs(server.pid));
  const atStart = cpuOfEach();
  phase.provisions.push(await provisionRunOnPostgres(servers, loads.client, loads.watch, loads.db, loads.codes, loads.macs.take(sizes.provisions), sizes.provisions));
  const afterProvisions = cpuOfEach();
  const messages = statusMessages(technicians, sizes.messages, sizes.chatDevices);
  phase.chat.push(await chatRun(servers, line, loads.db, messages));
  const afterChat = cpuOfEach();
  const spent = (from: number[], to: number[]) => to.map((cpu, index) => `${(cpu - from[index]!).toFixed(0)} ms`).join(' + ');
  trace(`CPU of each instance: provisions ${spent(atStart, afterProvisions)}, chat ${spent(afterProvisions, afterChat)}`);
  const echo = await measuredChatBatch(echoes, echoLine, messages, isEcho);
  if (!cleanBatch(echo)) throw new Error(`scale-out: the echo bots failed: ${echo.outcomes.firstProblem ?? 'missing or duplicate replies'}`);
  phase.echoCpuMsPerMessage.push(echo.cpuMsPerMessage);
}

/** Each round runs both configurations, in the order 1 2, 2 1, 1 2…: neither always goes first. */
async function alternatingRuns(one: Configuration, two: Configuration, loads: Loads, peaks: ConnectionPeaks): Promise<{ one: Phase; two: Phase }> {
  const phases = new Map<Configuration, Phase>();
  for (const configuration of [one, two]) phases.set(configuration, { instances: configuration.instances, peakConnections: 0, provisions: [], chat: [], echoCpuMsPerMessage: [] });
  for (let round = 0; round < loads.sizes.runs; round++) {
    for (const configuration of round % 2 === 0 ? [one, two] : [two, one]) {
      await inConfiguration(configuration, () => peaks.during(configuration, () => measuredRun(configuration, loads, phases.get(configuration)!)));
      trace(`round ${round + 1}: ${configuration.instances} instance(s)`);
    }
  }
  const phaseOf = (configuration: Configuration) => ({ ...phases.get(configuration)!, peakConnections: peaks.peak(configuration.instances) });
  return { one: phaseOf(one), two: phaseOf(two) };
}

export const scaleOutBenchmark: Benchmark = {
  name: 'scale-out',
  description: 'device-api and chat loads, round robin over 1 and 2 bot processes on one PostgreSQL (runs alternating), 50 concurrent',
  async run({ quick, postgresUrl }) {
    if (!postgresUrl) {
      console.log('scale-out                   skipped: it needs PostgreSQL (set BENCH_POSTGRES_URL or DATABASE_URL to a postgres:// server URL)');
      return [];
    }
    // Quick: about 20 s in all (four process starts, the seeding, the waits for the outbox), for
    // reviewers: it shows the checks pass; its figures, on 60 provisions and 100 messages, are rough.
    const sizes: Sizes = quick ? { chatDevices: 50, warmUp: 10, chatWarmUp: 50, runs: 2, provisions: 60, messages: 100 } : { chatDevices: 300, warmUp: 500, chatWarmUp: 1000, runs: 8, provisions: 500, messages: 1000 };
    // Warm-ups: each instance gets sizes.warmUp in the two-instance one, the first instance as
    // many again alone (its sockets to the one-instance chat line), then the measured runs.
    const devices = sizes.chatDevices + 3 * sizes.warmUp + 2 * sizes.runs * sizes.provisions;
    const scratch = await createScratchDatabase('postgresql', postgresUrl, 'bench_scale_out');
    const dir = mkdtempSync(path.join(tmpdir(), 'bench-scale-out-'));
    const applicationNames = ['bench-instance-1', 'bench-instance-2'];
    const envOf = (applicationName: string) => ({ DATABASE_URL: withApplicationName(scratch.url, applicationName), LOG_LEVEL: 'warn', CODE_HASH_SECRET: benchCodeHashSecret, ADMIN_USER_IDS: benchChannelAdmin.aadObjectId });
    const servers: ChildServer[] = [];
    const echoes: ChildServer[] = [];
    const lines: ChatLine[] = [];
    const db = new pg.Client({ connectionString: scratch.url });
    const client = keepAliveClient(concurrency);
    let channel: FakeChannel | undefined;
    let peaks: ConnectionPeaks | undefined;
    try {
      trace('start');
      servers.push(await startChildServer(botEntry, { cwd: dir, env: envOf(applicationNames[0]!) }));
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
      servers.push(await startChildServer(botEntry, { cwd: dir, env: envOf(applicationNames[1]!) }));
      await servers[1]!.answers200('/readyz');
      for (let index = 0; index < 2; index++) echoes.push(await startChildServer(echoEntry, { cwd: dir, env: {} }));
      for (const echo of echoes) await echo.answers200('/healthz');
      trace('second ready');

      const openLine = async (of: readonly ChildServer[]) => {
        const line = await ChatLine.open(
          of.map((server) => server.url),
          concurrency,
        );
        lines.push(line);
        return line;
      };
      const one: Configuration = { instances: 1, servers: servers.slice(0, 1), paused: servers.slice(1), applicationNames: applicationNames.slice(0, 1), line: await openLine(servers.slice(0, 1)), echoes: echoes.slice(0, 1), echoLine: await openLine(echoes.slice(0, 1)) };
      const two: Configuration = { instances: 2, servers, paused: [], applicationNames, line: await openLine(servers), echoes, echoLine: await openLine(echoes) };
      const loads: Loads = { client, watch, db, codes, macs: new MacCursor(sizes.chatDevices), sizes };
      await warmUp(two, loads, sizes.warmUp, sizes.chatWarmUp);
      await inConfiguration(one, () => warmUp(one, loads, sizes.warmUp, sizes.chatWarmUp));
      trace('warm-up done');
      peaks = new ConnectionPeaks(db);
      const phases = await alternatingRuns(one, two, loads, peaks);
      return results(sizes, phases.one, phases.two);
    } finally {
      peaks?.stop();
      client.close();
      for (const line of lines) await line.close();
      for (const server of [...servers, ...echoes]) await server.stop();
      await channel?.close();
      await db.end().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
      await scratch.drop();
    }
  },
};

/** The same database URL with an application_name, which PostgreSQL shows in pg_stat_activity. */
function withApplicationName(databaseUrl: string, applicationName: string): string {
  const url = new URL(databaseUrl);
  url.searchParams.set('application_name', applicationName);
  return url.toString();
}

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

/** Two instances ÷ one, round by round (each round ran both): how far the ratio moves between rounds. */
function roundRatios<T>(two: readonly T[], one: readonly T[], cpu: (batch: T) => number): string {
  return two.map((batch, round) => (cpu(batch) / cpu(one[round]!)).toFixed(2)).join(', ');
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
        ...(phase !== one ? { 'CPU ratio by round': roundRatios(batches, one.provisions, (batch) => batch.cpuMsPerRequest) } : {}),
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
        ...(phase !== one ? { 'CPU ratio by round': roundRatios(batches, one.chat, (batch) => batch.cpuMsPerMessage) } : {}),
        'PostgreSQL CPU ms/msg': median(batches.map((batch) => batch.databaseCpuMsPerMessage)),
        'echo control CPU ms/msg': median(phase.echoCpuMsPerMessage),
        ...(phase !== one ? { 'echo control CPU ratio': median(phase.echoCpuMsPerMessage) / median(one.echoCpuMsPerMessage) } : {}),
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
