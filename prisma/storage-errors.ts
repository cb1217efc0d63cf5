// The one place that tells "the store is unavailable" apart from every other error. The chat,
// the device API, /readyz and the SQLite connection all ask here, so they agree on what counts.
//
// The shapes below were read off real failures (see test/integration/reliability/store-faults.test.ts):
// - Prisma wraps a driver adapter's error as `error.meta.driverAdapterError.cause`, a mapped error
//   with a `kind`: `DatabaseNotReachable` (PostgreSQL refused the connection, code P1001),
//   `ConnectionClosed`, `SocketTimeout` (also libsql's SQLITE_BUSY), `TooManyConnections`,
//   `postgres` with an SQLSTATE `code` (57P01 "terminating connection due to administrator
//   command" when the server stops under a running query), `sqlite` with an `extendedCode`
//   (8 SQLITE_READONLY when the file turned read-only).
// - libsql's own LibsqlError (`code: 'SQLITE_READONLY'`, `rawCode: 8`) where no adapter wraps it,
//   and its plain Error when a connection cannot be opened at all:
//   `ConnectionFailed("Unable to open connection to local database /x/bot.db: 14")` (code "";
//   through the adapter it becomes `kind: 'sqlite'` with extendedCode 1 and that message).
// - node-postgres' plain Errors without a code when a pooled connection dies inside an
//   interactive transaction ("Client has encountered a connection error and is not queryable",
//   "Connection terminated unexpectedly").
// - Node's socket errors (ECONNREFUSED…) from the pg driver before the adapter maps them.
// Nothing else is a storage failure: a constraint violation or a bug must not be reported to
// a user as "try again in a minute".

export type StorageFailureKind = 'unreachable' | 'connection_lost' | 'read_only' | 'busy' | 'disk_full' | 'io_error';

export interface StorageFailure {
  kind: StorageFailureKind;
  /** One line for logs and /readyz, from the driver's own words; never the query or its values. */
  detail: string;
}

/** How long a device is told to wait (Retry-After) while the store is unavailable. */
export const storageRetryAfterSeconds = 30;

/** What a person is told when their request met an unavailable store. */
export function storageUnavailableMessage(reference: string): string {
  return `The bot's storage is unavailable right now, so nothing was changed. Please try again in a minute; if it keeps happening, give your admin this reference: ${reference}.`;
}

const describeKind: Record<StorageFailureKind, string> = {
  unreachable: 'the database cannot be reached',
  connection_lost: 'the connection to the database was lost',
  read_only: 'the database is read-only',
  busy: 'the database is busy (timed out waiting for it)',
  disk_full: 'the database disk is full',
  io_error: 'the database had an I/O error',
};

/** "the database is read-only (SQLITE_READONLY: attempt to write a readonly database)" for /readyz and logs. */
export function describeStorageFailure(failure: StorageFailure): string {
  return failure.detail ? `${describeKind[failure.kind]} (${failure.detail})` : describeKind[failure.kind];
}

/** The storage failure behind `error`, or null when it is any other kind of error. */
export function storageFailureOf(error: unknown): StorageFailure | null {
  for (const candidate of errorChain(error)) {
    const failure = classify(candidate);
    if (failure) return failure;
  }
  return null;
}

type Loose = Record<string, unknown>;

/** The error, its causes, and the driver adapter error Prisma keeps in `meta`. */
function* errorChain(error: unknown, depth = 0): Generator<Loose> {
  if (depth > 8 || error === null || typeof error !== 'object') return;
  const node = error as Loose;
  yield node;
  yield* errorChain(node.cause, depth + 1);
  const meta = node.meta;
  if (meta !== null && typeof meta === 'object') yield* errorChain((meta as Loose).driverAdapterError, depth + 1);
}

function text(value: unknown): string {
  return typeof value === 'string' ? value.split('\n').find((line) => line.trim() !== '')?.trim() ?? '' : '';
}

/** Prisma's messages start with "Invalid `db.x()` invocation" and a frame of the calling code; the driver's words come last. */
function lastLine(value: unknown): string {
  return typeof value === 'string' ? value.split('\n').findLast((line) => line.trim() !== '')?.trim() ?? '' : '';
}

