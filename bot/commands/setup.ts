import { z } from 'zod';
import { audiences, type Audience } from '../../services/conversations/conversation-service.ts';
import { errorReply } from '../views/reply.ts';
import { defineCommand } from './command-spec.ts';

const audienceArg = z.string().transform((text, ctx): Audience => {
  const word = text.toLowerCase();
  // "technician" works as well as "technicians".
  const audience = audiences.find((name) => word === name || `${word}s` === name);
  if (!audience) {
    const said = word === '' ? 'say whose cards this channel should receive' : `"${text}" is not one of the audiences; say whose cards this channel should receive`;
    ctx.addIssue({ code: 'custom', message: `${said}: ${audiences.join(', ')}` });
    return z.NEVER;
  }
  return audience;
});

export const setupCommand = defineCommand({
  name: 'setup',
  aliases: [],
  summary: "Make this channel the one that receives technicians', admins' or managers' cards.",
  usage: 'setup technicians|admins|managers',
  operation: 'setup',
  args: audienceArg,
  async run({ conversation, tenantId, services }, audience) {
    if (conversation.type !== 'channel') {
      return errorReply(
        'Run it in a channel',
        `**setup ${audience}** has to be run in the channel that should receive the ${audience}' cards.`,
        `@Provisioning setup ${audience}`,
      );
    }
    const change = await services.conversations.setAudience(tenantId, conversation.channelId, conversation.id, audience);
    if (change.previousAudience === audience && change.takenFrom === 0) {
      return { text: `This channel already receives the ${audience}' cards.` };
    }
    const lines = [`This channel now receives the ${audience}' cards.`];
    if (change.takenFrom > 0) lines.push('The channel that received them before no longer does.');
    if (change.previousAudience && change.previousAudience !== audience) {
      // A conversation is the destination for one audience at a time.
      lines.push(
        `It no longer receives the ${change.previousAudience}' cards: run **setup ${change.previousAudience}** in the channel that should get them.`,
      );
    }
    return { text: lines.join(' ') };
  },
});
