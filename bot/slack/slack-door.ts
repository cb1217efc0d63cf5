// The Slack door: POST /api/slack/events, where Slack sends slash commands, Events API
// callbacks and interactivity (buttons). Bolt's HTTPReceiver reads the raw body and checks the
// v0 signature (HMAC of the raw bytes, 5-minute window) before anything runs: a missing, wrong
// or stale signature gets 401. Every request is acknowledged at once (Slack waits 3 s) and the
// work runs after; an event Slack retries (same event_id) is claimed once and acts once.
//
// Each request becomes one command or action run through the same router and permission table
// as Teams (bot/commands/router.ts, bot/actions/action-router.ts), as a Slack principal of the
// workspace's tenant (services/auth/workspace-links.ts). Replies go back with chat.postMessage
// through the bot's own Web API client (./slack-web-client.ts); a pressed button's message is
// redrawn in place with chat.update.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { App, HTTPReceiver, LogLevel, SocketModeReceiver, type Logger as BoltLogger } from '@slack/bolt';
import type { SlackConfig } from '../config.ts';
import type { Logger } from '../logger.ts';
import type { Services } from '../../services/index.ts';
import type { CommandSpec } from '../commands/command-spec.ts';
import type { ActionSpec } from '../actions/action-spec.ts';
import type { ExportLinks } from '../exports/export-links.ts';
import { maxRequestBodyBytes } from '../request-body-guard.ts';
import { createSlackMessenger } from './slack-messenger.ts';
import { createSlackWebClient, type SlackWebClient } from './slack-web-client.ts';
import { createSlackTurns } from './slack-turns.ts';
import { formCallbackId } from './slack-modals.ts';
import type { ChatMessenger } from '../notifications/outgoing-message.ts';
import { slackEventsPath } from './slack-events-path.ts';

export { slackEventsPath };

/** How long a submitted modal may take before it is closed and answered in the conversation (Slack waits 3 s). */
export const formAnswerMs = 2500;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

export interface SlackDoor {
  /** Handles one POST /api/slack/events; resolves once the response is sent (the work may go on after). */
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
  /** The outbox's messenger for Slack destinations. */
  messenger: ChatMessenger;
  /** Resolves when the work of acknowledged requests is done (graceful shutdown); Socket Mode disconnected. */
  drain(): Promise<void>;
  /** Connects Socket Mode when SLACK_APP_TOKEN is set (the HTTP route works either way). */
  start(): Promise<void>;
}

/** Bolt's log lines into ours, quietly: Bolt's debug lines quote request bodies. */
function boltLogger(log: Logger): BoltLogger {
  let level = LogLevel.WARN;
  return {
    debug: () => {},
    info: () => {},
    warn: (...message: unknown[]) => log.warn({ component: 'slack' }, message.map(String).join(' ').slice(0, 300)),
    error: (...message: unknown[]) => log.error({ component: 'slack' }, message.map((part) => (part instanceof Error ? part.message : String(part))).join(' ').slice(0, 300)),
    setLevel: (next) => {
      level = next;
    },
    getLevel: () => level,
    setName: () => {},
  };
}

