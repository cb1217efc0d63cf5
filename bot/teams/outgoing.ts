// Turns a neutral reply into a Bot Framework activity, for replies and proactive messages alike:
// markdown text, or the view rendered as an Adaptive Card (sent alone as an attachment) whose
// fallback text is the notification summary, with any text beside it above the card.
import type { Activity } from 'botbuilder';
import type { Reply } from '../views/reply.ts';
import { adaptiveCardContentType, messageOf } from './render-view.ts';

export function toActivity(reply: Pick<Reply, 'text' | 'view'>): Partial<Activity> {
  const message = messageOf(reply);
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
