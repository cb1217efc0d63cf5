// The statements the store runs on SQLite's driver directly (prisma/direct-sqlite.ts): the same
// rows and values as through Prisma, never in the middle of one of the client's transactions,
// writes that the next read sees, and the same errors. Inside a transaction that runs them
// directly (the device API's), they run on that transaction itself.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Prisma } from '../../../generated/sqlite/client.ts';
import { insertRows } from '../../../prisma/bulk-write.ts';
import { executeStatement, inTransactionDirectly, queryRows, storedDate } from '../../../prisma/direct-sqlite.ts';
import { groupedTransactions } from '../../../prisma/grouped-transactions.ts';
import { KeptStatementsConnection } from '../../../prisma/sqlite-connection.ts';
import { isUniqueViolation } from '../../../prisma/unique-violation.ts';
import { openStore, type Store } from '../../../prisma/store.ts';
import { storageFailureOf } from '../../../prisma/storage-errors.ts';

const tenantId = 'tenant-direct';
const at = (iso: string) => new Date(iso);

describe('direct statements on SQLite', () => {
  let dir: string;
  let store: Store;

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'direct-sqlite-'));
    store = await openStore(`file:${path.join(dir, 'bot.db')}`);
    await store.db.tenant.create({ data: { id: tenantId, name: 'Direct' } });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const claim = (key: string, when = at('2026-12-07T10:00:00Z')) =>
    executeStatement(store.db, Prisma.sql`INSERT INTO "HandledActivity" ("key", "at") VALUES (${key}, ${when}) ON CONFLICT ("key") DO NOTHING`);

  it('reads the rows Prisma reads: text, nulls, numbers, and the named DateTime columns as the same Dates', async () => {
    await store.db.device.create({ data: { id: 'd1', tenantId, mac: 'AA-BB-CC-DD-EE-01', location: 'Lobby', model: null, createdAt: at('2026-12-01T08:00:00.123Z'), stateChangedAt: at('2026-12-02T09:30:00Z') } });
    await store.db.auditEvent.createMany({
      data: [
        { id: 'e1', tenantId, deviceId: 'd1', actor: 'system', action: 'device.registered', at: at('2026-12-01T08:00:00.123Z') },
        { id: 'e2', tenantId, deviceId: 'd1', actor: 'user:x', actorName: 'Ann "A" O\'Neil', action: 'code.issued', data: '{"a":1}', at: at('2026-12-02T09:30:00Z') },
      ],
    });
    const read = Prisma.sql`
      SELECT d."id", d."mac", d."location", d."model", d."createdAt", d."stateChangedAt", a."id" AS "auditId", a."actorName", a."data", a."at", 42 AS "answer"
      FROM "Device" d LEFT JOIN "AuditEvent" a ON a."deviceId" = d."id"
      WHERE d."tenantId" = ${tenantId} ORDER BY a."at" ASC`;
    const direct = await queryRows<Record<string, unknown>>(store.db, read, ['createdAt', 'stateChangedAt', 'at']);
    // Inside a transaction the same read goes through Prisma.
    const throughPrisma = await store.db.$transaction((tx) => queryRows<Record<string, unknown>>(tx, read, ['createdAt', 'stateChangedAt', 'at']));
    expect(direct).toHaveLength(2);
    expect(direct).toEqual(throughPrisma);
    expect(direct[1]).toEqual({
      id: 'd1',
      mac: 'AA-BB-CC-DD-EE-01',
      location: 'Lobby',
      model: null,
      createdAt: at('2026-12-01T08:00:00.123Z'),
      stateChangedAt: at('2026-12-02T09:30:00Z'),
      auditId: 'e2',
      actorName: 'Ann "A" O\'Neil',
      data: '{"a":1}',
      at: at('2026-12-02T09:30:00Z'),
      answer: 42,
    });
  });

  it('binds a Date as Prisma stores it, so Prisma reads and compares it alike', async () => {
    expect(await claim('k1', at('2026-12-07T10:00:00.5Z'))).toBe(1);
    expect(await claim('k1')).toBe(0);
    const stored = await store.db.$queryRawUnsafe<{ at: unknown }[]>('SELECT CAST("at" AS TEXT) AS "at" FROM "HandledActivity"');
    expect(stored).toEqual([{ at: '2026-12-07T10:00:00.500+00:00' }]);
    expect(await store.db.handledActivity.count({ where: { at: { lt: at('2026-12-07T10:00:01Z') } } })).toBe(1);
    expect(await store.db.handledActivity.count({ where: { at: { lt: at('2026-12-07T10:00:00.5Z') } } })).toBe(0);
  });

  it('waits for an open transaction to end: the transaction that read first still writes, and the statement sees its commit', async () => {
    const events: string[] = [];
    let proceed!: () => void;
    const paused = new Promise<void>((resolve) => (proceed = resolve));
    let hasRead!: () => void;
    const readDone = new Promise<void>((resolve) => (hasRead = resolve));
    const transaction = store.db.$transaction(async (tx) => {
      // A DEFERRED transaction that reads first: a commit by another connection now would make its write fail.
      await tx.handledActivity.count();
      hasRead();
      await paused;
      await tx.handledActivity.create({ data: { key: 'in-transaction', at: at('2026-12-07T10:00:00Z') } });
      events.push('transaction wrote');
    });
    await readDone;
    const claimed = claim('in-transaction').then((changed) => events.push(`claim changed ${changed}`));
    const read = queryRows<{ key: string }>(store.db, Prisma.sql`SELECT "key" FROM "HandledActivity"`, []).then((rows) => events.push(`read ${rows.length}`));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(events).toEqual([]);
    proceed();
    await transaction;
    await Promise.all([claimed, read]);
    // The claim came after the commit: the key was taken. The read saw the committed row.
    expect(events).toEqual(['transaction wrote', 'claim changed 0', 'read 1']);
  });

  it('runs at once when no transaction is open, and a failed transaction does not hold statements back', async () => {
    await expect(store.db.$transaction(async (tx) => {
      await tx.handledActivity.create({ data: { key: 'rolled-back', at: at('2026-12-07T10:00:00Z') } });
      throw new Error('changed my mind');
    })).rejects.toThrow('changed my mind');
    expect(await claim('rolled-back')).toBe(1);
  });

  it('reports driver errors as they are (a constraint is not a storage failure), and goes on', async () => {
    const error = await executeStatement(store.db, Prisma.sql`INSERT INTO "Device" ("id", "tenantId", "mac", "state", "stateChangedAt", "createdAt", "updatedAt") VALUES ('x', 'no-such-tenant', 'm', 'registered', ${at('2026-12-07T10:00:00Z')}, ${at('2026-12-07T10:00:00Z')}, ${at('2026-12-07T10:00:00Z')})`).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: expect.stringMatching(/^SQLITE_CONSTRAINT/) });
    expect(storageFailureOf(error)).toBeNull();
    // The next statement runs (on a fresh connection).
    expect(await claim('after-an-error')).toBe(1);
  });

  it('refuses to run after the store closed', async () => {
    await store.close();
    await expect(claim('late')).rejects.toThrow(/closed/);
    store = await openStore(`file:${path.join(dir, 'bot.db')}`);
  });
});

