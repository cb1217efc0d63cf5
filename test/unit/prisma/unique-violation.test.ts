import { describe, expect, it } from 'vitest';
import { isUniqueViolation, retryOnUniqueViolation } from '../../../prisma/unique-violation.ts';

const taken = Object.assign(new Error('Unique constraint failed on the fields: (`key`)'), { code: 'P2002' });

describe('recognising a unique-key race', () => {
  it.each([
    ['Prisma P2002', taken, true],
    ['another Prisma code', Object.assign(new Error('Record not found'), { code: 'P2025' }), false],
    ['a plain error', new Error('boom'), false],
    ['null', null, false],
    ['undefined', undefined, false],
    ['a string', 'P2002', false],
    ['Prisma P2010 (a raw statement) with a unique violation', Object.assign(new Error('Raw query failed. Code: `23505`.'), { code: 'P2010', meta: { driverAdapterError: { cause: { kind: 'UniqueConstraintViolation' } } } }), true],
    ['Prisma P2010 with another failure', Object.assign(new Error('Raw query failed. Code: `23503`.'), { code: 'P2010', meta: { driverAdapterError: { cause: { kind: 'ForeignKeyConstraintViolation' } } } }), false],
    ["libsql's SqliteError, a unique index", Object.assign(new Error('UNIQUE constraint failed: OutboxMessage.dedupeKey'), { code: 'SQLITE_CONSTRAINT_UNIQUE', rawCode: 2067 }), true],
    ["@libsql/client's LibsqlError, a primary key", Object.assign(new Error('UNIQUE constraint failed: HandledActivity.key'), { code: 'SQLITE_CONSTRAINT', extendedCode: 'SQLITE_CONSTRAINT_PRIMARYKEY', rawCode: 1555 }), true],
    ['a foreign key failure on SQLite', Object.assign(new Error('FOREIGN KEY constraint failed'), { code: 'SQLITE_CONSTRAINT_FOREIGNKEY', rawCode: 787 }), false],
  ])('%s → %s', (_name, error, expected) => {
    expect(isUniqueViolation(error)).toBe(expected);
  });
});

describe('retrying after losing a unique-key race', () => {
  it('when the pass loses a race, runs it again and returns its result', async () => {
    let calls = 0;
    const result = await retryOnUniqueViolation(async () => {
      calls += 1;
      if (calls < 3) throw taken;
      return 'done';
    });
    expect(result).toBe('done');
    expect(calls).toBe(3);
  });

  it('when it keeps losing, gives up after the given attempts with the last error', async () => {
    let calls = 0;
    await expect(retryOnUniqueViolation(async () => { calls += 1; throw taken; }, 4)).rejects.toBe(taken);
    expect(calls).toBe(4);
  });

  it('when the pass fails for another reason, does not retry', async () => {
    let calls = 0;
    const other = new Error('boom');
    await expect(retryOnUniqueViolation(async () => { calls += 1; throw other; })).rejects.toBe(other);
    expect(calls).toBe(1);
  });
});
