// Views of the cards the scheduled jobs send: codes about to expire, codes expired, devices
// stuck before sign-in. Built from the job's event and the current time.
import type { ExpirySummaryView, ExpiryWarningView, StaleDevicesView } from './view-data.ts';
import { formatTime } from './time.ts';

const minuteMs = 60_000;

/** A length of time as people say it: "45 min", "3 h 20 min", "2 d 3 h"; "under a minute" below one. */
export function formatDuration(ms: number): string {
  const minutes = Math.round(Math.max(0, ms) / minuteMs);
  if (minutes < 1) return 'under a minute';
  const days = Math.floor(minutes / (24 * 60));
  const hours = Math.floor((minutes % (24 * 60)) / 60);
  const rest = minutes % 60;
  if (days > 0) return hours > 0 ? `${days} d ${hours} h` : `${days} d`;
  if (hours > 0) return rest > 0 ? `${hours} h ${rest} min` : `${hours} h`;
  return `${rest} min`;
}

export const plural = (count: number, one: string, many: string) => `${count.toLocaleString('en-GB')} ${count === 1 ? one : many}`;

/** How many items a card lists before "and N more". */
export const macListLimit = 20;
export const staleListLimit = 10;

export interface ExpiringCodes {
  batchId: string;
  location: string | null;
  expiresAt: Date;
  macs: readonly string[];
}

export function expiryWarningView(codes: ExpiringCodes, now: Date, timeZone: string, canRegenerate: boolean, codeTtlMs: number): ExpiryWarningView {
  const count = codes.macs.length;
  const where = codes.location ? `at ${codes.location}` : 'without a location';
  const left = codes.expiresAt.getTime() - now.getTime();
  const when = left > 0 ? `expire${count === 1 ? 's' : ''} at ${formatTime(codes.expiresAt, timeZone)} (in ${formatDuration(left)})` : `expired at ${formatTime(codes.expiresAt, timeZone)}`;
  return {
    title: left > 0 ? `${plural(count, 'code', 'codes')} expire${count === 1 ? 's' : ''} in ${formatDuration(left)}` : `${plural(count, 'code', 'codes')} expired`,
    text: `${plural(count, 'code', 'codes')} ${where} ${when}. The ${count === 1 ? 'device has' : 'devices have'} not been provisioned yet.`,
    macs: codes.macs.slice(0, macListLimit),
    moreMacs: Math.max(0, count - macListLimit),
    batchId: codes.batchId,
    location: codes.location ?? '',
    canRegenerate,
    newCodesValidFor: formatDuration(codeTtlMs),
  };
}

export function expirySummaryView(macs: readonly string[]): ExpirySummaryView {
  const count = macs.length;
  return {
    title: `${plural(count, 'code', 'codes')} expired`,
    text: `Nobody used ${count === 1 ? 'it' : 'them'} in time: ${count === 1 ? 'this device is' : 'these devices are'} back to registered and need${count === 1 ? 's' : ''} a new code.`,
    macs: macs.slice(0, macListLimit),
    moreMacs: Math.max(0, count - macListLimit),
    // A ready command for a few devices; for many, every device waiting on activation.
    command: count <= 10 ? `codes ${macs.join(' ')}` : 'codes all',
    // The same, one press away: the codes form, prefilled.
    actions: [{ label: 'Issue new codes', style: 'positive', dialog: 'codes', data: count <= 10 ? { target: 'macs', macs: macs.join('\n') } : { target: 'all' } }],
  };
}

export interface StaleDevice {
  mac: string;
  location: string | null;
  since: Date;
}

export function staleDevicesView(devices: readonly StaleDevice[], now: Date, timeZone: string): StaleDevicesView {
  const sorted = [...devices].sort((a, b) => a.since.getTime() - b.since.getTime() || a.mac.localeCompare(b.mac));
  const count = sorted.length;
  return {
    title: `${plural(count, 'device', 'devices')} waiting for sign-in for more than 24 h`,
    text: `A technician provisioned ${count === 1 ? 'it' : 'them'}, but nobody signed ${count === 1 ? 'it' : 'them'} in yet. Sign in asks the device for a login code.`,
    devices: sorted.slice(0, staleListLimit).map((device) => ({
      mac: device.mac,
      location: device.location ?? 'No location',
      waiting: `waiting since ${formatTime(device.since, timeZone)} (${formatDuration(now.getTime() - device.since.getTime())})`,
    })),
    more: Math.max(0, count - staleListLimit),
  };
}
