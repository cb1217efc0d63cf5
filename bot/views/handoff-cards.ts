// Which hand-off card to draw for a tracking subject (./handoff-pages.ts), and the admin's view
// of a batch too large for one card: a summary, not the codes.
//
// Why a summary for the admin: whoever issues codes for 1,000 devices wants to see that it
// worked, how many per location, and where the codes went, not fifty cards of digits in their
// own chat; the technicians channel gets the pages (and `export codes` gives every live code
// as a file). The summary is tracked as the batch itself, so it counts devices coming online.
import type { Handoff } from '../../services/devices/handoffs.ts';
import { codeHandoffView, isOnline } from './handoff-view.ts';
import { devicesByLocation, fitsOneCard, handoffPageSize, pageBySubject } from './handoff-pages.ts';
import { view, type TrackedCard, type View } from './reply.ts';
import { formatTime } from './time.ts';

export function handoffSummaryView(handoff: Handoff, timeZone: string): View {
  const online = handoff.devices.filter(isOnline).length;
  const total = handoff.devices.length;
  const rows = [...devicesByLocation(handoff)].map(([location, devices]) => [
    location,
    String(devices.length),
    String(devices.filter(isOnline).length),
    String(Math.ceil(devices.length / handoffPageSize)),
  ]);
  return view('blocks', {
    title: `Device codes — ${online} of ${total} online`,
    summary: `Codes for ${total} devices in ${rows.length} ${rows.length === 1 ? 'location' : 'locations'}, ${online} online, valid until ${formatTime(handoff.expiresAt, timeZone)}.`,
    blocks: [
      { kind: 'facts', facts: [
        { title: 'Issued by', value: handoff.issuedByName ?? 'an admin' },
        { title: 'Valid until', value: formatTime(handoff.expiresAt, timeZone) },
      ] },
      { kind: 'table', columns: ['Location', 'Devices', 'Online', 'Cards'], rows },
      {
        kind: 'text',
        text: `Too many devices for one card: the technicians get a card per location, ${handoffPageSize} devices a card, each updated as its devices come online. Type "export codes" for every live code in one list.`,
        subtle: true,
      },
    ],
  });
}

/** The card a subject names, as things are now; null when it shows nothing any more. */
export function handoffCard(handoff: Handoff, timeZone: string, subject: string, sentTo = ''): View | null {
  if (subject === handoff.batchId) {
    return fitsOneCard(handoff) ? view('codeHandoff', codeHandoffView(handoff, timeZone, null, sentTo)) : handoffSummaryView(handoff, timeZone);
  }
  const page = pageBySubject(handoff, subject);
  return page ? view('codeHandoff', codeHandoffView(handoff, timeZone, page, sentTo)) : null;
}

/** What the admin who issued the codes sees: the card if the batch fits one, else the summary; tracked either way. */
export function handoffReply(handoff: Handoff, timeZone: string): { view: View; track: TrackedCard } {
  return { view: handoffCard(handoff, timeZone, handoff.batchId)!, track: { kind: 'handoff', subject: handoff.batchId } };
}

/** The same card with a few sentences on it (e.g. "12 codes issued. …"): a tracked card goes alone, its words inside it. */
export function withLines<T extends { view: View }>(reply: T, lines: readonly string[]): T {
  const shown = reply.view;
  if (shown.name === 'codeHandoff') return { ...reply, view: view('codeHandoff', { ...shown.data, lines: [...lines] }) };
  if (shown.name === 'blocks') return { ...reply, view: view('blocks', { ...shown.data, blocks: [...lines.map((text) => ({ kind: 'text' as const, text })), ...shown.data.blocks] }) };
  return reply;
}
