// How a hand-off is cut into cards. Teams refuses a message above its size limit (413
// MessageSizeTooBig) and a card of 58 devices was already 46 KB, so:
//  - a batch that fits one card (at most `handoffPageSize` devices) stays one card, all its
//    locations on it: a handful of phones across three rooms is one thing to hand over;
//  - a larger batch becomes a card per location, and a long location a card per page of
//    `handoffPageSize` devices ("Lobby, page 2 of 4"); the admin gets a summary instead.
//
// What a card shows is written in its tracking subject (services/notifications/posted-cards.ts),
// so a device's event redraws exactly the card it is on, whatever the page size was when the
// card was posted (a 413 halves a page: the halves are just narrower ranges):
//   "<batchId>"                                 the batch as a whole: the one card, or the summary
//   "<batchId>/<location key>/<first MAC>..<last MAC>"  the batch's devices at that location in that MAC range
import { createHash } from 'node:crypto';
import type { Handoff, HandoffDevice } from '../../services/devices/handoffs.ts';

/**
 * Devices per card. Measured (test/unit/views/handoff-pages.test.ts): about 0.75 KB per device,
 * and at most about 1 KB with a long location name and a note on every device (notes are cut
 * to `noteChars` on the card), so 20 devices stay under 24 KB: margin under the 28 KB quoted
 * as Teams' oldest limit.
 */
export const handoffPageSize = 20;

export interface HandoffPage {
  subject: string;
  /** The location's name as shown ("No location" for devices without one). */
  location: string;
  devices: HandoffDevice[];
  /** "page 2 of 4" of the location, counted in pages of handoffPageSize. */
  number: number;
  of: number;
  /** 1-based positions of the page's first and last device among the location's, and how many it has. */
  from: number;
  to: number;
  total: number;
}

export const noLocation = 'No location';

/** A short stable key for a location name (names can be 100 characters of anything). */
export function locationKey(name: string): string {
  return createHash('sha256').update(name).digest('base64url').slice(0, 10);
}

/** The batch's devices per location, locations by name (no location last), devices by MAC. */
export function devicesByLocation(handoff: Handoff): Map<string, HandoffDevice[]> {
  const sorted = [...handoff.devices].sort(
    (a, b) => Number(a.location === null) - Number(b.location === null) || (a.location ?? '').localeCompare(b.location ?? '') || a.mac.localeCompare(b.mac),
  );
  const byLocation = new Map<string, HandoffDevice[]>();
  for (const device of sorted) {
    const name = device.location ?? noLocation;
    byLocation.set(name, [...(byLocation.get(name) ?? []), device]);
  }
  return byLocation;
}

/** The batch fits one card: it is shown whole, subject = batch id. */
export function fitsOneCard(handoff: Handoff): boolean {
  return handoff.devices.length <= handoffPageSize;
}

function pageOfRange(handoff: Handoff, location: string, all: HandoffDevice[], devices: HandoffDevice[]): HandoffPage {
  const first = devices[0]!;
  const last = devices[devices.length - 1]!;
  const start = all.indexOf(first);
  return {
    subject: `${handoff.batchId}/${locationKey(location)}/${first.mac}..${last.mac}`,
    location,
    devices,
    number: Math.floor(start / handoffPageSize) + 1,
    of: Math.ceil(all.length / handoffPageSize),
    from: start + 1,
    to: start + devices.length,
    total: all.length,
  };
}

/** The cards of a batch that does not fit one: a page per location and handoffPageSize devices. */
export function handoffPages(handoff: Handoff): HandoffPage[] {
  const pages: HandoffPage[] = [];
  for (const [location, devices] of devicesByLocation(handoff)) {
    for (let start = 0; start < devices.length; start += handoffPageSize) {
      pages.push(pageOfRange(handoff, location, devices, devices.slice(start, start + handoffPageSize)));
    }
  }
  return pages;
}

interface PageSubject {
  batchId: string;
  locationKey: string;
  firstMac: string;
  lastMac: string;
}

export function parsePageSubject(subject: string): PageSubject | null {
  const match = /^([^/]+)\/([\w-]+)\/([0-9A-F-]+)\.\.([0-9A-F-]+)$/.exec(subject);
  if (!match) return null;
  return { batchId: match[1]!, locationKey: match[2]!, firstMac: match[3]!, lastMac: match[4]! };
}

/** The page a subject names, drawn from the batch as it is now; null when none of its devices is left. */
export function pageBySubject(handoff: Handoff, subject: string): HandoffPage | null {
  const wanted = parsePageSubject(subject);
  if (!wanted || wanted.batchId !== handoff.batchId) return null;
  for (const [location, all] of devicesByLocation(handoff)) {
    if (locationKey(location) !== wanted.locationKey) continue;
    const devices = all.filter((device) => device.mac >= wanted.firstMac && device.mac <= wanted.lastMac);
    return devices.length === 0 ? null : pageOfRange(handoff, location, all, devices);
  }
  return null;
}

/** Does the card with this subject show this device? */
export function pageShows(subject: string, device: HandoffDevice): boolean {
  const wanted = parsePageSubject(subject);
  if (!wanted) return false;
  return locationKey(device.location ?? noLocation) === wanted.locationKey && device.mac >= wanted.firstMac && device.mac <= wanted.lastMac;
}

/** The page a device is on (for a card of before the split, whose buttons name no page). */
export function pageOfDevice(handoff: Handoff, mac: string): HandoffPage | null {
  return handoffPages(handoff).find((page) => page.devices.some((device) => device.mac === mac)) ?? null;
}

/** A page cut in two (the channel said it was too big); [] when it is one device already. */
export function halves(handoff: Handoff, page: HandoffPage): HandoffPage[] {
  if (page.devices.length < 2) return [];
  const all = devicesByLocation(handoff).get(page.location) ?? page.devices;
  const middle = Math.ceil(page.devices.length / 2);
  return [page.devices.slice(0, middle), page.devices.slice(middle)].map((devices) => pageOfRange(handoff, page.location, all, devices));
}
