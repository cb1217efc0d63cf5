// The sign-in queue card: what each device shows by where it stands, the instructions said
// once, a valid Adaptive Card, and a full page under the size Teams takes even in the worst case
// (the longest account, location and address on every row).
import { describe, expect, it } from 'vitest';
import { toActivity } from '../../../../bot/teams/outgoing.ts';
import { renderView } from '../../../../bot/teams/render-view.ts';
import { view, type View } from '../../../../bot/views/reply.ts';
import { queueRowState, signInQueueView } from '../../../../bot/views/sign-in-queue-view.ts';
import type { Device } from '../../../../services/devices/device-repository.ts';
import type { DeviceState } from '../../../../services/devices/device-state.ts';
import { queuePageSize, type QueuePage, type QueueRow } from '../../../../services/devices/sign-in-queue.ts';
import { cardTexts } from '../../../helpers/card-text.ts';
import { schemaErrors } from '../../cards/card-checks.ts';

const now = new Date('2026-12-07T09:00:00Z');
const budgetBytes = 24 * 1024;
const bytesOf = (shown: View) => Buffer.byteLength(JSON.stringify(toActivity({ view: shown })), 'utf8');

function row(index: number, overrides: Partial<QueueRow> = {}, long = false): QueueRow {
  const mac = `00-04-F2-00-00-${String(index).padStart(2, '0')}`;
  const location = long ? 'Ω'.repeat(100) : 'Lobby';
  const state: DeviceState = overrides.state ?? 'signing_in';
  const device: Device = { id: `d${index}`, tenantId: 't', mac, location, model: long ? 'M'.repeat(100) : 'Poly CCX 600', firmwareVersion: '8.1.3', state, stateChangedAt: now, signedInAccount: null, createdAt: now };
  const address = long ? 'fd12:3456:789a:0001:0002:0003:0004:0005%eth0' : '10.0.0.7';
  return {
    device,
    mac,
    location,
    state,
    queuedAt: new Date(now.getTime() + index),
    renewals: 0,
    markedDoneAt: null,
    account: long ? `${'a'.repeat(64)}@${'b'.repeat(60)}.${'c'.repeat(60)}.${'d'.repeat(60)}.com` : `phone-${index}@contoso.com`,
    sessionStatus: 'code_reported',
    loginCode: `EV9PGNQ${String(index).padStart(2, '0')}`,
    loginCodeExpiresAt: new Date(now.getTime() + 14 * 60_000),
    timeline: [
      { at: now, actor: 'user:teams:aad-ada', actorName: long ? 'Ω'.repeat(128) : 'Ada Admin', action: 'code.issued', fromState: null, toState: null, reason: null, data: null },
      { at: now, actor: `device:${mac}`, actorName: null, action: 'device.provisioned', fromState: null, toState: null, reason: null, data: { clientAddress: address } },
    ],
    model: device.model,
    firmwareVersion: device.firmwareVersion,
    stateChangedAt: now,
    ...overrides,
  };
}

const page = (rows: QueueRow[]): QueuePage => ({ locationKey: 'lobby', page: 0, location: rows[0]?.location ?? 'Lobby', rows, pages: 1 });

describe('a queue row', () => {
  it.each<[string, Partial<QueueRow>, string]>([
    ['a code still valid', {}, 'ready'],
    ['a code past its time', { loginCodeExpiresAt: new Date(now.getTime() - 1) }, 'renewing'],
    ['marked done by an admin', { markedDoneAt: now }, 'done'],
    ['signed in', { state: 'signed_in' }, 'done'],
    ['renewed, waiting for its new code', { state: 'awaiting_sign_in', sessionStatus: 'requested', renewals: 2, loginCode: null }, 'renewing'],
    ['asked, no code yet', { state: 'awaiting_sign_in', sessionStatus: 'requested', renewals: 0, loginCode: null }, 'getting_code'],
    ['out of renewals', { state: 'awaiting_sign_in', sessionStatus: null, renewals: 4, loginCode: null }, 'waiting_for_admin'],
    ['reset since', { state: 'registered', sessionStatus: null }, 'left'],
  ])('%s: %s', (_what, overrides, expected) => {
    expect(queueRowState(row(1, overrides), now)).toBe(expected);
  });
});

describe('the queue card', () => {
  it('says what to do once, then each ready code with its account, time left and trust facts, and a done button', () => {
    const shown = signInQueueView(page([row(1), row(2, { state: 'signed_in' }), row(3, { state: 'awaiting_sign_in', sessionStatus: 'requested', renewals: 1, loginCode: null })]), now, 'Europe/Berlin');
    const card = renderView(view('blocks', shown));
    const texts = cardTexts(card).join('\n');
    expect(texts.match(/https:\/\/microsoft\.com\/devicelogin/g)).toHaveLength(1);
    expect(texts).toContain('EV9PGNQ01 → sign in as phone-1@contoso.com');
    expect(texts).toMatch(/Code valid until\n.*\(14 min left when shown\)/);
    expect(texts).toMatch(/Provisioned\n.* from 10\.0\.0\.7/);
    expect(texts).toContain('Code issued by\nAda Admin');
    expect(texts).toContain('00-04-F2-00-00-03: renewing its login code');
    expect(texts).not.toContain('EV9PGNQ02');
    expect(texts).toMatch(/Signed in: \S+ 1 of 3/);
    expect(JSON.stringify(card)).toContain('"verb":"signin.queueDone"');
    expect(schemaErrors(card)).toEqual([]);
  });

  it(`keeps a full page (${queuePageSize} devices) under 24 KB with the longest account, location, name and address on every row`, () => {
    const rows = Array.from({ length: queuePageSize }, (_, index) => row(index + 1, {}, true));
    const size = bytesOf(view('blocks', signInQueueView(page(rows), now, 'America/Argentina/ComodRivadavia')));
    expect(size).toBeLessThan(budgetBytes);
  });
});
