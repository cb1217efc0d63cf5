// Structured JSON logs. Secrets, tokens and codes are redacted by key wherever they appear,
// so a careless `log.info({ body })` cannot leak them.
import { pino, type DestinationStream, type Logger } from 'pino';

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

export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { service: 'provisioning-bot' },
    redact: { paths: redactPaths, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return destination ? pino(options, destination) : pino(options);
}
