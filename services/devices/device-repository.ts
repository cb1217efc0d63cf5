// Devices in the store, as plain objects. Every query names the tenant, except the lookups
// the device API needs before it knows one (by MAC, by token hash).
import type { DatabaseOrTransaction } from '../../prisma/store.ts';
import type { Device as DeviceRow } from '../../generated/sqlite/client.ts';
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

export function toDevice(row: DeviceRow): Device {
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

export async function findDevicesByMacs(db: DatabaseOrTransaction, tenantId: string, macs: readonly string[]): Promise<Map<string, Device>> {
  const found = new Map<string, Device>();
  // Chunks keep each query under the databases' parameter limits.
  for (let start = 0; start < macs.length; start += 500) {
    const rows = await db.device.findMany({ where: { tenantId, mac: { in: macs.slice(start, start + 500) } } });
    for (const row of rows) found.set(row.mac, toDevice(row));
  }
  return found;
}

/** Every tenant's device with this MAC: a device reporting in names no tenant. */
export async function findDevicesWithMacInAnyTenant(db: DatabaseOrTransaction, mac: string): Promise<Device[]> {
  const rows = await db.device.findMany({ where: { mac } });
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

export async function listDevices(db: DatabaseOrTransaction, tenantId: string, filter: DeviceFilter = {}): Promise<Device[]> {
  const rows = await db.device.findMany({
    where: { tenantId, ...(filter.states ? { state: { in: [...filter.states] } } : {}) },
    orderBy: [{ location: 'asc' }, { mac: 'asc' }],
  });
  const devices = rows.map(toDevice);
  const location = filter.location;
  return location === undefined ? devices : devices.filter((device) => sameLocation(device.location, location));
}
