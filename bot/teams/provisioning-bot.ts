// The Teams activity handler: every message becomes one command run, and every
// conversation that talks to the bot or installs it is remembered for later messages.
// When the store is unavailable, the user is told so (and that nothing changed) instead of
// getting the generic apology that teams-chat.ts gives for bugs.
import { ActivityTypes, TeamsActivityHandler, TeamsInfo, TurnContext } from './botbuilder.ts';
import type { AdaptiveCardInvokeResponse, AdaptiveCardInvokeValue, TaskModuleRequest, TaskModuleResponse } from 'botbuilder';
import { routeAction } from '../actions/action-router.ts';
import type { ActionRefusal, ActionSpec } from '../actions/action-spec.ts';
import type { TrackedCard } from '../commands/command-spec.ts';
import type { Logger } from '../logger.ts';
import type { Services } from '../../services/index.ts';
import type { CommandContext, CommandSpec } from '../commands/command-spec.ts';
import { routeMessage } from '../commands/router.ts';
import { openDialog, submitDialog, type DialogStep } from '../commands/dialogs.ts';
import { dialogButtons } from '../commands/help.ts';
import { errorReply, noticeReply, view, type Reply } from '../views/reply.ts';
import type { Principal } from '../../services/auth/principal.ts';
import { attachedFiles, channelConversationId, userIdOf, conversationToRemember, conversationTypeOf, tenantIdOf, commandText } from './activity-facts.ts';
import { resolveMentions } from './mentions.ts';
import { toActivity } from './outgoing.ts';
import { adaptiveCardContentType, renderView } from './render-view.ts';
import { turnLogger } from './turn-logger.ts';
import { defaultFileDownloadHosts } from '../host-allowlist.ts';
import type { ExportLinks } from '../exports/export-links.ts';
import { newErrorReference } from '../../services/shared/random.ts';
import { describeStorageFailure, storageFailureOf, storageUnavailableMessage } from '../../prisma/storage-errors.ts';

const noTenantReply =
  "I can't tell which Microsoft 365 organisation this conversation belongs to, so I can't act here. " +
  'Talk to me from Microsoft Teams (or the Bot Framework Emulator for local testing).';

/** Export links bound to the tenant of the conversation they are asked for in. */
function linkIn(links: ExportLinks, tenantId: string): NonNullable<CommandContext['exportLink']> {
  return (kind) => links.linkFor(tenantId, kind);
}

export class ProvisioningBot extends TeamsActivityHandler {
  constructor(
    private readonly services: Services,
    private readonly commands: readonly CommandSpec[],
    private readonly actions: readonly ActionSpec[],
    /** Attached files are downloaded only from these hosts (bot/host-allowlist.ts); default: Teams' file storage. */
    private readonly options: { fileDownloadHosts?: readonly string[]; exportLinks?: ExportLinks } = {},
  ) {
    super();

    this.onMessage(async (context, next) => {
      await this.handleMessage(context);
      await next();
    });

    this.onMembersAdded(async (context, next) => {
      const botWasAdded = (context.activity.membersAdded ?? []).some((member) => member.id === context.activity.recipient.id);
      if (botWasAdded && (await this.rememberConversation(context, { checkStore: true }))) {
        await context.sendActivity(toActivity(await this.welcome(context)));
      }
      await next();
    });

    this.onInstallationUpdateAdd(async (context, next) => {
      await this.rememberConversation(context, { checkStore: true });
      await next();
    });

    this.onInstallationUpdateRemove(async (context, next) => {
      await this.services.conversations.forget(context.activity.channelId, context.activity.conversation.id);
      turnLogger(context).info({ conversationId: context.activity.conversation.id }, 'bot removed; conversation forgotten');
      await next();
    });
  }

  /**
   * Every turn, with storage failures answered here: a message gets "storage unavailable,
   * nothing was changed, try again" with a reference; other activities (install, members
   * added/removed) have no one waiting for an answer and are only logged. Anything else
   * goes on to the adapter's error handler.
   */
  override async run(context: TurnContext): Promise<void> {
    try {
      await super.run(context);
    } catch (error) {
      const reference = this.logStorageFailure(context, error);
      if (!reference) throw error;
      if (context.activity.type === ActivityTypes.Message) await context.sendActivity(storageUnavailableMessage(reference));
    }
  }

