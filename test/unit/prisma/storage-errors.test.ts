// What counts as "the store is unavailable". Real errors where they are cheap to make here
// (libsql, node-postgres against a closed port); the shapes Prisma wraps them in as they
// were read off the store-fault drills (test/integration/reliability/store-faults.test.ts).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createClient } from '@libsql/client';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { DomainError } from '../../../services/shared/errors.ts';
import { describeStorageFailure, storageFailureOf, storageUnavailableMessage } from '../../../prisma/storage-errors.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'storage-errors-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function caught(work: () => unknown): Promise<unknown> {
  try {
    await work();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

/** A Prisma error as the drills saw it: the driver adapter's mapped error under meta. */
function prismaError(code: string, message: string, cause: Record<string, unknown>): Error {
  return Object.assign(new Error(`\nInvalid \`db.tenant.upsert()\` invocation in\n/app/x.ts:9:25\n\n→ 9 await db.tenant.upsert(\n${message}`), {
    name: 'PrismaClientKnownRequestError',
    code,
    meta: { modelName: 'Tenant', driverAdapterError: Object.assign(new Error(message), { name: 'DriverAdapterError', cause }) },
  });
}

describe('errors that mean the store is unavailable', () => {
  it('libsql: a file that cannot be opened', async () => {
    const error = await caught(() => createClient({ url: `file:${path.join(dir, 'missing-folder', 'bot.db')}` }));
    expect(storageFailureOf(error)).toMatchObject({ kind: 'unreachable' });
  });

  it('node-postgres: a server that refuses the connection', async () => {
    const client = new pg.Client({ host: '127.0.0.1', port: 1, user: 'x', database: 'x', connectionTimeoutMillis: 5_000 });
    const error = await caught(() => client.connect());
    expect(storageFailureOf(error)).toMatchObject({ kind: 'unreachable' });
  });

  it.each([
    ['SQLite file made read-only (P2039)', prismaError('P2039', 'SQLITE_READONLY: attempt to write a readonly database', { originalCode: '8', kind: 'sqlite', extendedCode: 8, message: 'SQLITE_READONLY: attempt to write a readonly database' }), 'read_only'],
    ['SQLite busy past the busy timeout', prismaError('P1008', 'Socket timeout', { kind: 'SocketTimeout', originalCode: '5', originalMessage: 'SQLITE_BUSY: database is locked' }), 'busy'],
    ['SQLite disk full (extended code)', prismaError('P2039', 'SQLITE_FULL', { kind: 'sqlite', extendedCode: 13, message: 'SQLITE_FULL: database or disk is full' }), 'disk_full'],
    ['PostgreSQL stopped (P1001)', prismaError('P1001', "Can't reach database server at 127.0.0.1:46635", { kind: 'DatabaseNotReachable', host: '127.0.0.1', port: 46635 }), 'unreachable'],
    ['PostgreSQL stopped under a running query (57P01)', prismaError('P2010', 'terminating connection due to administrator command', { kind: 'postgres', code: '57P01', severity: 'FATAL', message: 'terminating connection due to administrator command' }), 'unreachable'],
    ['PostgreSQL in read-only mode (25006)', prismaError('P2010', 'cannot execute UPDATE in a read-only transaction', { kind: 'postgres', code: '25006', severity: 'ERROR', message: 'cannot execute UPDATE in a read-only transaction' }), 'read_only'],
    ['a pooled connection that died inside a transaction', new Error('Client has encountered a connection error and is not queryable'), 'connection_lost'],
    ['a file libsql cannot open, through Prisma', prismaError('P2039', 'x', { kind: 'sqlite', extendedCode: 1, message: 'ConnectionFailed("Unable to open connection to local database /data/bot.db: 14")' }), 'unreachable'],
    ['libsql LibsqlError, unwrapped', Object.assign(new Error('SQLITE_READONLY: attempt to write a readonly database'), { code: 'SQLITE_READONLY', rawCode: 8 }), 'read_only'],
    ['a cause chain', new Error('outbox run failed', { cause: new Error('Connection terminated unexpectedly') }), 'connection_lost'],
  ] as const)('%s', (_name, error, kind) => {
    expect(storageFailureOf(error)?.kind).toBe(kind);
  });

  it("keeps the driver's words for logs and /readyz, not Prisma's code frame", () => {
    const failure = storageFailureOf(prismaError('P1001', "Can't reach database server at 127.0.0.1:5432", { kind: 'DatabaseNotReachable', host: '127.0.0.1', port: 5432 }));
    expect(failure).not.toBeNull();
    expect(describeStorageFailure(failure!)).toBe("the database cannot be reached (Can't reach database server at 127.0.0.1:5432)");
  });
});

describe('errors that do not', () => {
  it('libsql: a unique constraint violation', async () => {
    const client = createClient({ url: `file:${path.join(dir, 'unique.db')}` });
    await client.execute('CREATE TABLE t (id TEXT PRIMARY KEY)');
    await client.execute("INSERT INTO t VALUES ('a')");
    const error = await caught(() => client.execute("INSERT INTO t VALUES ('a')"));
    client.close();
    expect(error).toMatchObject({ code: expect.stringMatching(/^SQLITE_CONSTRAINT/) });
    expect(storageFailureOf(error)).toBeNull();
  });

  it.each([
    ['a unique violation through Prisma (P2002)', prismaError('P2002', 'Unique constraint failed', { kind: 'UniqueConstraintViolation', constraint: { fields: ['mac'] } })],
    ['a missing table', prismaError('P2021', 'no such table: x', { kind: 'TableDoesNotExist', table: 'x' })],
    ['a domain error', new DomainError('not_found', 'No device 00-04-F2-00-00-01 is registered here.')],
    ['a bug', new TypeError("Cannot read properties of undefined (reading 'mac')")],
    ['not an error at all', 'database unreachable'],
    ['nothing', undefined],
  ] as const)('%s', (_name, error) => {
    expect(storageFailureOf(error)).toBeNull();
  });
});

it('tells a person that nothing changed, when to retry, and the reference', () => {
  expect(storageUnavailableMessage('K7Q2-M9XD')).toBe(
    "The bot's storage is unavailable right now, so nothing was changed. Please try again in a minute; if it keeps happening, give your admin this reference: K7Q2-M9XD.",
  );
});
