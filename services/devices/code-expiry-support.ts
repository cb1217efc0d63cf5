// What the expiry jobs share: transaction limits, chunking, and the stable keys that make the
// outbox send once. Recognising "someone else already did it" (and retrying after losing such a
// race) is the store's: prisma/unique-violation.ts.
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

/** A short, stable digest of a set of ids (order does not matter), for dedupe keys. */
export function digestOf(values: readonly string[]): string {
  return createHash('sha256').update([...values].sort().join('\n'), 'utf8').digest('base64url').slice(0, 32);
}
