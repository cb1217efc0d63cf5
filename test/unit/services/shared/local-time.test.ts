import { describe, expect, it } from 'vitest';
import { checkTimeOfDay, checkTimeZone, isTimeZone, localDay, localMoment } from '../../../../services/shared/local-time.ts';
import { median } from '../../../../services/reporting/digest.ts';

describe('local time in a zone, read through Intl', () => {
  it.each([
    // Europe/Berlin leaves summer time on Sun 25 Oct 2026 at 03:00 CEST (01:00 UTC).
    ['2026-10-24T06:00:00Z', 'Europe/Berlin', '2026-10-24', '08:00'],
    ['2026-10-25T00:59:00Z', 'Europe/Berlin', '2026-10-25', '02:59'],
    ['2026-10-25T01:00:00Z', 'Europe/Berlin', '2026-10-25', '02:00'],
    ['2026-10-26T06:00:00Z', 'Europe/Berlin', '2026-10-26', '07:00'],
    ['2026-10-26T07:00:00Z', 'Europe/Berlin', '2026-10-26', '08:00'],
    // Past midnight locally, the day before in UTC, and the other way round.
    ['2026-11-22T23:30:00Z', 'Europe/Berlin', '2026-11-23', '00:30'],
    ['2026-11-23T03:00:00Z', 'America/New_York', '2026-11-22', '22:00'],
    ['2026-11-22T00:00:00Z', 'UTC', '2026-11-22', '00:00'],
    ['2026-11-22T12:00:00Z', 'Asia/Kolkata', '2026-11-22', '17:30'],
  ])('%s in %s is %s %s', (iso, zone, day, time) => {
    expect(localMoment(new Date(iso), zone)).toEqual({ day, time });
    expect(localDay(new Date(iso), zone)).toBe(day);
  });

  it('knows IANA zones and refuses anything else with what to write instead', () => {
    expect(isTimeZone('Europe/Berlin')).toBe(true);
    for (const zone of ['Mars/Olympus', '', ' ']) {
      expect(isTimeZone(zone)).toBe(false);
      expect(() => checkTimeZone(zone)).toThrow(/IANA time zone name/);
    }
  });

  it.each([
    ['08:00', '08:00'],
    ['8:00', '08:00'],
    [' 23:59 ', '23:59'],
    ['00:00', '00:00'],
  ])('reads the time of day %j as %s', (text, time) => {
    expect(checkTimeOfDay(text)).toBe(time);
  });

  it.each(['24:00', '08:60', '8', '08:00:00', 'eight', ''])('refuses %j as a time of day, asking for HH:mm', (text) => {
    expect(() => checkTimeOfDay(text)).toThrow(/HH:mm/);
  });
});

describe('median', () => {
  it.each([
    [[], null],
    [[5], 5],
    [[3, 1, 2], 2],
    [[4, 1, 3, 2], 2.5],
    [[10, 10, 1000], 10],
  ])('of %j is %s', (values, expected) => {
    expect(median(values)).toBe(expected);
  });
});
