// Text that mixes alphabets within one word is how look-alike names are made: "Роly" with a
// Cyrillic "Р" and "о" reads as "Poly" but is not. Cards flag such text that a device
// reported, so an admin does not trust a name because it looks familiar.

// Scripts whose letters are commonly confused with Latin ones, plus the large ones a real
// device or account name could use. Letters outside the list count as "other".
const scripts = ['Latin', 'Cyrillic', 'Greek', 'Armenian', 'Cherokee', 'Coptic', 'Georgian', 'Han', 'Hiragana', 'Katakana', 'Hangul', 'Arabic', 'Hebrew', 'Thai', 'Devanagari'] as const;
const patterns = scripts.map((name) => [name, new RegExp(`\\p{Script=${name}}`, 'u')] as const);
// Letters shared by every script (the Japanese long-vowel mark, combining accents) side with none.
const letter = /(?![\p{Script=Common}\p{Script=Inherited}])\p{L}/u;

function scriptOf(char: string): string {
  return patterns.find(([, pattern]) => pattern.test(char))?.[0] ?? 'other';
}

/**
 * The scripts a word of the text mixes (["Latin", "Cyrillic"]), or null when every word keeps
 * to one. Words are judged separately: "Lobby Лобби" is two honest names; "Lоbby" is not.
 * Japanese mixes Han, Hiragana and Katakana by nature, so those three count as one.
 */
export function mixedScripts(text: string): string[] | null {
  const found = new Set<string>();
  for (const word of text.split(/[\s@._\-+/(),]+/)) {
    const inWord = new Set<string>();
    for (const char of word) {
      if (!letter.test(char)) continue;
      const script = scriptOf(char);
      inWord.add(script === 'Hiragana' || script === 'Katakana' ? 'Han' : script);
    }
    if (inWord.size > 1) inWord.forEach((script) => found.add(script));
  }
  return found.size > 1 ? [...found] : null;
}
