// Devices stuck waiting for sign-in (activated, but nobody signed an account in) for longer
// than the stale threshold, listed for the admins once per tenant and local day.
//
// The day is claimed with a DailyReport row (unique per tenant, kind and day) in the same
// transaction as the event: a second run that day, on this instance or another, sends nothing.
import type { Database } from '../../prisma/store.ts';
import { enqueueEvent } from '../notifications/outbox.ts';
import { newId } from '../shared/random.ts';
import { isUniqueViolation } from '../../prisma/unique-violation.ts';
import { jobTransaction } from './code-expiry-support.ts';
import type { DeviceState } from './device-state.ts';
import { isTimeZone, localDay } from '../shared/local-time.ts';

export interface StaleOptions {
  /** How long a device may wait for sign-in before it is listed. */
  staleAfterMs: number;
  /** IANA zone the day is counted in; by default each tenant's own (Tenant.timeZone). */
  timeZone?: string;
}

export interface StaleCounts {
  /** Tenants that got a `devices.stale` list. */
  reported: number;
  /** Devices listed, over all tenants. */
  devices: number;
}

const waitingForSignIn: DeviceState[] = ['awaiting_sign_in', 'signing_in'];

/**
 * Lists, once per tenant and local day, the devices waiting for sign-in since before
 * `now - staleAfter`. A tenant with nothing stale gets no list and its day stays open: the
 * scheduler runs this hourly, so a device that turns stale in the afternoon is listed that
 * afternoon, not a day later. Either way a tenant hears about stale devices at most once a day.
 */
export async function listStaleDevices(db: Database, now: Date, options: StaleOptions): Promise<StaleCounts> {
  if (options.timeZone !== undefined && !isTimeZone(options.timeZone)) throw new Error(`listStaleDevices: "${options.timeZone}" is not an IANA time zone`);
  const cutoff = new Date(now.getTime() - options.staleAfterMs);
  const totals: StaleCounts = { reported: 0, devices: 0 };
  const tenants = await db.tenant.findMany({ select: { id: true, timeZone: true }, orderBy: { id: 'asc' } });
  for (const tenant of tenants) {
    // A zone stored wrongly must not stop the other tenants' lists: count that tenant in UTC.
    const zone = options.timeZone ?? (isTimeZone(tenant.timeZone) ? tenant.timeZone : 'UTC');
    const day = localDay(now, zone);
    const claimed = await db.dailyReport.findUnique({ where: { tenantId_kind_day: { tenantId: tenant.id, kind: 'stale_devices', day } }, select: { id: true } });
    if (claimed) continue;
    const devices = await db.device.findMany({
      where: { tenantId: tenant.id, state: { in: waitingForSignIn }, stateChangedAt: { lte: cutoff } },
      select: { mac: true, location: true, stateChangedAt: true },
      orderBy: [{ location: 'asc' }, { mac: 'asc' }],
    });
    if (devices.length === 0) continue;
    try {
      await db.$transaction(async (tx) => {
        // The day is claimed with the list: a concurrent run fails on the key and sends nothing.
        await tx.dailyReport.create({ data: { id: newId(), tenantId: tenant.id, kind: 'stale_devices', day, createdAt: now } });
        await enqueueEvent(
          tx,
          { kind: 'devices.stale', tenantId: tenant.id, day, devices: devices.map((device) => ({ mac: device.mac, location: device.location, since: device.stateChangedAt.toISOString() })) },
          now,
          `devices.stale:${tenant.id}:${day}`,
        );
      }, jobTransaction);
      totals.reported += 1;
      totals.devices += devices.length;
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
    }
  }
  return totals;
}
