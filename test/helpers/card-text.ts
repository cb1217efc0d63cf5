// Reading what a card shows, as a person would: every text of the card in order.
// Codes read off a card are noted in the run's leak watch: they must never be logged.
import { noteSecret } from './leak-watch.ts';
import type { AdaptiveCard } from '../../cards/template-data.ts';
import { renderView } from '../../bot/teams/render-view.ts';
import type { View } from '../../bot/views/reply.ts';

/** Text as Teams shows it: the renderer's markdown escapes (bot/teams/literal-markdown.ts) read as the characters they stand for. */
export function unescaped(text: string): string {
  return text.replace(/\\([\\`*_[\]()<>#|~!.+-])/g, '$1');
}

export function cardTexts(card: unknown): string[] {
  const texts: string[] = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (node === null || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node)) {
      if ((key === 'text' || key === 'title' || key === 'value' || key === 'fallbackText') && typeof value === 'string') texts.push(unescaped(value));
      else walk(value);
    }
  };
  walk(card);
  return texts;
}

export function cardOf(activity: { body: { attachments?: { contentType: string; content: unknown }[] } }): unknown {
  return activity.body.attachments?.find((attachment) => attachment.contentType === 'application/vnd.microsoft.card.adaptive')?.content;
}

/** MAC → code pairs as the hand-off card lists them (a MAC followed by its 6-digit code). */
export function codesOnCard(card: unknown): Map<string, string> {
  const pairs = new Map<string, string>();
  let lastMac: string | null = null;
  for (const text of cardTexts(card)) {
    if (/^[0-9A-F]{2}(-[0-9A-F]{2}){5}$/.test(text)) lastMac = text;
    else if (/^\d{6}$/.test(text.replace(/\s/g, '')) && lastMac) {
      const code = text.replace(/\s/g, '');
      pairs.set(lastMac, code);
      noteSecret('verification code read off a card', code);
      lastMac = null;
    }
  }
  return pairs;
}

/** Everything a person sees in a message: its text and the texts of its card. */
export function shownText(activity: { body: { text?: string; attachments?: { contentType: string; content: unknown }[] } } | undefined): string {
  if (!activity) return '';
  return [activity.body.text ?? '', ...cardTexts(cardOf(activity))].filter((part) => part !== '').join('\n');
}

/** The Adaptive Card Teams would show for a neutral reply's view (undefined for text alone). */
export function teamsCardOf(reply: { view?: View } | undefined): AdaptiveCard | undefined {
  return reply?.view ? renderView(reply.view) : undefined;
}
