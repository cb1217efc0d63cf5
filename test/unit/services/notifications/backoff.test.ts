import { describe, expect, it } from 'vitest';
import { backoffDelayMs, defaultBackoff, retryDelayMs } from '../../../../services/notifications/backoff.ts';

const middle = () => 0.5; // no jitter
const lowest = () => 0;
const highest = () => 0.999999;

describe('backoffDelayMs', () => {
  it.each([
    [1, 2_000],
    [2, 4_000],
    [3, 8_000],
    [6, 64_000],
    [9, 512_000],
    [10, 600_000],
    [12, 600_000],
    [1000, 600_000],
  ])('after %i failed attempts, waits %i ms (before jitter)', (failedAttempts, expected) => {
    expect(backoffDelayMs(failedAttempts, middle)).toBe(expected);
  });

  it('jitters by at most 20 % either way', () => {
    expect(backoffDelayMs(1, lowest)).toBe(1_600);
    expect(backoffDelayMs(1, highest)).toBe(2_400);
    expect(backoffDelayMs(3, lowest)).toBe(6_400);
    expect(backoffDelayMs(3, highest)).toBe(9_600);
  });

  it('never waits longer than the cap, jitter included', () => {
    expect(backoffDelayMs(10, highest)).toBe(defaultBackoff.maxMs);
    expect(backoffDelayMs(10, lowest)).toBe(480_000);
  });

  it('treats nonsense input as the first attempt and a broken random source as no more than ±20 %', () => {
    expect(backoffDelayMs(0, middle)).toBe(2_000);
    expect(backoffDelayMs(-3, middle)).toBe(2_000);
    expect(backoffDelayMs(1, () => Number.NaN)).toBe(1_600);
    expect(backoffDelayMs(1, () => 7)).toBe(2_400);
  });

  it('follows a policy given to it', () => {
    expect(backoffDelayMs(3, middle, { baseMs: 100, maxMs: 300, jitter: 0 })).toBe(300);
  });
});

describe('retryDelayMs', () => {
  it("uses the channel's Retry-After when it gave one (429), whatever the attempt", () => {
    expect(retryDelayMs({ failedAttempts: 7, retryAfterMs: 1_000 }, highest)).toBe(1_000);
    expect(retryDelayMs({ failedAttempts: 1, retryAfterMs: 0 }, highest)).toBe(0);
  });

  it('falls back to the exponential backoff without one', () => {
    expect(retryDelayMs({ failedAttempts: 2, retryAfterMs: null }, middle)).toBe(4_000);
  });
});
