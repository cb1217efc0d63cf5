// The admin center's update rules as tables, with "now" injected: phases and their delays,
// the maintenance window in local time across daylight-saving changes, the spread of starts,
// the cap on a scheduled date, and the pause.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { autoApplies, capScheduled, describeWindow, macHash, macHashOfText, nextSlot, pauseEnds, startInWindow, windowAtOrAfter, zonedInstant, type Phase } from '../../../../services/firmware/update-rules.ts';
import type { Component, ReleaseLabel } from '../../../../services/firmware/catalog.ts';

const day = 24 * 3_600_000;
const released = new Date('2026-11-01T00:00:00Z');

describe('phases: which releases apply automatically, and when', () => {
  const cases: [ReleaseLabel, Phase, Component, number, boolean, boolean][] = [
    // label, phase, component, days after release, current version known, applies
    ['verified', 'validation', 'firmware', 0, true, true],
    ['verified', 'general', 'firmware', 29, true, false],
    ['verified', 'general', 'firmware', 30, true, true],
    ['verified', 'general', 'teams', 14, true, false],
    ['verified', 'general', 'teams', 15, true, true],
    ['verified', 'final', 'firmware', 89, true, false],
    ['verified', 'final', 'firmware', 90, true, true],
    ['verified', 'final', 'teams', 44, true, false],
    ['verified', 'final', 'teams', 45, true, true],
    ['verified', 'final', 'companyPortal', 45, true, true],
    ['preview', 'validation', 'firmware', 365, true, false],
    ['verified', 'validation', 'firmware', 365, false, false],
  ];
  it.each(cases)('%s release, %s phase, %s, %i days after release, current known %s → applies %s', (label, phase, component, days, currentKnown, applies) => {
    const now = new Date(released.getTime() + days * day);
    expect(autoApplies({ label, releasedAt: released, phase, component, currentKnown, pausedUntil: null, now }).applies).toBe(applies);
  });

  it('a pause stops automatic updates for 15 days, then they go on by themselves', () => {
    const pausedAt = new Date('2026-12-01T10:00:00Z');
    const pausedUntil = pauseEnds(pausedAt);
    expect(pausedUntil.toISOString()).toBe('2026-12-16T10:00:00.000Z');
    const rule = (now: Date) => autoApplies({ label: 'verified', releasedAt: released, phase: 'general', component: 'firmware', currentKnown: true, pausedUntil, now }).applies;
    expect(rule(new Date('2026-12-10T00:00:00Z'))).toBe(false);
    expect(rule(new Date('2026-12-16T09:59:00Z'))).toBe(false);
    expect(rule(new Date('2026-12-16T10:00:00Z'))).toBe(true);
  });
});

describe('the maintenance window in local time (default Sunday 01:00–04:00)', () => {
  const cases: [string, string, string, string, string][] = [
    // zone, now, window start, window end, what
    ['Europe/Berlin', '2026-07-01T12:00:00Z', '2026-07-04T23:00:00.000Z', '2026-07-05T02:00:00.000Z', 'summer: 01:00 CEST is 23:00 UTC on Saturday'],
    ['Europe/Berlin', '2026-12-02T12:00:00Z', '2026-12-06T00:00:00.000Z', '2026-12-06T03:00:00.000Z', 'winter: 01:00 CET is 00:00 UTC'],
    ['Europe/Berlin', '2026-03-28T12:00:00Z', '2026-03-29T00:00:00.000Z', '2026-03-29T02:00:00.000Z', 'clocks go forward at 02:00: the window is 2 real hours'],
    ['Europe/Berlin', '2026-10-24T12:00:00Z', '2026-10-24T23:00:00.000Z', '2026-10-25T03:00:00.000Z', 'clocks go back at 03:00: the window is 4 real hours'],
    ['America/New_York', '2026-03-07T12:00:00Z', '2026-03-08T06:00:00.000Z', '2026-03-08T08:00:00.000Z', 'New York springs forward at 02:00'],
    ['America/New_York', '2026-11-01T05:30:00Z', '2026-11-01T05:00:00.000Z', '2026-11-01T09:00:00.000Z', 'inside the window that gains an hour: this window'],
    ['Europe/Berlin', '2026-07-05T02:00:00Z', '2026-07-11T23:00:00.000Z', '2026-07-12T02:00:00.000Z', 'at the end of a window: next Sunday\'s'],
    ['Australia/Sydney', '2026-10-03T00:00:00Z', '2026-10-03T15:00:00.000Z', '2026-10-03T17:00:00.000Z', 'the southern spring: Sydney goes forward on 4 October'],
  ];
  it.each(cases)('%s at %s → %s to %s (%s)', (zone, now, start, end) => {
    const window = windowAtOrAfter(new Date(now), zone);
    expect(window.start.toISOString()).toBe(start);
    expect(window.end.toISOString()).toBe(end);
  });

  it('a window of another day and length, e.g. Wednesday 22:00 for 4 hours, ends on the next local day', () => {
    const window = windowAtOrAfter(new Date('2026-12-01T00:00:00Z'), 'Europe/Berlin', { day: 3, start: '22:00', hours: 4 });
    expect([window.start.toISOString(), window.end.toISOString()]).toEqual(['2026-12-02T21:00:00.000Z', '2026-12-03T01:00:00.000Z']);
    expect(describeWindow({ day: 3, start: '22:00', hours: 4 })).toBe('Wednesday 22:00–02:00');
  });

  it('a local time that does not exist (in the spring-forward gap) is taken as the wall clock after the jump', () => {
    expect(zonedInstant('2026-03-29', '02:30', 'Europe/Berlin').toISOString()).toBe('2026-03-29T01:30:00.000Z');
    expect(zonedInstant('2026-10-25', '02:30', 'Europe/Berlin').toISOString()).toMatch(/^2026-10-25T0[01]:30/);
  });
});

