// Where a Slack conversation is, as the bot stores it (services/conversations): the address is
// the workspace and the channel id; the stored key is "<team>:<channel>" under the channel
// id "slack", so a Slack conversation never collides with a Teams one. A posted message is
// known by its channel and `ts` (stored as the posted card's activity id).
import type { StoredConversation } from '../../services/conversations/conversation-repository.ts';
import { ChannelError } from '../../services/notifications/delivery-ports.ts';

export const slackChannelId = 'slack';

export interface SlackAddress {
  team: string;
  channel: string;
}

export type SlackConversationType = 'personal' | 'channel' | 'groupChat';

export function conversationKey(address: SlackAddress): string {
  return `${address.team}:${address.channel}`;
}

/**
 * A Slack channel's kind: D… is a direct message (with the bot, where the bot is told of it),
 * "mpdm-…" a group DM, anything else a channel (public or private) that can receive cards.
 */
export function conversationTypeOf(channel: string, hint: { channelType?: string; channelName?: string } = {}): SlackConversationType {
  if (hint.channelType === 'im' || channel.startsWith('D') || hint.channelName === 'directmessage') return 'personal';
  if (hint.channelType === 'mpim' || hint.channelName?.startsWith('mpdm-')) return 'groupChat';
  return 'channel';
}

/** The stored conversation's Slack address; a ChannelError (permanent) when it is not a readable Slack one. */
export function addressOf(conversation: StoredConversation): SlackAddress {
  const address = conversation.address as Partial<SlackAddress> | null;
  if (conversation.platform !== 'slack' || address === null || typeof address !== 'object' || typeof address.channel !== 'string' || typeof address.team !== 'string') {
    throw new ChannelError(`conversation ${conversation.conversationId} has no Slack address`, 404, null);
  }
  return { team: address.team, channel: address.channel };
}
