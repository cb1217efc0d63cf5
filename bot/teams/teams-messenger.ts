// The ChatMessenger of Teams: proactive posts and in-place updates through the Bot Framework
// connector, from a stored conversation reference.
//
// Three things botbuilder does by default that a persisted outbox must not have:
//  - Its connector client retries on its own (@azure/core-rest-pipeline's defaultRetryPolicy:
//    up to 3 more tries on 408/5xx/network errors with 1-64 s waits, and on 429/503 it sleeps
//    whatever Retry-After says, unbounded). That re-POSTs non-idempotent sends (a 500 after the
//    channel did post means a duplicate), holds the outbox lease while sleeping, and hides 429s
//    from our backoff. We remove that policy from the connector client of each proactive turn:
//    every failure reaches the outbox at once, which schedules the retry in the database.
//  - It has no request timeout: a channel that never answers would hold the sender forever.
//    Each request gets one (requestTimeoutMs).
//  - An error inside a proactive turn goes to the adapter's onTurnError (the "sorry" reply of
//    incoming turns) instead of to the caller. The turn logic here catches its own error and
//    it is rethrown after the turn, mapped to a ChannelError.
//
// A proactive post goes to POST /v3/conversations/{id}/activities (a new message, as Teams
// documents proactive messages), not as a reply to the synthetic activity id of the
// continuation turn.
//
// `appId` is the bot's MicrosoftAppId. With authentication disabled (empty app id: the Emulator
// and the tests' fake channel) the empty string is right: botbuilder's credential factory then
// sends without a token. With an app id set, it must be that app id (the factory refuses others).
import type { Activity, CloudAdapter, ConversationReference, TurnContext } from 'botbuilder';
import { toActivity } from './outgoing.ts';
import type { StoredConversation } from '../../services/conversations/conversation-repository.ts';
import { ChannelError, type ChatMessenger } from '../../services/notifications/delivery-ports.ts';
import type { OutgoingMessage } from '../notifications/outgoing-message.ts';

export { adaptiveCardContentType } from './render-view.ts';

/** Bound on one request to the connector; a timeout is a transient ChannelError (retried by the outbox). */
export const requestTimeoutMs = 30_000;

const builtInRetryPolicyName = 'defaultRetryPolicy';

export interface TeamsMessengerOptions {
  requestTimeoutMs?: number;
}

export function createTeamsMessenger(adapter: CloudAdapter, appId: string, options: TeamsMessengerOptions = {}): ChatMessenger<OutgoingMessage> {
  const timeoutMs = options.requestTimeoutMs ?? requestTimeoutMs;

  /** Runs `send` in a proactive turn of the conversation and returns what it returned, or throws a ChannelError. */
  async function inConversation<T>(conversation: StoredConversation, operation: string, send: (context: TurnContext) => Promise<T>): Promise<T> {
    const reference = referenceOf(conversation);
    let outcome: { ok: true; value: T } | { ok: false; error: unknown } | undefined;
    try {
      await adapter.continueConversationAsync(appId, reference, async (context) => {
        try {
          tameConnectorClient(context.turnState.get(adapter.ConnectorClientKey), timeoutMs);
          outcome = { ok: true, value: await send(context) };
        } catch (error) {
          outcome = { ok: false, error };
        }
      });
    } catch (error) {
      // Before the turn ran: the connector client or its credentials could not be made.
      throw toChannelError(error, operation);
    }
    if (outcome === undefined) throw new ChannelError(`${operation}: the proactive turn did not run`, null, null);
    if (!outcome.ok) throw toChannelError(outcome.error, operation);
    return outcome.value;
  }

  return {
    async post(conversation, message) {
      return inConversation(conversation, 'post', async (context) => {
        // A new message in the conversation, not a reply to the continuation turn's made-up id.
        context.onSendActivities(async (_context, activities, next) => {
          for (const activity of activities) delete activity.replyToId;
          return next();
        });
        const response = await context.sendActivity(toActivity(message));
        // Teams always answers with the new activity's id; an empty one means "posted, cannot be updated".
        return { activityId: response?.id ?? '' };
      });
    },

    async update(conversation, activityId, message) {
      if (activityId === '') throw new ChannelError('update: no activity id to update', 404, null);
      await inConversation(conversation, 'update', async (context) => {
        const activity = { ...toActivity(message), id: activityId };
        await context.updateActivity(activity);
      });
    },
  };
}

