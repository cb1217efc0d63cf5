import { describe, expect, it } from 'vitest';
import { messengerPerPlatform } from '../../../../bot/notifications/platform-messengers.ts';
import type { ChatMessenger, OutgoingMessage } from '../../../../bot/notifications/outgoing-message.ts';
import type { StoredConversation } from '../../../../services/conversations/conversation-repository.ts';
import { ChannelError } from '../../../../services/notifications/delivery-ports.ts';

const destination = (platform: 'teams' | 'slack'): StoredConversation => ({
  platform,
  tenantId: 't',
  channelId: platform === 'teams' ? 'msteams' : 'slack',
  conversationId: 'c',
  conversationType: 'channel',
  teamId: null,
  serviceUrl: 'http://127.0.0.1:9',
  userId: null,
  audience: 'technicians',
  address: {},
  updatedAt: new Date(0),
});

function recording(name: string, calls: string[]): ChatMessenger {
  return {
    async post(_conversation, _message: OutgoingMessage) {
      calls.push(`${name} post`);
      return { activityId: `${name}-1` };
    },
    async update(_conversation, activityId) {
      calls.push(`${name} update ${activityId}`);
    },
  };
}

describe('the messenger per platform', () => {
  it('serves each destination with the messenger of the platform it was stored for', async () => {
    const calls: string[] = [];
    const messenger = messengerPerPlatform({ teams: recording('teams', calls), slack: recording('slack', calls) });
    expect(await messenger.post(destination('slack'), { text: 'hi' })).toEqual({ activityId: 'slack-1' });
    await messenger.update(destination('teams'), 'a-7', { text: 'hi' });
    expect(calls).toEqual(['slack post', 'teams update a-7']);
  });

  it('refuses a platform it has no messenger for, for good (the outbox does not retry it)', async () => {
    const messenger = messengerPerPlatform({ teams: recording('teams', []) });
    const error = await messenger.post(destination('slack'), { text: 'hi' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ChannelError);
    expect((error as ChannelError).permanent).toBe(true);
  });
});
