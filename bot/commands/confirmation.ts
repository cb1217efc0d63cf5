// Commands with wide side effects ask first, on a card whose "yes" expires.
import { renderCard, type AdaptiveCard } from '../../cards/render.ts';
import { formatTime } from '../views/time.ts';

export const confirmationValidityMs = 10 * 60_000;

export function confirmationCard(now: Date, what: { title: string; text: string; command: string; args: string }): AdaptiveCard {
  const expiresAt = new Date(now.getTime() + confirmationValidityMs);
  return renderCard('confirm', { ...what, expiresAt: formatTime(expiresAt), expiresAtIso: expiresAt.toISOString() });
}
