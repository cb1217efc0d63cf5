// Generated device lists, written the way spreadsheets write CSV (header first, `,` or `;`,
// LF or CRLF, an optional BOM, quotes only where a cell needs them, blank lines and short rows
// here and there), with rows a person really produces: good MACs in every notation, the same
// device twice, typos, empty cells, over-long locations. Each file comes with its data rows so
// a test can say what the parser must make of them without parsing the file itself.
import fc from 'fast-check';
import { expect } from 'vitest';
import { MAC_COLUMN_NAMES, MAX_LOCATION_LENGTH, MAX_MODEL_LENGTH, type DeviceCsvResult } from '../../services/devices/csv-device-list.ts';
import { parseMac } from '../../services/devices/mac-address.ts';

type Column = 'mac' | 'location' | 'model' | 'notes';

export interface GeneratedCsv {
  text: string;
  /** The non-blank rows after the header, each with the line a spreadsheet shows and its cells by column. */
  dataRows: { line: number; cells: Partial<Record<Column, string>> }[];
}

const hex2 = (octet: number) => octet.toString(16).padStart(2, '0');

/** A unicast, non-zero MAC from a small pool (so duplicates are common), written in an accepted notation. */
const goodMac = fc
  .record({ device: fc.integer({ min: 1, max: 12 }), notation: fc.constantFrom('-', ':', '.', ''), lower: fc.boolean() })
  .map(({ device, notation, lower }) => {
    const digits = ['00', '04', 'f2', '00', '00', hex2(device)].join('');
    const written = notation === '.' ? digits.match(/..../g)!.join('.') : digits.match(/../g)!.join(notation);
    return lower ? written.toLowerCase() : written.toUpperCase();
  });

/** What a typo, a stray cell or a mis-pasted column looks like in the MAC column. */
const badMac = fc.oneof(
  fc.constantFrom('', ' ', 'FF-FF-FF-FF-FF-FF', '01-00-5E-00-00-FB', '00-00-00-00-00-00', '00-04-F2-81-24', '00-04-F2-81-24-B3-00', '00:04-F2:81-24:B3', 'phone 12', '"'),
  fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEFxyz-:.;," '.split('')), maxLength: 20 }),
);

/**
 * Free text as people type it into a location or model: accents, emoji, quotes, delimiters,
 * line breaks, sometimes too long; and, rarely, what broken exports leave behind: control
 * characters (U+0000 included) and half an emoji.
 */
