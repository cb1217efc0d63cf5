// Pages of a large hand-off (bot/views/handoff-pages.ts): an ordinary page, and the largest a
// page can get (a full page at a 100-character location, a cut note on every device), which
// the size tests hold under the limit.
import type { CardViews } from '../../../cards/template-data.ts';
import { handoffPageSize } from '../../../bot/views/handoff-pages.ts';
import { noteChars } from '../../../bot/views/handoff-view.ts';
import type { Sample } from './sample-views.ts';

const mac = (index: number) => `00-04-F2-00-${String(Math.floor(index / 100)).padStart(2, '0')}-${String(index % 100).padStart(2, '0')}`;

function page(location: string, note: string | null, count: number): CardViews['codeHandoff'] {
  const devices = Array.from({ length: count }, (_, index) => ({ mac: mac(index), code: String(100000 + index * 7919).slice(0, 6), status: 'waiting on activation', statusStyle: 'default' as const, note }));
  return {
    batchId: 'batch_01JD3Q4W5E6R7T8Y9U0I',
    pageKey: `batch_01JD3Q4W5E6R7T8Y9U0I/Xy3_abc-9Q/${mac(0)}..${mac(count - 1)}`,
    page: `${location}, page 2 of 30 (devices 21–40 of 600)`,
    lines: [],
    issuedBy: 'Megan Bowen',
    sentTo: 'the technicians channel',
    expiresAt: 'Tue 24 Nov 2026, 09:00 UTC',
    onlineCount: 0,
    totalCount: count,
    locations: [{ name: location, devices }],
    markable: devices.map((device) => ({ mac: device.mac, label: device.mac })),
  };
}

/** The longest location and note the card shows: 100 characters, and a note cut to noteChars, in characters that take 3 bytes. */
export const longLocation = 'Ω'.repeat(100);
export const longNote = `${'問'.repeat(noteChars - 1)}…`;

export const codeHandoffPage: Sample<'codeHandoff'> = { name: 'codeHandoff', label: 'one page of a location', view: page('Building 4 — Lobby', null, handoffPageSize) };
export const codeHandoffPageWorst: Sample<'codeHandoff'> = { name: 'codeHandoff', label: 'a full page, longest location, a note on every device', view: page(longLocation, `problem: ${longNote}`, handoffPageSize) };

export const handoffPageSamples: Sample[] = [codeHandoffPage, codeHandoffPageWorst];
