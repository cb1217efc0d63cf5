// Properties of the CSV device list over generated files: whatever bytes arrive, the parser
// either answers or refuses the whole file with a coded DomainError; and for device lists
// written the way spreadsheets write them, every data row is accounted for exactly once, at
// the line a spreadsheet shows. Named cases live in test/unit/services/devices/csv-device-list.test.ts.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAC_COLUMN_NAMES, MAX_LOCATION_LENGTH, MAX_MODEL_LENGTH, parseDeviceCsv, type DeviceCsvResult } from '../../services/devices/csv-device-list.ts';
import { parseMac } from '../../services/devices/mac-address.ts';
import { DomainError } from '../../services/shared/errors.ts';
import { nearValidCsv, expectedOutcome, type GeneratedCsv } from './csv-generators.ts';

/** Runs the parser; a refusal must be a DomainError with a code and a sentence, nothing else. */
function parseOrRefusal(input: string | Buffer, limits?: { maxBytes: number; maxRows: number }): DeviceCsvResult | DomainError {
  try {
    return parseDeviceCsv(input, limits);
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe('invalid_input');
    expect((error as DomainError).message.trim().length).toBeGreaterThan(10);
    return error as DomainError;
  }
}

/** What holds for any answer: one outcome per line, canonical MACs, limits on text kept. */
function expectConsistent(result: DeviceCsvResult): void {
  const lines = [...result.rows.map((row) => row.line), ...result.rejected.map((row) => row.line), ...result.duplicates.map((row) => row.line)];
  expect(new Set(lines).size).toBe(lines.length);
  for (const line of lines) expect(line).toBeGreaterThanOrEqual(2); // line 1 at the earliest is the header
  const macs = new Set<string>();
  for (const row of result.rows) {
    expect(parseMac(row.mac)).toEqual({ ok: true, mac: row.mac });
    expect(macs.has(row.mac)).toBe(false);
    macs.add(row.mac);
    if (row.location !== null) expect([...row.location].length).toBeLessThanOrEqual(MAX_LOCATION_LENGTH);
    if (row.model !== null) expect([...row.model].length).toBeLessThanOrEqual(MAX_MODEL_LENGTH);
  }
  for (const duplicate of result.duplicates) {
    const first = result.rows.find((row) => row.mac === duplicate.mac);
    expect(first?.line).toBe(duplicate.firstLine);
    expect(duplicate.firstLine).toBeLessThan(duplicate.line);
  }
  for (const rejected of result.rejected) expect(rejected.reason.trim()).not.toBe('');
}

/** A near-valid file with a few characters deleted, inserted or swapped: what a hand-edited CSV looks like. */
const mangledCsv = fc
  .tuple(
    nearValidCsv,
    fc.array(fc.record({ at: fc.nat(), remove: fc.nat({ max: 3 }), insert: fc.constantFrom('', '"', ',', ';', '\n', '\r', '\u0000', 'é', '\uD800', ' ') }), { maxLength: 4 }),
  )
  .map(([generated, edits]) => {
    let text = generated.text;
    for (const edit of edits) {
      const at = text.length === 0 ? 0 : edit.at % text.length;
      text = text.slice(0, at) + edit.insert + text.slice(at + edit.remove);
    }
    return text;
  });

const anyInput = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes)),
  mangledCsv,
  mangledCsv.map((text) => Buffer.from(text, 'utf8')),
);

describe('parseDeviceCsv on generated input', () => {
  it('answers any bytes or text with rows, or refuses the whole file with a coded error (never anything else)', () => {
    fc.assert(
      fc.property(anyInput, (input) => {
        const result = parseOrRefusal(input);
        if (!(result instanceof DomainError)) expectConsistent(result);
      }),
      { numRuns: 1500 },
    );
  });

  it('refuses with a coded error, never a crash, whatever the limits', () => {
    const limits = fc.record({ maxBytes: fc.integer({ min: 0, max: 3000 }), maxRows: fc.integer({ min: 0, max: 12 }) });
    fc.assert(
      fc.property(fc.oneof(nearValidCsv.map((generated) => generated.text), anyInput), limits, (input, chosen) => {
        const result = parseOrRefusal(input, chosen);
        if (result instanceof DomainError) return;
        expectConsistent(result);
        const size = typeof input === 'string' ? Buffer.byteLength(input) : input.length;
        expect(size).toBeLessThanOrEqual(chosen.maxBytes);
        expect(result.rows.length + result.rejected.length + result.duplicates.length).toBeLessThanOrEqual(chosen.maxRows);
      }),
      { numRuns: 800 },
    );
  });

  it('accounts for every data row of a spreadsheet-written device list once: accepted, rejected or duplicate, at its spreadsheet line', () => {
    fc.assert(
      fc.property(nearValidCsv, (generated: GeneratedCsv) => {
        const result = parseOrRefusal(generated.text);
        if (generated.dataRows.length === 0) {
          // A header and no device row is refused, saying so (an import of nothing is no success).
          expect(result).toBeInstanceOf(DomainError);
          expect((result as DomainError).message).toMatch(/^No device row found/);
          return;
        }
        expect(result).not.toBeInstanceOf(DomainError);
        const parsed = result as DeviceCsvResult;
        expectConsistent(parsed);
        expect(parsed.rows.length + parsed.rejected.length + parsed.duplicates.length).toBe(generated.dataRows.length);
        expect(parsed).toEqual(expectedOutcome(generated));
      }),
      { numRuns: 600 },
    );
  });

  it('reads the same file the same way as text and as UTF-8 bytes', () => {
    fc.assert(
      fc.property(fc.oneof(nearValidCsv.map((generated) => generated.text), mangledCsv), (text) => {
        const fromText = parseOrRefusal(text);
        const fromBytes = parseOrRefusal(Buffer.from(text, 'utf8'));
        if (fromText instanceof DomainError || fromBytes instanceof DomainError) {
          expect(fromBytes instanceof DomainError && fromText instanceof DomainError && fromBytes.message === fromText.message).toBe(true);
        } else if (!/[\uD800-\uDFFF]/u.test(text)) {
          // Lone surrogates cannot survive UTF-8; every other string must read identically.
          expect(fromBytes).toEqual(fromText);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('finds the MAC column under every accepted header name', () => {
    fc.assert(
      fc.property(fc.constantFrom(...MAC_COLUMN_NAMES), fc.constantFrom('', ' ', '_', '-', '.'), fc.boolean(), (name, joiner, upper) => {
        const header = (upper ? name.toUpperCase() : name.toLowerCase()).replace(/ /g, joiner);
        const result = parseOrRefusal(`${header},Location\r\n00-04-F2-81-24-B3,Lobby\r\n`);
        expect(result).toEqual({ rows: [{ line: 2, mac: '00-04-F2-81-24-B3', location: 'Lobby', model: null }], rejected: [], duplicates: [] });
      }),
    );
  });
});