  /** Logs a storage failure with a new reference and returns the reference; null when `error` is not one. */
  private logStorageFailure(context: TurnContext, error: unknown): string | null {
    const failure = storageFailureOf(error);
    if (!failure) return null;
    const reference = newErrorReference();
    // The driver's one-line reason only: a full Prisma message quotes the calling code.
    turnLogger(context).error({ errorReference: reference, storage: failure.kind, reason: describeStorageFailure(failure), activityType: context.activity.type }, 'turn failed: storage unavailable');
    return reference;
  }

  /**
   * Stores where to reach this conversation; false when the activity names no tenant. An install
   * checks the store (`checkStore`): another instance may have forgotten the conversation at the
   * removal before it.
   */
  private async rememberConversation(context: TurnContext, options: { checkStore?: boolean } = {}): Promise<boolean> {
    const tenantId = tenantIdOf(context.activity);
    if (!tenantId) return false;
    const reference = TurnContext.getConversationReference(context.activity);
    await this.services.conversations.remember(conversationToRemember(context.activity, reference, tenantId), options);
    return true;
  }

  /** False when this activity was handled before (Teams redelivered it): act once. */
  private async firstDelivery(context: TurnContext): Promise<boolean> {
    const { channelId, conversation, id } = context.activity;
    if (!id) return true;
    const first = await this.services.handledActivities.claim(channelId, conversation.id, id, this.services.clock.now());
    if (!first) turnLogger(context).info({ activityId: id }, 'activity delivered again; ignored');
    return first;
  }

  /** Who is acting, as the core knows people: a Teams principal (Entra tenant + object id). */
  private principalOf(context: TurnContext, tenantId: string): Principal {
    return { platform: 'teams', tenantId, userId: userIdOf(context.activity), displayName: context.activity.from?.name ?? null };
  }

  private async actionContext(context: TurnContext, tenantId: string): Promise<Omit<CommandContext, 'mentions' | 'files'>> {
    const principal = this.principalOf(context, tenantId);
    return {
      tenantId,
      principal,
      roles: await this.services.roles.rolesOf(principal),
      conversation: { channelId: context.activity.channelId, id: channelConversationId(context.activity.conversation.id), type: conversationTypeOf(context.activity) },
      services: this.services,
      commands: this.commands,
      members: () => conversationMembers(context),
      ...(this.options.exportLinks ? { exportLink: linkIn(this.options.exportLinks, tenantId) } : {}),
    };
  }

  /** The welcome when the bot is added: what it does, and a button for each form the person may use. */
  private async welcome(context: TurnContext): Promise<Reply> {
    const tenantId = tenantIdOf(context.activity);
    const roles = tenantId ? await this.services.roles.rolesOf(this.principalOf(context, tenantId)) : new Set<never>();
    const text = `Hi! I provision Teams devices from chat. ${howToAskForHelp(context.activity)}`;
    return {
      text,
      view: view('blocks', {
        title: 'Provisioning',
        summary: text,
        blocks: [{ kind: 'text', text: 'Register phones, panels and displays, hand verification codes to the technicians, and sign devices in, from this chat.' }],
        // Teams shows at most six buttons without a "…" menu: Help first, then up to five forms.
        actions: [{ label: 'Help', command: 'help' }, ...dialogButtons({ commands: this.commands, roles }).slice(0, 5)],
      }),
    };
  }

  /** Remembers where a card that will be redrawn later now stands. */
  private async track(context: TurnContext, tenantId: string, tracked: TrackedCard | undefined, activityId: string | undefined): Promise<void> {
    if (!tracked) return;
    if (!activityId) {
      // The channel gave no id for the posted card: it stays as posted and is never redrawn.
      turnLogger(context).warn(
        { tenantId, kind: tracked.kind, channelId: context.activity.channelId, conversationId: channelConversationId(context.activity.conversation.id) },
        'tracked card posted without an activity id: it cannot be updated later',
      );
      return;
    }
    const where = { channelId: context.activity.channelId, conversationId: channelConversationId(context.activity.conversation.id), activityId };
    await this.services.postedCards.remember(tenantId, tracked.kind, tracked.subject, where);
  }

