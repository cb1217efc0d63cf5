// The entry point. `npm start` runs main(): parse the configuration, open the store
// (migrations applied), wire the services, serve HTTP, and shut down gracefully.
//
// Routes:
//   POST /api/messages  the chat channel (Teams, the Emulator) → teams/teams-chat.ts
//   POST /api/slack/events  Slack: slash commands, events, buttons → slack/slack-door.ts (404 without Slack settings)
//   /api/device/v1/*    the provisioning service devices talk to → device-api/device-routes.ts
//   GET  /exports/<t>   an export's CSV behind a signed 15-minute link → exports/export-routes.ts
//   GET  /tab/          the fleet tab's page (Teams personal tab) → tab/tab-page.ts
//   /api/tab/v1/*       the fleet tab's JSON API, single sign-on → tab/tab-api.ts
//   GET  /healthz       the process is up
//   GET  /readyz        the database is reachable and every migration applied (+ each job's last run)
import { pathToFileURL } from 'node:url';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import type { Request, Response } from 'restify';
import { ConfigError, parseConfig, type Config } from './config.ts';
import { loadEnvironment } from './environment.ts';
import { createLogger, loggerForRequest, type Logger } from './logger.ts';
import { commands as defaultCommands } from './commands/index.ts';
import { actions } from './actions/index.ts';
import type { CommandSpec } from './commands/command-spec.ts';
import { createTeamsChat } from './teams/teams-chat.ts';
import { createTeamsMessenger } from './teams/teams-messenger.ts';
import { messengerPerPlatform } from './notifications/platform-messengers.ts';
import type { NotificationPlanner } from './notifications/outgoing-message.ts';
import { createNotificationPlanner } from './notifications/plan.ts';
import { defaultOutboxIntervalMs, startOutboxJob, type OutboxJob } from './jobs/outbox-job.ts';
import { jobDefinitions } from './jobs/job-definitions.ts';
import { attachJobBoard, defaultCatchUpDelayMs, startScheduler, type JobBoard, type JobDefinition, type Scheduler, type SchedulerMode } from './jobs/scheduler.ts';
import { resolveCodeHashSecret } from './code-hash-secret.ts';
import { registerDeviceRoutes } from './device-api/device-routes.ts';
import { createExportLinks } from './exports/export-links.ts';
import { registerExportRoutes } from './exports/export-routes.ts';
import { createSipGateway } from './sip-gateway/index.ts';
import { codeForHttpStatus } from './device-api/http-errors.ts';
import { registerTabPage } from './tab/tab-page.ts';
import { registerTabApi } from './tab/tab-api.ts';
import { clientAddressOf } from './device-api/client-address.ts';
import { activityShapeProblem } from './activity-shape.ts';
import { guardRequestBody, maxRequestBodyBytes } from './request-body-guard.ts';
import { slackEventsPath } from './slack/slack-events-path.ts';
import { exceptRawBodyRoutes } from './raw-body-routes.ts';
import { bodyParser, createRestifyServer, type RestifyServerOptions } from './restify-server.ts';
import { openStore, type Database, type Store } from '../prisma/store.ts';
import { createServices, type Services } from '../services/index.ts';
import { createOutboxDelivery } from '../services/notifications/outbox-delivery.ts';
import { createOutboxQueue } from '../services/notifications/outbox-queue.ts';
import { createJobLeases } from '../services/scheduling/job-leases.ts';
import { createJobRuns } from '../services/scheduling/job-runs.ts';
import { systemClock, type Clock } from '../services/shared/clock.ts';
import { newErrorReference, newId } from '../services/shared/random.ts';
import { errorSummary } from '../prisma/error-summary.ts';

export interface RunningServer {
  /** e.g. http://127.0.0.1:3978 */
  url: string;
  port: number;
  store: Store;
  /** The domain services this server runs on (tests drive admin steps through them). */
  services: Services;
  /** The background delivery of notifications; kick() delivers what was just enqueued without waiting for the next tick. */
  outbox: Pick<OutboxJob, 'kick'>;
  /** The scheduled jobs: what `jobs` and /readyz show, and the scheduler (null when off) tests drive. */
  jobs: ServerJobs;
  /** Stops accepting, lets in-flight requests finish (up to the grace period), stops the jobs, closes the store. */
  close(): Promise<void>;
}

