// Views for the scheduled jobs' cards (digest, expiry warning, expiry summary, stale devices),
// built the way the chat layer builds them, including the "and N more" shapes and the
// acceptance case: a digest of 1,000 devices across 10 locations.
import { digestView } from '../../../bot/views/digest-view.ts';
import { expirySummaryView, expiryWarningView, staleDevicesView } from '../../../bot/views/job-views.ts';
import type { CardName, CardViews } from '../../../cards/template-data.ts';
import { deviceStates, type DeviceState } from '../../../services/devices/device-state.ts';
import type { Digest, LocationCounts } from '../../../services/reporting/digest.ts';
import type { Sample } from './sample-views.ts';

export const zone = 'Europe/Berlin';
export const now = new Date('2026-11-24T07:00:00Z'); // 08:00 in Berlin
export const hourMs = 3_600_000;
export const mac = (n: number) => `00-04-F2-${[(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff].map((b) => b.toString(16).toUpperCase().padStart(2, '0')).join('-')}`;

export function counts(partial: Partial<Record<DeviceState, number>>): Record<DeviceState, number> {
  return Object.fromEntries(deviceStates.map((state) => [state, partial[state] ?? 0])) as Record<DeviceState, number>;
}

/** A digest of `devices` devices spread evenly over `locationCount` locations, as buildDigest returns it. */
export function digestOf(devices: number, locationCount: number, extra: Partial<Digest> = {}): Digest {
  const share = [0.1, 0.2, 0.15, 0.05, 0.5];
  const locations: LocationCounts[] = Array.from({ length: locationCount }, (_, i) => {
    const total = Math.floor(devices / locationCount) + (i < devices % locationCount ? 1 : 0);
    const byState = counts({});
    let left = total;
    deviceStates.forEach((state, s) => {
      const n = s === deviceStates.length - 1 ? left : Math.floor(total * (share[s] ?? 0));
      byState[state] = n;
      left -= n;
    });
    return { location: `Building ${Math.floor(i / 4) + 1} — Floor ${(i % 4) + 1}`, total, byState };
  });
  const byState = counts({});
  for (const location of locations) for (const state of deviceStates) byState[state] += location.byState[state];
  const stuck = Array.from({ length: byState.awaiting_sign_in + byState.signing_in }, (_, i) => ({
    mac: mac(i + 1),
    location: locations[i % locationCount]?.location ?? null,
    state: (i % 3 === 0 ? 'signing_in' : 'awaiting_sign_in') as 'signing_in' | 'awaiting_sign_in',
    since: new Date(now.getTime() - (72 - (i % 40)) * hourMs),
    ageMs: (72 - (i % 40)) * hourMs,
  }));
  return {
    tenantId: 'tenant-contoso',
    day: '2026-11-24',
    timeZone: zone,
    generatedAt: now,
    total: devices,
    byState,
    locations,
    signedIn: { since: new Date('2026-11-23T07:00:00Z'), sincePreviousDigest: true, count: 120 },
    expiring: {
      until: new Date(now.getTime() + 24 * hourMs),
      count: byState.code_issued,
      byLocation: locations.map((location) => ({ location: location.location, count: location.byState.code_issued })),
    },
    stuck,
    lockouts: { since: new Date(now.getTime() - 24 * hourMs), macs: Array.from({ length: 12 }, (_, i) => mac(900 + i)) },
    timeToSignedIn: { since: new Date(now.getTime() - 7 * 24 * hourMs), medianMs: 3 * hourMs + 20 * 60_000, devices: 480 },
    firmware: { belowMinimum: 3, unknownVersion: 12, updatesAvailable: 40 },
    ...extra,
  };
}

export const emptyDigest: Digest = {
  ...digestOf(0, 0),
  stuck: [],
  lockouts: { since: now, macs: [] },
  firmware: { belowMinimum: 0, unknownVersion: 0, updatesAvailable: 0 },
  signedIn: { since: new Date(now.getTime() - 24 * hourMs), sincePreviousDigest: false, count: 0 },
  timeToSignedIn: { since: now, medianMs: null, devices: 0 },
};

export const macs = (count: number) => Array.from({ length: count }, (_, i) => mac(i + 1));
export const batchId = '01JD3Q4W-batch';
export const inFourHours = new Date(now.getTime() + 4 * hourMs);

const sample = <K extends CardName>(name: K, label: string, view: CardViews[K]): Sample<K> => ({ name, label, view });

export const jobSamples = {
  digest1000: sample('digest', '1,000 devices across 10 locations', digestView(digestOf(1000, 10), zone)),
  digestManyLocations: sample('digest', '1,000 devices across 25 locations', digestView(digestOf(1000, 25), zone)),
  digestEmpty: sample('digest', 'a tenant without devices', digestView(emptyDigest, zone)),
  warningAdmin: sample('expiryWarning', "the issuing admin's copy", expiryWarningView({ batchId, location: 'Lobby', expiresAt: inFourHours, macs: macs(25) }, now, zone, true, 24 * 3_600_000)),
  warningTechnicians: sample('expiryWarning', "the technicians' copy", expiryWarningView({ batchId, location: 'Lobby', expiresAt: inFourHours, macs: macs(3) }, now, zone, false, 24 * 3_600_000)),
  warningNoLocation: sample('expiryWarning', 'devices without a location, one code', expiryWarningView({ batchId, location: null, expiresAt: inFourHours, macs: macs(1) }, now, zone, true, 24 * 3_600_000)),
  warningLate: sample('expiryWarning', 'delivered after the expiry', expiryWarningView({ batchId, location: 'Lobby', expiresAt: new Date(now.getTime() - 60_000), macs: macs(2) }, now, zone, true, 24 * 3_600_000)),
  summaryFew: sample('expirySummary', 'a few codes', expirySummaryView(macs(3))),
  summaryMany: sample('expirySummary', 'many codes', expirySummaryView(macs(45))),
  staleFew: sample('staleDevices', 'two devices', staleDevicesView([
    { mac: mac(2), location: 'Lobby', since: new Date(now.getTime() - 30 * hourMs) },
    { mac: mac(1), location: null, since: new Date(now.getTime() - 50 * hourMs) },
  ], now, zone)),
  staleMany: sample('staleDevices', '14 devices', staleDevicesView(macs(14).map((m, i) => ({ mac: m, location: 'Floor 2', since: new Date(now.getTime() - (25 + i) * hourMs) })), now, zone)),
};
/** Every sample above, for the checks every card gets (sample-views.ts's allSamples). */
export const allJobSamples: Sample[] = Object.values(jobSamples);
