// The CSV a technician opens in Excel to walk the rooms with verification codes. Pure: the
// entries and the zone come in, text goes out. Built for Excel specifically: BOM so accents
// survive, CRLF, and cells that cannot be turned into formulas (OWASP "CSV injection").
import { DomainError } from '../shared/errors.ts';
import { isTimeZone, localMoment } from '../shared/local-time.ts';

export interface CodeSheetEntry {
  mac: string;
  location: string | null;
  code: string;
  expiresAt: Date;
}

const BOM = '\uFEFF';
const CRLF = '\r\n';
// OWASP: a cell starting with one of these may be run as a formula by a spreadsheet. Excel
// opened with another list separator (";" in much of Europe, or a tab or "|" on import) splits a
// value into cells at that separator, so a trigger after one starts a formula too:
// `Lobby;=cmd|' /C calc'!A0` was a live formula with ";" as separator.
const FORMULA_START = /(^|[,;\t|])(?=\s*[=+\-@]|[\t\r])/g;
// Line breaks (and the other characters that end a line) would end the row in a chat's code
// block, or a markdown block around it; a space keeps the value on its line.
const LINE_BREAKS = /[\r\n\v\f\u0085\u2028\u2029]+/g;
// Numeric collation so "Room 2" comes before "Room 10"; a fixed locale keeps output stable.
// Made on first use: a process's first Intl object loads ICU's data (about 5 ms), which a
// start-up should not pay for a sheet nobody asked for yet.
let locationOrder: Intl.Collator | undefined;

export function buildCodeSheet(entries: readonly CodeSheetEntry[], timeZone: string): string {
  const formatLocal = localFormatter(timeZone);
  const header = ['MAC', 'Location', 'Code', 'Expires (UTC, ISO 8601)', `Expires (${timeZone} local)`];
  const rows = [...entries].sort(byLocationThenMac).map((entry) => [
    entry.mac,
    entry.location ?? '',
    entry.code,
    // Seconds are precise enough for a code valid hours (CODE_TTL_HOURS), and shorter to read in a cell.
    entry.expiresAt.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    formatLocal(entry.expiresAt),
  ]);
  return BOM + [header, ...rows].map((cells) => cells.map(escapeCsvCell).join(',') + CRLF).join('');
}

/**
 * One cell, safe to open and to show: line breaks become spaces, every formula start (at the
 * start, or after a separator Excel might split on) gets a `'` so it reads as text, and the cell
 * is always quoted (RFC 4180), so no line of the CSV starts with anything but `"`, a code fence
 * included.
 */
export function escapeCsvCell(value: string): string {
  const oneLine = value.replace(LINE_BREAKS, ' ');
  const safe = oneLine.replace(FORMULA_START, "$1'");
  return `"${safe.replaceAll('"', '""')}"`;
}

// Rooms without a location go last: the technician works through named rooms first.
function byLocationThenMac(a: CodeSheetEntry, b: CodeSheetEntry): number {
  if (a.location !== b.location) {
    if (a.location === null) return 1;
    if (b.location === null) return -1;
    const byLocation = (locationOrder ??= new Intl.Collator('en', { numeric: true, sensitivity: 'base' })).compare(a.location, b.location);
    if (byLocation !== 0) return byLocation;
  }
  return a.mac < b.mac ? -1 : a.mac > b.mac ? 1 : 0;
}

/** `YYYY-MM-DD HH:mm` (24 h) in the zone, refusing a name that is not an IANA time zone. */
function localFormatter(timeZone: string): (date: Date) => string {
  if (!isTimeZone(timeZone)) {
    throw new DomainError('invalid_input', `"${timeZone}" is not a time zone. Use an IANA time zone name such as Europe/Paris or America/New_York.`);
  }
  return (date) => {
    const { day, time } = localMoment(date, timeZone);
    return `${day} ${time}`;
  };
}