export interface ServerJobs extends JobBoard {
  scheduler: Scheduler | null;
  /** Who this instance is on job leases and runs (and outbox leases). */
  instanceId: string;
}

/** What a notification planner is built from (bot/notifications/plan.ts's createNotificationPlanner). */
export interface PlannerDependencies {
  services: Services;
  db: Database;
  config: Config;
}

export interface ServerOptions {
  logger?: Logger;
  clock?: Clock;
  /** The command registry; tests may add commands of their own. */
  commands?: readonly CommandSpec[];
  /** Builds the planner that decides where each domain event is shown; default: bot/notifications/plan.ts. */
  planNotifications?: (dependencies: PlannerDependencies) => NotificationPlanner;
  /** How often the outbox is polled (tests shorten it). */
  outboxIntervalMs?: number;
  /** Bound on one proactive request to the channel (default teams-messenger.ts's 30 s; tests shorten it). */
  channelRequestTimeoutMs?: number;
  /** The scheduled jobs; default: bot/jobs/job-definitions.ts. */
  jobs?: readonly JobDefinition[];
  /**
   * auto: node-cron fires the jobs and each runs once at start-up; manual: runs only through
   * `jobs.scheduler.runDue/runNow`; off: none here. Default auto, but manual when a clock is
   * given: fires on real time make no sense against a test's clock, and would race the test.
   */
  scheduler?: SchedulerMode;
}

const requestLoggers = new WeakMap<Request, Logger>();

function requestLogger(req: Request, fallback: Logger): Logger {
  return requestLoggers.get(req) ?? fallback;
}

