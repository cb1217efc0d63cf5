// The tenant's SIP settings: the default region (`sip region default EMEA`), each location's
// region (`sip region location "Berlin HQ" EMEA`), and the prerequisites checklist the admin ticks.
import type { Database } from '../../prisma/store.ts';
import type { Clock } from '../shared/clock.ts';
import { DomainError } from '../shared/errors.ts';
import { sipChecks } from './prerequisites.ts';
import type { SipRegion } from './regions.ts';
import { locationKey, readSettings, writeSettings } from './sip-store.ts';

export function createSipSettings(db: Database, clock: Clock) {
  return {
    read: (tenantId: string) => readSettings(db, tenantId),
    async setDefaultRegion(tenantId: string, region: SipRegion): Promise<void> {
      await writeSettings(db, tenantId, { ...(await readSettings(db, tenantId)), defaultRegion: region }, clock.now());
    },
    async setLocationRegion(tenantId: string, location: string, region: SipRegion): Promise<void> {
      const settings = await readSettings(db, tenantId);
      await writeSettings(db, tenantId, { ...settings, locationRegions: { ...settings.locationRegions, [locationKey(location)]: region } }, clock.now());
    },
    /** Ticks (or unticks) one prerequisite of `sip check`. */
    async tick(tenantId: string, checkId: string, done: boolean): Promise<void> {
      if (!sipChecks.some((check) => check.id === checkId)) {
        throw new DomainError('invalid_input', `No prerequisite "${checkId}". Tick one of: ${sipChecks.map((check) => check.id).join(', ')}.`);
      }
      const settings = await readSettings(db, tenantId);
      const checklist = { ...settings.checklist };
      if (done) checklist[checkId] = clock.now().toISOString();
      else delete checklist[checkId];
      await writeSettings(db, tenantId, { ...settings, checklist }, clock.now());
    },
  };
}

export type SipSettings = ReturnType<typeof createSipSettings>;

/** Marks a prerequisite the gateway itself showed to hold ("gateway:<time>"), unless already marked. */
export async function reportCheck(db: Database, tenantId: string, checkId: string, now: Date): Promise<void> {
  const settings = await readSettings(db, tenantId);
  if (settings.checklist[checkId]?.startsWith('gateway:')) return;
  await writeSettings(db, tenantId, { ...settings, checklist: { ...settings.checklist, [checkId]: `gateway:${now.toISOString()}` } }, now);
}
