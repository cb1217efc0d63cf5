// The code hand-off card's view: devices grouped by location with their code and a live
// status, "N of M online" at the top; a large batch is drawn a page at a time (./handoff-pages.ts).
import type { CodeHandoffView, HandoffDeviceView } from './view-data.ts';
import { activated, stateLabels } from '../../services/devices/device-state.ts';
import type { Handoff, HandoffDevice } from '../../services/devices/handoffs.ts';
import { devicesByLocation, noLocation, type HandoffPage } from './handoff-pages.ts';
import { instant } from './reply.ts';

function statusOf(device: HandoffDevice): Pick<HandoffDeviceView, 'status' | 'statusStyle'> {
  if (device.codeStatus === 'used' && activated.includes(device.state)) {
    return { status: `online: ${stateLabels[device.state]}`, statusStyle: device.state === 'signed_in' ? 'good' : 'accent' };
  }
  if (device.codeStatus === 'expired') return { status: 'code expired', statusStyle: 'attention' };
  if (device.codeStatus === 'revoked') return { status: 'replaced by a newer code', statusStyle: 'default' };
  if (device.codeStatus === 'used') return { status: 'was online, since reset', statusStyle: 'attention' };
  // A live code: the device is waiting on activation (code_issued), named as on every card.
  return { status: stateLabels.code_issued, statusStyle: 'default' };
}

function noteOf(device: HandoffDevice): string | null {
  if (!device.mark) return null;
  if (device.mark.kind === 'installed') return `installed${device.mark.note ? `: ${device.mark.note}` : ''}`;
  return device.mark.note ? `problem: ${device.mark.note}` : 'problem reported';
}

export function isOnline(device: HandoffDevice): boolean {
  return device.codeStatus === 'used' && activated.includes(device.state);
}

/** A note is cut on the card (the device's history keeps it whole): a page of long notes must still fit. */
export const noteChars = 80;

function shortNote(device: HandoffDevice): string | null {
  const note = noteOf(device);
  return note !== null && note.length > noteChars ? `${note.slice(0, noteChars - 1)}…` : note;
}

/**
 * The hand-off card: the whole batch (`page` null: it fits one card), or one page of one
 * location, whose form marks only that page's devices and names the page (`pageKey`) to redraw.
 */
export function codeHandoffView(handoff: Handoff, timeZone: string, page: HandoffPage | null = null, sentTo = ''): CodeHandoffView {
  const shown = page ? page.devices : [...devicesByLocation(handoff).values()].flat();
  const byLocation = new Map<string, HandoffDeviceView[]>();
  for (const device of shown) {
    const name = page?.location ?? device.location ?? noLocation;
    const list = byLocation.get(name) ?? [];
    // A replaced code is dead: not shown, so nobody types it (the newer hand-off has the live one).
    const code = device.codeStatus === 'revoked' ? '—' : (device.code ?? 'expired');
    list.push({ mac: device.mac, code, ...statusOf(device), note: shortNote(device) });
    byLocation.set(name, list);
  }
  return {
    batchId: handoff.batchId,
    pageKey: page?.subject ?? handoff.batchId,
    page: page ? pageLabel(page) : '',
    issuedBy: handoff.issuedByName ?? 'an admin',
    expiresAt: instant(handoff.expiresAt, timeZone),
    sentTo,
    lines: [],
    onlineCount: shown.filter(isOnline).length,
    totalCount: shown.length,
    locations: [...byLocation].map(([name, devices]) => ({ name, devices })),
    // On a page the location is in the title: the label is the MAC alone (and the card smaller).
    // Devices whose code was replaced are marked on their newer hand-off, not here.
    markable: shown.filter((device) => device.codeStatus !== 'revoked').map((device) => ({ mac: device.mac, label: page || !device.location ? device.mac : `${device.mac} (${device.location})` })),
  };
}

/** "Lobby, page 2 of 4 (devices 21–40 of 65)", or "Lobby" when the location fits one page. */
export function pageLabel(page: HandoffPage): string {
  if (page.of === 1 && page.devices.length === page.total) return page.location;
  return `${page.location}, page ${page.number} of ${page.of} (devices ${page.from}–${page.to} of ${page.total})`;
}