describe('statements on the open transaction (inTransactionDirectly)', () => {
  let dir: string;
  let store: Store;

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'direct-transaction-'));
    store = await openStore(`file:${path.join(dir, 'bot.db')}`);
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const insertKey = (db: Parameters<typeof executeStatement>[0], key: string) =>
    executeStatement(db, Prisma.sql`INSERT INTO "HandledActivity" ("key", "at") VALUES (${key}, ${at('2026-12-07T10:00:00Z')})`);
  const keys = async () => (await store.db.handledActivity.findMany({ orderBy: { key: 'asc' } })).map((row) => row.key);

  it('run on the transaction\'s own connection, seen by its Prisma statements, and undone by its rollback', async () => {
    const direct = vi.spyOn(KeptStatementsConnection.prototype, 'run');
    await store.db.$transaction((transaction) =>
      inTransactionDirectly(store.db, transaction, async (tx) => {
        expect(await insertKey(tx, 'kept')).toBe(1);
        expect(await tx.handledActivity.count()).toBe(1);
        expect(await queryRows<{ key: string }>(tx, Prisma.sql`SELECT "key" FROM "HandledActivity"`, [])).toEqual([{ key: 'kept' }]);
      }),
    );
    expect(direct).toHaveBeenCalledTimes(1);
    await expect(store.db.$transaction((transaction) =>
      inTransactionDirectly(store.db, transaction, async (tx) => {
        await insertKey(tx, 'undone');
        throw new Error('changed my mind');
      }),
    )).rejects.toThrow('changed my mind');
    expect(await keys()).toEqual(['kept']);
  });

  it('go back to Prisma outside the work: a transaction client kept beyond it is refused, and writes nothing', async () => {
    let kept: Prisma.TransactionClient | undefined;
    await store.db.$transaction((transaction) => inTransactionDirectly(store.db, transaction, async (tx) => {
      kept = tx;
    }));
    await expect(insertKey(kept!, 'late')).rejects.toThrow(/Transaction/);
    // Without the work's wrapper, a transaction's statements go through Prisma as before.
    const direct = vi.spyOn(KeptStatementsConnection.prototype, 'run');
    await store.db.$transaction((tx) => insertKey(tx, 'through-prisma'));
    expect(direct).not.toHaveBeenCalled();
    expect(await keys()).toEqual(['through-prisma']);
  });

  it('a unique violation there is one (isUniqueViolation), and fails only its item of a group', async () => {
    const writes = groupedTransactions(store.db);
    const outcomes = await Promise.allSettled([
      writes.run((tx) => insertKey(tx, 'same')),
      writes.run((tx) => insertKey(tx, 'same')),
      writes.run((tx) => insertKey(tx, 'other')),
    ]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(isUniqueViolation((outcomes[1] as PromiseRejectedResult).reason)).toBe(true);
    expect(await keys()).toEqual(['other', 'same']);
  });

  it('rows written as SQL read back through Prisma as the rows Prisma writes', async () => {
    const row = { mac: 'AA-BB-CC-DD-EE-01', tenantId: null, source: '10.0.0.7', succeeded: false, at: at('2026-12-07T10:00:00.250Z'), countsForMac: true };
    await store.db.$transaction((transaction) => inTransactionDirectly(store.db, transaction, (tx) => insertRows(tx, 'ProvisioningAttempt', [{ id: 'sql', ...row }])));
    await store.db.provisioningAttempt.create({ data: { id: 'prisma', ...row } });
    const [bySql, byPrisma] = await Promise.all(['sql', 'prisma'].map((id) => store.db.provisioningAttempt.findUniqueOrThrow({ where: { id } })));
    expect({ ...bySql, id: 'x' }).toEqual({ ...byPrisma, id: 'x' });
    expect(await store.db.provisioningAttempt.count({ where: { succeeded: false, at: { gt: at('2026-12-07T10:00:00Z') } } })).toBe(2);
  });
});

describe('stored dates', () => {
  it('reads Prisma\'s text, zone-less text as UTC, and epoch milliseconds; refuses anything else', () => {
    expect(storedDate('2026-12-07T10:00:00.500+00:00')).toEqual(at('2026-12-07T10:00:00.500Z'));
    expect(storedDate('2026-12-07 10:00:00')).toEqual(at('2026-12-07T10:00:00Z'));
    expect(storedDate(1_765_101_600_000)).toEqual(new Date(1_765_101_600_000));
    expect(storedDate(null)).toBeNull();
    expect(() => storedDate('yesterday')).toThrow(/expected a stored date/);
  });
});