  private async handleMessage(context: TurnContext): Promise<void> {
    const log = turnLogger(context);
    const tenantId = tenantIdOf(context.activity);
    if (!tenantId) {
      log.warn({ channelId: context.activity.channelId }, 'message without a tenant refused');
      await context.sendActivity(noTenantReply);
      return;
    }
    if (!(await this.firstDelivery(context))) return;
    await this.rememberConversation(context);

    const reply = await routeMessage(commandText(context.activity), {
      ...(await this.actionContext(context, tenantId)),
      mentions: await resolveMentions(context),
      files: attachedFiles(context.activity, this.options.fileDownloadHosts ?? defaultFileDownloadHosts),
    });
    // The command name only: message text can hold MACs, codes or names.
    log.info({ command: reply.command, tenantId }, 'message handled');
    const sent = await context.sendActivity(toActivity(reply));
    await this.track(context, tenantId, reply.track, sent?.id);
  }

  /** A card button (Action.Execute): the answer is the card that replaces the pressed one. */
  protected override async onAdaptiveCardInvoke(context: TurnContext, invokeValue: AdaptiveCardInvokeValue): Promise<AdaptiveCardInvokeResponse> {
    try {
      return await this.handleCardAction(context, invokeValue);
    } catch (error) {
      const reference = this.logStorageFailure(context, error);
      if (!reference) throw error;
      // An error answer (Universal Actions' application/vnd.microsoft.error): Teams shows the
      // message and keeps the pressed card, so the same button can be pressed again later.
      return { statusCode: 503, type: 'application/vnd.microsoft.error', value: { code: 'storage_unavailable', message: storageUnavailableMessage(reference) } };
    }
  }

  private async handleCardAction(context: TurnContext, invokeValue: AdaptiveCardInvokeValue): Promise<AdaptiveCardInvokeResponse> {
    const log = turnLogger(context);
    const tenantId = tenantIdOf(context.activity);
    if (!tenantId) {
      return errorAnswer({ code: 'no_tenant', title: 'Not here', message: noTenantReply });
    }
    if (!(await this.firstDelivery(context))) {
      // Teams sent the press again: the first answer drew the card; this one leaves it be.
      return errorAnswer({ code: 'already_handled', title: 'Already done', message: 'This button press was already handled.' });
    }
    await this.rememberConversation(context);
    const verb = invokeValue.action?.verb ?? '';
    const outcome = await routeAction(this.actions, verb, invokeValue.action?.data ?? {}, await this.actionContext(context, tenantId));
    if ('refused' in outcome) {
      // Only the code: the message may quote what was sent.
      log.info({ verb: typeof verb === 'string' ? verb.slice(0, 50) : null, tenantId, refused: outcome.refused.code }, 'card action refused');
      return errorAnswer(outcome.refused);
    }
    log.info({ verb, tenantId }, 'card action handled');
    // In Teams the pressed card is the message the invoke replies to.
    await this.track(context, tenantId, outcome.track, context.activity.replyToId);
    return cardAnswer(outcome);
  }

  /** A button that opens a dialog (task/fetch): the command's form, or why it cannot open. */
  protected override async handleTeamsTaskModuleFetch(context: TurnContext, request: TaskModuleRequest): Promise<TaskModuleResponse> {
    return this.dialogTurn(context, request, 'fetch');
  }

  /** A dialog's form was submitted (task/submit): run its command, or show the form again with the errors. */
  protected override async handleTeamsTaskModuleSubmit(context: TurnContext, request: TaskModuleRequest): Promise<TaskModuleResponse> {
    return this.dialogTurn(context, request, 'submit');
  }

