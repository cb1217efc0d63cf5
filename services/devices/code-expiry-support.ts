// What the expiry jobs share: how they recognise "someone else already did it", how they
// retry after losing such a race, and the stable keys that make the outbox send once.
import { createHash } from 'node:crypto';

/** Big sweeps run in one transaction per tenant or group; give them room, like issuing does. */
export const jobTransaction = { timeout: 120_000, maxWait: 30_000 } as const;

/** Rows per query: keeps every `IN (…)` under the databases' parameter limits. */
export const chunkSize = 500;

export function chunks<T>(items: readonly T[], size = chunkSize): T[][] {
  const out: T[][] = [];
  for (let start = 0; start < items.length; start += size) out.push(items.slice(start, start + size));
  return out;
}

/** P2002: a unique key is taken, i.e. another run (or instance) got there first. */
export function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: string } | null)?.code === 'P2002';
}

/**
 * Runs `pass` again when it lost a race on a unique key. On PostgreSQL a unique violation
 * aborts the whole transaction, so it cannot be skipped row by row: the transaction rolls
 * back, and the next pass reads again and finds the other instance's committed rows. Each
 * lost race means the other side made progress, so a few attempts always suffice.
 */
export async function retryOnUniqueViolation<T>(pass: () => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await pass();
    } catch (error) {
      if (!isUniqueViolation(error) || attempt >= attempts) throw error;
    }
  }
}

/** A short, stable digest of a set of ids (order does not matter), for dedupe keys. */
export function digestOf(values: readonly string[]): string {
  return createHash('sha256').update([...values].sort().join('\n'), 'utf8').digest('base64url').slice(0, 32);
}

export function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}
