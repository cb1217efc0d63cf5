// The zones a tenant's times are said in: the tenant's own (exports, the digest, and every
// site without one of its own) and each site's (a device location), which admins set with
// `timezone`. Cards that can show a time in each reader's own zone do (the Teams renderer);
// these zones are for what has to be written in one zone.
import type { Database } from '../prisma/store.ts';
import { isUniqueViolation } from '../prisma/unique-violation.ts';
import { DomainError } from './shared/errors.ts';
import { newId } from './shared/random.ts';

/** Locations match without regard to case or surrounding spaces, as everywhere else. */
export const locationKeyOf = (location: string): string => location.trim().toLowerCase();

/**
 * The IANA name of a time zone as the runtime spells it ("europe/berlin" → "Europe/Berlin"), or
 * null when it is none. UTC offsets ("+01:00") are refused: they know no daylight saving time.
 */
export function canonicalTimeZone(text: string): string | null {
  const name = text.trim();
  if (name === '' || /^[+-]/.test(name)) return null;
  try {
    return new Intl.DateTimeFormat('en', { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

/** The IANA name, or the refusal that says what to write instead. */
export function checkedTimeZone(text: string): string {
  const zone = canonicalTimeZone(text);
  if (!zone) {
    throw new DomainError(
      'invalid_input',
      `"${text.trim()}" is not a time zone. Write an IANA time zone name such as Europe/Berlin, America/New_York or UTC (the list: https://en.wikipedia.org/wiki/List_of_tz_database_time_zones).`,
    );
  }
  return zone;
}

export interface LocationZone {
  location: string;
  timeZone: string;
}

export interface TimeZoneSettings {
  /** The tenant's zone (UTC until set). */
  tenant: string;
  /** The sites with a zone of their own, A to Z. */
  locations: LocationZone[];
}

async function ensureTenant(db: Database, tenantId: string): Promise<void> {
  try {
    await db.tenant.upsert({ where: { id: tenantId }, create: { id: tenantId }, update: {} });
  } catch (error) {
    if (!isUniqueViolation(error)) throw error; // created meanwhile by another request: fine
  }
}

/** `tenantChanged`: told after the tenant's zone was written (the tenant profile's memory forgets it). */
export function createTimeZones(db: Database, tenantChanged: (tenantId: string) => void = () => {}) {
  async function tenantZone(tenantId: string): Promise<string> {
    const tenant = await db.tenant.findUnique({ where: { id: tenantId }, select: { timeZone: true } });
    return tenant?.timeZone ?? 'UTC';
  }

  return {
    async settings(tenantId: string): Promise<TimeZoneSettings> {
      const [tenant, rows] = await Promise.all([
        tenantZone(tenantId),
        db.locationTimeZone.findMany({ where: { tenantId }, orderBy: { locationKey: 'asc' }, select: { location: true, timeZone: true } }),
      ]);
      return { tenant, locations: rows };
    },

    /** Sets the tenant's zone; returns the previous one. */
    async setTenantZone(tenantId: string, zoneText: string): Promise<{ timeZone: string; previous: string }> {
      const timeZone = checkedTimeZone(zoneText);
      const previous = await tenantZone(tenantId);
      await ensureTenant(db, tenantId);
      try {
        await db.tenant.update({ where: { id: tenantId }, data: { timeZone } });
      } finally {
        tenantChanged(tenantId);
      }
      return { timeZone, previous };
    },

    /**
     * Sets a site's zone (null: the site follows the tenant's zone again). The location must be
     * one a device is registered at, so that a typo does not quietly set a zone nobody reads.
     */
    async setLocationZone(tenantId: string, locationText: string, zoneText: string | null): Promise<{ location: string; timeZone: string | null; previous: string | null }> {
      const timeZone = zoneText === null ? null : checkedTimeZone(zoneText);
      const key = locationKeyOf(locationText);
      if (key === '') throw new DomainError('invalid_input', 'Say which location, e.g. timezone location "Berlin HQ" Europe/Berlin.');
      const existing = await db.locationTimeZone.findUnique({ where: { tenantId_locationKey: { tenantId, locationKey: key } } });
      // The location as the devices spell it (case may differ from what was typed).
      const inUse = await db.device.findMany({ where: { tenantId, location: { not: null } }, distinct: ['location'], select: { location: true } });
      const spelled = inUse.map((row) => row.location ?? '').find((location) => locationKeyOf(location) === key);
      if (spelled === undefined && !existing) {
        const known = inUse.map((row) => row.location ?? '').filter((location) => location !== '').sort().slice(0, 10);
        throw new DomainError(
          'not_found',
          `No device is registered at "${locationText.trim()}".${known.length > 0 ? ` Locations in use: ${known.join(' · ')}.` : ' Register devices there first.'}`,
        );
      }
      const location = spelled ?? existing?.location ?? locationText.trim();
      if (timeZone === null) {
        if (existing) await db.locationTimeZone.delete({ where: { id: existing.id } });
        return { location, timeZone: null, previous: existing?.timeZone ?? null };
      }
      await ensureTenant(db, tenantId);
      await db.locationTimeZone.upsert({
        where: { tenantId_locationKey: { tenantId, locationKey: key } },
        create: { id: newId(), tenantId, location, locationKey: key, timeZone },
        update: { location, timeZone },
      });
      return { location, timeZone, previous: existing?.timeZone ?? null };
    },

    /** The zone a site's local time is said in: its own when set, else the tenant's. */
    async zoneOf(tenantId: string, location: string | null): Promise<string> {
      if (location !== null && locationKeyOf(location) !== '') {
        const row = await db.locationTimeZone.findUnique({ where: { tenantId_locationKey: { tenantId, locationKey: locationKeyOf(location) } }, select: { timeZone: true } });
        if (row) return row.timeZone;
      }
      return tenantZone(tenantId);
    },
  };
}

export type TimeZones = ReturnType<typeof createTimeZones>;
