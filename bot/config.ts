// Every setting of the bot, validated once at boot. A bad or missing value stops start-up
// with one line per variable that names it and says what is expected. The keys and their
// meaning are listed in .env.example; keep the two in step.
import { z } from 'zod';
import { defaultDatabaseUrl, providerOf, redactDatabaseUrl } from '../prisma/database-url.ts';
import type { Provider } from '../prisma/schemas.ts';
import type { Environment } from './environment.ts';
import { defaultFileDownloadHosts, defaultServiceUrlHosts, parseHostPatterns } from './host-allowlist.ts';
import { checkSipEnvironment, sipConfigOf, sipEnvironmentShape, type SipConfig } from './sip-gateway/sip-config.ts';

const port = z
  .string()
  .regex(/^\d{1,5}$/, 'expected a whole number from 0 to 65535')
  .transform(Number)
  .refine((value) => value <= 65535, 'expected a whole number from 0 to 65535');

const databaseUrl = z.string().refine(
  (value) => value.startsWith('file:') || /^postgres(ql)?:\/\/[^/]+\/[^/?]+/.test(value),
  'expected "file:<path>" for the embedded SQLite store or "postgres://user:password@host:5432/database" for PostgreSQL',
);

const httpUrl = z
  .string()
  .refine((value) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol), 'expected an http(s) URL such as https://bot.example.com')
  .transform((value) => value.replace(/\/+$/, ''));

const hostPatterns = z
  .string()
  .transform((text) => parseHostPatterns(text))
  .refine((patterns): patterns is string[] => patterns !== null, 'expected host names separated by commas, e.g. "smba.trafficmanager.net,*.botframework.com" (*. for any subdomain)');

const seconds = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, `expected a whole number of seconds from ${min} to ${max}`)
    .transform(Number)
    .refine((value) => value >= min && value <= max, `expected a whole number of seconds from ${min} to ${max}`);

/** "4h", "90m", "1h30m" → minutes. */
export function parseDurationMinutes(text: string): number | null {
  const match = /^(?:(\d+)h)?(?:(\d+)m)?$/.exec(text.trim());
  if (!match || (match[1] === undefined && match[2] === undefined)) return null;
  return Number(match[1] ?? 0) * 60 + Number(match[2] ?? 0);
}

const durationList = z
  .string()
  .transform((text) => text.split(',').map(parseDurationMinutes))
  .refine((minutes): minutes is number[] => minutes.every((value) => value !== null && value > 0), 'expected durations such as "4h,1h" or "90m"');

const duration = z
  .string()
  .transform(parseDurationMinutes)
  .refine((minutes): minutes is number => minutes !== null && minutes > 0, 'expected a duration such as "24h" or "90m"');

const timeZone = z.string().refine((zone) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}, 'expected an IANA time zone such as Europe/Berlin or UTC');

