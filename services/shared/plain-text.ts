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

function codePoint(char: string): string {
  return `U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
}
