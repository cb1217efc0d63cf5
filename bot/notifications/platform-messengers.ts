// The outbox's messenger: each destination is served by the messenger of the platform it was
// stored for (a Teams conversation by the Teams messenger; Slack's when its door lands). A
// tracked card is therefore redrawn by the renderer of the platform it was posted to.
import type { Platform } from '../../services/auth/principal.ts';
import { ChannelError } from '../../services/notifications/delivery-ports.ts';
import type { ChatMessenger } from './outgoing-message.ts';

export function messengerPerPlatform(messengers: Partial<Record<Platform, ChatMessenger>>): ChatMessenger {
  function messengerFor(platform: Platform): ChatMessenger {
    const messenger = messengers[platform];
    // Permanent (404): no retry brings a platform this bot does not run; the outbox records why.
    if (!messenger) throw new ChannelError(`no messenger for ${platform}: this bot does not run its door`, 404, null);
    return messenger;
  }
  return {
    post: async (conversation, message) => messengerFor(conversation.platform).post(conversation, message),
    update: async (conversation, activityId, message) => messengerFor(conversation.platform).update(conversation, activityId, message),
  };
}
