import { describe, expect, it } from 'vitest';
import { codeValidityText } from '../../../../services/devices/verification-codes.ts';

describe('codeValidityText: how long a code is valid, as CODE_TTL_HOURS sets it', () => {
  it.each([
    [24 * 3_600_000, '24 h'],
    [36 * 3_600_000, '36 h'],
    [1.5 * 3_600_000, '90 min'],
  ])('%d ms reads "%s"', (ms, text) => {
    expect(codeValidityText(ms)).toBe(text);
  });
});