/** A Teams destination's opaque address is the Bot Framework conversation reference. */
function referenceOf(conversation: StoredConversation): Partial<ConversationReference> {
  if (conversation.platform !== 'teams') {
    throw new ChannelError(`conversation ${conversation.conversationId} is a ${conversation.platform} destination, which the Teams adapter cannot reach`, 404, null);
  }
  const reference = conversation.address as Partial<ConversationReference> | null;
  if (reference === null || typeof reference !== 'object' || !reference.conversation?.id || !reference.serviceUrl) {
    // Nothing to retry: the stored conversation cannot be reached (404 = permanent).
    throw new ChannelError(`the stored reference of conversation ${conversation.conversationId} is incomplete; it is reached again once someone talks to the bot there`, 404, null);
  }
  return reference;
}

interface PipelineLike {
  removePolicy(options: { name: string }): unknown[];
  addPolicy(policy: { name: string; sendRequest(request: { timeout: number }, next: (request: unknown) => Promise<unknown>): Promise<unknown> }): void;
  getOrderedPolicies(): { name: string }[];
}

/**
 * Removes the connector client's own retries and bounds each request. The client is made
 * for this one turn (botbuilder creates one per turn), so the incoming turns keep theirs.
 */
function tameConnectorClient(connectorClient: unknown, timeoutMs: number): void {
  const pipeline = (connectorClient as { client?: { pipeline?: PipelineLike } } | undefined)?.client?.pipeline;
  if (!pipeline || typeof pipeline.removePolicy !== 'function') {
    // Versions are pinned; if an upgrade moves this, fail loudly rather than retry blindly.
    throw new Error('the Bot Framework connector client has no request pipeline where expected; cannot disable its built-in retries');
  }
  pipeline.removePolicy({ name: builtInRetryPolicyName });
  if (!pipeline.getOrderedPolicies().some((policy) => policy.name === 'provisioningBotRequestTimeout')) {
    pipeline.addPolicy({
      name: 'provisioningBotRequestTimeout',
      sendRequest(request, next) {
        if (!request.timeout) request.timeout = timeoutMs;
        return next(request);
      },
    });
  }
}

interface RestErrorLike {
  name?: string;
  statusCode?: number;
  code?: string;
  response?: { headers?: { get(name: string): string | undefined } };
}

/**
 * The connector's RestError as a ChannelError: status, Retry-After, and the channel's error code
 * (e.g. ConversationNotFound, BotNotInConversationRoster). Never its request, which holds the card.
 */
export function toChannelError(error: unknown, operation: string): Error {
  if (error instanceof ChannelError) return error;
  const rest = (typeof error === 'object' && error !== null ? error : {}) as RestErrorLike;
  const status = typeof rest.statusCode === 'number' ? rest.statusCode : null;
  const code = typeof rest.code === 'string' && /^[\w.-]{1,80}$/.test(rest.code) ? rest.code : null;
  if (status !== null) {
    return new ChannelError(`${operation}: the channel answered ${status}${code ? ` (${code})` : ''}`, status, retryAfterMsOf(rest, Date.now()));
  }
  if (rest.name === 'RestError' || rest.name === 'AbortError' || code !== null) {
    return new ChannelError(`${operation}: the channel could not be reached${code ? ` (${code})` : ''}`, null, null);
  }
  return error instanceof Error ? error : new Error(`${operation} failed: ${String(error)}`);
}

/** Retry-After (seconds or an HTTP date) or the millisecond variants Azure services send. */
export function retryAfterMsOf(error: RestErrorLike, nowMs: number): number | null {
  const headers = error.response?.headers;
  if (!headers || typeof headers.get !== 'function') return null;
  for (const name of ['retry-after-ms', 'x-ms-retry-after-ms']) {
    const value = headers.get(name);
    if (value !== undefined && /^\d+(\.\d+)?$/.test(value.trim())) return Math.round(Number(value));
  }
  const retryAfter = headers.get('retry-after')?.trim();
  if (!retryAfter) return null;
  if (/^\d+(\.\d+)?$/.test(retryAfter)) return Math.round(Number(retryAfter) * 1000);
  const at = Date.parse(retryAfter);
  return Number.isFinite(at) ? Math.max(0, at - nowMs) : null;
}
