// Reports over the store: the managers' digest, when it is due, and what the expiry cards need.
// Plain data out; the chat layer picks the cards.
import type { Database } from '../../prisma/store.ts';
import type { Clock } from '../shared/clock.ts';
import { expiredCodeIssuers, regenerableMacs } from './code-batches.ts';
import { buildDigest, type Digest, type DigestOptions } from './digest.ts';
import { createFleetOverview, type FleetOverview } from './fleet-overview.ts';
import { queueDueDigests, type DigestQueueResult, type DigestSchedule } from './digest-schedule.ts';

export type { Digest, DigestOptions } from './digest.ts';
export type { FleetOverview } from './fleet-overview.ts';
export type { DigestQueueResult, DigestSchedule } from './digest-schedule.ts';

export interface Reporting {
  /** The tenant's digest as of `now` (default: the clock's now). */
  buildDigest(tenantId: string, now: Date | undefined, options: DigestOptions): Promise<Digest>;
  /** The fleet tab's dashboard as of the clock's now, days read in `timeZone`. */
  fleetOverview(tenantId: string, timeZone: string): Promise<FleetOverview>;
  /** Queues digest.due for every tenant whose digest time has come today and whose digest is not queued yet. */
  queueDueDigests(now: Date | undefined, schedule: DigestSchedule): Promise<DigestQueueResult>;
  /** MACs of a batch at a location that can still be given new codes (see code-batches.ts). */
  regenerableMacs(tenantId: string, batchId: string, location: string | null): Promise<string[]>;
  /** Who issued the latest expired code of each of these devices. */
  expiredCodeIssuers(tenantId: string, macs: readonly string[]): Promise<string[]>;
}

export function createReporting(db: Database, clock: Clock): Reporting {
  const fleetOverview = createFleetOverview(db, clock);
  return {
    buildDigest: (tenantId, now, options) => buildDigest(db, tenantId, now ?? clock.now(), options),
    fleetOverview,
    queueDueDigests: (now, schedule) => queueDueDigests(db, now ?? clock.now(), schedule),
    regenerableMacs: (tenantId, batchId, location) => regenerableMacs(db, tenantId, batchId, location),
    expiredCodeIssuers: (tenantId, macs) => expiredCodeIssuers(db, tenantId, macs),
  };
}
