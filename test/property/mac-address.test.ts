// Properties of the MAC parser over generated input: whatever an admin pastes, parseMac answers
// (never throws), and every address written in an accepted notation comes back in the one
// canonical form. The table of named cases lives in test/unit/services/devices/mac-address.test.ts.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseMac } from '../../services/devices/mac-address.ts';

const canonical = /^[0-9A-F]{2}(-[0-9A-F]{2}){5}$/;

/** Text that looks like a MAC often enough to reach every branch: hex, separators, blanks, quotes, and the odd stray. */
const macLike = fc.string({
  unit: fc.constantFrom(...'0123456789abcdefABCDEF-:.'.split(''), ' ', '\t', '\n', '\u00A0', '"', "'", ',', ';', 'G', 'z', '\u0000', '\uD800', '😀'),
  maxLength: 24,
});

/** Anything at all: every code point, lone surrogates included (JSON can carry them). */
const anyText = fc.oneof(fc.string({ unit: 'binary', maxLength: 40 }), macLike, fc.string({ maxLength: 40 }));

/** Six octets of a device address: unicast (first octet even) and not all zeros. */
const deviceOctets = fc
  .array(fc.integer({ min: 0, max: 255 }), { minLength: 6, maxLength: 6 })
  .map((octets) => [(octets[0] ?? 0) & 0xfe, ...octets.slice(1)])
  .filter((octets) => octets.some((octet) => octet !== 0));

const hex2 = (octet: number) => octet.toString(16).padStart(2, '0');
const canonicalOf = (octets: number[]) => octets.map(hex2).join('-').toUpperCase();

/** The address in one of the accepted notations, each letter's case chosen at random, with copy-paste debris around it. */
const writtenMac = fc
  .record({
    octets: deviceOctets,
    notation: fc.constantFrom('dashes', 'colons', 'cisco', 'bare'),
    upper: fc.array(fc.boolean(), { minLength: 17, maxLength: 17 }),
    before: fc.string({ unit: fc.constantFrom(' ', '\t', '\n', '\r', '\u00A0'), maxLength: 3 }),
    after: fc.string({ unit: fc.constantFrom(' ', '\t', '\n', '\r', '\u00A0'), maxLength: 3 }),
    quote: fc.constantFrom('', '"', "'"),
  })
  .map(({ octets, notation, upper, before, after, quote }) => {
    const digits = octets.map(hex2).join('');
    const laidOut =
      notation === 'dashes'
        ? digits.match(/../g)!.join('-')
        : notation === 'colons'
          ? digits.match(/../g)!.join(':')
          : notation === 'cisco'
            ? digits.match(/..../g)!.join('.')
            : digits;
    const cased = [...laidOut].map((char, index) => (upper[index] ? char.toUpperCase() : char.toLowerCase())).join('');
    return { raw: `${before}${quote}${cased}${quote}${after}`, expected: canonicalOf(octets) };
  });

describe('parseMac on generated input', () => {
  it('never throws, and answers either a canonical MAC or a reason in words', () => {
    fc.assert(
      fc.property(anyText, (raw) => {
        const result = parseMac(raw);
        if (result.ok) {
          expect(Object.keys(result).sort()).toEqual(['mac', 'ok']);
          expect(result.mac).toMatch(canonical);
        } else {
          expect(Object.keys(result).sort()).toEqual(['ok', 'reason']);
          expect(result.reason.trim().length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('reads every device address in every accepted notation, any case, with blanks and quotes around it, as its canonical form', () => {
    fc.assert(
      fc.property(writtenMac, ({ raw, expected }) => {
        expect(parseMac(raw)).toEqual({ ok: true, mac: expected });
      }),
      { numRuns: 2000 },
    );
  });

  it('accepts its own output unchanged (canonical form is a fixed point)', () => {
    fc.assert(
      fc.property(fc.oneof(writtenMac.map((written) => written.raw), anyText), (raw) => {
        const first = parseMac(raw);
        if (first.ok) expect(parseMac(first.mac)).toEqual(first);
      }),
      { numRuns: 2000 },
    );
  });

  it('never invents or drops a digit: an accepted MAC has exactly the hex digits that were typed, in order', () => {
    fc.assert(
      fc.property(fc.oneof(writtenMac.map((written) => written.raw), macLike), (raw) => {
        const result = parseMac(raw);
        if (!result.ok) return;
        const typedDigits = raw.replace(/[^0-9A-Fa-f]/g, '').toUpperCase();
        expect(result.mac.replace(/-/g, '')).toBe(typedDigits);
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses every multicast address (odd first octet), naming the reason', () => {
    fc.assert(
      fc.property(deviceOctets, fc.constantFrom('-', ':'), (octets, separator) => {
        const multicast = [(octets[0] ?? 0) | 1, ...octets.slice(1)];
        const result = parseMac(multicast.map(hex2).join(separator));
        expect(result.ok).toBe(false);
        if (!result.ok) expect(result.reason).toMatch(/multicast|broadcast/);
      }),
      { numRuns: 500 },
    );
  });
});
