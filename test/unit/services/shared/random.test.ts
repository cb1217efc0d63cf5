import { describe, expect, it } from 'vitest';
import { newErrorReference, newId, randomDigits } from '../../../../services/shared/random.ts';

describe('newId', () => {
  it('is a version 7 UUID', () => {
    expect(newId()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('ids made one after another sort in the order they were made, even within one millisecond', () => {
    const ids = Array.from({ length: 10_000 }, () => newId());
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('every id carries random bits of its own, across refills of the random pool (512 ids each)', () => {
    const randomParts = Array.from({ length: 2_000 }, () => newId().slice(19).replace('-', ''));
    expect(new Set(randomParts).size).toBe(randomParts.length);
    // Not all zeros (an unfilled pool) anywhere.
    expect(randomParts.filter((part) => /^[89ab]0{15}$/.test(part))).toEqual([]);
  });
});

describe('randomDigits and error references', () => {
  it('gives exactly the digits asked for, leading zeros kept', () => {
    const codes = Array.from({ length: 2000 }, () => randomDigits(6));
    expect(codes.every((code) => /^\d{6}$/.test(code))).toBe(true);
    expect(codes.some((code) => code.startsWith('0'))).toBe(true);
  });

  it('references avoid characters that read alike (0/O, 1/I/L)', () => {
    for (let i = 0; i < 500; i++) expect(newErrorReference()).toMatch(/^[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$/);
  });
});