export async function startServer(config: Config, options: ServerOptions = {}): Promise<RunningServer> {
  const logger = options.logger ?? createLogger(config.logLevel, undefined, config.logFormat);
  const store = await openStore(config.databaseUrl, { log: logger.child({ component: 'migrations' }), poolSize: config.databasePoolSize });
  const clock = options.clock ?? systemClock;
  const instanceId = `${hostname()}/${process.pid}/${newId().slice(-8)}`;
  const codeHashSecret = resolveCodeHashSecret(config);
  const services = createServices({
    db: store.db,
    clock,
    settings: {
      codeTtlMs: config.codeTtlMs,
      codeHashSecret,
      bootstrapAdmins: [
        ...config.bootstrapAdmins.map((userId) => ({ platform: 'teams' as const, userId })),
        ...(config.slack?.adminUserIds ?? []).map((userId) => ({ platform: 'slack' as const, userId })),
      ],
      codeWarningLeadsMinutes: config.codeWarningLeadsMinutes,
      staleAfterMs: config.staleAfterMs,
      sipGateway: createSipGateway(config.sip, store.db, clock, logger.child({ component: 'sip-gateway' })),
      firmwareBelowMinimum: config.firmwareBelowMinimum,
    },
  });
  const exportLinks = createExportLinks({ secret: codeHashSecret, publicBaseUrl: config.publicBaseUrl, clock });
  const chat = createTeamsChat({
    botAuth: config.botAuth,
    services,
    commands: options.commands ?? defaultCommands,
    actions,
    hosts: { serviceUrl: config.serviceUrlHosts, fileDownload: config.fileDownloadHosts },
    exportLinks,
  });
  // Bolt and its dependencies load only when Slack is configured (most bots run Teams alone).
  const slack = config.slack
    ? (await import('./slack/slack-door.ts')).createSlackDoor({ config: config.slack, services, commands: options.commands ?? defaultCommands, actions, log: logger.child({ component: 'slack' }), exportLinks })
    : null;
  // Proactive delivery of domain events: the planner decides where and what, the sender gets it there.
  const plan = options.planNotifications?.({ services, db: store.db, config }) ?? createNotificationPlanner(services);
  const outboxSender = createOutboxDelivery({
    queue: createOutboxQueue(store.db),
    // One messenger per platform the bot runs a door for; each destination goes to its own.
    messenger: messengerPerPlatform({
      teams: createTeamsMessenger(chat.adapter, config.botAuth.appId, { requestTimeoutMs: options.channelRequestTimeoutMs }),
      ...(slack ? { slack: slack.messenger } : {}),
    }),
    planner: plan,
    clock: services.clock,
    log: logger.child({ component: 'outbox' }),
    holder: instanceId,
  });
  let outboxJob: OutboxJob | undefined;

  // Scheduled jobs: leases and runs on the shared store; started once the server listens.
  const jobLeases = createJobLeases({ db: store.db, clock, holder: instanceId });
  const jobRuns = createJobRuns(store.db);
  const digestSchedule = { digestTime: config.digest.time, timeZone: config.digest.timeZone };
  const jobs = options.jobs ?? jobDefinitions({ services, leases: jobLeases, runs: jobRuns, digestSchedule });
  const schedulerMode: SchedulerMode = options.scheduler ?? (clock === systemClock ? 'auto' : 'manual');
  const jobBoard: JobBoard = {
    jobs: jobs.map(({ name, cron, summary }) => ({ name, cron, summary })),
    mode: schedulerMode,
    lastRuns: () => jobRuns.lastRuns(),
  };
  attachJobBoard(services, jobBoard);
  let scheduler: Scheduler | null = null;

  // restify logs (its few warnings) through ours, at our level and format, rather than through a
  // pino logger of its own on stdout. (restify 11 logs with pino; @types/restify still names bunyan's type.)
  const restifyLog = logger.child({ component: 'http' }) as unknown as RestifyServerOptions['log'];
  const server = createRestifyServer({ name: 'provisioning-bot', log: restifyLog });
  let draining = false;
  let inFlight = 0;
  let drained: (() => void) | undefined;

  server.pre((req: Request, res: Response, next) => {
    const requestId = req.getId();
    res.header('x-request-id', requestId);
    // The client address on every request's lines (the source the device API's limits count).
    requestLoggers.set(req, loggerForRequest(logger, { requestId, client: clientAddressOf(req, config.trustProxy) }));
    if (draining) {
      res.header('connection', 'close');
      res.send(503, { code: 'shutting_down', message: 'The bot is restarting; retry in a few seconds.' });
      return next(false);
    }
    inFlight++;
    res.once('close', () => {
      inFlight--;
      if (inFlight === 0) drained?.();
    });
    return next();
  });
  // Slack's route reads its own raw body (Bolt checks the signature over the exact bytes).
  server.use(exceptRawBodyRoutes([guardRequestBody]));
  server.use(exceptRawBodyRoutes(bodyParser({ maxBodySize: maxRequestBodyBytes, mapParams: false })));

  server.post(slackEventsPath, async (req: Request, res: Response) => {
    if (!slack) {
      res.send(404, { code: 'not_found', message: 'Slack is not configured on this bot (SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN).' });
      return;
    }
    await slack.handle(req, res);
  });

  server.post('/api/messages', async (req: Request, res: Response) => {
    const malformed = activityShapeProblem(req.body);
    if (malformed) {
      res.send(400, { code: 'invalid_input', message: malformed });
      return;
    }
    await chat.handle(req, res, requestLogger(req, logger));
  });

  registerDeviceRoutes(server, services.devices, (req) => requestLogger(req, logger), { trustProxy: config.trustProxy, firmware: services.firmware, kickOutbox: () => outboxJob?.kick() });
  registerExportRoutes(server, exportLinks, services, (req) => requestLogger(req, logger));
  await registerTabPage(server, { teamsAppId: config.botAuth.appId });
  registerTabApi(server, { services, sso: config.tabSso, log: (req) => requestLogger(req, logger), kickOutbox: () => outboxJob?.kick() });

  server.get('/healthz', async (_req: Request, res: Response) => {
    res.send(200, { status: 'ok' });
  });

  server.get('/readyz', async (req: Request, res: Response) => {
    if (draining) {
      res.send(503, { status: 'not_ready', reason: 'shutting down' });
      return;
    }
    const readiness = await store.checkReadiness();
    if (!readiness.ready) {
      // The reason names the database's host and port: shown only to this machine, logged always.
      requestLogger(req, logger).warn({ reason: readiness.reason }, 'not ready');
      res.send(503, { status: 'not_ready', reason: fromThisMachine(req) ? readiness.reason : publicReason(readiness.reason) });
      return;
    }
    // A failed job does not make the instance unready: it is reported, and the next fire retries.
    res.send(200, { status: 'ready', database: store.provider, jobs: await jobsReadiness(jobBoard, store, requestLogger(req, logger)) });
  });

  // The one error handler: log with a reference, and never show a stack or internal message.
  server.on('restifyError', (req: Request, res: Response, error: Error & { statusCode?: number; body?: unknown }, callback: () => void) => {
    const status = error.statusCode ?? 500;
    if (status >= 500) {
      const reference = newErrorReference();
      requestLogger(req, logger).error({ err: error, errorReference: reference, path: req.path() }, 'request failed');
      error.body = { code: 'internal_error', message: `Something went wrong on our side; reference ${reference}.` };
    } else {
      // Errors of the HTTP layer itself (bad JSON, unknown route) in the API's own shape.
      error.body = { code: codeForHttpStatus(status), message: error.message || 'Bad request.' };
    }
    // Sent here: restify sends only its own error types from `body`; a plain Error thrown by a
    // route would go out as {"code":"Internal","message":"Error: <its internal message>"}.
    if (!res.headersSent) res.send(status, error.body);
    callback();
  });

  server.on('after', (req: Request, res: Response) => {
    requestLogger(req, logger).info({ method: req.method, path: req.path(), status: res.statusCode, ms: Date.now() - req.time() }, 'request');
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // Node's default backlog (511) resets connections of a burst that arrives while the event
    // loop is busy (1,000 at once in the load drill); the kernel caps it at somaxconn.
    server.listen({ port: config.port, host: config.host, backlog: 4096 }, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  logger.info({ port, database: store.provider, authenticationDisabled: config.authenticationDisabled }, 'listening');
  if (config.authenticationDisabled) logger.warn({ host: config.host, hostExplicit: config.hostExplicit }, localModeWarning(config));
  await slack?.start();
  // The first run waits like the jobs' catch-up: a fresh process first answers its probes (its
  // first query loads Prisma's query compiler, ~50 ms of CPU). kick() still runs at once.
  const outboxIntervalMs = options.outboxIntervalMs ?? defaultOutboxIntervalMs;
  outboxJob = startOutboxJob({ sender: outboxSender, intervalMs: outboxIntervalMs, firstRunDelayMs: Math.min(outboxIntervalMs, defaultCatchUpDelayMs), log: logger.child({ component: 'outbox' }) });
  // Load Prisma's query compiler in the background (about 40 ms of CPU in one go), rather than on
  // the first request that queries: a tenth of a second after the first request was answered
  // (an orchestrator's readiness probe, usually; the probe itself does not use Prisma), or a
  // second after listening if none came. Right after listening it would hold up that first
  // probe; right after the answer, a client on this machine still reading it (a test, a sidecar).
  let warmedUp: Promise<void> | undefined;
  const warmUp = () => {
    if (!draining) warmedUp ??= new Promise<void>((resolve) => setImmediate(() => void store.warmUp().then(resolve)));
  };
  let warmUpTimer = setTimeout(warmUp, 1_000).unref();
  server.once('after', () => {
    clearTimeout(warmUpTimer);
    warmUpTimer = setTimeout(warmUp, 100).unref();
  });
  if (schedulerMode !== 'off') {
    scheduler = startScheduler({
      jobs,
      coordinator: jobLeases,
      runs: jobRuns,
      clock,
      instanceId,
      log: logger.child({ component: 'jobs' }),
      timers: schedulerMode === 'auto',
    });
  }

  async function close(): Promise<void> {
    if (draining) return;
    draining = true;
    // Stop jobs: no new runs from here; the run in progress finishes before the store closes.
    const jobsStopped = Promise.all([outboxJob?.stop(), scheduler?.stop(), slack?.drain()]);
    logger.info({ inFlight }, 'shutting down: no new requests, finishing the ones in flight');
    const stopped = new Promise<void>((resolve) => server.server.close(() => resolve()));
    server.server.closeIdleConnections();
    if (inFlight > 0) {
      const allDone = new Promise<void>((resolve) => (drained = resolve));
      const graceOver = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), config.shutdownGraceMs).unref());
      if ((await Promise.race([allDone, graceOver])) === 'timeout') {
        logger.warn({ inFlight }, 'grace period over; closing the requests still open');
      }
    }
    server.server.closeAllConnections();
    await stopped;
    await jobsStopped;
    clearTimeout(warmUpTimer);
    await warmedUp;
    await store.close();
    logger.info('stopped');
  }

  return { url, port, store, services, outbox: { kick: () => outboxJob?.kick() }, jobs: { ...jobBoard, scheduler, instanceId }, close };
}

