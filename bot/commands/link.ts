import { z } from 'zod';
import { linkCodeValidityMs } from '../../services/auth/workspace-links.ts';
import { errorReply } from '../views/reply.ts';
import { formatTime } from '../views/time.ts';
import { actorOf } from './actor.ts';
import { defineCommand } from './command-spec.ts';

type LinkArgs = { kind: 'issue'; platform: 'slack' } | { kind: 'redeem'; code: string };

const linkArgs = z.string().transform((text, ctx): LinkArgs => {
  const word = text.trim();
  if (/^slack$/i.test(word)) return { kind: 'issue', platform: 'slack' };
  if (/^[\d\s-]{6,20}$/.test(word)) return { kind: 'redeem', code: word };
  ctx.addIssue({ code: 'custom', message: 'say "slack" (in Teams: get a code to link a Slack workspace) or the link code (in Slack: enter the code)' });
  return z.NEVER;
});

/**
 * Links a Slack workspace to this organisation: in Teams, `link slack` shows a one-time code;
 * in Slack, `link <code>` makes the workspace act in the organisation whose code it is (same
 * devices, roles of their own). A workspace never linked is an organisation of its own.
 */
export const linkCommand = defineCommand({
  name: 'link',
  aliases: [],
  summary: 'Link a Slack workspace to this organisation: "link slack" in Teams shows a code, "link CODE" in Slack enters it.',
  usage: 'link slack|CODE',
  operation: 'linkWorkspace',
  args: linkArgs,
  async run(context, args) {
    const { services, tenantId, principal } = context;
    if (args.kind === 'issue') {
      if (principal.platform === 'slack') {
        return errorReply('Run it in Teams', 'The link code comes from the organisation the workspace joins: an admin types "link slack" in Teams there.', null);
      }
      const { code, expiresAt } = await services.workspaceLinks.issueCode(actorOf(context), tenantId, 'slack');
      const profile = await services.tenants.profile(tenantId);
      return {
        text: [
          `**Link code: ${code}**`,
          `In the Slack workspace, an admin of the bot types **/provision link ${code}** before ${formatTime(expiresAt, profile.timeZone)} (${linkCodeValidityMs / 60_000} minutes; it works once).`,
          'From then on that workspace sees and changes the devices of this organisation; Slack roles are granted there, with "grant".',
        ].join('\n\n'),
      };
    }
    if (principal.platform !== 'slack' || !context.workspaceId) {
      return errorReply('Run it in Slack', 'A link code is entered in the Slack workspace to link: "/provision link CODE" there.', 'link slack');
    }
    const linked = await services.workspaceLinks.link(actorOf(context), 'slack', context.workspaceId, args.code);
    const profile = await services.tenants.profile(linked.tenantId);
    return {
      text: `This Slack workspace is now linked to **${profile.name}**: its devices, codes and notifications are the same here and in Teams. Roles are per platform: an admin grants them here with "grant ROLE @person".`,
    };
  },
});
