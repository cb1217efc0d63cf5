// A fake Slack on loopback, for tests: its Web API (the bot's SLACK_API_URL) records every call
// (chat.postMessage, chat.update, chat.postEphemeral, views.open, files.info, auth.test) and
// answers as Slack does; it serves uploaded files to a bearer of the bot token (and Slack's
// HTML login page, status 200, to anyone else); and it sends the bot signed requests (slash
// commands, events, button presses) as Slack does, v0 signature and all. Every Block Kit
// message the bot sends is checked against Slack's limits (./block-kit-check.ts).
import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { blockKitProblems, type BlockKitProblem } from './block-kit-check.ts';

export const testSigningSecret = '8f742231b10e8888abcd99ffffff85a5';
export const testBotToken = 'xoxb-1111-2222-testtoken';
export const botUserId = 'UBOT0001';
export const testAppToken = 'xapp-1-A0001-1111-socketmodetoken';

export interface SlackCall {
  method: string;
  args: Record<string, unknown>;
  /** The ts a post got, or the updated message's. */
  ts?: string;
  authorization: string | null;
}

interface Failure {
  status: number;
  headers: Record<string, string>;
  /** Fail only calls to this channel (default any). */
  channel?: string;
}

function parseArgs(raw: string, contentType: string): Record<string, unknown> {
  if (contentType.includes('application/json')) return JSON.parse(raw || '{}') as Record<string, unknown>;
  const args: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(raw)) {
    // The Web API client sends objects and arrays as JSON strings.
    args[key] = /^[[{]/.test(value) ? JSON.parse(value) : value;
  }
  return args;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export class FakeSlack {
  readonly calls: SlackCall[] = [];
  /** Block Kit limit violations seen in anything the bot sent: tests expect none. */
  readonly problems: (BlockKitProblem & { method: string })[] = [];
  readonly failures: { method: string; status: number }[] = [];
  private readonly pendingFailures: Failure[] = [];
  private readonly files = new Map<string, { name: string; content: string }>();
  private nextTs = 1_700_000_000;
  /** Downloads answer Slack's HTML sign-in page even with the token (a token without files:read). */
  loginPageForDownloads = false;
  /** Each chat.postMessage takes this long to answer (a slow Slack). */
  postDelayMs = 0;
  /** Channels where posting is refused with this Slack error (e.g. not_in_channel). */
  readonly refusedChannels = new Map<string, string>();
  /** What the bot POSTed to a slash command's response_url. */
  readonly responses: Record<string, unknown>[] = [];
  /** The Authorization header of each file download. */
  readonly downloads: (string | null)[] = [];

  /** Socket Mode: the bot's connections, and the acknowledgements it sent back (by envelope id). */
  private readonly sockets = new Set<WebSocket>();
  readonly socketAcks = new Map<string, Record<string, unknown>>();
  private socketServer: WebSocketServer | undefined;

  private constructor(
    private readonly server: Server,
    readonly apiUrl: string,
    /** The bot's base URL (http://127.0.0.1:PORT). */
    private botUrl: string,
  ) {}

  static async start(botUrl = ''): Promise<FakeSlack> {
    let fake: FakeSlack | undefined;
    const server = createServer((req, res) => {
      void fake!.answer(req).then(({ status, body, headers }) => {
        res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
        res.end(typeof body === 'string' ? body : JSON.stringify(body));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    fake = new FakeSlack(server, `http://127.0.0.1:${port}/api`, botUrl);
    fake.socketServer = new WebSocketServer({ server, path: '/socket' });
    fake.socketServer.on('connection', (socket) => {
      fake!.sockets.add(socket);
      socket.on('close', () => fake!.sockets.delete(socket));
      socket.on('message', (data) => {
        const message = JSON.parse(String(data)) as { envelope_id?: string; payload?: Record<string, unknown> };
        if (message.envelope_id) fake!.socketAcks.set(message.envelope_id, message.payload ?? {});
      });
      socket.send(JSON.stringify({ type: 'hello', num_connections: 1, debug_info: { host: 'fake', approximate_connection_time: 3600 }, connection_info: { app_id: 'A0001' } }));
    });
    return fake;
  }

  setBotUrl(url: string): void {
    this.botUrl = url;
  }

  /** The next `count` Web API calls that post or update (to `channel`, if given) answer `status`. */
  failNext(count: number, status: number, headers: Record<string, string> = {}, channel?: string): void {
    for (let i = 0; i < count; i++) this.pendingFailures.push({ status, headers, ...(channel ? { channel } : {}) });
  }

  /** A file uploaded to Slack, as files.info describes it and url_private_download serves it. */
  addFile(id: string, name: string, content: string): void {
    this.files.set(id, { name, content });
  }

  private async answer(req: IncomingMessage): Promise<{ status: number; body: unknown; headers?: Record<string, string> }> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const authorization = req.headers.authorization ?? null;
    if (url.pathname.startsWith('/files/')) {
      const file = this.files.get(url.pathname.split('/')[2] ?? '');
      this.downloads.push(authorization);
      // Slack answers a download without the bot token with its HTML login page, status 200.
      if (authorization !== `Bearer ${testBotToken}` || this.loginPageForDownloads) return { status: 200, body: '<!DOCTYPE html><html><body>Sign in to Slack</body></html>', headers: { 'content-type': 'text/html' } };
      return file ? { status: 200, body: file.content, headers: { 'content-type': 'text/csv' } } : { status: 404, body: 'not found', headers: { 'content-type': 'text/plain' } };
    }
    if (url.pathname === '/response') {
      const sent = JSON.parse(await readBody(req)) as Record<string, unknown>;
      this.responses.push(sent);
      if (sent.blocks !== undefined) for (const problem of blockKitProblems(sent.blocks)) this.problems.push({ method: 'response_url', ...problem });
      return { status: 200, body: 'ok', headers: { 'content-type': 'text/plain' } };
    }
    const method = url.pathname.replace(/^\/api\//, '');
    const args = parseArgs(await readBody(req), String(req.headers['content-type'] ?? ''));
    const token = authorization?.replace(/^Bearer /, '') ?? (typeof args.token === 'string' ? args.token : null);
    if (method === 'apps.connections.open') {
      // Socket Mode's handshake takes the app-level token, never the bot's.
      if (token !== testAppToken) return { status: 200, body: { ok: false, error: 'invalid_auth' } };
      this.calls.push({ method, args, authorization });
      return { status: 200, body: { ok: true, url: `${this.apiUrl.replace(/^http/, 'ws').replace(/\/api$/, '')}/socket` } };
    }
    if (token !== testBotToken) return { status: 200, body: { ok: false, error: 'invalid_auth' } };
    const call: SlackCall = { method, args, authorization };

    const sends = method === 'chat.postMessage' || method === 'chat.update';
    const failureIndex = sends ? this.pendingFailures.findIndex((failure) => failure.channel === undefined || failure.channel === args.channel) : -1;
    if (failureIndex >= 0) {
      const [failure] = this.pendingFailures.splice(failureIndex, 1);
      this.failures.push({ method, status: failure!.status });
      return { status: failure!.status, body: { ok: false, error: failure!.status === 429 ? 'ratelimited' : 'internal_error' }, headers: failure!.headers };
    }
    if (args.blocks !== undefined) for (const problem of blockKitProblems(args.blocks)) this.problems.push({ method, ...problem });
    const modal = args.view as { blocks?: unknown } | undefined;
    if (modal?.blocks !== undefined) for (const problem of blockKitProblems(modal.blocks)) this.problems.push({ method, ...problem });

    switch (method) {
      case 'auth.test':
        this.calls.push(call);
        return { status: 200, body: { ok: true, user_id: botUserId, bot_id: 'BBOT0001', team_id: 'T0001', user: 'provisioning' } };
      case 'chat.postMessage': {
        const refused = this.refusedChannels.get(String(args.channel));
        if (refused) {
          this.failures.push({ method, status: 200 });
          return { status: 200, body: { ok: false, error: refused } };
        }
        if (this.postDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.postDelayMs));
        call.ts = `${this.nextTs++}.000100`;
        this.calls.push(call);
        return { status: 200, body: { ok: true, channel: args.channel, ts: call.ts } };
      }
      case 'chat.update':
        call.ts = String(args.ts);
        this.calls.push(call);
        return { status: 200, body: { ok: true, channel: args.channel, ts: args.ts } };
      case 'chat.postEphemeral':
        this.calls.push(call);
        return { status: 200, body: { ok: true, message_ts: `${this.nextTs++}.000200` } };
      case 'views.open':
      case 'views.update':
        this.calls.push(call);
        return { status: 200, body: { ok: true, view: { id: `V${this.nextTs++}` } } };
      case 'files.info': {
        this.calls.push(call);
        const file = this.files.get(String(args.file));
        if (!file) return { status: 200, body: { ok: false, error: 'file_not_found' } };
        const download = `${this.apiUrl.replace(/\/api$/, '')}/files/${String(args.file)}/${encodeURIComponent(file.name)}`;
        return { status: 200, body: { ok: true, file: { id: args.file, name: file.name, filetype: 'csv', size: file.content.length, url_private: download, url_private_download: download } } };
      }
      default:
        this.calls.push(call);
        return { status: 200, body: { ok: false, error: 'unknown_method' } };
    }
  }

  /** The calls of one Web API method (optionally to one channel). */
  callsOf(method: string, channel?: string): SlackCall[] {
    return this.calls.filter((call) => call.method === method && (channel === undefined || call.args.channel === channel));
  }

  /** Waits until `count` calls match, or fails after `timeoutMs`. */
  async waitFor(count: number, where: (call: SlackCall) => boolean, timeoutMs = 10_000): Promise<SlackCall[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.calls.filter(where);
      if (found.length >= count) return found;
      if (Date.now() > deadline) throw new Error(`waited ${timeoutMs} ms for ${count} Slack calls, saw ${found.length}: ${this.calls.map((call) => call.method).join(', ')}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** POSTs a body to the bot's Slack route, signed as Slack signs (or as `signature` says). */
  async send(body: string, contentType: string, options: { timestamp?: number; signature?: string | null; headers?: Record<string, string> } = {}): Promise<Response> {
    const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
    const signature = options.signature === undefined ? signSlackRequest(testSigningSecret, timestamp, body) : options.signature;
    const headers: Record<string, string> = { 'content-type': contentType, 'x-slack-request-timestamp': String(timestamp), ...options.headers };
    if (signature !== null) headers['x-slack-signature'] = signature;
    return fetch(`${this.botUrl}/api/slack/events`, { method: 'POST', headers, body });
  }

  /** `/provision <text>` typed by `user` in `channel`. */
  slash(text: string, who: SlackUser, channel: SlackChannel, options: Parameters<FakeSlack['send']>[2] = {}): Promise<Response> {
    const form = new URLSearchParams({
      token: 'deprecated-verification-token',
      team_id: who.team,
      team_domain: 'contoso',
      channel_id: channel.id,
      channel_name: channel.name,
      user_id: who.id,
      user_name: who.name,
      command: '/provision',
      text: asSlackSends(text),
      api_app_id: 'A0001',
      response_url: `${this.apiUrl.replace(/\/api$/, '')}/response`,
      trigger_id: `${this.nextTs++}.trigger`,
    });
    return this.send(form.toString(), 'application/x-www-form-urlencoded', options);
  }

  /** An Events API callback. */
  event(team: string, event: Record<string, unknown>, eventId: string, options: Parameters<FakeSlack['send']>[2] = {}): Promise<Response> {
    const body = JSON.stringify({ token: 'x', team_id: team, api_app_id: 'A0001', type: 'event_callback', event_id: eventId, event_time: Math.floor(Date.now() / 1000), authorizations: [{ team_id: team, user_id: botUserId, is_bot: true }], event });
    return this.send(body, 'application/json', options);
  }

  /** A button press on a message the bot posted (a chat.postMessage or chat.update call), with the inputs typed into it. */
  press(call: SlackCall, label: string, who: SlackUser, inputs: Record<string, string> = {}, valueOverride?: string): Promise<Response> {
    const blocks = (call.args.blocks as Record<string, unknown>[]) ?? [];
    const buttons = blocks.flatMap((block) => [...((block.elements as Record<string, unknown>[] | undefined) ?? []), ...(block.accessory ? [block.accessory as Record<string, unknown>] : [])]).filter((element) => element.type === 'button');
    const button = buttons.find((element) => (element.text as { text: string }).text === label);
    if (!button) throw new Error(`no button "${label}" on the message; buttons: ${buttons.map((element) => (element.text as { text: string }).text).join(', ')}`);
    const values: Record<string, Record<string, unknown>> = {};
    for (const [id, value] of Object.entries(inputs)) values[id] = { [id]: { type: 'plain_text_input', value } };
    const payload = {
      type: 'block_actions',
      team: { id: who.team, domain: 'contoso' },
      user: { id: who.id, username: who.name, name: who.name, team_id: who.team },
      api_app_id: 'A0001',
      token: 'x',
      container: { type: 'message', message_ts: call.ts, channel_id: call.args.channel, is_ephemeral: false },
      trigger_id: `${this.nextTs++}.trigger`,
      channel: { id: call.args.channel, name: 'channel' },
      message: { ts: call.ts, blocks },
      state: { values },
      actions: [{ action_id: button.action_id, block_id: 'b', text: button.text, value: valueOverride ?? button.value, type: 'button', action_ts: String(Date.now() / 1000) }],
    };
    return this.send(new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), 'application/x-www-form-urlencoded');
  }

  /** The modal a views.open call opened, submitted by `who` with these field values (by block/action id). */
  submit(opened: SlackCall, who: SlackUser, values: Record<string, string>, files: Record<string, string[]> = {}): Promise<Response> {
    const modal = opened.args.view as Record<string, unknown>;
    const state: Record<string, Record<string, unknown>> = {};
    for (const [id, value] of Object.entries(values)) state[id] = { [id]: { type: 'plain_text_input', value } };
    for (const [id, fileIds] of Object.entries(files)) {
      state[id] = { [id]: { type: 'file_input', files: fileIds.map((fileId) => ({ id: fileId, name: this.files.get(fileId)?.name ?? 'file' })) } };
    }
    const payload = {
      type: 'view_submission',
      team: { id: who.team, domain: 'contoso' },
      user: { id: who.id, username: who.name, name: who.name, team_id: who.team },
      api_app_id: 'A0001',
      token: 'x',
      trigger_id: `${this.nextTs++}.trigger`,
      view: { id: 'V1', type: 'modal', callback_id: modal.callback_id, private_metadata: modal.private_metadata, blocks: modal.blocks, state: { values: state }, team_id: who.team, app_id: 'A0001' },
    };
    return this.send(new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), 'application/x-www-form-urlencoded');
  }

  /** Waits until the bot holds a Socket Mode connection. */
  async socketConnected(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.sockets.size === 0) {
      if (Date.now() > deadline) throw new Error('the bot did not connect over Socket Mode');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** `/provision <text>` delivered over Socket Mode; resolves with the bot's acknowledgement. */
  async socketSlash(text: string, who: SlackUser, channel: SlackChannel, envelopeId: string): Promise<Record<string, unknown>> {
    const payload = { token: 'x', team_id: who.team, channel_id: channel.id, channel_name: channel.name, user_id: who.id, user_name: who.name, command: '/provision', text: asSlackSends(text), api_app_id: 'A0001', trigger_id: `${this.nextTs++}.trigger` };
    for (const socket of this.sockets) socket.send(JSON.stringify({ envelope_id: envelopeId, type: 'slash_commands', payload, accepts_response_payload: true }));
    const deadline = Date.now() + 3000;
    for (;;) {
      const ack = this.socketAcks.get(envelopeId);
      if (ack) return ack;
      if (Date.now() > deadline) throw new Error(`no acknowledgement of envelope ${envelopeId} within 3 s`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.terminate();
    this.socketServer?.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

export interface SlackUser {
  team: string;
  id: string;
  name: string;
}

export interface SlackChannel {
  id: string;
  name: string;
}

/**
 * Text as Slack sends what a person typed: &, < and > escaped, except the mentions Slack itself
 * wrote ("<@U123|tom>", "<#C123>", "<!here>").
 */
export function asSlackSends(text: string): string {
  return text
    .split(/(<[@#!][^<>]*>)/)
    .map((part, index) => (index % 2 === 1 ? part : part.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;')))
    .join('');
}

/** Slack's v0 request signature: HMAC-SHA256 of "v0:<timestamp>:<raw body>". */
export function signSlackRequest(secret: string, timestamp: number, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

/** The text a message's blocks show (sections, fields, headers, context), for assertions. */
export function slackText(call: SlackCall | undefined): string {
  if (!call) return '';
  const parts: string[] = [typeof call.args.text === 'string' ? call.args.text : ''];
  for (const block of (call.args.blocks as Record<string, unknown>[] | undefined) ?? []) {
    const text = block.text as { text?: string } | undefined;
    if (text?.text) parts.push(text.text);
    for (const field of (block.fields as { text: string }[] | undefined) ?? []) parts.push(field.text);
    for (const element of (block.elements as { text?: unknown }[] | undefined) ?? []) {
      if (typeof element.text === 'string') parts.push(element.text);
      else if (element.text && typeof (element.text as { text?: unknown }).text === 'string') parts.push((element.text as { text: string }).text);
    }
  }
  return parts.join('\n');
}

/** "00-04-F2-00-00-01" → "123456" as the hand-off message lists them (`MAC`  *code*). */
export function codesInMessage(call: SlackCall | undefined): Map<string, string> {
  const codes = new Map<string, string>();
  for (const match of slackText(call).matchAll(/`([0-9A-F]{2}(?:-[0-9A-F]{2}){5})` {2}\*(\d{6})\*/g)) codes.set(match[1]!, match[2]!);
  return codes;
}
