// How many wrong verification codes the provisioning service hears before it stops listening,
// and from whom. Every window counts failed attempts kept in the store (ProvisioningAttempt),
// so every instance on one PostgreSQL sees the same counts; an instance also remembers, in
// memory, a refusal it derived from the store, so a flood from a refused address costs no query.
//
//   per MAC and source   5 wrong codes in 15 min lock that MAC for that address only (a technician
//                        elsewhere is not locked out); a newer code or `unlock MAC` clears it
//   per source           20 wrong codes in 15 min from one address, whatever the MACs
//   per tenant           200 wrong codes in 15 min at one tenant's devices
//   overall              2,000 wrong codes in 15 min in total
//
// The tenant and overall limits refuse only addresses that already failed in the window: a
// device whose address has a clean record is always heard, so a distributed attack that fills
// them does not stop legitimate provisioning (each attacking address then gets one guess per window).
import type { DatabaseOrTransaction } from '../../prisma/store.ts';
import { DomainError } from '../shared/errors.ts';

const windowMs = 15 * 60_000;
export const lockoutPolicy = { maxFailures: 5, windowMs };
export const attemptLimits = {
  source: { maxFailures: 20, windowMs },
  tenant: { maxFailures: 200, windowMs },
  overall: { maxFailures: 2_000, windowMs },
  /** One alert per tenant and source within this long: one incident, one card. */
  alertEveryMs: 60 * 60_000,
} as const;

export type LimitScope = 'source' | 'tenant' | 'overall';

/**
 * When the window's limit-th newest failure leaves it, or null while under the limit.
 * One indexed query that reads at most one row.
 */
export async function overLimitUntil(
  tx: DatabaseOrTransaction,
  where: { source?: string; tenantId?: { in: string[] } },
  limit: { maxFailures: number; windowMs: number },
  now: Date,
): Promise<Date | null> {
  const row = await tx.provisioningAttempt.findFirst({
    where: { ...where, succeeded: false, at: { gt: new Date(now.getTime() - limit.windowMs) } },
    orderBy: { at: 'desc' },
    skip: limit.maxFailures - 1,
    select: { at: true },
  });
  return row ? new Date(row.at.getTime() + limit.windowMs) : null;
}

export function secondsUntil(until: Date, now: Date): number {
  return Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 1000));
}

export function rateLimited(scope: LimitScope, seconds: number): DomainError {
  const whose = scope === 'source' ? 'from this network address' : scope === 'tenant' ? "for this organisation's devices" : 'in total';
  return new DomainError(
    'rate_limited',
    // Only the per-address limit alerts the admins (once per incident); the wider ones do not.
    `Too many wrong verification codes ${whose}. Wait ${Math.ceil(seconds / 60)} minutes, then enter the code again; ${scope === 'source' ? 'the admins have been told' : 'if it keeps happening, tell your admin'}.`,
    { retryAfterSeconds: seconds },
  );
}

/**
 * Addresses this instance found over the source limit, until when. A hint only: the store
 * decided, and another instance finds the same in the store. Bounded: the oldest entries go first.
 */
export class RefusedSources {
  private readonly until = new Map<string, number>();
  constructor(private readonly max = 10_000) {}

  refusedFor(source: string, now: Date): number | null {
    const until = this.until.get(source);
    if (until === undefined) return null;
    if (until <= now.getTime()) {
      this.until.delete(source);
      return null;
    }
    return until;
  }

  refuse(source: string, until: Date): void {
    this.until.delete(source);
    if (this.until.size >= this.max) this.until.delete(this.until.keys().next().value as string);
    this.until.set(source, until.getTime());
  }
}

/**
 * Wrong codes at MACs that name no device: nothing is stored about them (they must not lock a
 * device registered later), but the answers count down as for a registered one, so the answer
 * does not tell a registered MAC from an unknown one. Per instance, bounded.
 */
export class UnknownMacGuesses {
  private readonly failures = new Map<string, number[]>();
  constructor(private readonly max = 10_000) {}

  /** Records a failure; the failures of that MAC and source now in the window, newest first. */
  add(mac: string, source: string, now: Date): Date[] {
    const key = `${source}|${mac}`;
    const since = now.getTime() - lockoutPolicy.windowMs;
    const kept = (this.failures.get(key) ?? []).filter((at) => at > since);
    this.failures.delete(key);
    if (this.failures.size >= this.max) this.failures.delete(this.failures.keys().next().value as string);
    this.failures.set(key, [now.getTime(), ...kept]);
    return [now, ...kept.map((at) => new Date(at))];
  }

  recent(mac: string, source: string, now: Date): Date[] {
    const since = now.getTime() - lockoutPolicy.windowMs;
    return (this.failures.get(`${source}|${mac}`) ?? []).filter((at) => at > since).map((at) => new Date(at));
  }
}

/**
 * Serializes a check across instances until the transaction ends (PostgreSQL, where READ
 * COMMITTED lets two transactions read the same count; SQLite runs one writer at a time).
 */
export async function lockForCheck(tx: DatabaseOrTransaction, key: string): Promise<void> {
  await tx.$executeRawUnsafe('SELECT pg_advisory_xact_lock(hashtext($1))', key);
}
