// When to try a notification again after the channel failed. Pure: the random source is a
// parameter, so the schedule is tested with a fixed one.
//
// Exponential (2 s, 4 s, 8 s, … capped at 10 minutes) so a channel that is down is not
// hammered, with ±20 % jitter so that many messages (or instances) that failed together do
// not come back together. When the channel said when to come back (429 Retry-After), that
// wins: it knows its throttling window better than we do.

export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
  /** 0.2 = each delay is drawn from [80 %, 120 %] of its nominal value (never above maxMs). */
  jitter: number;
}

export const defaultBackoff: BackoffPolicy = Object.freeze({ baseMs: 2_000, maxMs: 10 * 60_000, jitter: 0.2 });

/** A number in [0, 1), like Math.random. */
export type RandomSource = () => number;

/**
 * The delay before the next attempt, after `failedAttempts` attempts (1 after the first
 * failure): base × 2^(failedAttempts − 1), jittered, never above the cap.
 */
export function backoffDelayMs(failedAttempts: number, random: RandomSource = Math.random, policy: BackoffPolicy = defaultBackoff): number {
  const exponent = Math.max(0, Math.floor(failedAttempts) - 1);
  // 2^exponent overflows to Infinity long after the cap; Math.min keeps it finite.
  const nominal = Math.min(policy.maxMs, policy.baseMs * 2 ** exponent);
  const factor = 1 + policy.jitter * (2 * clampUnit(random()) - 1);
  return Math.round(Math.min(policy.maxMs, nominal * factor));
}

/** The channel's own Retry-After when it gave one, else the exponential backoff. */
export function retryDelayMs(failure: { failedAttempts: number; retryAfterMs: number | null }, random: RandomSource = Math.random, policy: BackoffPolicy = defaultBackoff): number {
  if (failure.retryAfterMs !== null && Number.isFinite(failure.retryAfterMs)) return Math.max(0, Math.round(failure.retryAfterMs));
  return backoffDelayMs(failure.failedAttempts, random, policy);
}

function clampUnit(value: number): number {
  if (!Number.isFinite(value) || value < 0) return 0;
  return value >= 1 ? 1 : value;
}
