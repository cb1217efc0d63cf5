// Authenticates a request of the chat channel (Teams, the Emulator) before a turn runs, and
// answers in HTTP terms: a missing, forged, expired or misaddressed token is the caller's
// fault (401); signing keys that cannot be fetched are ours, for a while (503, retry later).
//
// Why not botbuilder's own CloudAdapter.process: it answers 500 to a well-formed token whose
// signature is wrong, and 500 or 401 (by accident of the error's class) when the OpenID
// metadata cannot be fetched, echoes internal messages in the body, and prints unstructured
// console lines. Tokens are still verified by botbuilder (BotFrameworkAuthentication); only
// the outcome is classified here.
import { AsyncLocalStorage } from 'node:async_hooks';
import { format } from 'node:util';
import { CallerIdConstants } from './botbuilder.ts';
import type { Activity, ConfigurationBotFrameworkAuthentication, ConfigurationBotFrameworkAuthenticationOptions } from 'botbuilder';
import type { Logger } from '../logger.ts';

export type AuthenticateRequestResult = Awaited<ReturnType<ConfigurationBotFrameworkAuthentication['authenticateRequest']>>;

export type ChannelAuthOutcome =
  | { ok: true; result: AuthenticateRequestResult }
  | { ok: false; status: 401 | 503; body: { code: string; message: string } };

/** Teams gives up on a request after 15 s; a key fetch that hangs must not hold it longer. */
export const keyFetchTimeoutMs = 10_000;

/**
 * The endpoints of the public Azure cloud, as botbuilder's AuthenticationConstants define them.
 * Setting any endpoint makes botbuilder expect all of them, so a different place for the
 * channel's OpenID metadata (BotOpenIdMetadata) comes with the defaults for the rest.
 */
export const publicCloudEndpoints = {
  ToChannelFromBotLoginUrl: 'https://login.microsoftonline.com/botframework.com',
  ToChannelFromBotOAuthScope: 'https://api.botframework.com',
  ToBotFromChannelTokenIssuer: 'https://api.botframework.com',
  OAuthUrl: 'https://api.botframework.com',
  ToBotFromChannelOpenIdMetadataUrl: 'https://login.botframework.com/v1/.well-known/openidconfiguration',
  ToBotFromEmulatorOpenIdMetadataUrl: 'https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration',
  CallerId: CallerIdConstants.PublicAzureChannel,
} as const;

/** botbuilder's endpoint settings: its built-in defaults, or the public cloud with the channel's metadata elsewhere. */
export function channelEndpoints(openIdMetadataUrl: string | undefined): Partial<ConfigurationBotFrameworkAuthenticationOptions> {
  if (!openIdMetadataUrl) return {};
  return { ...publicCloudEndpoints, ToBotFromChannelOpenIdMetadataUrl: openIdMetadataUrl, ValidateAuthority: true };
}

// botbuilder's token validation writes to console.error (an expired token, a bad signature).
// While a request is being authenticated, those lines go to that request's logger instead.
const authenticationLog = new AsyncLocalStorage<Logger>();
let consoleRouted = false;

function routeBotbuilderConsole(): void {
  if (consoleRouted) return;
  consoleRouted = true;
  for (const level of ['error', 'warn'] as const) {
    const original = console[level];
    console[level] = (...args: unknown[]) => {
      const log = authenticationLog.getStore();
      if (!log) return original.apply(console, args);
      log.debug({ detail: format(...args).split('\n')[0] }, 'bot framework token check');
    };
  }
}

const firstLine = (error: unknown) => (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';

/** Token errors: botbuilder's AuthenticationError (401), and jsonwebtoken's own (bad signature, expired, not yet valid). */
function isTokenRejection(error: unknown): boolean {
  const { name, statusCode } = (error ?? {}) as { name?: unknown; statusCode?: unknown };
  return statusCode === 401 || name === 'JsonWebTokenError' || name === 'TokenExpiredError' || name === 'NotBeforeError';
}

/** The signing keys could not be had: the metadata answered an error (AuthenticationError 500) or not at all. */
function isKeyFetchFailure(error: unknown): boolean {
  const { name, statusCode, code } = (error ?? {}) as { name?: unknown; statusCode?: unknown; code?: unknown };
  return (typeof statusCode === 'number' && statusCode >= 500) || name === 'FetchError' || name === 'KeyFetchTimeout' || (typeof code === 'string' && /^E[A-Z]+$/.test(code));
}

function timeout(ms: number): { promise: Promise<never>; cancel(): void } {
  let timer: NodeJS.Timeout | undefined;
  const promise = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(`no answer within ${ms} ms`), { name: 'KeyFetchTimeout' })), ms);
  });
  return { promise, cancel: () => clearTimeout(timer) };
}

/** Authenticates one channel request; anything that is neither a token rejection nor a key-fetch failure is rethrown (a bug: 500). */
export async function authenticateChannelRequest(
  auth: Pick<ConfigurationBotFrameworkAuthentication, 'authenticateRequest'>,
  activity: Activity,
  authHeader: string,
  log: Logger,
): Promise<ChannelAuthOutcome> {
  routeBotbuilderConsole();
  const limit = timeout(keyFetchTimeoutMs);
  const check = authenticationLog.run(log, () => auth.authenticateRequest(activity, authHeader));
  check.catch(() => {}); // when the time limit wins, the check's own failure comes later and is moot
  try {
    return { ok: true, result: await Promise.race([check, limit.promise]) };
  } catch (error) {
    if (isTokenRejection(error)) {
      log.info({ reason: firstLine(error), tokenGiven: authHeader.trim() !== '' }, 'channel request refused: not authenticated');
      return { ok: false, status: 401, body: { code: 'unauthorized', message: 'This endpoint needs a valid Bot Framework token.' } };
    }
    if (isKeyFetchFailure(error)) {
      log.error({ reason: firstLine(error) }, 'could not fetch the Bot Framework signing keys (OpenID metadata); channel request answered 503');
      return { ok: false, status: 503, body: { code: 'authentication_unavailable', message: 'The bot cannot verify channel tokens right now; retry shortly.' } };
    }
    throw error;
  } finally {
    limit.cancel();
  }
}