function classify(node: Loose): StorageFailure | null {
  // A driver adapter's mapped error (Prisma 7): { kind, … }.
  if (typeof node.kind === 'string') return fromMappedError(node);
  const code = node.code;
  if (typeof code === 'string') {
    if (/^SQLITE_/.test(code)) return fromSqliteCode(typeof node.rawCode === 'number' ? node.rawCode : sqliteCodeFromName(code), text(node.message));
    if (socketErrorCodes.has(code)) return { kind: code === 'ECONNRESET' || code === 'EPIPE' ? 'connection_lost' : 'unreachable', detail: text(node.message) };
    if (/^P\d{4}$/.test(code)) return fromPrismaCode(code, lastLine(node.message));
    // node-postgres' DatabaseError carries the SQLSTATE and a severity.
    if (/^[0-9A-Z]{5}$/.test(code) && typeof node.severity === 'string') return fromSqlState(code, text(node.message));
  }
  const message = text(node.message);
  if (pgConnectionMessages.some((pattern) => pattern.test(message))) return { kind: 'connection_lost', detail: message };
  return fromLibsqlOpenFailure(message);
}

function fromMappedError(node: Loose): StorageFailure | null {
  switch (node.kind) {
    case 'DatabaseNotReachable': {
      const where = typeof node.host === 'string' ? `${node.host}${node.port !== undefined ? `:${String(node.port)}` : ''}` : '';
      return { kind: 'unreachable', detail: where ? `no answer from ${where}` : '' };
    }
    case 'ConnectionClosed':
      return { kind: 'connection_lost', detail: '' };
    case 'SocketTimeout':
      return { kind: 'busy', detail: text(node.originalMessage) };
    case 'TooManyConnections':
      return { kind: 'busy', detail: text(node.cause) };
    case 'postgres':
      return typeof node.code === 'string' ? fromSqlState(node.code, text(node.message)) : null;
    case 'sqlite':
      return (typeof node.extendedCode === 'number' ? fromSqliteCode(node.extendedCode, text(node.message)) : null) ?? fromLibsqlOpenFailure(text(node.message));
    default:
      return null;
  }
}

// https://www.sqlite.org/rescode.html — the primary code is the low byte of the extended one.
const sqlitePrimary: Record<number, StorageFailureKind> = {
  5: 'busy', // SQLITE_BUSY: another writer held the lock past the busy timeout
  6: 'busy', // SQLITE_LOCKED
  8: 'read_only', // SQLITE_READONLY: the file (or its folder, -wal, -shm) cannot be written
  10: 'io_error', // SQLITE_IOERR
  13: 'disk_full', // SQLITE_FULL
  14: 'unreachable', // SQLITE_CANTOPEN: the file cannot be opened
};

const sqliteNames: Record<string, number> = { SQLITE_BUSY: 5, SQLITE_LOCKED: 6, SQLITE_READONLY: 8, SQLITE_IOERR: 10, SQLITE_FULL: 13, SQLITE_CANTOPEN: 14 };

function sqliteCodeFromName(name: string): number {
  const primaryName = Object.keys(sqliteNames).find((known) => name === known || name.startsWith(`${known}_`));
  return primaryName ? (sqliteNames[primaryName] ?? 0) : 0;
}

function fromSqliteCode(extendedCode: number, detail: string): StorageFailure | null {
  const kind = sqlitePrimary[extendedCode & 0xff];
  return kind ? { kind, detail } : null;
}

/** libsql's error for a connection it could not open, with SQLite's code at the end. */
function fromLibsqlOpenFailure(message: string): StorageFailure | null {
  const code = /^ConnectionFailed\("Unable to open connection to local database .*: (\d+)"\)$/.exec(message)?.[1];
  return code === undefined ? null : fromSqliteCode(Number(code), 'cannot open the database file');
}

function fromSqlState(code: string, detail: string): StorageFailure | null {
  if (code.startsWith('08')) return { kind: 'connection_lost', detail }; // connection exception
  if (code === '57P01' || code === '57P02' || code === '57P03') return { kind: 'unreachable', detail }; // shutting down, crashed, starting up
  if (code === '53100') return { kind: 'disk_full', detail };
  if (code === '53200' || code === '53300') return { kind: 'busy', detail }; // out of memory, too many connections
  if (code === '25006') return { kind: 'read_only', detail }; // read-only transaction (e.g. a standby)
  if (code.startsWith('58')) return { kind: 'io_error', detail }; // system error
  return null;
}

function fromPrismaCode(code: string, detail: string): StorageFailure | null {
  // https://www.prisma.io/docs/orm/reference/error-reference
  if (code === 'P1001' || code === 'P1002') return { kind: 'unreachable', detail };
  if (code === 'P1017') return { kind: 'connection_lost', detail };
  if (code === 'P1008' || code === 'P2024') return { kind: 'busy', detail };
  return null;
}

const socketErrorCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE']);

// node-postgres' messages for a connection that died under it (they carry no code).
const pgConnectionMessages = [
  /^Connection terminated( unexpectedly| due to connection timeout)?$/,
  /^Client has encountered a connection error and is not queryable$/,
  /^Client was closed and is not queryable$/,
  /^timeout exceeded when trying to connect$/,
];