const environmentSchema = z
  .object({
    PORT: port.default(3978),
    // No default here: without MicrosoftAppId (no authentication) the bot listens on loopback
    // unless HOST is set; with one, on every interface. See parseConfig.
    HOST: z.string().min(1).optional(),
    PUBLIC_BASE_URL: httpUrl.optional(),
    DATABASE_URL: databaseUrl.default(defaultDatabaseUrl),
    // PostgreSQL connections each instance keeps at most (node-postgres' pool); see "Scaling out".
    DATABASE_POOL_SIZE: z
      .string()
      .regex(/^\d+$/, 'expected a whole number of connections from 1 to 100')
      .transform(Number)
      .refine((value) => value >= 1 && value <= 100, 'expected a whole number of connections from 1 to 100')
      .default(10),
    MicrosoftAppId: z.string().default(''),
    MicrosoftAppPassword: z.string().default(''),
    MicrosoftAppType: z
      .enum(['MultiTenant', 'SingleTenant', 'UserAssignedMSI'], { error: 'expected MultiTenant, SingleTenant or UserAssignedMSI' })
      .default('MultiTenant'),
    MicrosoftAppTenantId: z.string().default(''),
    BotOpenIdMetadata: httpUrl.optional(),
    // The fleet tab's single sign-on (bot/tab/): see the README section "The fleet tab".
    TAB_SSO_CLIENT_ID: z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'expected the client id (a GUID) of the Entra app registration that exposes access_as_user').optional(),
    TAB_SSO_JWKS_URL: httpUrl.optional(),
    LOG_LEVEL: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { error: 'expected one of fatal, error, warn, info, debug, trace, silent' })
      .default('info'),
    LOG_FORMAT: z.enum(['auto', 'json', 'pretty'], { error: 'expected auto, json or pretty' }).default('auto'),
    SHUTDOWN_GRACE_SECONDS: seconds(1, 300).default(10),
    CODE_TTL_HOURS: z
      .string()
      .regex(/^\d+$/, 'expected a whole number of hours from 1 to 72')
      .transform(Number)
      .refine((value) => value >= 1 && value <= 72, 'expected a whole number of hours from 1 to 72')
      .default(24),
    // GUIDs only with an app id (real Teams sends Entra object ids); see the superRefine below.
    ADMIN_USER_IDS: z
      .string()
      .refine(
        (value) => value.split(',').every((id) => /^[^\s,]{1,200}$/.test(id.trim())),
        'expected user ids separated by commas, none empty or with blanks inside; "whoami" shows yours',
      )
      .optional(),
    CODE_WARNING_LEADS: durationList.default([240, 60]),
    STALE_AFTER: duration.default(24 * 60),
    DIGEST_TIME: z
      .string()
      .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected a time of day as HH:mm, e.g. 08:00')
      .default('08:00'),
    DIGEST_TIMEZONE: timeZone.default('UTC'),
    TRUST_PROXY: z.enum(['true', 'false'], { error: 'expected true (a reverse proxy in front appends X-Forwarded-For) or false' }).default('false'),
    SERVICE_URL_HOSTS: hostPatterns.default([...defaultServiceUrlHosts]),
    FILE_DOWNLOAD_HOSTS: hostPatterns.default([...defaultFileDownloadHosts]),
    FIRMWARE_BELOW_MINIMUM: z.enum(['warn', 'block'], { error: 'expected warn (provision, and warn admins on the sign-in card) or block (refuse the provision)' }).default('warn'),
    CODE_HASH_SECRET: z.string().min(32, 'expected at least 32 characters, e.g. the output of: openssl rand -base64 32').optional(),
    ...sipEnvironmentShape,
    // Slack (bot/slack/): both or neither; without them Slack is off and /api/slack/events answers 404.
    SLACK_SIGNING_SECRET: z.string().regex(/^[0-9a-f]{16,128}$/i, 'expected the Signing Secret of the Slack app (hexadecimal, from its Basic Information page)').optional(),
    SLACK_BOT_TOKEN: z.string().regex(/^xoxb-[\w-]{8,}$/, 'expected the Bot User OAuth Token of the Slack app, starting with xoxb-').optional(),
    SLACK_API_URL: httpUrl.default('https://slack.com/api'),
    SLACK_ADMIN_USER_IDS: z
      .string()
      .refine((value) => value.split(',').every((id) => /^[UW][A-Z0-9]{2,30}$/.test(id.trim())), 'expected Slack user ids separated by commas, such as U024BE7LH (profile → ⋮ → Copy member ID)')
      .optional(),
    SLACK_APP_TOKEN: z.string().regex(/^xapp-[\w-]{8,}$/, 'expected an app-level token starting with xapp- (Socket Mode)').optional(),
  })
  .superRefine((env, ctx) => {
    checkSipEnvironment(env, ctx);
    // With an app id the bot talks to real Teams, whose users are Entra object ids (GUIDs).
    // Without one (local mode, authentication off) emulators and test tools send ids of their
    // own, such as the Agents Playground's "00000000-0000-0000-0000-00000000000011": accept
    // what whoami shows there, or the first admin could never get in.
    const notGuids = (env.ADMIN_USER_IDS ?? '').split(',').map((id) => id.trim()).filter((id) => id !== '' && !isEntraObjectId(id));
    if (env.MicrosoftAppId !== '' && notGuids.length > 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['ADMIN_USER_IDS'],
        message:
          `expected Entra object ids (GUIDs) separated by commas, because MicrosoftAppId is set and Teams identifies people by them; ${notGuids.map((id) => JSON.stringify(id)).join(', ')} is not one. ` +
          '"whoami" in Teams shows yours. Ids that emulators send are accepted only without MicrosoftAppId (local mode)',
      });
    }
    const needsPassword = env.MicrosoftAppId !== '' && env.MicrosoftAppType !== 'UserAssignedMSI';
    if (needsPassword && env.MicrosoftAppPassword === '') {
      ctx.addIssue({ code: 'custom', path: ['MicrosoftAppPassword'], message: 'required when MicrosoftAppId is set (the client secret of the bot\'s app registration)' });
    }
    if (env.CODE_HASH_SECRET === undefined && !env.DATABASE_URL.startsWith('file:')) {
      ctx.addIssue({ code: 'custom', path: ['CODE_HASH_SECRET'], message: 'required with PostgreSQL, the same value on every instance (e.g. the output of: openssl rand -base64 32)' });
    }
    if (env.BotOpenIdMetadata !== undefined && env.MicrosoftAppId === '') {
      ctx.addIssue({ code: 'custom', path: ['BotOpenIdMetadata'], message: 'only means something with MicrosoftAppId set (without it, channel tokens are not checked)' });
    }
    if ((env.SLACK_SIGNING_SECRET === undefined) !== (env.SLACK_BOT_TOKEN === undefined)) {
      const missing = env.SLACK_SIGNING_SECRET === undefined ? 'SLACK_SIGNING_SECRET' : 'SLACK_BOT_TOKEN';
      ctx.addIssue({ code: 'custom', path: [missing], message: 'set SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN together (both from the Slack app), or neither to run without Slack' });
    }
    if (env.SLACK_APP_TOKEN !== undefined && env.SLACK_BOT_TOKEN === undefined) {
      ctx.addIssue({ code: 'custom', path: ['SLACK_APP_TOKEN'], message: 'Socket Mode needs Slack on: set SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN too' });
    }
    if (env.MicrosoftAppId !== '' && env.MicrosoftAppType !== 'MultiTenant' && env.MicrosoftAppTenantId === '') {
      ctx.addIssue({ code: 'custom', path: ['MicrosoftAppTenantId'], message: `required when MicrosoftAppType is ${env.MicrosoftAppType} (the Entra tenant id of the app registration)` });
    }
  });

