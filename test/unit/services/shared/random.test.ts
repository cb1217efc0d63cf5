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

  it('draws every digit at every position about equally often (one draw per code, padded)', () => {
    const draws = 20_000;
    const counts = Array.from({ length: 8 }, () => new Array<number>(10).fill(0));
    for (let i = 0; i < draws; i++) {
      const code = randomDigits(8);
      expect(code).toMatch(/^\d{8}$/);
      for (let position = 0; position < 8; position++) counts[position]![Number(code[position])]! += 1;
    }
    // 2,000 expected per digit and position; ±300 is more than 6 standard deviations (≈ 42).
    for (const position of counts) for (const count of position) expect(Math.abs(count - draws / 10)).toBeLessThan(300);
    expect(randomDigits(15)).toMatch(/^\d{15}$/);
    expect(() => randomDigits(0)).toThrow(/1 to 15 digits/);
    expect(() => randomDigits(16)).toThrow(/1 to 15 digits/);
  });

  it('references avoid characters that read alike (0/O, 1/I/L)', () => {
    for (let i = 0; i < 500; i++) expect(newErrorReference()).toMatch(/^[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$/);
  });
});
