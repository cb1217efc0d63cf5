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
