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

/** The fields each request's logger adds to its lines (see loggerForRequest). */
export interface RequestFields {
  requestId: string;
  client: string;
}

const requestFieldsOf = new WeakMap<Logger, RequestFields>();

/**
 * A logger for one HTTP request: its lines carry the request's fields. Not pino's child with
 * bindings: binding runs the redaction's wildcard paths (`*.key`) over each bound value when the
 * child is made, about 7 µs and 40 KB of garbage per request, although most requests log
 * nothing at the configured level. The fields are added when a line is written instead (the
 * logger's mixin), where the redaction applies to them as to any field.
 */
export function loggerForRequest(parent: Logger, fields: RequestFields): Logger {
  // A logger made elsewhere (a test's own pino) has no such mixin: it binds them.
  if (!madeHere(parent)) return parent.child({ ...fields });
  const child = parent.child({});
  requestFieldsOf.set(child, fields);
  return child;
}

/** The loggers createLogger made (their children have them as prototypes). */
const loggersWithRequestFields = new WeakSet<object>();

function madeHere(logger: object): boolean {
  for (let current: object | null = logger; current !== null; current = Object.getPrototypeOf(current) as object | null) {
    if (loggersWithRequestFields.has(current)) return true;
  }
  return false;
}

/** The fields of the request logger `logger` is, or was made from (a child's prototype is its parent). */
function requestFieldsFor(logger: object): RequestFields | undefined {
  for (let current: object | null = logger; current !== null; current = Object.getPrototypeOf(current) as object | null) {
    const fields = requestFieldsOf.get(current as Logger);
    if (fields) return fields;
  }
  return undefined;
}

/** A logger to `destination` (always JSON: tests parse the lines), or to stdout in `format`. */
export function createLogger(level: string, destination?: DestinationStream, format: LogFormat = 'json'): Logger {
  if (!destination && logsArePretty(format)) destination = prettyStream();
  const options = {
    level,
    base: { service: 'provisioning-bot' },
    redact: { paths: redactPaths, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
    // A fresh object each line: pino merges the line's own fields into what the mixin returns.
    mixin: (_line: object, _level: number, logger: Logger) => {
      const fields = requestFieldsFor(logger);
      return fields ? { requestId: fields.requestId, client: fields.client } : {};
    },
  };
  const logger = destination ? pino(options, destination) : pino(options);
  loggersWithRequestFields.add(logger);
  return logger;
}
