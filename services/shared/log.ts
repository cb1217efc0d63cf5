// The structured log a service writes to, when it writes one: the shape of the pino logger
// the composition root hands in (bot/logger.ts), so services need not import it. Fields
// first, then the sentence; redaction of secrets happens in that logger, not here.
export interface LogFn {
  (fields: object, message: string): void;
  (message: string): void;
}

export interface Log {
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
  /** The same log with `bindings` added to every line. */
  child(bindings: Record<string, unknown>): Log;
}