  private async dialogTurn(context: TurnContext, request: TaskModuleRequest, phase: 'fetch' | 'submit'): Promise<TaskModuleResponse> {
    try {
      const tenantId = tenantIdOf(context.activity);
      if (!tenantId) return dialogAnswer({ reply: errorReply('Not here', noTenantReply) }, 'Provisioning');
      if (!(await this.firstDelivery(context))) return { task: { type: 'message', value: 'This was already handled.' } };
      await this.rememberConversation(context);
      const data = (request?.data ?? {}) as Record<string, unknown>;
      const commandContext: CommandContext = { ...(await this.actionContext(context, tenantId)), mentions: [], files: [] };
      // A button on a card shown inside a dialog arrives as task/submit whatever it asked for:
      // one that meant to open a form (msteams.type "task/fetch") opens it, rather than running
      // its command with the prefilled values unseen.
      const opens = phase === 'fetch' || (data.msteams as { type?: unknown } | undefined)?.type === 'task/fetch';
      const step = opens ? await openDialog(data.dialog, data, commandContext) : await submitDialog(data.dialog, data, commandContext);
      turnLogger(context).info({ dialog: typeof data.dialog === 'string' ? data.dialog.slice(0, 50) : null, phase: opens ? 'fetch' : 'submit', outcome: 'form' in step ? 'form' : 'reply', tenantId }, 'dialog handled');
      if ('reply' in step && step.reply.track) {
        // A card that lives on (a hand-off, a sign-in) is posted in the conversation, where it is redrawn in place.
        const sent = await context.sendActivity(toActivity(step.reply));
        await this.track(context, tenantId, step.reply.track, sent?.id);
        return { task: { type: 'message', value: 'Done: the card is in the conversation.' } };
      }
      return dialogAnswer(step, dialogTitle(this.commands, data.dialog));
    } catch (error) {
      const reference = this.logStorageFailure(context, error);
      if (!reference) throw error;
      return { task: { type: 'message', value: storageUnavailableMessage(reference) } };
    }
  }
}

/** The people of this conversation (first page), for forms that offer them; none when Teams will not say. */
async function conversationMembers(context: TurnContext): Promise<{ name: string; userId: string }[]> {
  try {
    const page = await TeamsInfo.getPagedMembers(context, 50);
    return page.members.flatMap((member) => (member.aadObjectId ? [{ name: member.name ?? member.aadObjectId, userId: member.aadObjectId.toLowerCase() }] : []));
  } catch {
    return [];
  }
}

/** Refusal statuses by code: Teams shows the message and keeps the pressed card whatever the 4xx. */
const refusalStatus: Record<string, number> = { not_allowed: 403, forbidden: 403, unauthorized: 401, not_found: 404, conflict: 409, already_handled: 409, too_large: 413 };

/**
 * A refused press as Universal Actions' error response (application/vnd.microsoft.error):
 * Teams shows the message and keeps the pressed card as it was, its inputs included.
 */
function errorAnswer(refusal: ActionRefusal): AdaptiveCardInvokeResponse {
  return { statusCode: refusalStatus[refusal.code] ?? 400, type: 'application/vnd.microsoft.error', value: { code: refusal.code, message: refusal.message } };
}

function cardAnswer(result: { view?: Reply['view']; text?: string }): AdaptiveCardInvokeResponse {
  const shown = result.view ?? view('notice', { title: 'Done', text: result.text ?? '', style: 'good' });
  return { statusCode: 200, type: adaptiveCardContentType, value: renderView(shown) as Record<string, unknown> };
}

/** The title of a dialog's result: its form's title, for a dialog this bot has. */
function dialogTitle(commands: readonly CommandSpec[], name: unknown): string {
  return commands.find((command) => command.name === name)?.form?.title ?? 'Provisioning';
}

/** A dialog's next step as Teams' task module response: the form (again) or the result, in the dialog. */
function dialogAnswer(step: DialogStep, title: string): TaskModuleResponse {
  const shown = 'form' in step ? view('form', step.form) : (step.reply.view ?? view('notice', { title: 'Done', text: step.reply.text ?? '', style: 'good' }));
  const dialogTitle = 'form' in step ? step.form.title : title;
  return { task: { type: 'continue', value: { title: dialogTitle, card: { contentType: adaptiveCardContentType, content: renderView(shown) } } } };
}

/**
 * In personal chat every message reaches the bot; in a channel or group chat only those that
 * @mention it, so there the welcome says how, with the name the bot has in this team.
 */
export function howToAskForHelp(activity: Pick<TurnContext['activity'], 'recipient' | 'conversation'>): string {
  const type = conversationTypeOf(activity);
  if (type !== 'channel' && type !== 'groupChat') return 'Type **help** to see what I can do.';
  const name = activity.recipient?.name?.trim() || 'Provisioning';
  return `Here, mention me: type **@${name} help** to see what I can do.`;
}
