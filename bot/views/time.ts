// Times on cards are absolute and say their zone: a technician reads "valid until
// Mon 23 Nov, 09:00 UTC", never "in 23 hours" on a card that stays on screen.

// One formatter per time zone, kept: building an Intl.DateTimeFormat costs about a hundred
// times more than using one, and a status card formats a time per timeline entry (it was
// the largest cost of drawing the card in the chat benchmark). A tenant has one zone, so
// the map stays as small as the number of zones in use.
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      weekday: 'short',
      day: 'numeric',
      month: 'short',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
      timeZoneName: 'short',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/**
 * Formatted times, kept per zone and minute: a card shows minutes, and every UTC offset in use
 * since 1972 is a whole number of minutes (zone changes fall on whole minutes too), so every
 * instant of a UTC minute reads the same. Cards show the same few minutes again and again (a
 * device's events, written together); formatToParts costs a few µs each time. Bounded: cleared
 * when full. Older instants (local mean times of seconds, e.g. Monrovia's −0:44:30) are
 * formatted each time.
 */
const formattedMinutes = new Map<string, string>();
const maxFormattedMinutes = 4_096;
const wholeMinuteOffsetsSince = Date.UTC(1973, 0, 1);

export function formatTime(date: Date, timeZone = 'UTC'): string {
  const ms = date.getTime();
  // NaN (an invalid date) fails the comparison and throws below, as it always did.
  if (!(ms >= wholeMinuteOffsetsSince)) return formatted(date, timeZone);
  const key = `${Math.floor(ms / 60_000)} ${timeZone}`;
  let text = formattedMinutes.get(key);
  if (text === undefined) {
    text = formatted(date, timeZone);
    if (formattedMinutes.size >= maxFormattedMinutes) formattedMinutes.clear();
    formattedMinutes.set(key, text);
  }
  return text;
}

function formatted(date: Date, timeZone: string): string {
  const parts = formatterFor(timeZone).formatToParts(date);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((candidate) => candidate.type === type)?.value ?? '';
  return `${part('weekday')} ${part('day')} ${part('month')}, ${part('hour')}:${part('minute')} ${part('timeZoneName')}`;
}

/**
 * The moment as Adaptive Cards' date and time functions, which Teams turns into the reader's own
 * zone and locale ("Mon, Nov 23, 2026, 9:00 AM" in New York, "Mo., 23. Nov. 2026, 15:00" in
 * Berlin). Only a TextBlock's text is documented to support them. The functions take RFC 3339
 * to the second: milliseconds would leave the raw "{{DATE(…)}}" on screen.
 */
export function adaptiveCardTime(date: Date): string {
  const rfc3339 = date.toISOString().replace(/\.\d{3}Z$/, 'Z');
  return `{{DATE(${rfc3339}, SHORT)}}, {{TIME(${rfc3339})}}`;
}
