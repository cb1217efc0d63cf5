// The fields card buttons carry, validated as what the bot itself put on the card: an id it
// made, a MAC it showed. Anything else (another type, an empty or huge string) was not sent by
// a card of this bot, and is refused before any lookup. Short limits keep a tampered payload
// of a megabyte from reaching the store or being quoted back.
import { z } from 'zod';

/** An id the bot put on a card (hand-off batches are UUIDs today; any short id of that alphabet passes). */
export function cardId(what: string) {
  return z
    .string({ error: `this card carries no ${what} id; get a fresh card` })
    .regex(/^[A-Za-z0-9_-]{1,64}$/, `this card's ${what} id is damaged; get a fresh card`);
}

/** A MAC the card showed; its form is checked by the service, which says what is wrong with it. */
export const cardMac = z.string({ error: 'this card names no device; get a fresh card' }).min(1, 'this card names no device; get a fresh card').max(64, 'not a device this bot showed');

/** At most `max` characters of a value sent by the client, for quoting it in a reply. */
export function quoted(value: unknown, max = 60): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  const characters = [...text];
  return characters.length > max ? `${characters.slice(0, max).join('')}…` : text;
}
