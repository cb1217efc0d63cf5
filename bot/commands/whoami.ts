import { z } from 'zod';
import { isEntraObjectId } from '../config.ts';
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
    if (principal.platform === 'teams' && principal.userId && !isEntraObjectId(principal.userId)) {
      // Emulators and test tools send ids of their own; say what ADMIN_USER_IDS makes of them.
      lines.push(
        'This id is not an Entra object id (a GUID): an emulator or test tool sent it. ' +
          `ADMIN_USER_IDS=${principal.userId} works while the bot runs without MicrosoftAppId (local mode, as emulators expect); ` +
          'in real Teams, with an app id, use the Entra object id whoami shows there.',
      );
    }
    return { text: lines.join('\n\n') };
  },
});
