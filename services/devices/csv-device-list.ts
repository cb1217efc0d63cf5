// The device list an admin uploads (the Teams admin center's CSV, or one made in Excel)
// turned into rows ready for registration. Pure: text in, rows out. Problems with one row
// go into `rejected`/`duplicates` so one typo never sinks a 5,000-device import; only
// problems with the whole file throw.
import { Parser, type Options as CsvOptions } from 'csv-parse';
import { parse } from 'csv-parse/sync';
import { DomainError } from '../shared/errors.ts';
import { unfitTextReason } from '../shared/plain-text.ts';
import { parseMac, type MacAddress } from './mac-address.ts';
import { upnProblem } from './sign-in-plan.ts';

export const MAX_DEVICE_CSV_BYTES = 5 * 1024 * 1024;
export const MAX_DEVICE_CSV_ROWS = 50_000;
/**
 * Text lines a file may have beyond its device rows: blank lines and cells quoted over several
 * lines make a file longer than its row count, but not without bound. A file over the limit
 * is refused by counting line breaks, before csv-parse builds a record for every line (a
 * megabyte of empty lines would otherwise be a million records parsed to find no devices).
 */
const EXTRA_LINES_PER_ROW = 1;
const EXTRA_LINES = 1_000;
export const MAX_LOCATION_LENGTH = 100;
export const MAX_MODEL_LENGTH = 100;

export interface DeviceCsvLimits {
  maxBytes: number;
  maxRows: number;
}

export interface DeviceCsvRow {
  line: number;
  mac: MacAddress;
  location: string | null;
  model: string | null;
  /** The shared account planned for the device (an Account column), checked for form. */
  account?: string | null;
}

export interface DeviceCsvResult {
  rows: DeviceCsvRow[];
  rejected: { line: number; value: string; reason: string }[];
  duplicates: { line: number; mac: MacAddress; firstLine: number }[];
}

/** Header names as people write them; matched after lowercasing and dropping spaces, `_`, `-`, `.`. */
export const MAC_COLUMN_NAMES = ['MAC address', 'MAC ID', 'MAC', 'HardwareId'] as const;
const MAC_KEYS = new Set(MAC_COLUMN_NAMES.map(headerKey));
const LOCATION_KEY = headerKey('Location');
const MODEL_KEY = headerKey('Model');
const ACCOUNT_KEY = headerKey('Account');
const ACCEPTED_HEADERS = `${MAC_COLUMN_NAMES.join(', ')} (Location, Model and Account columns are optional)`;

const DEFAULT_LIMITS: DeviceCsvLimits = { maxBytes: MAX_DEVICE_CSV_BYTES, maxRows: MAX_DEVICE_CSV_ROWS };

// `line` is the row number a spreadsheet shows: header is 1, a blank line is a row, and a
// quoted field spanning several text lines is still one row. That is the record's index
// (blank lines are kept as records for this reason), which is also sturdier than csv-parse's
// `info.lines`: in 7.0.3 that counts one line too many after the first CRLF record.
export function parseDeviceCsv(input: string | Buffer, limits: DeviceCsvLimits = DEFAULT_LIMITS): DeviceCsvResult {
  const text = checkedText(input, limits);
  const steps = rowsOf(text, readRecords(withoutTrailingBlankLines(text)), limits);
  for (let step = steps.next(); ; step = steps.next()) if (step.done) return step.value;
}

/**
 * parseDeviceCsv without blocking the event loop: the same results and messages, but the text is
 * parsed in slices (csv-parse's own incremental parser, as its stream uses it) and the rows are
 * checked in batches, with a turn of the event loop between them. A 1 MB paste otherwise held
 * every other request for some 180 ms.
 */
