// A hand-off of 1,000 devices cut into cards: each under the size Teams takes, each device on
// exactly one card, each card found again from its tracking subject.
import { describe, expect, it } from 'vitest';
import type { Handoff, HandoffDevice } from '../../../../services/devices/handoffs.ts';
import { handoffCard, handoffReply } from '../../../../bot/views/handoff-cards.ts';
import { fitsOneCard, halves, handoffPages, handoffPageSize, pageBySubject, pageOfDevice, pageShows } from '../../../../bot/views/handoff-pages.ts';
import { toActivity } from '../../../../bot/teams/outgoing.ts';
import type { View } from '../../../../bot/views/reply.ts';

/** Under Teams' oldest quoted limit (28 KB) with margin. */
const budgetBytes = 24 * 1024;

const mac = (index: number) => `00-04-F2-${String(Math.floor(index / 10000)).padStart(2, '0')}-${String(Math.floor(index / 100) % 100).padStart(2, '0')}-${String(index % 100).padStart(2, '0')}`;

function handoffOf(counts: [string | null, number][], note: string | null = null): Handoff {
  const devices: HandoffDevice[] = [];
  for (const [location, count] of counts) {
    for (let i = 0; i < count; i++) {
      const index = devices.length;
      devices.push({
        deviceId: `device-${index}`,
        mac: mac(index),
        location,
        code: String(100000 + ((index * 7919) % 900000)),
        state: 'code_issued',
        codeStatus: 'live',
        mark: note === null ? null : { kind: 'problem', note, by: 'aad-tech', at: new Date('2026-11-23T09:00:00Z') },
      });
    }
  }
  return { batchId: 'batch_0001', tenantId: 'tenant', issuedBy: 'aad-ada', issuedByName: 'Ada Admin', expiresAt: new Date('2026-11-24T09:00:00Z'), devices };
}

/** The bytes Teams receives for a card: the whole activity, as JSON. */
const bytesOf = (shown: View) => Buffer.byteLength(JSON.stringify(toActivity({ view: shown })), 'utf8');

// Several locations, one of 600 devices; the longest location name (100 characters taking 3
// bytes each) and a long note on every device: the worst case a card can be.
const longName = 'Ω'.repeat(100);
const thousand = (note: string | null) => handoffOf([[longName, 600], ['Building 2 — Floor 3', 250], ['Lobby', 99], ['Warehouse', 50], [null, 1]], note);

describe('a 1,000-device hand-off', () => {
  it('is cut into a card per location and page of 20, every device on exactly one', () => {
    const handoff = thousand(null);
    const pages = handoffPages(handoff);
    expect(pages).toHaveLength(30 + 13 + 5 + 3 + 1);
    const seen = pages.flatMap((page) => page.devices.map((device) => device.mac));
    expect(seen).toHaveLength(1000);
    expect(new Set(seen).size).toBe(1000);
    for (const page of pages) {
      expect(page.devices.length).toBeLessThanOrEqual(handoffPageSize);
      expect(new Set(page.devices.map((device) => device.location))).toHaveProperty('size', 1);
    }
    expect(pages.filter((page) => page.location === longName).map((page) => [page.number, page.of])).toEqual(Array.from({ length: 30 }, (_, i) => [i + 1, 30]));
  });

  it('keeps every card under 24 KB, even with the longest location and a long note on every device', () => {
    const handoff = thousand('問'.repeat(500));
    const sizes = handoffPages(handoff).map((page) => bytesOf(handoffCard(handoff, 'Europe/Berlin', page.subject)!));
    const largest = Math.max(...sizes);
    console.info(`largest hand-off page card: ${largest} bytes (${sizes.length} cards)`);
    expect(largest).toBeLessThan(budgetBytes);
    const plain = thousand(null);
    const plainLargest = Math.max(...handoffPages(plain).map((page) => bytesOf(handoffCard(plain, 'UTC', page.subject)!)));
    console.info(`largest page card without notes: ${plainLargest} bytes`);
    expect(plainLargest).toBeLessThan(budgetBytes);
  });

  it('titles each page with its location and "page n of m", and its form marks only that page', () => {
    const handoff = thousand(null);
    const page = handoffPages(handoff).find((candidate) => candidate.location === 'Building 2 — Floor 3' && candidate.number === 2)!;
    const shown = handoffCard(handoff, 'UTC', page.subject)!;
    expect(shown.name).toBe('codeHandoff');
    if (shown.name !== 'codeHandoff') return;
    expect(shown.data.page).toBe('Building 2 — Floor 3, page 2 of 13 (devices 21–40 of 250)');
    expect(shown.data.pageKey).toBe(page.subject);
    expect(shown.data.markable.map((device) => device.mac)).toEqual(page.devices.map((device) => device.mac));
    const card = JSON.stringify(toActivity({ view: shown }));
    expect(card).toContain('Device codes: Building 2 — Floor 3, page 2 of 13');
  });

  it('finds the one page a device is on from the tracking subjects', () => {
    const handoff = thousand(null);
    const pages = handoffPages(handoff);
    for (const device of handoff.devices) {
      const showing = pages.filter((page) => pageShows(page.subject, device));
      expect(showing).toHaveLength(1);
      expect(showing[0]!.subject).toBe(pageOfDevice(handoff, device.mac)!.subject);
    }
    for (const page of pages) expect(pageBySubject(handoff, page.subject)?.devices).toEqual(page.devices);
  });

  it('gives the admin a summary that fits, not the codes', () => {
    const handoff = thousand(null);
    expect(fitsOneCard(handoff)).toBe(false);
    const reply = handoffReply(handoff, 'UTC');
    expect(reply.track).toEqual({ kind: 'handoff', subject: 'batch_0001' });
    expect(reply.view.name).toBe('blocks');
    const json = JSON.stringify(toActivity(reply));
    expect(json).toContain('Device codes — 0 of 1000 online');
    expect(json).not.toContain(handoff.devices[0]!.code!);
    expect(bytesOf(reply.view)).toBeLessThan(budgetBytes);
  });
});

describe('a page the channel found too big', () => {
  it('halves into two narrower pages that together show the same devices, titled with their ranges', () => {
    const handoff = thousand(null);
    const page = handoffPages(handoff)[1]!;
    const [first, second] = halves(handoff, page);
    expect([...first!.devices, ...second!.devices]).toEqual(page.devices);
    expect(pageBySubject(handoff, first!.subject)?.devices).toEqual(first!.devices);
    expect([first!.number, first!.from, first!.to, second!.from, second!.to]).toEqual([2, 21, 30, 31, 40]);
    expect(halves(handoff, { ...page, devices: page.devices.slice(0, 1) })).toEqual([]);
  });
});

describe('a small hand-off', () => {
  it('stays one card with every location on it, tracked as the batch', () => {
    const handoff = handoffOf([['Lobby', 3], ['Floor 2', 2]]);
    expect(fitsOneCard(handoff)).toBe(true);
    const reply = handoffReply(handoff, 'UTC');
    expect(reply.view.name).toBe('codeHandoff');
    if (reply.view.name !== 'codeHandoff') return;
    expect(reply.view.data.page).toBe('');
    expect(reply.view.data.locations.map((location) => location.name)).toEqual(['Floor 2', 'Lobby']);
  });
});
