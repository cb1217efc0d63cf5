// Firmware versions compare numerically per dotted part ("58.15.0.124" < "58.15.0.1000"),
// never as strings. A version that does not parse is unknown: it is neither older nor newer.

export type ParsedVersion = readonly string[];

/**
 * The numeric parts of a dotted version ("v58.15.0.124" → ["58","15","0","124"]), each without
 * leading zeros; null when it is not one (letters, empty parts, a build suffix we cannot order).
 */
export function parseVersion(text: string | null | undefined): ParsedVersion | null {
  if (typeof text !== 'string') return null;
  const known = parsedVersions.get(text);
  if (known !== undefined) return known;
  const trimmed = text.trim().replace(/^v(?=\d)/i, '');
  const parsed = !/^\d+(\.\d+)*$/.test(trimmed) || trimmed.length > 100 ? null : Object.freeze(trimmed.split('.').map((part) => part.replace(/^0+(?=\d)/, '')));
  if (parsedVersions.size >= parsedVersionsKept) parsedVersions.clear();
  parsedVersions.set(text, parsed);
  return parsed;
}

/**
 * Versions parsed before, as parsed (frozen, so sharing them is safe). A fleet reports a few
 * hundred distinct versions, and the digest and the update planner compare each of thousands
 * of groups and devices against the catalog's: parsing the same strings again was half of the
 * digest's firmware line. Bounded: when full it starts over, so odd reports cannot grow it.
 */
const parsedVersions = new Map<string, ParsedVersion | null>();
const parsedVersionsKept = 10_000;

/** Compares two parts of any length without turning them into numbers (no precision limit). */
function compareParts(a: string, b: string): number {
  if (a.length !== b.length) return a.length < b.length ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** -1, 0 or 1; missing trailing parts count as 0 ("1.2" = "1.2.0"). */
export function compareParsed(a: ParsedVersion, b: ParsedVersion): number {
  const length = Math.max(a.length, b.length);
  for (let index = 0; index < length; index++) {
    const order = compareParts(a[index] ?? '0', b[index] ?? '0');
    if (order !== 0) return order;
  }
  return 0;
}

/** -1, 0 or 1, or null when either does not parse (unknown). */
export function compareVersions(a: string | null | undefined, b: string | null | undefined): -1 | 0 | 1 | null {
  const left = parseVersion(a);
  const right = parseVersion(b);
  if (!left || !right) return null;
  return compareParsed(left, right) as -1 | 0 | 1;
}

/** The canonical spelling of a parsed version ("058.15" → "58.15"), or null. */
export function canonicalVersion(text: string | null | undefined): string | null {
  return parseVersion(text)?.join('.') ?? null;
}