export async function readDeviceCsv(input: string | Buffer, limits: DeviceCsvLimits = DEFAULT_LIMITS): Promise<DeviceCsvResult> {
  const text = checkedText(input, limits);
  const steps = rowsOf(text, await readRecordsInSlices(withoutTrailingBlankLines(text)), limits);
  for (let step = steps.next(); ; step = steps.next()) {
    if (step.done) return step.value;
    await nextTurn();
  }
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Rows checked between two turns of the event loop. */
const ROWS_PER_TURN = 2_000;
/** Bytes parsed between two turns of the event loop (cut after a line feed). */
const BYTES_PER_TURN = 64 * 1024;

function checkedText(input: string | Buffer, limits: DeviceCsvLimits): string {
  const size = typeof input === 'string' ? Buffer.byteLength(input, 'utf8') : input.length;
  if (size > limits.maxBytes) {
    throw invalid(
      `The file is ${formatBytes(size)} (${count(size)} bytes); the limit is ${formatBytes(limits.maxBytes)}. ` +
        'Split the device list into smaller files and upload each one.',
    );
  }

  const text = (typeof input === 'string' ? input : input.toString('utf8')).replace(/^\uFEFF/, '');
  const maxLines = maxLinesFor(limits.maxRows);
  const lines = countLinesUpTo(text, maxLines + 1);
  if (lines > maxLines) {
    throw invalid(
      `The file has more than ${count(maxLines)} lines; a device list of at most ${count(limits.maxRows)} rows needs no more. ` +
        'Remove the empty lines (Excel keeps rows you once used: delete them, or copy only the device rows into a new sheet), ' +
        `or split the file into files of at most ${count(limits.maxRows)} rows.`,
    );
  }
  return text;
}

/** The records judged row by row; yields every ROWS_PER_TURN rows (the caller may let the event loop turn). */
function* rowsOf(text: string, records: string[][], limits: DeviceCsvLimits): Generator<void, DeviceCsvResult, void> {
  const headerIndex = records.findIndex((record) => !isBlank(record));
  const header = records[headerIndex];
  if (header === undefined) {
    throw invalid(`The file is empty. Its first line must be a header naming the MAC column: ${ACCEPTED_HEADERS}.`);
  }
  const columns = locateColumns(header, headerIndex + 1);

  const data = records
    .map((record, index) => ({ record, line: index + 1 }))
    .slice(headerIndex + 1)
    .filter(({ record }) => !isBlank(record));
  if (data.length === 0) throw invalid(noDeviceRow(text, header));
  if (data.length > limits.maxRows) {
    throw invalid(
      `The file has ${count(data.length)} device rows; the limit is ${count(limits.maxRows)}. ` +
        `Split the file into files of at most ${count(limits.maxRows)} rows and upload each one.`,
    );
  }

  const result: DeviceCsvResult = { rows: [], rejected: [], duplicates: [] };
  const firstLineByMac = new Map<MacAddress, number>();
  let checked = 0;
  for (const { record, line } of data) {
    if (++checked % ROWS_PER_TURN === 0) yield;
    // relax_column_count lets short rows through; a missing cell is simply empty.
    const macCell = record[columns.mac] ?? '';
    const parsed = parseMac(macCell);
    if (!parsed.ok) {
      result.rejected.push({ line, value: macCell.trim(), reason: parsed.reason });
      continue;
    }
    const location = optionalCell(record, columns.location);
    const model = optionalCell(record, columns.model);
    const account = optionalCell(record, columns.account);
    const unfit = unfitTextReason(location, MAX_LOCATION_LENGTH, 'location') ?? unfitTextReason(model, MAX_MODEL_LENGTH, 'model') ?? (account === null ? null : upnProblem(account));
    if (unfit) {
      // `value` is always the MAC as written: it names the row, and matches registry.ts's own checks.
      result.rejected.push({ line, value: macCell.trim(), reason: unfit });
      continue;
    }
    // Only accepted rows count as "seen", so firstLine always points at a row that will register.
    const firstLine = firstLineByMac.get(parsed.mac);
    if (firstLine !== undefined) {
      result.duplicates.push({ line, mac: parsed.mac, firstLine });
      continue;
    }
    firstLineByMac.set(parsed.mac, line);
    result.rows.push({ line, mac: parsed.mac, location, model, ...(account === null ? {} : { account }) });
  }
  return result;
}

/**
 * The records of a CSV file read under the device import's rules (size and line limits, BOM,
 * `;` or `,`, quotes, blank rows kept so a record's index + 1 is its spreadsheet row), for other
 * lists that are imported the same way (the SIP Gateway sign-in list).
 */
export function readCsvRecords(input: string | Buffer, limits: DeviceCsvLimits = DEFAULT_LIMITS): string[][] {
  return readRecords(withoutTrailingBlankLines(checkedText(input, limits)));
}

/** Lines a file of `maxRows` device rows may have: its header, its rows, and the blank or continuation lines allowed around them. */
export function maxLinesFor(maxRows: number): number {
  return 1 + maxRows * (1 + EXTRA_LINES_PER_ROW) + EXTRA_LINES;
}

/**
 * Text lines, counted up to `stop` (then counting stops: the answer is only compared with a limit).
 * A line ends at LF, CRLF or a lone CR, as csv-parse's record delimiter detection allows, so the
 * larger of the two counts bounds what csv-parse will see. indexOf runs natively, so even a
 * 5 MB file is counted in a few milliseconds.
 */
function countLinesUpTo(text: string, stop: number): number {
  let feeds = 1;
  for (let at = text.indexOf('\n'); at !== -1 && feeds < stop; at = text.indexOf('\n', at + 1)) feeds++;
  let returns = 1;
  for (let at = text.indexOf('\r'); at !== -1 && returns < stop; at = text.indexOf('\r', at + 1)) returns++;
  return Math.max(feeds, returns);
}

/**
 * The text up to the end of its last line that holds anything but blanks and delimiters. Excel
 * saves the empty rows a sheet once used (",,"), often by the thousand at the end; csv-parse
 * builds an error object for every record shorter than the first (its relax_column_count
 * still records why), about 50 µs each, so 100,000 of them took 5 s. Rows at the end add no
 * device and move no line number, so they are dropped before parsing.
 */
function withoutTrailingBlankLines(text: string): string {
  let last = text.length - 1;
  while (last >= 0 && ' \t\r\n,;'.includes(text[last] ?? '')) last--;
  const lineEnd = text.slice(last + 1).search(/[\r\n]/);
  return lineEnd === -1 ? text : text.slice(0, last + 1 + lineEnd);
}

function csvOptions(text: string): CsvOptions {
  return {
    delimiter: detectDelimiter(text),
    relax_column_count: true, // a row with a missing or extra cell is judged row by row
    relax_quotes: true, // a stray `"` inside an unquoted location is kept, not fatal
    skip_empty_lines: false, // kept so record index = spreadsheet row; filtered by isBlank
  };
}

function readRecords(text: string): string[][] {
  try {
    return parse(text, csvOptions(text)) as string[][];
  } catch (error) {
    throw unreadable(error);
  }
}

/** csv-parse's incremental parser (what its sync and stream APIs both drive), not exported by name. */
interface IncrementalCsvParser {
  parse(chunk: Buffer | undefined, end: boolean, push: (record: string[]) => void, close: () => void): Error | undefined;
}

/**
 * The records of readRecords, parsed a slice at a time with a turn of the event loop between
 * slices. The same engine on the same bytes (sync parsing also encodes the text to UTF-8 first);
 * slices end after a line feed, so no character is split.
 */
async function readRecordsInSlices(text: string): Promise<string[][]> {
  const bytes = Buffer.from(text);
  const parser = (new Parser(csvOptions(text)) as unknown as { api: IncrementalCsvParser }).api;
  const records: string[][] = [];
  const push = (record: string[]) => void records.push(record);
  const close = () => {};
  let start = 0;
  while (start < bytes.length) {
    const feed = bytes.indexOf(0x0a, Math.min(start + BYTES_PER_TURN, bytes.length) - 1);
    const end = feed === -1 ? bytes.length : feed + 1;
    const error = parser.parse(bytes.subarray(start, end), false, push, close);
    if (error !== undefined) throw unreadable(error);
    start = end;
    if (start < bytes.length) await nextTurn();
  }
  const error = parser.parse(undefined, true, push, close);
  if (error !== undefined) throw unreadable(error);
  return records;
}

function unreadable(error: unknown): DomainError {
  {
    // `records` counts the rows read before the failure (blank ones included), so the next
    // row is the broken one, numbered like `line`. csv-parse's own `lines` points at the end
    // of the file for an unclosed quote, which sends the admin to the wrong place.
    const { code, records } = error as { code?: string; records?: number };
    const where = typeof records === 'number' ? ` at line ${records + 1}` : '';
    const what =
      code === 'CSV_QUOTE_NOT_CLOSED'
        ? 'a quoted field starting there is never closed. Add the closing quote (")'
        : `${(error as Error).message}. Fix that line`;
    return invalid(`The file could not be read as CSV${where}: ${what}, or re-save the file from Excel as CSV.`);
  }
}

/** The first line of a file, as a reply may quote it: blanks collapsed, at most `max` characters, in quotes. */
export function quoteFirstLine(text: string, max = 80): string {
  // Lone surrogates read as U+FFFD, as they do from UTF-8 bytes; control characters as blanks.
  const line = (/^.*\S.*$/m.exec(text)?.[0] ?? '')
    .replace(/[\uD800-\uDFFF]/gu, '\uFFFD')
    .replace(/[\s\u0000-\u001F\u007F]+/g, ' ')
    .trim();
  const cut = [...line].length > max ? `${[...line].slice(0, max - 1).join('').trimEnd()}…` : line;
  // Straight quotes inside would end the quote early; angle brackets would be eaten as HTML by Teams' markdown.
  return `"${cut.replace(/"/g, "'").replace(/</g, '‹').replace(/>/g, '›')}"`;
}

/**
 * A header and no device row: a header-only template, or a paste whose line breaks were lost
 * on the way (then the MACs sit on the header line itself).
 */
function noDeviceRow(text: string, header: string[]): string {
  const first = `The first line received: ${quoteFirstLine(text)}.`;
  const macsOnHeaderLine = header.flatMap((cell) => cell.split(/\s+/)).some((word) => parseMac(word).ok);
  if (macsOnHeaderLine) {
    return `No device row found: everything arrived as one line, so the line breaks were probably lost on the way. ${first} ` +
      'Send it again with each device on a line of its own (in Teams, Shift+Enter starts a new line), or attach the .csv file.';
  }
  return `No device row found: there is a header line and no device under it, so nothing was imported. ${first} ` +
    'Add one device per line under the header (MAC address,Location).';
}

/** Excel in many locales saves `;`: pick whichever of `;` and `,` the header line uses more. */
function detectDelimiter(text: string): ',' | ';' {
  const headerLine = /^.*\S.*$/m.exec(text)?.[0] ?? ''; // first non-blank line
  const outsideQuotes = headerLine.replace(/"[^"]*"/g, '');
  const semicolons = outsideQuotes.split(';').length - 1;
  const commas = outsideQuotes.split(',').length - 1;
  return semicolons > commas ? ';' : ',';
}

function locateColumns(header: string[], line: number): { mac: number; location: number; model: number; account: number } {
  const keys = header.map(headerKey);
  const mac = keys.findIndex((key) => MAC_KEYS.has(key));
  if (mac === -1) {
    // A header-less file is the commonest mistake: say so instead of just listing names.
    const looksLikeData = header.some((cell) => parseMac(cell).ok);
    throw invalid(
      (looksLikeData
        ? `Line ${line} looks like a device, not a header. Add a header line first that names the MAC column: `
        : `No MAC column in the header (line ${line}). Name the MAC column one of: `) + `${ACCEPTED_HEADERS}.`,
    );
  }
  return { mac, location: keys.indexOf(LOCATION_KEY), model: keys.indexOf(MODEL_KEY), account: keys.indexOf(ACCOUNT_KEY) };
}

export function headerKey(name: string): string {
  return name.trim().toLowerCase().replace(/[\s_\-.]+/g, '');
}

function optionalCell(record: string[], index: number): string | null {
  const value = index === -1 ? '' : (record[index] ?? '').trim();
  return value === '' ? null : value;
}

export function isBlank(record: string[]): boolean {
  return record.every((cell) => cell.trim() === '');
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}

function formatBytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1).replace(/\.0$/, '')} MB`;
}

function invalid(message: string): DomainError {
  return new DomainError('invalid_input', message);
}
