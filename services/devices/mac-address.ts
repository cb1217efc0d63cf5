// MAC addresses as admins paste them (from the admin center, a switch, a sticker, Excel)
// turned into the one canonical form the registry keys devices by: `00-04-F2-81-24-B3`.
// Pure: no I/O. Every rejection says what is wrong in words a person can act on.

/** Canonical MAC: six uppercase hex octets joined by dashes. A plain alias (not branded) so
 * callers and tests can pass stored strings without casts; only parseMac produces new ones. */
export type MacAddress = string;

export type MacParseResult = { ok: true; mac: MacAddress } | { ok: false; reason: string };

const HEX = /^[0-9A-Fa-f]$/;
const SEPARATORS = ['-', ':', '.'] as const;
// Where separators may sit, per separator: IEEE (`-`), Unix (`:`) and Cisco dotted (`.`).
// Anything else (e.g. `0004-F281-24B3`, `0:4:f2:…`) is rejected rather than guessed at.
const LAYOUTS: Record<(typeof SEPARATORS)[number], RegExp> = {
  '-': /^[0-9A-Fa-f]{2}(?:-[0-9A-Fa-f]{2}){5}$/,
  ':': /^[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5}$/,
  '.': /^[0-9A-Fa-f]{4}(?:\.[0-9A-Fa-f]{4}){2}$/,
};
const ACCEPTED_FORMS = '00-04-F2-81-24-B3, 00:04:F2:81:24:B3, 0004.F281.24B3 or 0004F28124B3';

export function parseMac(raw: string): MacParseResult {
  const text = unwrap(raw);
  if (text === '') return reject('empty');

  // The first character that is neither hex nor a separator decides the message, so a
  // stray `,` or `;` left over from a spreadsheet is named instead of miscounted.
  for (const char of text) {
    if (!HEX.test(char) && !(SEPARATORS as readonly string[]).includes(char)) {
      return reject(`contains ${describeChar(char)}, which is not a hex digit (0-9, A-F)`);
    }
  }

  const used = SEPARATORS.filter((separator) => text.includes(separator));
  if (used.length > 1) {
    return reject(`mixes separators ${used.map((s) => `'${s}'`).join(' and ')}; use one kind throughout`);
  }

  const digits = text.replace(/[-:.]/g, '').toUpperCase();
  if (digits.length !== 12) {
    return reject(`${digits.length} hex digit${digits.length === 1 ? '' : 's'} found, 12 expected`);
  }

  const separator = used[0];
  if (separator !== undefined && !LAYOUTS[separator].test(text)) {
    return reject(`separators in the wrong places; write it as ${ACCEPTED_FORMS}`);
  }

  if (digits === '000000000000') return reject('all zeros, not a device address');
  // Broadcast is checked before multicast: FF is odd too, and "broadcast" is the clearer word.
  if (digits === 'FFFFFFFFFFFF') return reject('the broadcast address (FF-FF-FF-FF-FF-FF), not a device');
  const firstOctet = digits.slice(0, 2);
  if (parseInt(firstOctet, 16) % 2 === 1) {
    return reject(`a multicast address, not a device (its first octet ${firstOctet} is odd)`);
  }

  return { ok: true, mac: digits.match(/../g)!.join('-') };
}

/** Surrounding whitespace and one pair of matching quotes are what copy-paste adds; strip them only. */
function unwrap(raw: string): string {
  const trimmed = raw.trim();
  const quoted = trimmed.length >= 2 && (trimmed[0] === '"' || trimmed[0] === "'") && trimmed.at(-1) === trimmed[0];
  return quoted ? trimmed.slice(1, -1).trim() : trimmed;
}

function describeChar(char: string): string {
  if (char === ' ' || char === '\u00A0') return 'a space';
  if (char === '\t') return 'a tab';
  if (char === '\r' || char === '\n') return 'a line break';
  return `'${char}'`;
}

function reject(reason: string): MacParseResult {
  return { ok: false, reason };
}
