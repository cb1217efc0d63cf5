// Plays the chat channel (Teams as the Bot Framework connector sees it) on loopback:
// it POSTs activities to the bot's /api/messages with a serviceUrl pointing at itself, and
// records everything the bot sends back there (new activities, replies, updates).
// Tests can make it fail (failNext: 500s, 429 with Retry-After, 403), hang (hangNext: no
// answer at all, as a connector that is stuck; optionally after taking the activity) and
// answer member look-ups (members: what TeamsInfo.getMember reads).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';

export interface ReceivedActivity {
  /** POST for a new activity or reply, PUT for an update of an earlier one. */
  method: string;
  conversationId: string;
  /** The activity replied to (POST …/activities/{id}) or updated (PUT …/activities/{id}). */
  targetActivityId: string | null;
  /** The id this channel gave the activity in its answer. */
  assignedId: string;
  body: { type?: string; text?: string; attachments?: { contentType: string; content: unknown }[]; [key: string]: unknown };
}

/** A request of the bot that the channel failed on purpose (failNext). */
export interface InjectedFailure {
  method: string;
  conversationId: string;
  targetActivityId: string | null;
  status: number;
}

/** A request of the bot that the channel never answered on purpose (hangNext). */
export interface HungRequest {
  method: string;
  conversationId: string;
  targetActivityId: string | null;
  /** The channel took the activity (it is in `received`); only its answer never came. */
  accepted: boolean;
  /** The bot gave up on it and closed the connection (its request timeout); false while it still waits. */
  abandonedByBot: boolean;
}

type RequestFacts = Omit<InjectedFailure, 'status'>;

/** What failNext and hangNext queue, in one list so that their order is kept. */
type PlannedFault =
  | { kind: 'fail'; status: number; headers: Record<string, string>; match: (request: RequestFacts) => boolean }
  | { kind: 'hang'; accept: boolean; match: (request: RequestFacts) => boolean };

/** A conversation member as the connector returns it (TeamsChannelAccount). */
export interface FakeMember {
  id: string;
  name?: string;
  aadObjectId?: string;
  email?: string;
  userPrincipalName?: string;
  tenantId?: string;
  userRole?: string;
  [key: string]: unknown;
}

export interface SendResult {
  status: number;
  body: unknown;
}

export interface ActivityOptions {
  tenantId?: string | null;
  conversationId?: string;
  conversationType?: 'personal' | 'channel' | 'groupChat';
  from?: { id: string; name?: string; aadObjectId?: string };
  teamId?: string;
  headers?: Record<string, string>;
}

export const botAccount = { id: '28:provisioning-bot', name: 'ProvisioningBot' };
export const defaultUser = { id: '29:ada', name: 'Ada Admin', aadObjectId: 'aad-ada' };
export const defaultTenantId = 'tenant-contoso';

const activityPath = /^\/v3\/conversations\/([^/]+)\/activities(?:\/([^/]+))?$/;
const memberPath = /^\/v3\/conversations\/([^/]+)\/members\/([^/]+)$/;

const failureCodes: Record<number, string> = {
  400: 'BadArgument',
  403: 'BotNotInConversationRoster',
  404: 'ConversationNotFound',
  429: 'Throttled',
  500: 'ServiceError',
  502: 'BadGateway',
  503: 'ServiceUnavailable',
};

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function respond(res: ServerResponse, status: number, body: unknown): void {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify(body));
}

export class FakeChannel {
  readonly received: ReceivedActivity[] = [];
  /** Delay before answering the bot's sends, to keep a turn in flight. */
  answerDelayMs = 0;
  /** The requests failed on purpose, in order (see failNext). */
  readonly failures: InjectedFailure[] = [];
  /** The requests left unanswered on purpose, in order (see hangNext). */
  readonly hangs: HungRequest[] = [];
  /** Files served as Teams serves attachments sent in personal chat (see attachFile). */
  private readonly files = new Map<string, Buffer>();
  /** Names of the attached files the bot downloaded, in order (e.g. to know an import has begun). */
  readonly downloads: string[] = [];

  /** Serves a file and gives the attachment Teams would put on the message that carries it. */
  attachFile(name: string, content: string | Buffer): { contentType: string; name: string; content: { downloadUrl: string; uniqueId: string; fileType: string } } {
    const pathname = `/files/${randomUUID()}/${encodeURIComponent(name)}`;
    this.files.set(pathname, Buffer.from(content));
    return {
      contentType: 'application/vnd.microsoft.teams.file.download.info',
      name,
      content: { downloadUrl: `${this.serviceUrl}${pathname}`, uniqueId: randomUUID(), fileType: name.split('.').pop() ?? '' },
    };
  }

