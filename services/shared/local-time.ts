// Local dates and clock times in an IANA time zone, read through Intl so that daylight saving
// time is the runtime's business, never ours: "08:00 in Europe/Berlin" is 06:00 UTC in summer
// and 07:00 UTC in winter without a line of offset arithmetic here.
import { DomainError } from './errors.ts';

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

export interface LocalMoment {
  /** The local date, YYYY-MM-DD. */
  day: string;
  /** The local wall-clock time, HH:mm (24 h). */
  time: string;
}

/** What a clock on the wall in `timeZone` shows at `date`. */
export function localMoment(date: Date, timeZone: string): LocalMoment {
  const parts = formatterFor(timeZone).formatToParts(date);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((candidate) => candidate.type === type)?.value ?? '';
  return { day: `${part('year')}-${part('month')}-${part('day')}`, time: `${part('hour')}:${part('minute')}` };
}

export const localDay = (date: Date, timeZone: string): string => localMoment(date, timeZone).day;

export function isTimeZone(timeZone: string): boolean {
  if (timeZone.trim() === '') return false;
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

export function checkTimeZone(timeZone: string): string {
  if (!isTimeZone(timeZone)) {
    throw new DomainError('invalid_input', `"${timeZone}" is not a time zone. Use an IANA time zone name such as Europe/Berlin or America/New_York.`);
  }
  return timeZone;
}

/** A time of day as "HH:mm" (00:00–23:59), e.g. the digest time. */
export function checkTimeOfDay(text: string): string {
  const match = /^(\d{1,2}):(\d{2})$/.exec(text.trim());
  const hours = Number(match?.[1]);
  const minutes = Number(match?.[2]);
  if (!match || hours > 23 || minutes > 59) {
    throw new DomainError('invalid_input', `"${text}" is not a time of day. Write it as HH:mm, e.g. 08:00.`);
  }
  return `${String(hours).padStart(2, '0')}:${match[2]}`;
}