describe('starts spread over the window by a stable hash of the MAC', () => {
  const window = windowAtOrAfter(new Date('2026-12-02T12:00:00Z'), 'Europe/Berlin');
  const macs = Array.from({ length: 1000 }, (_, index) => `00-04-F2-00-${(index >> 8).toString(16).padStart(2, '0')}-${(index & 255).toString(16).padStart(2, '0')}`.toUpperCase());
  const now = new Date('2026-12-02T12:00:00Z');

  it('the same MAC always gets the same slot, inside the window with an hour kept to finish', () => {
    for (const mac of macs) {
      const slot = startInWindow(mac, window, now);
      expect(slot).toEqual(startInWindow(mac.toLowerCase().replace(/-/g, ':'), window, now));
      expect(slot.notBefore.getTime()).toBeGreaterThanOrEqual(window.start.getTime());
      expect(slot.notBefore.getTime()).toBeLessThan(window.end.getTime() - 3_600_000);
      expect(slot.notAfter).toEqual(window.end);
    }
  });

  it('a site\'s devices are spread: 1,000 MACs start in more than 100 different minutes', () => {
    const minutes = new Set(macs.map((mac) => startInWindow(mac, window, now).notBefore.getTime()));
    expect(minutes.size).toBeGreaterThan(100);
    expect(macHash('00-04-F2-00-00-01')).not.toBe(macHash('00-04-F2-00-00-02'));
  });

  it('hashes a MAC as its upper case\'s hex digits, whatever the spelling (the same slot for aa-bb… and AA:BB…)', () => {
    expect(macHash('00-04-f2-0a-bc-01')).toBe(macHash('00:04:F2:0A:BC:01'));
    expect(macHash('ﬀ')).toBe(macHash('FF'));
    fc.assert(fc.property(fc.oneof(fc.string(), fc.stringMatching(/^[0-9a-fA-F:.-]{0,20}$/), fc.string({ unit: 'binary' })), (text) => macHash(text) === macHashOfText(text)));
  });

  it('on the short night (clocks forward) slots still fit in the 2 real hours', () => {
    const short = windowAtOrAfter(new Date('2026-03-28T12:00:00Z'), 'Europe/Berlin');
    for (const mac of macs.slice(0, 200)) expect(startInWindow(mac, short, new Date('2026-03-28T12:00:00Z')).notBefore.getTime()).toBeLessThan(short.start.getTime() + 3_600_000);
  });

  it('inside an open window a device whose slot passed starts now; with under half an hour left it waits a week', () => {
    const inside = new Date(window.start.getTime() + 160 * 60_000);
    const slot = nextSlot(macs[0]!, 'Europe/Berlin', { day: 0, start: '01:00', hours: 3 }, inside);
    expect(slot.notBefore.getTime()).toBeGreaterThan(window.end.getTime());
    const early = new Date(window.start.getTime() + 10 * 60_000);
    const started = nextSlot(macs[0]!, 'Europe/Berlin', { day: 0, start: '01:00', hours: 3 }, early);
    expect(started.notAfter).toEqual(window.end);
  });
});

describe('a scheduled firmware date later than the phase allows is moved to the maximum', () => {
  const cases: [Phase, Component, string, string, string, boolean][] = [
    // phase, component, now, asked, scheduled for, capped
    ['general', 'firmware', '2026-11-10T00:00:00Z', '2026-11-20T00:00:00Z', '2026-11-20T00:00:00.000Z', false],
    ['general', 'firmware', '2026-11-10T00:00:00Z', '2026-12-15T00:00:00Z', '2026-12-01T00:00:00.000Z', true],
    ['final', 'firmware', '2026-11-10T00:00:00Z', '2026-12-15T00:00:00Z', '2026-12-15T00:00:00.000Z', false],
    ['final', 'firmware', '2026-11-10T00:00:00Z', '2027-03-01T00:00:00Z', '2027-01-30T00:00:00.000Z', true],
    ['validation', 'firmware', '2026-11-10T00:00:00Z', '2026-11-12T00:00:00Z', '2026-11-10T00:00:00.000Z', true],
    ['general', 'teams', '2026-11-10T00:00:00Z', '2027-06-01T00:00:00Z', '2027-06-01T00:00:00.000Z', false],
  ];
  it.each(cases)('%s phase, %s, now %s, asked %s → %s (capped %s)', (phase, component, now, asked, at, capped) => {
    const result = capScheduled(new Date(asked), { releasedAt: released, component }, phase, new Date(now));
    expect(result.at.toISOString()).toBe(at);
    expect(result.capped).toBe(capped);
  });
});
