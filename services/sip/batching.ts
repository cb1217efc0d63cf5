// How accepted accounts become gateway batches: per region, at most 100 per batch (the
// gateway's limit), in import order; at most 3 batches of a region run at once, the rest wait.
import type { SipRegion } from './regions.ts';

export const maxBatchSize = 100;
export const maxRunningBatchesPerRegion = 3;

export function splitIntoBatches<T extends { region: SipRegion }>(accounts: readonly T[], size = maxBatchSize): { region: SipRegion; accounts: T[] }[] {
  const byRegion = new Map<SipRegion, T[]>();
  for (const account of accounts) {
    const list = byRegion.get(account.region) ?? [];
    list.push(account);
    byRegion.set(account.region, list);
  }
  const batches: { region: SipRegion; accounts: T[] }[] = [];
  for (const [region, list] of byRegion) {
    for (let start = 0; start < list.length; start += size) batches.push({ region, accounts: list.slice(start, start + size) });
  }
  return batches;
}
