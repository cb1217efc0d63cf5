// The Teams activity handler: every message becomes one command run, and every
// conversation that talks to the bot or installs it is remembered for later messages.
import { TeamsActivityHandler, TurnContext } from 'botbuilder';
import type { Logger } from '../logger.ts';
import type { Services } from '../../services/index.ts';
import type { CommandSpec } from '../commands/command-spec.ts';
import { routeMessage } from '../commands/router.ts';
import { attachedFiles, conversationToRemember, conversationTypeOf, tenantIdOf, textWithoutBotMention } from './activity-facts.ts';
import { toActivity } from './outgoing.ts';
import { turnLogger } from './turn-logger.ts';

const noTenantReply =
  "I can't tell which Microsoft 365 organisation this conversation belongs to, so I can't act here. " +
  'Talk to me from Microsoft Teams (or the Bot Framework Emulator for local testing).';

export class ProvisioningBot extends TeamsActivityHandler {
  constructor(
    private readonly services: Services,
    private readonly commands: readonly CommandSpec[],
  ) {
    super();

    this.onMessage(async (context, next) => {
      await this.handleMessage(context);
      await next();
    });

    this.onMembersAdded(async (context, next) => {
      const botWasAdded = (context.activity.membersAdded ?? []).some((member) => member.id === context.activity.recipient.id);
      if (botWasAdded && (await this.rememberConversation(context))) {
        await context.sendActivity('Hi! I provision Teams devices from chat. Type **help** to see what I can do.');
      }
      await next();
    });

    this.onInstallationUpdateAdd(async (context, next) => {
      await this.rememberConversation(context);
      await next();
    });

    this.onInstallationUpdateRemove(async (context, next) => {
      await this.services.conversations.forget(context.activity.channelId, context.activity.conversation.id);
      turnLogger(context).info({ conversationId: context.activity.conversation.id }, 'bot removed; conversation forgotten');
      await next();
    });
  }

  /** Stores where to reach this conversation; false when the activity names no tenant. */
  private async rememberConversation(context: TurnContext): Promise<boolean> {
    const tenantId = tenantIdOf(context.activity);
    if (!tenantId) return false;
    const reference = TurnContext.getConversationReference(context.activity);
    await this.services.conversations.remember(conversationToRemember(context.activity, reference, tenantId));
    return true;
  }

  private async handleMessage(context: TurnContext): Promise<void> {
    const log = turnLogger(context);
    const tenantId = tenantIdOf(context.activity);
    if (!tenantId) {
      log.warn({ channelId: context.activity.channelId }, 'message without a tenant refused');
      await context.sendActivity(noTenantReply);
      return;
    }
    await this.rememberConversation(context);

    const userId = context.activity.from.aadObjectId ?? null;
    const reply = await routeMessage(textWithoutBotMention(context.activity), {
      tenantId,
      user: { aadObjectId: userId, name: context.activity.from.name ?? null },
      roles: await this.services.roles.rolesOf(tenantId, userId),
      conversation: { channelId: context.activity.channelId, id: context.activity.conversation.id, type: conversationTypeOf(context.activity) },
      mentions: [],
      files: attachedFiles(context.activity),
      services: this.services,
      commands: this.commands,
    });
    // The command name only: message text can hold MACs, codes or names.
    log.info({ command: reply.command, tenantId }, 'message handled');
    await context.sendActivity(toActivity(reply));
  }
}
