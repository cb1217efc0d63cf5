// The SIP sign-in list (services/sip/sip-csv.ts) on generated files: whatever the separator,
// quoting, BOM, header case, MAC form or damage, every data row is accounted for exactly once
// (accepted, rejected or duplicate), what is accepted is what a simple model expects, accepted
// HardwareIds are canonical and unique, and a file that cannot be read is refused with a
// DomainError, never anything else.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../../services/shared/errors.ts';
import { parseSipCsv } from '../../services/sip/sip-csv.ts';

const octets = fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 5, maxLength: 5 });
/** A unicast MAC's 12 hex digits (first octet even, not all zeros). */
const macDigits = fc.tuple(fc.integer({ min: 1, max: 127 }).map((n) => n * 2), octets).map(([first, rest]) => [first, ...rest].map((n) => n.toString(16).padStart(2, '0').toUpperCase()));
const writtenAs = (digits: string[], form: number) =>
  form === 0 ? digits.join('-') : form === 1 ? digits.join(':').toLowerCase() : form === 2 ? digits.join('') : `${digits.slice(0, 2).join('')}.${digits.slice(2, 4).join('')}.${digits.slice(4).join('')}`;

interface Entry {
  user: string;
  digits: string[];
  form: number;
  port: string | null;
  broken: boolean;
}

const entry: fc.Arbitrary<Entry> = fc.record({
  user: fc.stringMatching(/^[a-z][a-z0-9.-]{0,10}$/).map((local) => `${local}@contoso.com`),
  digits: macDigits,
  form: fc.integer({ min: 0, max: 3 }),
  port: fc.option(fc.integer({ min: 1, max: 999 }).map((n) => String(n).padStart(3, '0')), { freq: 4 }),
  broken: fc.integer({ min: 0, max: 9 }).map((n) => n < 2),
});

interface GeneratedFile {
  text: string;
  entries: Entry[];
}

const file: fc.Arbitrary<GeneratedFile> = fc
  .record({ entries: fc.array(entry, { minLength: 1, maxLength: 40 }), delimiter: fc.constantFrom(',', ';'), bom: fc.boolean(), quoted: fc.boolean(), crlf: fc.boolean(), upper: fc.boolean(), blankLines: fc.boolean() })
  .map(({ entries, delimiter, bom, quoted, crlf, upper, blankLines }) => {
    const cell = (value: string) => (quoted ? `"${value}"` : value);
    const header = [upper ? 'USERNAME' : 'Username', upper ? 'hardwareid' : 'HardwareId'].map(cell).join(delimiter);
    const rows = entries.map((row) => {
      const id = row.broken ? `${writtenAs(row.digits, row.form)}G` : `${writtenAs(row.digits, row.form)}${row.port ? `:${row.port}` : ''}`;
      return [row.user, id].map(cell).join(delimiter);
    });
    const eol = crlf ? '\r\n' : '\n';
    return { text: `${bom ? '\uFEFF' : ''}${header}${eol}${rows.join(blankLines ? `${eol}${eol}` : eol)}${eol}`, entries };
  });

/** What the list must accept: valid rows, the first of each device and of each user. */
function model(entries: Entry[]): { accepted: number; problems: number } {
  const devices = new Set<string>();
  const users = new Set<string>();
  let accepted = 0;
  for (const row of entries) {
    if (row.broken || row.port === '000') continue;
    const id = `${row.digits.join('-')}${row.port ? `:${row.port}` : ''}`;
    if (devices.has(id) || users.has(row.user)) continue;
    devices.add(id);
    users.add(row.user);
    accepted++;
  }
  return { accepted, problems: entries.length - accepted };
}

describe('the SIP sign-in list on generated files', () => {
  it('accepts what the model says, accounts for every row once, and keeps HardwareIds canonical and unique', () => {
    fc.assert(
      fc.property(file, ({ text, entries }) => {
        const result = parseSipCsv(text);
        const expected = model(entries);
        expect(result.rows).toHaveLength(expected.accepted);
        expect(result.rejected.length + result.duplicates.length).toBe(expected.problems);
        const lines = [...result.rows, ...result.rejected, ...result.duplicates].map((row) => row.line);
        expect(new Set(lines).size).toBe(entries.length);
        expect(new Set(result.rows.map((row) => row.hardwareId)).size).toBe(result.rows.length);
        for (const row of result.rows) expect(row.hardwareId).toMatch(/^([0-9A-F]{2}-){5}[0-9A-F]{2}(:\d{3})?$/);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses damaged or arbitrary input with a DomainError that says what to do, and nothing else', () => {
    const damaged = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 300 }),
      file.map(({ text }) => `${text}"unclosed,1A-2B-3C-D4-E5-F6\n`),
      file.map(({ text }) => text.replace(/^\uFEFF?[^\r\n]*/, 'Name,Phone')),
      fc.constantFrom('', '\n\n', 'Username,HardwareId\n', ' ;; \r\n'),
    );
    fc.assert(
      fc.property(damaged, (text) => {
        try {
          const result = parseSipCsv(text);
          for (const row of result.rejected) expect(row.reason.length).toBeGreaterThan(10);
        } catch (error) {
          expect(error).toBeInstanceOf(DomainError);
          expect((error as DomainError).code).toBe('invalid_input');
          expect((error as DomainError).message).toMatch(/\. [A-Z]|: /);
        }
      }),
      { numRuns: 300 },
    );
  });
});