/** An Entra object id: a GUID, as Teams sends in `aadObjectId`. */
export function isEntraObjectId(id: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id);
}

/** Every environment variable the bot reads; .env.example documents exactly these. */
export const configKeys: readonly string[] = Object.keys(environmentSchema.shape);

export interface Config {
  port: number;
  host: string;
  /** HOST was set: without an app id the bot listens where it says instead of on loopback. */
  hostExplicit: boolean;
  /** Where Teams and devices reach this bot from outside, without a trailing slash. */
  publicBaseUrl: string;
  databaseUrl: string;
  databaseProvider: Provider;
  /** PostgreSQL: the most connections this instance's pool keeps (SQLite has one writer and ignores it). */
  databasePoolSize: number;
  botAuth: {
    appId: string;
    appPassword: string;
    appType: 'MultiTenant' | 'SingleTenant' | 'UserAssignedMSI';
    appTenantId: string;
    /** Where the channel's signing keys are published (OpenID metadata); absent: Microsoft's public cloud. */
    openIdMetadataUrl?: string;
  };
  /** Requests reach the bot without Bot Framework authentication (the Emulator's local mode). */
  authenticationDisabled: boolean;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** `auto`: readable lines on a terminal (pino-pretty), JSON lines otherwise. */
  logFormat: 'auto' | 'json' | 'pretty';
  shutdownGraceMs: number;
  codeTtlMs: number;
  /** Before a code expires, warn this long ahead (each lead once). */
  codeWarningLeadsMinutes: readonly number[];
  /** A device waiting for sign-in longer than this is listed to admins once a day. */
  staleAfterMs: number;
  /** When the managers' digest is sent, in which time zone. */
  digest: { time: string; timeZone: string };
  /** User ids that are admins in every tenant (to grant the first roles): Entra object ids, or, without an app id, the ids emulators send. */
  bootstrapAdmins: readonly string[];
  /** With an app id, activities whose serviceUrl is on none of these hosts are refused (403): replies go only to Microsoft's channels. */
  serviceUrlHosts: readonly string[];
  /** Attached files are downloaded only from these hosts (Teams: SharePoint and OneDrive). */
  fileDownloadHosts: readonly string[];
  /** Unset with SQLite: a secret is generated beside the database file on first start. */
  codeHashSecret: string | null;
  /** The client address is the rightmost X-Forwarded-For entry (a reverse proxy in front), not the socket's. */
  trustProxy: boolean;
  /** The fleet tab's single sign-on: tokens for this client id, signed by the keys at jwksUrl; clientId null: the tab API is off. */
  tabSso: { clientId: string | null; jwksUrl: string };
  /** SIP Gateway bulk sign-in: the adapter and its settings (SIP_*). */
  sip: SipConfig;
  /** A device below its model's minimum firmware: provision with a warning to admins, or refuse. */
  firmwareBelowMinimum: 'warn' | 'block';
  /** The Slack door (bot/slack/); null when Slack is not configured. */
  slack: SlackConfig | null;
}

export interface SlackConfig {
  signingSecret: string;
  botToken: string;
  /** Slack's Web API base, without a trailing slash (tests and mirrors point it elsewhere). */
  apiUrl: string;
  /** Slack user ids that are admins in every workspace's tenant (to grant the first roles). */
  adminUserIds: readonly string[];
  /** Socket Mode's app-level token: when set, Slack also reaches the bot over its WebSocket (behind a firewall). */
  appToken: string | null;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** `KEY=` in a .env file means "not set", so that defaults still apply. */
function withoutEmptyValues(env: Environment): Environment {
  return Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value.trim() !== ''));
}

