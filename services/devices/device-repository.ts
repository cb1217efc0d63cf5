// Devices in the store, as plain objects. Every query names the tenant, except the lookups
// the device API needs before it knows one (by MAC, by token hash).
import type { DatabaseOrTransaction } from '../../prisma/store.ts';
import { Prisma, type Device as DeviceRow } from '../../generated/sqlite/client.ts';
import { queryRows } from '../../prisma/direct-sqlite.ts';
import { rowsPerStatement } from '../../prisma/bulk-write.ts';
import { isDeviceState, type DeviceState } from './device-state.ts';

export interface Device {
  id: string;
  tenantId: string;
  mac: string;
  location: string | null;
  model: string | null;
  firmwareVersion: string | null;
  state: DeviceState;
  stateChangedAt: Date;
  signedInAccount: string | null;
  createdAt: Date;
}

/** A device's columns as a query returns them, its state not yet checked (a Prisma row, a joined raw row). */
export type StoredDevice = Omit<Device, 'state'> & { state: string };

export function toDevice(row: StoredDevice | DeviceRow): Device {
  if (!isDeviceState(row.state)) throw new Error(`device ${row.id} has an unknown state "${row.state}" in the store`);
  return {
    id: row.id,
    tenantId: row.tenantId,
    mac: row.mac,
    location: row.location,
    model: row.model,
    firmwareVersion: row.firmwareVersion,
    state: row.state,
    stateChangedAt: row.stateChangedAt,
    signedInAccount: row.signedInAccount,
    createdAt: row.createdAt,
  };
}

export async function findDeviceByMac(db: DatabaseOrTransaction, tenantId: string, mac: string): Promise<Device | null> {
  const row = await db.device.findUnique({ where: { tenantId_mac: { tenantId, mac } } });
  return row ? toDevice(row) : null;
}

/** The tenant's device with this id: null when the id is another tenant's (or none). */
export async function findDeviceById(db: DatabaseOrTransaction, tenantId: string, id: string): Promise<Device | null> {
  const row = await db.device.findFirst({ where: { tenantId, id } });
  return row ? toDevice(row) : null;
}

/**
 * What a step over many devices needs of each (registering, issuing codes): no dates, no
 * token. Reading thousands of rows, Prisma spends most of its time turning columns into
 * values (dates above all), so this narrower read costs about half of a full one.
 */
export type DeviceKey = Pick<Device, 'id' | 'tenantId' | 'mac' | 'location' | 'state'>;

const deviceKeyColumns = { id: true, tenantId: true, mac: true, location: true, state: true } as const;

function toDeviceKey(row: Pick<DeviceRow, keyof typeof deviceKeyColumns>): DeviceKey {
  if (!isDeviceState(row.state)) throw new Error(`device ${row.id} has an unknown state "${row.state}" in the store`);
  return { id: row.id, tenantId: row.tenantId, mac: row.mac, location: row.location, state: row.state };
}

export async function findDevicesByMacs(db: DatabaseOrTransaction, tenantId: string, macs: readonly string[]): Promise<Map<string, DeviceKey>> {
  const found = new Map<string, DeviceKey>();
  // Chunks keep each query under the databases' parameter limit (one more parameter: the tenant).
  const chunkSize = rowsPerStatement(1, 1);
  for (let start = 0; start < macs.length; start += chunkSize) {
    const rows = await db.device.findMany({ where: { tenantId, mac: { in: macs.slice(start, start + chunkSize) } }, select: deviceKeyColumns });
    for (const row of rows) found.set(row.mac, toDeviceKey(row));
  }
  return found;
}

/**
 * Every tenant's device with this MAC: a device reporting in names no tenant. Written as SQL:
 * every provision asks it first, and in the device API's transactions it runs on the driver
 * itself (prisma/direct-sqlite.ts).
 */
export async function findDevicesWithMacInAnyTenant(db: DatabaseOrTransaction, mac: string): Promise<Device[]> {
  const rows = await queryRows<StoredDevice>(
    db,
    Prisma.sql`SELECT "id", "tenantId", "mac", "location", "model", "firmwareVersion", "state", "stateChangedAt", "signedInAccount", "createdAt" FROM "Device" WHERE "mac" = ${mac}`,
    ['stateChangedAt', 'createdAt'],
  );
  return rows.map(toDevice);
}

export async function findDeviceByTokenHash(db: DatabaseOrTransaction, tokenHash: string): Promise<Device | null> {
  const row = await db.device.findFirst({ where: { deviceTokenHash: tokenHash } });
  return row ? toDevice(row) : null;
}

export interface DeviceFilter {
  states?: readonly DeviceState[];
  /** Matched without regard to case or surrounding spaces. */
  location?: string;
}

export function sameLocation(a: string | null, b: string): boolean {
  return (a ?? '').trim().toLowerCase() === b.trim().toLowerCase();
}

function deviceWhere(tenantId: string, filter: DeviceFilter) {
  return { tenantId, ...(filter.states ? { state: { in: [...filter.states] } } : {}) };
}
const deviceOrder = [{ location: 'asc' as const }, { mac: 'asc' as const }];

export async function listDevices(db: DatabaseOrTransaction, tenantId: string, filter: DeviceFilter = {}): Promise<Device[]> {
  const rows = await db.device.findMany({ where: deviceWhere(tenantId, filter), orderBy: deviceOrder });
  const devices = rows.map(toDevice);
  const location = filter.location;
  return location === undefined ? devices : devices.filter((device) => sameLocation(device.location, location));
}

/** listDevices, reading only each device's key (see DeviceKey): for steps over a whole site. */
export async function listDeviceKeys(db: DatabaseOrTransaction, tenantId: string, filter: DeviceFilter = {}): Promise<DeviceKey[]> {
  const rows = await db.device.findMany({ where: deviceWhere(tenantId, filter), orderBy: deviceOrder, select: deviceKeyColumns });
  const devices = rows.map(toDeviceKey);
  const location = filter.location;
  return location === undefined ? devices : devices.filter((device) => sameLocation(device.location, location));
}
