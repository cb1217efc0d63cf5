// A location's sign-in queue card (one per location and page of queuePageSize devices): what to
// do said once at the top, then each device whose login code is ready, in the order they came
// online, with its code, its account, until when the code is valid, and the bot's own record of
// where and when it provisioned (the trust facts of the awaiting-sign-in card). Devices signing
// in or signed in are counted as done; a lapsed code shows "renewing".
import type { QueuePage, QueueRow } from '../../services/devices/sign-in-queue.ts';
import { maxAutomaticRenewals } from '../../services/devices/sign-in-plan.ts';
import { verbs } from '../actions/verbs.ts';
import type { BlocksView, Block } from './view-data.ts';
import { provenanceOf, deviceLoginPortal } from './sign-in-views.ts';
import { formatTime } from './time.ts';

export type QueueRowState = 'ready' | 'renewing' | 'getting_code' | 'waiting_for_admin' | 'done' | 'left';

/** Where a queued device stands, as the card shows it. */
export function queueRowState(row: QueueRow, now: Date): QueueRowState {
  if (row.state === 'signed_in') return 'done';
  if (row.state === 'signing_in') {
    if (row.markedDoneAt) return 'done';
    // A code past its time is lapsing (the lapse is written at the next poll or sweep): renewing.
    if (!row.loginCode || !row.loginCodeExpiresAt || row.loginCodeExpiresAt.getTime() <= now.getTime()) return 'renewing';
    return 'ready';
  }
  if (row.state === 'awaiting_sign_in') {
    if (row.sessionStatus === 'requested') return row.renewals > 0 ? 'renewing' : 'getting_code';
    return 'waiting_for_admin';
  }
  // Reset since it joined: no longer in the queue.
  return 'left';
}

const minutesLeft = (until: Date, now: Date) => Math.max(0, Math.ceil((until.getTime() - now.getTime()) / 60_000));

function readyRow(row: QueueRow, now: Date, timeZone: string): Block {
  const trust = provenanceOf(row.device, row.timeline, timeZone);
  const until = row.loginCodeExpiresAt!;
  return {
    kind: 'item',
    title: `${row.loginCode} → sign in as ${row.account ?? '(any account)'}`,
    facts: [
      { title: 'Device', value: row.mac },
      { title: 'Code valid until', value: `${formatTime(until, timeZone)} (${minutesLeft(until, now)} min left when shown)` },
      { title: 'Provisioned', value: `${formatTime(row.timeline.filter((entry) => entry.action === 'device.provisioned').at(-1)?.at ?? row.stateChangedAt, timeZone)} from ${trust.provisionedFrom}` },
      { title: 'Code issued by', value: trust.codeIssuedBy },
    ],
    action: { label: `Done: ${row.mac}`, verb: verbs.signInQueueDone, data: { mac: row.mac } },
  };
}

export function signInQueueView(page: QueuePage, now: Date, timeZone: string): BlocksView {
  const location = page.location ?? 'No location';
  const states = page.rows.map((row) => ({ row, state: queueRowState(row, now) }));
  const count = (state: QueueRowState) => states.filter((entry) => entry.state === state).length;
  const inQueue = states.filter((entry) => entry.state !== 'left');
  const ready = states.filter((entry) => entry.state === 'ready');
  const done = count('done');
  const blocks: Block[] = [
    {
      kind: 'notice',
      style: 'accent',
      text: `For each code below: open ${deviceLoginPortal}, choose "Use another account", enter the code, and sign in as the account shown beside it. Press Done when it is signed in; the device confirms it itself.`,
    },
    { kind: 'progress', label: 'Signed in', done, total: inQueue.length },
  ];
  for (const { row } of ready) blocks.push(readyRow(row, now, timeZone));
  for (const { row, state } of states) {
    if (state === 'renewing') blocks.push({ kind: 'item', title: `${row.mac}: renewing its login code`, facts: [{ title: 'Account', value: row.account ?? '—' }] });
    if (state === 'waiting_for_admin') {
      blocks.push({
        kind: 'item',
        title: `${row.mac}: its code lapsed ${maxAutomaticRenewals + 1} times, waiting for you`,
        facts: [{ title: 'Account', value: row.account ?? '—' }],
        action: { label: `Sign in ${row.mac} again`, command: `signin ${row.mac}${row.account ? ` ${row.account}` : ''}` },
      });
    }
  }
  const gettingCode = count('getting_code');
  if (gettingCode > 0) blocks.push({ kind: 'text', text: `${gettingCode} ${gettingCode === 1 ? 'device is' : 'devices are'} getting a login code; it appears here when ready.`, subtle: true });
  if (ready.length === 0 && done === inQueue.length && inQueue.length > 0) blocks.push({ kind: 'text', text: 'Every device of this card is signed in (or marked done).' });
  const pageLabel = page.pages > 1 ? `, card ${page.page + 1} of ${page.pages}` : '';
  return {
    title: `Sign-in queue: ${location}${pageLabel}`,
    summary: `${ready.length} login ${ready.length === 1 ? 'code' : 'codes'} ready at ${location}; ${done} of ${inQueue.length} done.`,
    blocks,
  };
}
