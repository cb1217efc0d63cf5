// Text people give us (a location, a model) is stored and shown on cards. Some characters
// cannot make that trip: PostgreSQL refuses U+0000 in text (the whole write fails), SQLite
// silently cuts the text at it, and a lone UTF-16 surrogate (half an emoji, from a broken
// export) comes back as "\uFFFD". The other control characters are invisible on a card. None
// of them is ever meant, so such text is refused with the character named, never stored.

// C0 controls except tab, line feed and carriage return (a quoted CSV cell may span lines),
// and DEL. Lone surrogates are matched separately: in a /u regex a surrogate class only
// matches a half that has no partner.
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/** What is wrong with the text, in words ("a control character (U+0000)"), or null when it can be stored and shown as given. */
export function unsafeCharacterIn(text: string): string | null {
  const control = CONTROL.exec(text)?.[0];
  if (control !== undefined) return `an invisible control character (${codePoint(control)})`;
  const half = LONE_SURROGATE.exec(text)?.[0];
  if (half !== undefined) return `a broken character (${codePoint(half)}, half of an emoji or symbol)`;
  return null;
}

/** Why a location or model cannot be stored as written: a character no store keeps (see plain-text.ts), or its length. */
export function unfitTextReason(value: string | null, max: number, what: string): string | undefined {
  if (value === null) return undefined;
  const unsafe = unsafeCharacterIn(value);
  if (unsafe) return `${what} contains ${unsafe}; retype it`;
  // Bytes that are not UTF-8 (Excel's plain "CSV" is saved in the Windows code page, so "Égée"
  // arrives as one invalid byte per accent) are decoded as U+FFFD: storing that would turn the
  // admin's text into "�g�e" for good.
  if (value.includes('\uFFFD')) return `${what} contains a character that could not be read (U+FFFD): save the file as "CSV UTF-8" and import it again`;
  // Counted in characters (code points), as a person would, not UTF-16 units.
  if ([...value].length <= max) return undefined;
  return `${what} longer than ${max} characters`;
}

function codePoint(char: string): string {
  return `U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
}