/** A request from this machine itself, not relayed by a proxy (a proxy on loopback would make everyone local). */
function fromThisMachine(req: Request): boolean {
  const address = req.socket.remoteAddress ?? '';
  const loopback = address === '::1' || /^(::ffff:)?127\./.test(address);
  return loopback && req.header('x-forwarded-for') === undefined && req.header('forwarded') === undefined;
}

/** /readyz's reason for anyone else: its kind ("storage unavailable", "database error", …), no detail. */
function publicReason(reason: string | undefined): string {
  return `${(reason ?? 'not ready').split(':')[0]}; details are in the bot's log`;
}

/** What start-up says when no MicrosoftAppId is set: anyone who reaches the bot can act as anyone. */
export function localModeWarning(config: Config): string {
  const where = isLoopbackHost(config.host)
    ? `listening only on ${config.host} (loopback)`
    : `listening on ${config.host}, reachable from the network, because HOST is set`;
  return `LOCAL MODE: no MicrosoftAppId, so requests are not authenticated and anyone who reaches /api/messages can act as any user of any tenant; ${where}. Set MicrosoftAppId to run with Teams.`;
}

function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

/**
 * /readyz's view of the jobs: each one's last fire and outcome, on whichever instance it ran.
 * Read through the store's driver, not Prisma, so that a fresh process answers its first probe
 * without loading Prisma's query compiler (prisma/last-job-runs.ts).
 */