  /** Members by user id ("29:…"), answered at GET /v3/conversations/{id}/members/{userId}; 404 for others. */
  readonly members = new Map<string, FakeMember>();
  private plannedFaults: PlannedFault[] = [];
  private waiters: (() => void)[] = [];
  /** Set by close(): the hung requests it ends were not abandoned by the bot. */
  private closing = false;

  private constructor(
    private readonly server: Server,
    readonly serviceUrl: string,
    private botUrl: string,
  ) {}

  static async start(botUrl = ''): Promise<FakeChannel> {
    let channel: FakeChannel | undefined;
    const server = createServer((req, res) => void channel?.answer(req, res));
    // A deep backlog: the load drill makes the bot send hundreds of replies at once.
    await new Promise<void>((resolve) => server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, resolve));
    const port = (server.address() as AddressInfo).port;
    channel = new FakeChannel(server, `http://127.0.0.1:${port}`, botUrl);
    return channel;
  }

  useBot(botUrl: string): void {
    this.botUrl = botUrl;
  }

  /**
   * The next `count` activity requests (POST or PUT) are answered with `status` (and
   * `headers`, e.g. { 'Retry-After': '1' }) instead of being accepted; they are recorded in
   * `failures`, not in `received`. Calls queue up: failNext(2, 500); failNext(1, 429, …).
   * With `match`, only requests it accepts fail (e.g. one conversation); others pass.
   */
  failNext(count: number, status: number, headers: Record<string, string> = {}, match: (request: RequestFacts) => boolean = () => true): void {
    for (let i = 0; i < count; i++) this.plannedFaults.push({ kind: 'fail', status, headers, match });
  }

  /**
   * The next `count` activity requests (that `match` accepts) get no answer at all: the channel
   * keeps the connection open until the bot gives up on it (its request timeout) or the channel
   * closes. They are recorded in `hangs`. With `accept`, the channel first takes the activity
   * (it is in `received`) and only the answer is lost: the bot cannot tell that from a request
   * that never arrived. Queued in one line with failNext, in call order.
   */
  hangNext(count: number, { accept = false, match = () => true }: { accept?: boolean; match?: (request: RequestFacts) => boolean } = {}): void {
    for (let i = 0; i < count; i++) this.plannedFaults.push({ kind: 'hang', accept, match });
  }

  /** Drops the failures and hangs planned but not yet used: the channel is healthy again. */
  cancelPlannedFaults(): void {
    this.plannedFaults = [];
  }

  /** Records an activity the channel takes, and gives it an id (an update keeps its own). */
  private take(request: RequestFacts, text: string): string {
    const assignedId = request.targetActivityId && request.method === 'PUT' ? request.targetActivityId : `act-${randomUUID()}`;
    this.received.push({ ...request, assignedId, body: JSON.parse(text) as ReceivedActivity['body'] });
    return assignedId;
  }

  /** Never answers; resolves when the connection is closed (by the bot giving up, or by close()). */
  private async hang(request: RequestFacts, accept: boolean, text: string, res: ServerResponse): Promise<void> {
    const hung: HungRequest = { ...request, accepted: accept, abandonedByBot: false };
    if (accept) this.take(request, text);
    this.hangs.push(hung);
    this.wakeWaiters();
    await new Promise<void>((resolve) => {
      const closed = () => {
        if (!this.closing) hung.abandonedByBot = true;
        this.wakeWaiters();
        resolve();
      };
      // The bot may have given up already, before this request got here.
      if (res.socket === null || res.socket.destroyed) closed();
      else res.once('close', closed);
    });
  }

  private wakeWaiters(): void {
    for (const wake of this.waiters.splice(0)) wake();
  }

  private async answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const text = await readBody(req);
    const pathname = new URL(req.url ?? '/', this.serviceUrl).pathname;
    const file = this.files.get(pathname);
    if (file !== undefined && req.method === 'GET') {
      res.statusCode = 200;
      res.setHeader('content-type', 'application/octet-stream');
      res.end(file);
      this.downloads.push(decodeURIComponent(pathname.split('/').pop() ?? ''));
      this.wakeWaiters();
      return;
    }
    const member = memberPath.exec(pathname);
    if (member && req.method === 'GET') {
      const found = this.members.get(decodeURIComponent(member[2] ?? ''));
      if (found) respond(res, 200, found);
      else respond(res, 404, { error: { code: 'MemberNotFoundInConversation', message: 'The member is not in this conversation.' } });
      return;
    }
    const match = activityPath.exec(pathname);
    if (!match) {
      respond(res, 404, { error: { code: 'NotFound' } });
      return;
    }
    if (this.answerDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.answerDelayMs));
    const request: RequestFacts = { method: req.method ?? '', conversationId: decodeURIComponent(match[1] ?? ''), targetActivityId: match[2] ? decodeURIComponent(match[2]) : null };
    const faultIndex = this.plannedFaults.findIndex((planned) => planned.match(request));
    const fault = faultIndex >= 0 ? this.plannedFaults.splice(faultIndex, 1)[0] : undefined;
    if (fault?.kind === 'hang') return this.hang(request, fault.accept, text, res);
    if (fault) {
      this.failures.push({ ...request, status: fault.status });
      for (const [name, value] of Object.entries(fault.headers)) res.setHeader(name, value);
      respond(res, fault.status, { error: { code: failureCodes[fault.status] ?? 'Failure', message: `Injected failure ${fault.status}.` } });
      this.wakeWaiters();
      return;
    }
    const assignedId = this.take(request, text);
    respond(res, 200, { id: assignedId });
    this.wakeWaiters();
  }

  /** An activity as Teams would send it, with defaults for everything not given. */
  activity(fields: Record<string, unknown>, options: ActivityOptions = {}): Record<string, unknown> {
    const tenantId = options.tenantId === undefined ? defaultTenantId : options.tenantId;
    const conversationType = options.conversationType ?? 'personal';
    const conversationId = options.conversationId ?? (conversationType === 'personal' ? `a:personal-${defaultUser.aadObjectId}` : '19:channel@thread.tacv2');
    const channelData: Record<string, unknown> = {};
    if (tenantId !== null) channelData.tenant = { id: tenantId };
    if (options.teamId) channelData.team = { id: options.teamId };
    if (conversationType === 'channel') channelData.channel = { id: conversationId };
    return {
      id: `in-${randomUUID()}`,
      channelId: 'msteams',
      serviceUrl: this.serviceUrl,
      timestamp: new Date().toISOString(),
      conversation: { id: conversationId, conversationType, ...(tenantId !== null ? { tenantId } : {}) },
      from: options.from ?? defaultUser,
      recipient: botAccount,
      channelData,
      ...fields,
    };
  }

  async post(activity: Record<string, unknown>, headers: Record<string, string> = {}): Promise<SendResult> {
    const response = await fetch(`${this.botUrl}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(activity),
    });
    const text = await response.text();
    return { status: response.status, body: text === '' ? null : (JSON.parse(text) as unknown) };
  }

  /** A user's message; in a channel, `mentionBot` prefixes the bot's @mention as Teams does. */
  async message(text: string, options: ActivityOptions & { mentionBot?: boolean } = {}): Promise<SendResult> {
    const mention = `<at>${botAccount.name}</at>`;
    const entities = options.mentionBot ? [{ type: 'mention', mentioned: botAccount, text: mention }] : [];
    const fullText = options.mentionBot ? `${mention} ${text}` : text;
    return this.post(this.activity({ type: 'message', text: fullText, entities }, options), options.headers);
  }

  /** A card button press (Action.Execute), answered in the HTTP response. */
  async invoke(verb: string, data: Record<string, unknown>, options: ActivityOptions = {}): Promise<SendResult> {
    const value = { action: { type: 'Action.Execute', verb, data }, trigger: 'manual' };
    return this.post(this.activity({ type: 'invoke', name: 'adaptiveCard/action', value }, options), options.headers);
  }

  /** A dialog invoke as Teams sends it: task/fetch when a button opens a dialog, task/submit with the form's values. */
  async dialog(phase: 'fetch' | 'submit', data: Record<string, unknown>, options: ActivityOptions = {}): Promise<SendResult> {
    const value = { data: phase === 'fetch' ? { msteams: { type: 'task/fetch' }, ...data } : data, context: { theme: 'default' } };
    return this.post(this.activity({ type: 'invoke', name: `task/${phase}`, value }, options), options.headers);
  }

  /** Waits until `condition` holds: checked whenever the channel answers something, and every 50 ms. */
  async waitUntil(condition: () => boolean, what = 'the condition', timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} at the fake channel`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 50));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Waits until at least `count` activities arrived that match, and returns them. */
  async waitFor(count: number, match: (activity: ReceivedActivity) => boolean = () => true, timeoutMs = 5000): Promise<ReceivedActivity[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.received.filter(match);
      if (found.length >= count) return found;
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(`expected ${count} activities at the fake channel, got ${found.length}: ${JSON.stringify(this.received.map((a) => a.body.text ?? a.body.type))}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async close(): Promise<void> {
    this.closing = true;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
