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

export function formatTime(date: Date, timeZone = 'UTC'): string {
  const parts = formatterFor(timeZone).formatToParts(date);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((candidate) => candidate.type === type)?.value ?? '';
  return `${part('weekday')} ${part('day')} ${part('month')}, ${part('hour')}:${part('minute')} ${part('timeZoneName')}`;
}
