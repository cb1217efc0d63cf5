// Block Kit's building blocks, each made within Slack's limits so no renderer has to think of
// them: a section's text at most 3,000 characters (longer text becomes several sections), at
// most 10 fields per section, a button's text at most 75 characters and its value at most
// 2,000, a header at most 150. Everything a user may have typed is escaped (&, <, >) before it
// is shown: Slack would read "<!channel>" or "<https://evil|bank>" in it as markup.
export type SlackBlock = Record<string, unknown> & { type: string };

/** A message as chat.postMessage / chat.update take it: blocks, and the text notifications show. */
export interface SlackMessage {
  text: string;
  blocks: SlackBlock[];
}

export const blockKitLimits = {
  blocksPerMessage: 50,
  sectionTextChars: 3000,
  fieldsPerSection: 10,
  fieldTextChars: 2000,
  buttonTextChars: 75,
  buttonValueChars: 2000,
  headerTextChars: 150,
  contextElements: 10,
  actionsElements: 25,
  optionTextChars: 75,
  optionsPerSelect: 100,
  /** A message's top-level text (notifications); Slack truncates past 40,000. */
  messageTextChars: 4000,
} as const;

/** &, < and > as Slack wants them in any text it reads as markup. */
export function escapeText(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

/** The neutral text marks (**bold**, `code`) as Slack mrkdwn, the rest escaped. */
export function mrkdwn(text: string): string {
  return escapeText(text).replace(/\*\*([^*\n]+)\*\*/g, '*$1*');
}

/** At most `max` characters (by code point), with an ellipsis when cut. */
export function cut(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

/** Text cut into pieces of at most `max` characters, at line breaks where it can. */
export function chunks(text: string, max: number): string[] {
  if ([...text].length <= max) return [text];
  const pieces: string[] = [];
  let current = '';
  for (const line of text.split('\n')) {
    const candidate = current === '' ? line : `${current}\n${line}`;
    if ([...candidate].length <= max) {
      current = candidate;
      continue;
    }
    if (current !== '') pieces.push(current);
    // A single line longer than the limit is cut where it must be.
    let rest = line;
    while ([...rest].length > max) {
      pieces.push([...rest].slice(0, max).join(''));
      rest = [...rest].slice(max).join('');
    }
    current = rest;
  }
  if (current !== '') pieces.push(current);
  return pieces;
}

/** Sections for already-formatted mrkdwn: one per 3,000 characters. */
export function sections(markdown: string): SlackBlock[] {
  if (markdown.trim() === '') return [];
  return chunks(markdown, blockKitLimits.sectionTextChars).map((text) => ({ type: 'section', text: { type: 'mrkdwn', text } }));
}

export function header(plain: string): SlackBlock {
  return { type: 'header', text: { type: 'plain_text', text: cut(plain, blockKitLimits.headerTextChars), emoji: false } };
}

/** Small grey lines (already mrkdwn); at most 10 elements. */
export function context(markdownLines: readonly string[]): SlackBlock[] {
  const elements = markdownLines.filter((line) => line !== '').map((line) => ({ type: 'mrkdwn', text: cut(line, blockKitLimits.sectionTextChars) }));
  const blocks: SlackBlock[] = [];
  for (let start = 0; start < elements.length; start += blockKitLimits.contextElements) {
    blocks.push({ type: 'context', elements: elements.slice(start, start + blockKitLimits.contextElements) });
  }
  return blocks;
}

/** Title/value pairs (user text: escaped here) as sections of at most 10 fields. */
export function fields(pairs: readonly { title: string; value: string }[]): SlackBlock[] {
  const texts = pairs.filter((pair) => pair.value !== '').map((pair) => cut(`*${escapeText(pair.title)}*\n${mrkdwn(pair.value)}`, blockKitLimits.fieldTextChars));
  const blocks: SlackBlock[] = [];
  for (let start = 0; start < texts.length; start += blockKitLimits.fieldsPerSection) {
    blocks.push({ type: 'section', fields: texts.slice(start, start + blockKitLimits.fieldsPerSection).map((text) => ({ type: 'mrkdwn', text })) });
  }
  return blocks;
}

export const divider: SlackBlock = { type: 'divider' };

export function plainText(text: string, max: number = blockKitLimits.buttonTextChars): { type: 'plain_text'; text: string; emoji: false } {
  return { type: 'plain_text', text: cut(text === '' ? ' ' : text, max), emoji: false };
}

/** A message's top-level text (what notifications show; Slack reads it as mrkdwn too). */
export function summaryText(text: string): string {
  return cut(mrkdwn(text), blockKitLimits.messageTextChars);
}