export const freeText = fc.oneof(
  { weight: 8, arbitrary: fc.string({ unit: fc.constantFrom(...'abc XYZ-'.split(''), 'é', '😀', ',', ';', '"', '\n', '\r\n', '$', '{', '}'), maxLength: 30 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
  { weight: 2, arbitrary: fc.string({ unit: fc.constantFrom('a', ' ', '\u0000', '\u0000', '\u0007', '\u001b', '\u007f', '\t', '\uD800', '\uDFFF'), minLength: 1, maxLength: 6 }) },
  { weight: 2, arbitrary: fc.integer({ min: 95, max: 110 }).map((length) => 'é'.repeat(length)) },
);

/** The control characters no store keeps (the rule of services/shared/plain-text.ts, written out again here). */
const unstorable = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

const headerName: Record<Column, fc.Arbitrary<string>> = {
  mac: fc.constantFrom(...MAC_COLUMN_NAMES, 'mac address', 'Mac-Address', 'MAC_ID', 'hardware id'),
  location: fc.constantFrom('Location', 'location', 'LOCATION'),
  model: fc.constantFrom('Model', 'model'),
  notes: fc.constantFrom('Notes', 'Serial number'),
};

/** A cell as a spreadsheet writes it: quoted only when it holds a delimiter, a quote or a line break. */
function writeCell(value: string): string {
  return /[",;\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

const row = fc.record({
  mac: fc.oneof({ weight: 3, arbitrary: goodMac }, { weight: 1, arbitrary: badMac }),
  location: freeText,
  model: freeText,
  notes: freeText,
  /** How many cells the row has: short rows happen when trailing cells are empty. */
  keep: fc.integer({ min: 1, max: 4 }),
});

const blankLine = fc.constantFrom('', '   ', ',', ';;', ' ; ');

export const nearValidCsv: fc.Arbitrary<GeneratedCsv> = fc
  .record({
    columns: fc.shuffledSubarray<Column>(['location', 'model', 'notes']).chain((others) =>
      fc.integer({ min: 0, max: others.length }).map((at): Column[] => [...others.slice(0, at), 'mac', ...others.slice(at)]),
    ),
    names: fc.record(headerName),
    delimiter: fc.constantFrom(',', ';'),
    eol: fc.constantFrom('\n', '\r\n'),
    bom: fc.boolean(),
    leadingBlankLines: fc.integer({ min: 0, max: 2 }),
    lines: fc.array(fc.oneof({ weight: 5, arbitrary: row }, { weight: 1, arbitrary: blankLine }), { maxLength: 25 }),
    trailingEol: fc.boolean(),
  })
  .map(({ columns, names, delimiter: wanted, eol, bom, leadingBlankLines, lines, trailingEol }) => {
    // With a single column the header has no delimiter to detect, so the parser reads ','.
    const delimiter = columns.length === 1 ? ',' : wanted;
    const written: string[] = Array.from({ length: leadingBlankLines }, () => '');
    written.push(columns.map((column) => writeCell(names[column])).join(delimiter));
    const dataRows: GeneratedCsv['dataRows'] = [];
    for (const line of lines) {
      if (typeof line === 'string') {
        // A blank line; with this file's delimiter, as Excel writes an empty row.
        written.push(line.replace(/[,;]/g, delimiter));
        continue;
      }
      const kept = columns.slice(0, Math.min(line.keep, columns.length));
      const cells = Object.fromEntries(kept.map((column) => [column, line[column]])) as Partial<Record<Column, string>>;
      written.push(kept.map((column) => writeCell(line[column])).join(delimiter));
      // Every cell empty after trimming: the parser skips it as blank (it still counts as a line).
      if (Object.values(cells).some((value) => value.trim() !== '')) dataRows.push({ line: written.length, cells });
    }
    const text = (bom ? '\uFEFF' : '') + written.join(eol) + (trailingEol ? eol : '');
    return { text, dataRows };
  });

/** What the parser must make of a generated file: the rules of csv-device-list.ts, applied row by row. */
export function expectedOutcome(generated: GeneratedCsv): DeviceCsvResult {
  const result: DeviceCsvResult = { rows: [], rejected: [], duplicates: [] };
  const firstLine = new Map<string, number>();
  // csv-parse reads through UTF-8, so half an emoji arrives as U+FFFD, as it would from a file.
  const optional = (value: string | undefined) => (value === undefined || value.trim() === '' ? null : value.trim().replace(/[\uD800-\uDFFF]/gu, '\uFFFD'));
  for (const { line, cells } of generated.dataRows) {
    const macCell = cells.mac ?? '';
    const parsed = parseMac(macCell);
    if (!parsed.ok) {
      result.rejected.push({ line, value: macCell.trim(), reason: parsed.reason });
      continue;
    }
    const location = optional(cells.location);
    const model = optional(cells.model);
    const unfit = (value: string | null, max: number, what: string) => {
      if (value === null) return null;
      if (unstorable.test(value)) return expect.stringMatching(new RegExp(`^${what} contains .*U\\+[0-9A-F]{4}.*; retype it$`));
      if (value.includes('\uFFFD')) return expect.stringMatching(new RegExp(`^${what} contains a character that could not be read \\(U\\+FFFD\\)`));
      return [...value].length > max ? `${what} longer than ${max} characters` : null;
    };
    const reason = unfit(location, MAX_LOCATION_LENGTH, 'location') ?? unfit(model, MAX_MODEL_LENGTH, 'model');
    if (reason !== null) {
      result.rejected.push({ line, value: macCell.trim(), reason });
      continue;
    }
    const first = firstLine.get(parsed.mac);
    if (first !== undefined) {
      result.duplicates.push({ line, mac: parsed.mac, firstLine: first });
      continue;
    }
    firstLine.set(parsed.mac, line);
    result.rows.push({ line, mac: parsed.mac, location, model });
  }
  return result;
}
