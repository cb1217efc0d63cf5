// Structured JSON logs. Secrets, tokens and codes are redacted by key wherever they appear,
// so a careless `log.info({ body })` cannot leak them. On a terminal the same lines are drawn
// readable by pino-pretty (redaction happens before either); anywhere else (a service manager,
// a container, a pipe, the tests) they stay JSON lines, one per event.
import { createRequire } from 'node:module';
import { pino, type DestinationStream, type Logger } from 'pino';
import type PinoPretty from 'pino-pretty';

export type { Logger };

const redactedKeys = [
  'authorization',
  'password',
  'appPassword',
  'MicrosoftAppPassword',
  'clientSecret',
  'secret',
  'codeHashSecret',
  'CODE_HASH_SECRET',
  'token',
  'deviceToken',
  'accessToken',
  'refreshToken',
  'idToken',
  'verificationCode',
  'loginCode',
  'code',
  'databaseUrl',
];

const redactPaths = [
  ...redactedKeys,
  ...redactedKeys.map((key) => `*.${key}`),
  ...redactedKeys.map((key) => `*.*.${key}`),
  'req.headers.authorization',
];

/** `auto`: readable lines when stdout is a terminal, JSON lines otherwise. */
export type LogFormat = 'auto' | 'json' | 'pretty';

/** Whether lines are drawn for a person: asked for, or `auto` on a terminal. */
export function logsArePretty(format: LogFormat, stdoutIsTty: boolean = process.stdout.isTTY === true): boolean {
  return format === 'pretty' || (format === 'auto' && stdoutIsTty);
}

/** pino-pretty in this process (no worker thread), so a line is out before the process exits. */
export function prettyStream(): DestinationStream {
  // Loaded only when lines are drawn for a person: a service writing JSON lines never loads it.
  const pretty = createRequire(import.meta.url)('pino-pretty') as typeof PinoPretty;
  return pretty({ colorize: process.stdout.isTTY === true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service', singleLine: true, sync: true });
}

/** A logger to `destination` (always JSON: tests parse the lines), or to stdout in `format`. */
export function createLogger(level: string, destination?: DestinationStream, format: LogFormat = 'json'): Logger {
  if (!destination && logsArePretty(format)) destination = prettyStream();
  const options = {
    level,
    base: { service: 'provisioning-bot' },
    redact: { paths: redactPaths, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return destination ? pino(options, destination) : pino(options);
}