export function createSlackDoor(options: {
  config: SlackConfig;
  services: Services;
  commands: readonly CommandSpec[];
  actions: readonly ActionSpec[];
  log: Logger;
  exportLinks?: ExportLinks;
  /** A client of the caller's (tests); default: one on config.apiUrl with the bot token. */
  client?: SlackWebClient;
}): SlackDoor {
  const { config, log } = options;
  const client = options.client ?? createSlackWebClient(config.botToken, config.apiUrl);
  const logger = boltLogger(log);
  const receiver = new HTTPReceiver({
    signingSecret: config.signingSecret,
    endpoints: [slackEventsPath],
    // Acknowledge first, work after: Slack gives up on a request after 3 s.
    processBeforeResponse: false,
    bodyLimit: maxRequestBodyBytes,
    logger,
  });
  const turns = createSlackTurns({
    services: options.services,
    commands: options.commands,
    actions: options.actions,
    client,
    log,
    files: { botToken: config.botToken, apiUrl: config.apiUrl },
    ...(options.exportLinks ? { exportLinks: options.exportLinks } : {}),
  });

  // Bolt asks who the bot is (to ignore its own messages): answered once, from auth.test, when first needed.
  let whoAmI: Promise<{ botUserId: string; botId: string }> | undefined;
  const authorize = async () => {
    whoAmI ??= client.auth.test().then(
      (answer) => ({ botUserId: String(answer.user_id ?? ''), botId: String(answer.bot_id ?? '') }),
      (error: unknown) => {
        whoAmI = undefined;
        throw error;
      },
    );
    const { botUserId, botId } = await whoAmI;
    turns.setBotUserId(botUserId);
    return { botToken: config.botToken, botUserId, botId };
  };
  const clientOptions = { slackApiUrl: `${config.apiUrl}/`, retryConfig: { retries: 0 } };
  const app = new App({ receiver, authorize, logger, clientOptions });
  // Socket Mode (development behind a firewall): the same listeners over Slack's WebSocket.
  const socketApp = config.appToken
    ? new App({ receiver: new SocketModeReceiver({ appToken: config.appToken, logger, installerOptions: { clientOptions } }), authorize, logger, clientOptions })
    : null;

  const pending = new Set<Promise<unknown>>();
  /** Runs work after the acknowledgement, tracked for shutdown; its failures are logged, never thrown into Bolt. */
  function afterAck(what: string, work: () => Promise<void>): Promise<void> {
    const running = work().catch((error: unknown) => turns.logFailure(what, error));
    pending.add(running);
    void running.finally(() => pending.delete(running));
    return running;
  }

  /** The same listeners on each way Slack reaches the bot. */
  function listen(app: App): void {
    app.command(/^\/provision/, async ({ ack, command }) => {
      await ack();
      await afterAck('slash command', () => turns.slashCommand(command));
    });

    app.event('app_mention', async ({ event, body }) => {
      const eventId = (body as { event_id?: string }).event_id ?? null;
      await afterAck('app mention', () => turns.message({ team: teamOf(body, event), channel: event.channel, user: event.user ?? null, text: event.text, eventId, channelType: undefined }));
    });

    app.message(async ({ message, body }) => {
      // Only direct messages to the bot; channel messages reach the bot as app mentions.
      const plain = message as { subtype?: string; channel_type?: string; channel: string; user?: string; text?: string; bot_id?: string };
      if (plain.channel_type !== 'im' || plain.subtype !== undefined || plain.bot_id) return;
      const eventId = (body as { event_id?: string }).event_id ?? null;
      await afterAck('direct message', () => turns.message({ team: teamOf(body, message), channel: plain.channel, user: plain.user ?? null, text: plain.text ?? '', eventId, channelType: 'im' }));
    });

    app.event('file_shared', async ({ event, body }) => {
      const eventId = (body as { event_id?: string }).event_id ?? null;
      const shared = event as { file_id?: string; user_id?: string; channel_id?: string };
      if (!shared.file_id || !shared.user_id || !shared.channel_id) return;
      await afterAck('file', () => turns.fileShared({ team: teamOf(body, event), channel: shared.channel_id!, user: shared.user_id!, fileId: shared.file_id!, eventId }));
    });

    app.action(/.*/, async ({ ack, body, action }) => {
      await ack();
      await afterAck('button', () => turns.button(body, action));
    });

    app.view(formCallbackId, async ({ ack, body, view }) => {
      // Field errors can only be shown while Slack waits (3 s): a command that takes longer has
      // its modal closed at formAnswerMs, and its answer (or its errors) follows in the conversation.
      const outcome = turns.submitForm(body, view);
      const inTime = await Promise.race([outcome.then((answer) => ({ answer })), sleep(formAnswerMs).then(() => null)]);
      if (inTime) {
        await ack(inTime.answer.response);
        if (inTime.answer.after) await afterAck('form reply', inTime.answer.after);
        return;
      }
      await ack();
      await afterAck('form reply', async () => {
        const late = await outcome;
        await (late.response ? late.late?.() : late.after?.());
      });
    });

    app.error(async (error) => {
      turns.logFailure('slack request', error);
    });
  }
  listen(app);
  if (socketApp) listen(socketApp);

  return {
    messenger: createSlackMessenger(client),
    async handle(req, res) {
      const finished = new Promise<void>((resolve) => {
        res.once('finish', resolve);
        res.once('close', resolve);
      });
      receiver.requestListener(req, res);
      await finished;
    },
    async drain() {
      if (socketApp) await socketApp.stop().catch((error: unknown) => turns.logFailure('socket mode disconnect', error));
      await Promise.allSettled([...pending]);
    },
    async start() {
      if (!socketApp) return;
      // Not awaited by start-up: Slack being unreachable must not keep the bot (and Teams) down; the client reconnects.
      void socketApp.start().then(
        () => log.info({ component: 'slack' }, 'socket mode connected'),
        (error: unknown) => turns.logFailure('socket mode connect', error),
      );
    },
  };
}

function teamOf(body: unknown, event: unknown): string {
  const fromBody = (body as { team_id?: unknown }).team_id;
  if (typeof fromBody === 'string') return fromBody;
  const fromEvent = (event as { team?: unknown }).team;
  return typeof fromEvent === 'string' ? fromEvent : '';
}
