// The outbox's messenger for Slack: a notification is rendered as Block Kit and posted with
// chat.postMessage (its `ts` is what the posted card is updated by later) or drawn over an
// earlier message with chat.update. Any failure reaches the outbox as a ChannelError at once
// (./slack-web-client.ts): it is marked sent only after Slack accepted it.
import type { ChatMessenger } from '../notifications/outgoing-message.ts';
import { oneMessage } from './fit-message.ts';
import { renderReply } from './render-blocks.ts';
import { addressOf } from './slack-address.ts';
import { toChannelError, type SlackWebClient } from './slack-web-client.ts';
import { ChannelError } from '../../services/notifications/delivery-ports.ts';

export function createSlackMessenger(client: SlackWebClient): ChatMessenger {
  return {
    async post(conversation, message) {
      const { channel } = addressOf(conversation);
      const { text, blocks } = oneMessage(renderReply(message));
      try {
        const answer = await client.chat.postMessage({ channel, text, blocks, unfurl_links: false, unfurl_media: false });
        return { activityId: typeof answer.ts === 'string' ? answer.ts : '' };
      } catch (error) {
        throw toChannelError(error, 'chat.postMessage');
      }
    },

    async update(conversation, activityId, message) {
      if (activityId === '') throw new ChannelError('chat.update: no message ts to update', 404, null);
      const { channel } = addressOf(conversation);
      const { text, blocks } = oneMessage(renderReply(message));
      try {
        await client.chat.update({ channel, ts: activityId, text, blocks });
      } catch (error) {
        throw toChannelError(error, 'chat.update');
      }
    },
  };
}
