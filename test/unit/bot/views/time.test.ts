// Card times: the kept per-minute texts read exactly as formatting each instant would, across
// minutes, zones, daylight-saving changes and zones of whole-second offsets long ago.
import { describe, expect, it } from 'vitest';
import { formatTime } from '../../../../bot/views/time.ts';

/** What formatTime showed before it kept texts: formatToParts each time. */
function formattedEachTime(date: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone, weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZoneName: 'short' }).formatToParts(date);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((candidate) => candidate.type === type)?.value ?? '';
  return `${part('weekday')} ${part('day')} ${part('month')}, ${part('hour')}:${part('minute')} ${part('timeZoneName')}`;
}

const zones = ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kathmandu', 'Australia/Lord_Howe', 'Pacific/Chatham', 'America/St_Johns', 'Africa/Monrovia'];

describe('formatTime', () => {
  it('reads the same as formatting each instant, every second around minute and daylight-saving changes', () => {
    const around = [
      '2026-11-23T08:59:30Z',
      '2026-03-29T00:59:00Z', // Berlin springs forward at 01:00 UTC
      '2026-10-25T00:59:00Z', // Berlin falls back
      '2026-03-08T06:59:00Z', // New York springs forward at 07:00 UTC
      '2026-04-04T14:59:00Z', // Lord Howe's half-hour change
    ];
    for (const start of around) {
      for (let second = 0; second < 150; second += 7) {
        const date = new Date(Date.parse(start) + second * 1_000 + 321);
        for (const zone of zones) expect(formatTime(date, zone)).toBe(formattedEachTime(date, zone));
      }
    }
  });

  it('formats instants before 1973 each time (Monrovia was −0:44:30 until 1972)', () => {
    for (const iso of ['1960-05-01T10:00:10Z', '1960-05-01T10:00:40Z', '1972-01-01T00:44:29Z', '1972-01-01T00:44:31Z']) {
      const date = new Date(iso);
      expect(formatTime(date, 'Africa/Monrovia')).toBe(formattedEachTime(date, 'Africa/Monrovia'));
    }
    // Within one UTC minute, two local minutes: a per-minute text would be wrong here.
    expect(formatTime(new Date('1960-05-01T10:00:10Z'), 'Africa/Monrovia')).not.toBe(formatTime(new Date('1960-05-01T10:00:40Z'), 'Africa/Monrovia'));
  });

  it('refuses an invalid date as before', () => {
    expect(() => formatTime(new Date(Number.NaN), 'UTC')).toThrow(RangeError);
  });
});
