// Turns what a command or notification wants to say into a Bot Framework activity: markdown
// text, or an Adaptive Card whose fallback text is the notification summary.
import type { Activity } from 'botbuilder';
import type { AdaptiveCard } from '../../cards/views.ts';

export const adaptiveCardContentType = 'application/vnd.microsoft.card.adaptive';

export function toActivity(message: { text?: string; card?: AdaptiveCard }): Partial<Activity> {
  if (message.card) {
    return {
      type: 'message',
      summary: message.card.fallbackText,
      ...(message.text ? { text: message.text, textFormat: 'markdown' } : {}),
      attachments: [{ contentType: adaptiveCardContentType, content: message.card }],
    };
  }
  return { type: 'message', text: message.text ?? '', textFormat: 'markdown' };
}