async function jobsReadiness(board: JobBoard, store: Store, log: Logger): Promise<Record<string, { lastFire: string | null; outcome: string | null }> | undefined> {
  try {
    const last = await store.lastJobRuns();
    return Object.fromEntries(
      board.jobs.map(({ name }) => {
        const run = last.get(name);
        return [name, { lastFire: run?.fireTime.toISOString() ?? null, outcome: run?.outcome ?? null }];
      }),
    );
  } catch (error) {
    log.warn({ reason: errorSummary(error) }, 'could not read the last job runs');
    return undefined;
  }
}

export async function main(): Promise<void> {
  let config: Config;
  try {
    config = parseConfig(loadEnvironment());
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }

  const logger = createLogger(config.logLevel, undefined, config.logFormat);
  let running: RunningServer;
  try {
    running = await startServer(config, { logger });
    if (config.authenticationDisabled) console.warn(`WARNING: ${localModeWarning(config)}`);
  } catch (error) {
    logger.fatal({ err: error }, 'start-up failed');
    console.error(`Start-up failed: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
    process.exit(1);
  }

  const shutdown = (signal: string) => {
    logger.info({ signal }, 'signal received');
    running.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

// Run directly (node --import tsx bot/server.ts). Not a top-level await: the production build is
// a CommonJS file (bot/production-build.mjs), and main() reports its own failures.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  void main();
}