function describeIssue(issue: z.core.$ZodIssue, env: Environment): string {
  const key = issue.path.join('.');
  const given = env[key];
  // JSON quoting keeps the message on one line whatever the value holds.
  const got = given === undefined ? 'it is not set' : `got ${JSON.stringify(shownValue(key, given))}`;
  return `${key}: ${issue.message} (${got})`;
}

function shownValue(key: string, value: string): string {
  if (key === 'DATABASE_URL') return redactDatabaseUrl(value);
  return /password|secret|token/i.test(key) ? '***' : value;
}

/** Parses the environment into a frozen Config, or throws a ConfigError naming every bad variable. */
export function parseConfig(rawEnv: Environment): Config {
  const env = withoutEmptyValues(rawEnv);
  const result = environmentSchema.safeParse(env);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => describeIssue(issue, env));
    throw new ConfigError(`Invalid configuration: ${lines.join('; ')}. See .env.example for every setting.`);
  }
  const parsed = result.data;
  const config: Config = {
    port: parsed.PORT,
    host: parsed.HOST ?? (parsed.MicrosoftAppId === '' ? '127.0.0.1' : '0.0.0.0'),
    hostExplicit: parsed.HOST !== undefined,
    publicBaseUrl: parsed.PUBLIC_BASE_URL ?? `http://localhost:${parsed.PORT}`,
    databaseUrl: parsed.DATABASE_URL,
    databaseProvider: providerOf(parsed.DATABASE_URL),
    databasePoolSize: parsed.DATABASE_POOL_SIZE,
    botAuth: {
      appId: parsed.MicrosoftAppId,
      appPassword: parsed.MicrosoftAppPassword,
      appType: parsed.MicrosoftAppType,
      appTenantId: parsed.MicrosoftAppTenantId,
      ...(parsed.BotOpenIdMetadata ? { openIdMetadataUrl: parsed.BotOpenIdMetadata } : {}),
    },
    authenticationDisabled: parsed.MicrosoftAppId === '',
    logLevel: parsed.LOG_LEVEL,
    logFormat: parsed.LOG_FORMAT,
    shutdownGraceMs: parsed.SHUTDOWN_GRACE_SECONDS * 1000,
    codeTtlMs: parsed.CODE_TTL_HOURS * 3_600_000,
    codeWarningLeadsMinutes: Object.freeze([...parsed.CODE_WARNING_LEADS].sort((a, b) => b - a)),
    staleAfterMs: parsed.STALE_AFTER * 60_000,
    digest: Object.freeze({ time: parsed.DIGEST_TIME, timeZone: parsed.DIGEST_TIMEZONE }),
    bootstrapAdmins: Object.freeze((parsed.ADMIN_USER_IDS ?? '').split(',').map((id) => id.trim().toLowerCase()).filter((id) => id !== '')),
    serviceUrlHosts: Object.freeze(parsed.SERVICE_URL_HOSTS),
    fileDownloadHosts: Object.freeze(parsed.FILE_DOWNLOAD_HOSTS),
    codeHashSecret: parsed.CODE_HASH_SECRET ?? null,
    trustProxy: parsed.TRUST_PROXY === 'true',
    tabSso: Object.freeze({
      clientId: parsed.TAB_SSO_CLIENT_ID ?? (parsed.MicrosoftAppId === '' ? null : parsed.MicrosoftAppId),
      jwksUrl: parsed.TAB_SSO_JWKS_URL ?? 'https://login.microsoftonline.com/common/discovery/v2.0/keys',
    }),
    sip: sipConfigOf(parsed),
    slack:
      parsed.SLACK_SIGNING_SECRET && parsed.SLACK_BOT_TOKEN
        ? Object.freeze({
            signingSecret: parsed.SLACK_SIGNING_SECRET,
            botToken: parsed.SLACK_BOT_TOKEN,
            apiUrl: parsed.SLACK_API_URL,
            adminUserIds: Object.freeze((parsed.SLACK_ADMIN_USER_IDS ?? '').split(',').map((id) => id.trim()).filter((id) => id !== '')),
            appToken: parsed.SLACK_APP_TOKEN ?? null,
          })
        : null,
    firmwareBelowMinimum: parsed.FIRMWARE_BELOW_MINIMUM,
  };
  return Object.freeze({ ...config, botAuth: Object.freeze(config.botAuth) });
}
