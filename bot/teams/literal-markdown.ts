// Teams draws a TextBlock's text and a fact's title and value as markdown. Much of what cards
// show came from people or devices (locations, problem notes, the echo of a mistyped command,
// a device's model), and "[click](https://evil.example)" must show as typed, never as a link.
//
// Why escape every text of a card here rather than mark user text in the views: no card of the
// bot means markdown (its emphasis is the card's own weight, size and colour, never **), so
// escaping all of them cannot lose anything, and it cannot be forgotten for the next field a
// view adds. Escaping the view's strings before templating would not do: the same strings are
// also button data and input values, which must round-trip exactly. So the expanded card is
// walked, and only the places Teams reads as markdown are escaped.

// Only what Teams' card markdown acts on is escaped: emphasis (* and _), links ([text](url))
// and list markers at the start of a line. Headings, tables, images, quotes and code are not
// markdown in Teams cards, so "#", "|", "!", "(" and friends stay as they are: each escape is a
// backslash a reader would see if a client ever showed it, so there are as few as can be. An
// underscore inside a word ("lobby_phone_1") never starts emphasis in CommonMark, and a UPN
// must stay copyable, so only one at a word's edge is escaped. Curly braces are left alone:
// Teams' {{DATE()}} functions are how the renderer writes times (render-view.ts), after this pass.
const inlineSpecial = /[\\*[\]]|(?<![\p{L}\p{N}])_|_(?![\p{L}\p{N}])/gu;
// List markers count only at the start of a line: "- x", "+ x", "1. x".
const listMarker = /^(\s*)([-+]|\d+\.)(?=\s|$)/gm;

/** The text as Teams' markdown will show it literally. */
export function literalMarkdown(text: string): string {
  return text.replace(inlineSpecial, '\\$&').replace(listMarker, (_match, indent: string, marker: string) => `${indent}${marker.endsWith('.') ? `${marker.slice(0, -1)}\\.` : `\\${marker}`}`);
}

/** The card with every text Teams reads as markdown (TextBlock text, fact titles and values) escaped. */
export function withLiteralText<T>(card: T): T {
  return walk(card) as T;
}

function walk(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(walk);
  if (node === null || typeof node !== 'object') return node;
  const record = node as Record<string, unknown>;
  const copy = Object.fromEntries(Object.entries(record).map(([key, value]) => [key, walk(value)]));
  if (record.type === 'TextBlock' && typeof record.text === 'string') copy.text = literalMarkdown(record.text);
  if (record.type === 'FactSet' && Array.isArray(record.facts)) {
    copy.facts = record.facts.map((fact: Record<string, unknown>) => ({
      ...fact,
      ...(typeof fact.title === 'string' ? { title: literalMarkdown(fact.title) } : {}),
      ...(typeof fact.value === 'string' ? { value: literalMarkdown(fact.value) } : {}),
    }));
  }
  return copy;
}
