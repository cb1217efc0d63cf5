import { z } from 'zod';
import { defineCommand } from './command-spec.ts';

export const whoamiCommand = defineCommand({
  name: 'whoami',
  aliases: ['me'],
  summary: 'Show who I think you are and which tenant this conversation belongs to.',
  usage: 'whoami',
  permission: 'anyone',
  args: z.literal('', { error: 'whoami takes nothing after it' }),
  async run({ user, tenantId, conversation }) {
    const lines = [
      `**Name:** ${user.name ?? 'unknown'}`,
      `**User id (Entra object id):** ${user.aadObjectId ?? 'not sent by this channel'}`,
      `**Tenant:** ${tenantId}`,
      `**Conversation:** ${conversation.type}`,
    ];
    return { text: lines.join('\n\n') };
  },
});
