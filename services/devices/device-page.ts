// One page of the tenant's devices for the fleet tab's table: searched, filtered and sorted by
// the database, paged with a cursor (the sort value and id of the last row shown), so a page
// of 100,000 devices costs the same as the first and no row is skipped or shown twice when
// devices are added between pages. Offsets would make page 1,000 read 100,000 rows.
import type { DatabaseOrTransaction } from '../../prisma/store.ts';
import { DomainError } from '../shared/errors.ts';
import { toDevice, type Device } from './device-repository.ts';
import { isDeviceState, type DeviceState } from './device-state.ts';

export const deviceSortKeys = ['mac', 'location', 'model', 'state', 'stateChangedAt'] as const;
export type DeviceSortKey = (typeof deviceSortKeys)[number];
/** Columns that may be empty: empty values come last, whichever the direction. */
const nullableKeys = new Set<DeviceSortKey>(['location', 'model']);

export const maxPageSize = 200;

export interface DevicePageQuery {
  /** Part of a MAC (any separators), a location, a model or a signed-in account. */
  q?: string;
  state?: DeviceState;
  /** The exact location (as the location list gives it). */
  location?: string;
  sort?: DeviceSortKey;
  direction?: 'asc' | 'desc';
  /** From the previous page's `next`. */
  cursor?: string;
  limit?: number;
}

export interface DevicePage {
  devices: Device[];
  /** The cursor of the next page; null on the last page. */
  next: string | null;
}

interface Cursor {
  value: string | null;
  id: string;
}

function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify([cursor.value, cursor.id]), 'utf8').toString('base64url');
}

function decodeCursor(text: string): Cursor {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (Array.isArray(parsed) && parsed.length === 2 && (typeof parsed[0] === 'string' || parsed[0] === null) && typeof parsed[1] === 'string') {
      return { value: parsed[0], id: parsed[1] };
    }
  } catch {
    // falls through to the error below
  }
  throw new DomainError('invalid_input', 'That page cursor is not one this server gave; start again from the first page (no cursor).');
}

/** "00:04:f2" → "00-04-F2": a MAC fragment as MACs are stored. */
function asMacFragment(q: string): string {
  return q.toUpperCase().replace(/[:.\s]/g, '-');
}

function sortValueOf(device: Device, key: DeviceSortKey): string | null {
  if (key === 'stateChangedAt') return device.stateChangedAt.toISOString();
  return device[key];
}

/** Rows after the cursor, in the page's order (key, then id; empty values last). */
function afterCursor(key: DeviceSortKey, direction: 'asc' | 'desc', cursor: Cursor): object {
  const beyond = direction === 'asc' ? 'gt' : 'lt';
  const value = key === 'stateChangedAt' && cursor.value !== null ? new Date(cursor.value) : cursor.value;
  if (value === null) return { [key]: null, id: { [beyond]: cursor.id } };
  const branches: object[] = [{ [key]: { [beyond]: value } }, { [key]: value, id: { [beyond]: cursor.id } }];
  if (nullableKeys.has(key)) branches.push({ [key]: null });
  return { OR: branches };
}

export async function pageDevices(db: DatabaseOrTransaction, tenantId: string, query: DevicePageQuery): Promise<DevicePage> {
  const key = query.sort ?? 'mac';
  const direction = query.direction ?? 'asc';
  const limit = Math.min(Math.max(query.limit ?? 50, 1), maxPageSize);
  if (query.state !== undefined && !isDeviceState(query.state)) throw new DomainError('invalid_input', `"${query.state}" is not a device state.`);
  const q = (query.q ?? '').trim();
  const and: object[] = [{ tenantId }];
  if (query.state) and.push({ state: query.state });
  if (query.location !== undefined && query.location !== '') and.push({ location: query.location });
  if (q !== '') {
    and.push({
      OR: [{ mac: { contains: asMacFragment(q) } }, { location: { contains: q } }, { model: { contains: q } }, { signedInAccount: { contains: q } }],
    });
  }
  if (query.cursor) and.push(afterCursor(key, direction, decodeCursor(query.cursor)));
  const order = nullableKeys.has(key) ? { [key]: { sort: direction, nulls: 'last' as const } } : { [key]: direction };
  const rows = await db.device.findMany({ where: { AND: and }, orderBy: [order, { id: direction }], take: limit + 1 });
  const devices = rows.slice(0, limit).map(toDevice);
  const last = devices.at(-1);
  const next = rows.length > limit && last ? encodeCursor({ value: sortValueOf(last, key), id: last.id }) : null;
  return { devices, next };
}
