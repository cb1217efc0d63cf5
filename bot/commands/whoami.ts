import { z } from 'zod';
import { defineCommand } from './command-spec.ts';

export const whoamiCommand = defineCommand({
  name: 'whoami',
  aliases: ['me'],
  summary: 'Show who I think you are and which tenant this conversation belongs to.',
  usage: 'whoami',
  operation: 'whoami',
  args: z.literal('', { error: 'whoami takes nothing after it' }),
  async run({ principal, tenantId, conversation }) {
    const lines = [
      `**Name:** ${principal.displayName ?? 'unknown'}`,
      `**User id${principal.platform === 'teams' ? ' (Entra object id)' : ''}:** ${principal.userId ?? 'not sent by this channel'}`,
      `**Tenant:** ${tenantId}`,
      `**Conversation:** ${conversation.type}`,
    ];
    return { text: lines.join('\n\n') };
  },
});
