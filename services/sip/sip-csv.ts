// The SIP Gateway sign-in list an admin imports (`sip import`): `Username,HardwareId`, with
// optional Region, Location and Onboarded columns. Read under the device import's rules (the
// same reader: `;` or `,`, BOM, quotes, case-insensitive headers); judged row by row so one typo
// never sinks the list. Everything the gateway would refuse for the whole batch ("Duplicate
// devices found", "Input hardware-ID is of wrong format") is caught here, before anything is sent.
import { headerKey, isBlank, readCsvRecords, type DeviceCsvLimits } from '../devices/csv-device-list.ts';
import { DomainError } from '../shared/errors.ts';
import { parseHardwareId } from './hardware-id.ts';
import { parseRegion, regionChoices, type SipRegion } from './regions.ts';

export interface SipCsvRow {
  line: number;
  username: string;
  hardwareId: string;
  /** From the Region column; null: the location's or the tenant's default applies. */
  region: SipRegion | null;
  location: string | null;
  /** When the device was onboarded to the SIP Gateway (Onboarded column), if given. */
  onboardedAt: Date | null;
  /** True when the Onboarded column says the device was signed out instead (Signed out column). */
  signedOut: boolean;
}

export interface SipCsvProblem {
  line: number;
  value: string;
  reason: string;
}

export interface SipCsvResult {
  rows: SipCsvRow[];
  rejected: SipCsvProblem[];
  duplicates: (SipCsvProblem & { firstLine: number })[];
}

export const MAX_SIP_CSV_ROWS = 20_000;
const LIMITS: DeviceCsvLimits = { maxBytes: 5 * 1024 * 1024, maxRows: MAX_SIP_CSV_ROWS };
const MAX_UPN_LENGTH = 256;
const UPN = /^[^@\s,;"<>]+@[^@\s,;"<>]+\.[^@\s,;"<>]+$/;

const COLUMNS = {
  username: ['Username', 'User', 'UPN', 'UserPrincipalName', 'Account'],
  hardwareId: ['HardwareId', 'Hardware ID', 'MAC', 'MAC address'],
  region: ['Region'],
  location: ['Location'],
  onboarded: ['Onboarded', 'Onboarded at', 'Provisioned', 'Provisioned at'],
  signedOut: ['Signed out', 'Signed out at'],
} as const;

type Column = keyof typeof COLUMNS;
const keysOf = (names: readonly string[]) => new Set(names.map(headerKey));
const COLUMN_KEYS = Object.fromEntries(Object.entries(COLUMNS).map(([column, names]) => [column, keysOf(names)])) as Record<Column, Set<string>>;

export function parseSipCsv(input: string | Buffer, limits: DeviceCsvLimits = LIMITS): SipCsvResult {
  const records = readCsvRecords(input, limits);
  const headerIndex = records.findIndex((record) => !isBlank(record));
  const header = records[headerIndex];
  if (header === undefined) throw invalid('The file is empty. Its first line must be the header: Username,HardwareId (Region, Location and Onboarded are optional).');
  const at = locateColumns(header, headerIndex + 1);

  const data = records.map((record, index) => ({ record, line: index + 1 })).slice(headerIndex + 1).filter(({ record }) => !isBlank(record));
  if (data.length === 0) throw invalid('No account under the header: add one line per phone, e.g. lobby-phone1@contoso.com,1A-2B-3C-D4-E5-F6.');
  if (data.length > limits.maxRows) throw invalid(`The file has ${data.length} rows; the limit is ${limits.maxRows}. Split it and import each part.`);

  const result: SipCsvResult = { rows: [], rejected: [], duplicates: [] };
  const firstLineByHardwareId = new Map<string, number>();
  const firstLineByUser = new Map<string, number>();
  for (const { record, line } of data) {
    const cell = (column: Column) => (at[column] === -1 ? '' : (record[at[column]] ?? '').trim());
    const username = cell('username');
    const hardwareCell = cell('hardwareId');
    if (username === '') {
      result.rejected.push({ line, value: hardwareCell, reason: 'no Username: write the account\'s UPN, e.g. lobby-phone1@contoso.com' });
      continue;
    }
    if (username.length > MAX_UPN_LENGTH || !UPN.test(username)) {
      result.rejected.push({ line, value: username, reason: 'not a UPN: write the account as name@domain, e.g. lobby-phone1@contoso.com' });
      continue;
    }
    const hardware = parseHardwareId(hardwareCell);
    if (!hardware.ok) {
      result.rejected.push({ line, value: hardwareCell, reason: hardwareCell === '' ? 'no HardwareId: write the phone\'s MAC, e.g. 1A-2B-3C-D4-E5-F6' : `HardwareId ${hardware.reason}` });
      continue;
    }
    const regionCell = cell('region');
    const region = regionCell === '' ? null : parseRegion(regionCell);
    if (regionCell !== '' && region === null) {
      result.rejected.push({ line, value: regionCell, reason: `Region must be one of ${regionChoices}` });
      continue;
    }
    const onboardedCell = cell('onboarded');
    const signedOutCell = cell('signedOut');
    const timeCell = signedOutCell !== '' ? signedOutCell : onboardedCell;
    const onboardedAt = timeCell === '' ? null : parseTime(timeCell);
    if (timeCell !== '' && onboardedAt === null) {
      result.rejected.push({ line, value: timeCell, reason: 'the onboarding time is not a date: write it as 2026-12-07 09:30 (UTC) or 2026-12-07T09:30:00+01:00' });
      continue;
    }
    const hardwareId = hardware.hardwareId;
    const firstDevice = firstLineByHardwareId.get(hardwareId);
    if (firstDevice !== undefined) {
      result.duplicates.push({ line, value: hardwareId, firstLine: firstDevice, reason: `the same HardwareId as line ${firstDevice} (the gateway would refuse the batch: "Duplicate devices found")` });
      continue;
    }
    const userKey = username.toLowerCase();
    const firstUser = firstLineByUser.get(userKey);
    if (firstUser !== undefined) {
      result.duplicates.push({ line, value: username, firstLine: firstUser, reason: `the same user as line ${firstUser}: one account signs in on one device` });
      continue;
    }
    firstLineByHardwareId.set(hardwareId, line);
    firstLineByUser.set(userKey, line);
    const location = cell('location');
    result.rows.push({ line, username, hardwareId, region, location: location === '' ? null : location, onboardedAt, signedOut: signedOutCell !== '' });
  }
  return result;
}

function locateColumns(header: string[], line: number): Record<Column, number> {
  const keys = header.map(headerKey);
  const at = Object.fromEntries((Object.keys(COLUMNS) as Column[]).map((column) => [column, keys.findIndex((key) => COLUMN_KEYS[column].has(key))])) as Record<Column, number>;
  const missing = (['username', 'hardwareId'] as const).filter((column) => at[column] === -1).map((column) => COLUMNS[column][0]);
  if (missing.length > 0) {
    throw invalid(`No ${missing.join(' and ')} column in the header (line ${line}). The first line must be: Username,HardwareId (Region, Location and Onboarded are optional).`);
  }
  return at;
}

/** "2026-12-07 09:30" (UTC), or ISO 8601 with a zone. */
function parseTime(text: string): Date | null {
  const local = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2})(:\d{2})?$/.exec(text);
  const iso = local ? `${local[1]}T${local[2]}${local[3] ?? ':00'}Z` : text;
  if (!/^\d{4}-\d{2}-\d{2}T/.test(iso)) return null;
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? null : date;
}

function invalid(message: string): DomainError {
  return new DomainError('invalid_input', message);
}
