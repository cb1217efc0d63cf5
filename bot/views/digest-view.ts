// The digest card's view: the pipeline as bars of block characters (a monospace TextBlock,
// so every phone draws it the same), the top locations, and what needs attention.
import type { DigestView } from './view-data.ts';
import { deviceStates, stateLabels, type DeviceState } from '../../services/devices/device-state.ts';
import type { Digest, LocationCounts } from '../../services/reporting/digest.ts';
import { stateStyles } from './device-views.ts';
import { formatDuration, plural } from './job-views.ts';
import { formatTime } from './time.ts';

/** The longest bar, in block characters: fits beside the labels on a phone. */
export const barWidth = 12;
export const locationLimit = 10;
export const stuckLimit = 10;
export const lockoutLimit = 10;

const capitalised = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
const number = (n: number) => n.toLocaleString('en-GB');

/** A bar as long as `count` is against the largest count; at least one block for any device. */
export function bar(count: number, largest: number): string {
  if (count <= 0 || largest <= 0) return '·';
  return '█'.repeat(Math.max(1, Math.round((count / largest) * barWidth)));
}

/** "Tue 24 Nov 2026" for the local day "2026-11-24". */
export function formatDay(day: string): string {
  // Noon UTC of that date is that date everywhere; read back in UTC, no zone shifts it.
  const date = new Date(`${day}T12:00:00Z`);
  if (Number.isNaN(date.getTime())) return day;
  return new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' }).format(date).replace(',', '');
}

/** "42 devices: 30 signed in, 8 waiting for sign-in, 4 registered": the furthest along first. */
function locationLine(location: LocationCounts): string {
  const parts = [...deviceStates]
    .reverse()
    .filter((state) => location.byState[state] > 0)
    .map((state) => `${number(location.byState[state])} ${stateLabels[state]}`);
  return `${plural(location.total, 'device', 'devices')}${parts.length > 0 ? `: ${parts.join(', ')}` : ''}`;
}

const locationName = (location: string | null) => location ?? 'No location';

/** "12 devices at 2 locations, the longest for 3 h": login codes waiting for someone at the portal. */
function queueLine(queues: NonNullable<Digest['signInQueues']>, now: Date): string {
  if (queues.devices === 0) return 'none';
  const longest = queues.oldestSince ? `, the longest for ${formatDuration(now.getTime() - queues.oldestSince.getTime())}` : '';
  return `${plural(queues.devices, 'device', 'devices')} at ${plural(queues.locations, 'location', 'locations')}${longest}`;
}

/** "3 below the minimum · 12 unknown versions · 40 updates available" ("firmware" shows which). */
function firmwareLine(firmware: Digest['firmware']): string {
  return `${number(firmware.belowMinimum)} below the minimum · ${number(firmware.unknownVersion)} unknown ${firmware.unknownVersion === 1 ? 'version' : 'versions'} · ${number(firmware.updatesAvailable)} ${firmware.updatesAvailable === 1 ? 'update' : 'updates'} available`;
}

export function digestView(digest: Digest, timeZone: string): DigestView {
  const largest = Math.max(0, ...deviceStates.map((state) => digest.byState[state]));
  const pipeline = deviceStates.map((state: DeviceState) => ({
    label: capitalised(stateLabels[state]),
    count: number(digest.byState[state]),
    bar: bar(digest.byState[state], largest),
    color: stateStyles[state],
  }));

  const since = formatTime(digest.signedIn.since, timeZone);
  const signedInTitle = digest.signedIn.sincePreviousDigest ? 'Signed in since the last digest' : `Signed in since ${since}`;
  const expiringWhere = digest.expiring.byLocation
    .slice(0, 3)
    // The count before the place ("20 at Floor 2"): a number after a name that ends in one
    // ("Building A Floor 2 1") reads as part of it. " · " between: a name may hold a comma.
    .map((entry) => `${number(entry.count)} at ${locationName(entry.location)}`)
    .join(' · ');
  const expiringMore = digest.expiring.byLocation.length > 3 ? ' · …' : '';
  const median = digest.timeToSignedIn.medianMs === null ? null : formatDuration(digest.timeToSignedIn.medianMs);

  // Sign-ins are good news: they get their own section, not a line under "Needs attention".
  const progress = [
    { title: signedInTitle, value: digest.signedIn.sincePreviousDigest ? `${number(digest.signedIn.count)} (since ${since})` : number(digest.signedIn.count) },
    {
      title: 'Median time to signed in (7 days)',
      value: median === null ? 'no sign-ins' : `${median} (${plural(digest.timeToSignedIn.devices, 'device', 'devices')})`,
    },
  ];
  const attention = [
    { title: 'Codes expiring in 24 h', value: digest.expiring.count === 0 ? 'none' : `${number(digest.expiring.count)}: ${expiringWhere}${expiringMore}` },
    { title: 'Stuck before sign-in > 24 h', value: digest.stuck.length === 0 ? 'none' : number(digest.stuck.length) },
    { title: 'Lockouts in 24 h', value: digest.lockouts.macs.length === 0 ? 'none' : number(digest.lockouts.macs.length) },
    ...(digest.signInQueues ? [{ title: 'Waiting in sign-in queues', value: queueLine(digest.signInQueues, digest.generatedAt) }] : []),
    { title: 'Firmware', value: firmwareLine(digest.firmware) },
  ];

  const lockedOut = digest.lockouts.macs.slice(0, lockoutLimit).join(', ') + (digest.lockouts.macs.length > lockoutLimit ? ` and ${number(digest.lockouts.macs.length - lockoutLimit)} more` : '');

  const pipelineSentence = deviceStates
    .filter((state) => digest.byState[state] > 0)
    .map((state) => `${number(digest.byState[state])} ${stateLabels[state]}`)
    .join(', ');
  const summary = [
    `${plural(digest.total, 'device', 'devices')}${pipelineSentence ? `: ${pipelineSentence}` : ''}.`,
    `${number(digest.signedIn.count)} signed in since ${since}.`,
    `${plural(digest.expiring.count, 'code expires', 'codes expire')} in the next 24 h.`,
    `${plural(digest.stuck.length, 'device', 'devices')} stuck before sign-in for more than 24 h.`,
    `${plural(digest.lockouts.macs.length, 'lockout', 'lockouts')} in 24 h.`,
    median === null ? 'No sign-ins in the last 7 days.' : `Median time to signed in: ${median}.`,
    `Firmware: ${firmwareLine(digest.firmware)}.`,
  ].join(' ');

  return {
    title: `Daily digest — ${formatDay(digest.day)}`,
    subtitle: `${plural(digest.total, 'device', 'devices')} · as of ${formatTime(digest.generatedAt, timeZone)}`,
    summary,
    pipeline,
    locations: digest.locations.slice(0, locationLimit).map((location) => ({ name: locationName(location.location), counts: locationLine(location) })),
    moreLocations: Math.max(0, digest.locations.length - locationLimit),
    progress,
    attention,
    stuck: digest.stuck.slice(0, stuckLimit).map((device) => ({
      mac: device.mac,
      location: `${locationName(device.location)} · ${stateLabels[device.state]}`,
      age: formatDuration(device.ageMs),
    })),
    moreStuck: Math.max(0, digest.stuck.length - stuckLimit),
    lockedOut,
  };
}
