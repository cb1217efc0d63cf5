// What admins, technicians and managers read about devices. Always scoped by tenant.
import type { Database } from '../../prisma/store.ts';
import { DomainError } from '../shared/errors.ts';
import { deviceTimeline, type AuditRecord } from './audit-log.ts';
import { findDeviceById, listDevices, type Device, type DeviceFilter } from './device-repository.ts';
import { findDeviceWithTimeline } from './device-with-timeline.ts';
import { parseMac } from './mac-address.ts';
import { pageDevices, type DevicePage, type DevicePageQuery } from './device-page.ts';

export interface DeviceDetails {
  device: Device;
  timeline: AuditRecord[];
}

export function createDeviceQueries(db: Database) {
  return {
    list: (tenantId: string, filter: DeviceFilter = {}): Promise<Device[]> => listDevices(db, tenantId, filter),

    /** The tenant's device with this id, or null (an id of another tenant's device finds nothing). */
    byId: (tenantId: string, deviceId: string): Promise<Device | null> => findDeviceById(db, tenantId, deviceId),

    /** One page of the fleet tab's table: searched, filtered, sorted and paged by the database. */
    page: (tenantId: string, query: DevicePageQuery): Promise<DevicePage> => pageDevices(db, tenantId, query),

    /** The audit trail of the tenant's device with this id (empty for another tenant's id). */
    timelineById: (tenantId: string, deviceId: string): Promise<AuditRecord[]> => deviceTimeline(db, tenantId, deviceId),

    /** The tenant's locations in use, A to Z (at most `limit`): what forms offer as choices. */
    async locations(tenantId: string, limit = 100): Promise<string[]> {
      const rows = await db.device.findMany({ where: { tenantId, location: { not: null } }, distinct: ['location'], select: { location: true }, orderBy: { location: 'asc' }, take: limit });
      return rows.flatMap((row) => (row.location === null ? [] : [row.location]));
    },

    async details(tenantId: string, rawMac: string): Promise<DeviceDetails> {
      const mac = parseMac(rawMac);
      if (!mac.ok) throw new DomainError('invalid_input', `"${rawMac}" is not a MAC address: ${mac.reason}.`);
      const details = await findDeviceWithTimeline(db, tenantId, mac.mac);
      if (!details) throw new DomainError('not_found', `No device ${mac.mac} is registered here. Type "list" to see your devices.`);
      return details;
    },
  };
}

export type DeviceQueries = ReturnType<typeof createDeviceQueries>;
