// The bot's own Slack Web API client. Slack's default client retries on its own (10 tries over
// about 30 minutes) and, on a 429, pauses its whole queue for every channel until Retry-After
// passes: that hides failures from the persisted outbox, holds its lease while sleeping and
// stalls deliveries to other channels. Here every call is tried once (`retries: 0`) and a 429
// is thrown to the caller (`rejectRateLimitedCalls`), so the outbox schedules the retry of
// that one message in the database and carries on with the others.
import { webApi } from '@slack/bolt';
import { ChannelError } from '../../services/notifications/delivery-ports.ts';

export type SlackWebClient = InstanceType<typeof webApi.WebClient>;

/** Bound on one Web API request; a timeout is transient (the outbox retries). */
export const slackRequestTimeoutMs = 30_000;

export function createSlackWebClient(token: string, apiUrl: string, options: { timeoutMs?: number } = {}): SlackWebClient {
  return new webApi.WebClient(token, {
    // The client joins method names onto this: it needs the trailing slash.
    slackApiUrl: `${apiUrl.replace(/\/+$/, '')}/`,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: options.timeoutMs ?? slackRequestTimeoutMs,
    // Its own log lines would print request arguments (messages hold codes): kept quiet.
    logLevel: webApi.LogLevel.ERROR,
  });
}

/** Slack's error codes that no retry fixes (the bot is out of the channel, the message is gone, the token is dead). */
const permanentErrors = new Set([
  'channel_not_found',
  'not_in_channel',
  'is_archived',
  'message_not_found',
  'cant_update_message',
  'edit_window_closed',
  'invalid_auth',
  'not_authed',
  'account_inactive',
  'token_revoked',
  'token_expired',
  'no_permission',
  'missing_scope',
  'restricted_action',
  'invalid_blocks',
  'invalid_blocks_format',
  'invalid_arguments',
  'msg_too_long',
  'no_text',
  'too_many_attachments',
  'team_access_not_granted',
]);

interface SlackErrorLike {
  code?: string;
  retryAfter?: number;
  statusCode?: number;
  data?: { error?: string };
}

/** A Web API failure as the outbox's ChannelError: 429 with Retry-After, permanent refusals as 4xx, the rest transient. */
export function toChannelError(error: unknown, operation: string): Error {
  if (error instanceof ChannelError) return error;
  const failure = (typeof error === 'object' && error !== null ? error : {}) as SlackErrorLike;
  switch (failure.code) {
    case webApi.ErrorCode.RateLimitedError:
      return new ChannelError(`${operation}: Slack answered 429 (rate limited)`, 429, typeof failure.retryAfter === 'number' ? failure.retryAfter * 1000 : null);
    case webApi.ErrorCode.PlatformError: {
      const slackError = typeof failure.data?.error === 'string' ? failure.data.error.slice(0, 80) : 'unknown_error';
      // msg_too_long / invalid_blocks: the same message never fits (the planner may cut it: 413).
      const status = slackError === 'msg_too_long' ? 413 : permanentErrors.has(slackError) ? 404 : 503;
      return new ChannelError(`${operation}: Slack refused it (${slackError})`, status, null);
    }
    case webApi.ErrorCode.HTTPError:
      return new ChannelError(`${operation}: Slack answered ${failure.statusCode ?? 'an error'}`, typeof failure.statusCode === 'number' ? failure.statusCode : null, null);
    case webApi.ErrorCode.RequestError:
      return new ChannelError(`${operation}: Slack could not be reached`, null, null);
    default:
      return error instanceof Error ? error : new Error(`${operation} failed: ${String(error)}`);
  }
}
