// Keeps text that came from users literal through template expansion, so that a location
// called "${evil}" shows as typed and is never mistaken for a binding the template left
// unresolved.
//
// adaptivecards-templating evaluates the template once and does not re-evaluate the values it
// substitutes, so a user's "${x}" is already rendered literally. What goes wrong is the check
// that follows: an unresolved binding also leaves "${...}" in the output (the engine
// substitutes the expression text for a missing field or a failed evaluation), and the two
// look the same. So before expanding we shield every "$" in the view's strings behind a
// private-use escape, check the expanded card for "${" (any hit can only come from the
// template), then unshield. The escape is a prefix code, so every string round-trips exactly,
// including strings that already contain the escape character.

const ESC = '\uE000';
const ESCAPED_DOLLAR = `${ESC}\uE001`;
const ESCAPED_ESC = `${ESC}${ESC}`;

/** Deep copy of a view with every "$" in its strings replaced by an escape without a "$". */
export function shieldDollars<T>(value: T): T {
  return mapStrings(value, (s) => s.replace(/[$\uE000]/g, (c) => (c === '$' ? ESCAPED_DOLLAR : ESCAPED_ESC))) as T;
}

/** Reverses shieldDollars on an expanded card. */
export function unshieldDollars<T>(value: T): T {
  return mapStrings(value, (s) => s.replace(/\uE000([\uE000\uE001])/g, (_, c: string) => (c === ESC ? ESC : '$'))) as T;
}

/** Where a shielded, expanded card still holds "${" or a null: both mean a binding the view could not fill. */
export function findUnresolved(value: unknown, path = '$'): { path: string; found: string }[] {
  // Every card is checked and nearly every one is clean: look first, name the paths only when needed.
  return hasUnresolved(value) ? unresolvedPaths(value, path) : [];
}

function hasUnresolved(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('${');
  if (value === null) return true;
  if (Array.isArray(value)) return value.some(hasUnresolved);
  if (typeof value === 'object') {
    for (const key in value) if (Object.hasOwn(value, key) && hasUnresolved((value as Record<string, unknown>)[key])) return true;
  }
  return false;
}

function unresolvedPaths(value: unknown, path: string): { path: string; found: string }[] {
  if (typeof value === 'string') return value.includes('${') ? [{ path, found: value }] : [];
  if (value === null) return [{ path, found: 'null' }];
  if (Array.isArray(value)) return value.flatMap((item, i) => unresolvedPaths(item, `${path}[${i}]`));
  if (typeof value === 'object') {
    return Object.entries(value).flatMap(([key, item]) => unresolvedPaths(item, `${path}.${key}`));
  }
  return [];
}

/**
 * `value` with `f` applied to every string. A part in which no string changes is returned as it
 * is, not copied (most cards hold no "$" at all): nothing downstream changes a card in place.
 */
function mapStrings(value: unknown, f: (s: string) => string): unknown {
  if (typeof value === 'string') return f(value);
  if (Array.isArray(value)) {
    let changed = false;
    const mapped = value.map((item) => {
      const next = mapStrings(item, f);
      if (next !== item) changed = true;
      return next;
    });
    return changed ? mapped : value;
  }
  if (value !== null && typeof value === 'object') {
    let changed = false;
    const entries = Object.entries(value).map(([key, item]) => {
      const next = mapStrings(item, f);
      if (next !== item) changed = true;
      return [key, next] as const;
    });
    return changed ? Object.fromEntries(entries) : value;
  }
  return value;
}
