// What the Slack door does with each acknowledged request (a slash command, a mention or DM, an
// uploaded file, a button, a submitted modal): run the command or the button's action through
// the one router and permission table, as the principal ./slack-conversation.ts finds, and show
// the answer in Slack.
import type { ActionSpec } from '../actions/action-spec.ts';
import { routeAction } from '../actions/action-router.ts';
import type { CommandSpec } from '../commands/command-spec.ts';
import { parseMessage, routeMessage } from '../commands/router.ts';
import { openDialog, submitDialog } from '../commands/dialogs.ts';
import { dialogButtons } from '../commands/help.ts';
import { findCommand } from '../commands/find-command.ts';
import type { ExportLinks } from '../exports/export-links.ts';
import type { Logger } from '../logger.ts';
import { errorReply, view, type Reply, type ViewAction } from '../views/reply.ts';
import type { Services } from '../../services/index.ts';
import { newErrorReference } from '../../services/shared/random.ts';
import { oneMessage } from './fit-message.ts';
import { renderReply } from './render-blocks.ts';
import { conversationTypeOf, slackChannelId } from './slack-address.ts';
import { buttonActionPrefix, pressedButton } from './slack-buttons.ts';
import { commandTextOf } from './slack-text.ts';
import { sharedFile, type SlackFileSource } from './slack-files.ts';
import { fileBlockId, fileFields, metadataOf, modalErrors, modalOf, submittedFile, submittedValues } from './slack-modals.ts';
import type { SlackWebClient } from './slack-web-client.ts';
import { createSlackConversations, type Where } from './slack-conversation.ts';

/** What a submitted modal comes to: errors to show on its fields, or the reply to post once it closed. */
export interface FormOutcome {
  response?: { response_action: 'errors'; errors: Record<string, string> };
  after?: () => Promise<void>;
  /** When the answer came too late to show on the fields: the errors, told in the conversation. */
  late?: () => Promise<void>;
}

/** A slash command's payload, as far as the bot reads it. */
export interface SlashCommand {
  team_id: string;
  channel_id: string;
  channel_name?: string;
  user_id: string;
  user_name?: string;
  text: string;
  trigger_id?: string;
  response_url?: string;
}

export interface IncomingMessageTurn {
  team: string;
  channel: string;
  user: string | null;
  text: string;
  /** The Events API's event_id: a retried event carries the same one. */
  eventId: string | null;
  channelType: string | undefined;
}

export function createSlackTurns(options: {
  services: Services;
  commands: readonly CommandSpec[];
  actions: readonly ActionSpec[];
  client: SlackWebClient;
  log: Logger;
  exportLinks?: ExportLinks;
  /** Where uploaded files are read from, with the bot token. */
  files: Omit<SlackFileSource, 'client'>;
}) {
  const { services, commands, actions, client, log } = options;
  let botUserId: string | null = null;

  const conversations = createSlackConversations({ services, commands, client, log, apiUrl: options.files.apiUrl, ...(options.exportLinks ? { exportLinks: options.exportLinks } : {}) });
  const { remember, contextOf, track, post, tellPresser, guarded } = conversations;

  /** Opens the command's form as a modal (views.open needs the trigger_id of the last 3 s), or says why it cannot. */
  async function openForm(where: Where, dialog: string, prefill: Record<string, string>, triggerId: string): Promise<void> {
    const context = await contextOf(where);
    const step = await openDialog(dialog, prefill, { ...context, mentions: [], files: [] });
    if ('reply' in step) {
      await tellPresser(where, step.reply);
      return;
    }
    await client.views.open({ trigger_id: triggerId, view: modalOf(step.form, where.channel) as never });
    log.info({ dialog, tenantId: context.tenantId, door: 'slack' }, 'form opened');
  }

  async function runText(where: Where, raw: string, triggerId?: string): Promise<void> {
    const context = await contextOf(where);
    const { text, mentions } = commandTextOf(raw, botUserId);
    const { word, rest } = parseMessage(text);
    // "/provision register" alone: the command's form, as a modal.
    const formCommand = word !== '' && rest === '' && triggerId ? findCommand(commands, word) : undefined;
    if (formCommand?.form && triggerId) {
      await openForm(where, formCommand.name, {}, triggerId);
      return;
    }
    const reply = text.trim() === '' ? menuReply(dialogButtons(context)) : await routeMessage(text, { ...context, mentions, files: [] });
    // The command name only: message text can hold MACs, codes or names.
    log.info({ command: 'command' in reply ? reply.command : null, tenantId: context.tenantId, door: 'slack' }, 'slack command handled');
    const ts = await post(where, reply);
    await track(context.tenantId, reply.track, where, ts);
    // The reply got into this DM: it is the person's DM with the bot.
    if (ts !== '' && where.type === 'personal' && !where.botDm) await remember(context.tenantId, { ...where, botDm: true });
  }

  return {
    /**
     * A submitted modal: the command runs now (Slack waits for the answer to show field errors);
     * what to answer Slack (errors on the fields, or close), and the reply to post after.
     */
    async submitForm(body: unknown, submitted: unknown): Promise<FormOutcome> {
      const payload = body as { team?: { id?: string } | null; user?: { id?: string; name?: string; username?: string; team_id?: string } };
      const shownView = submitted as { private_metadata?: unknown; state?: unknown };
      const metadata = metadataOf(shownView.private_metadata);
      const team = payload.team?.id ?? payload.user?.team_id ?? '';
      const user = payload.user?.id ?? '';
      if (!metadata || team === '' || user === '') return {};
      const where: Where = { team, channel: metadata.channel, type: conversationTypeOf(metadata.channel), user, userName: payload.user?.name ?? payload.user?.username ?? null };
      let outcome: FormOutcome = {};
      /** Errors found after Slack stopped waiting (the modal closed): told to the person in the conversation. */
      const lateErrors = (errors: Record<string, string>) => async () => {
        await tellPresser(where, errorReply('Nothing was done', `${Object.values(errors).join(' ')}`, `/provision ${metadata.dialog}`));
      };
      await guarded(where, 'form', async () => {
        const context = await contextOf(where);
        const values = submittedValues(shownView.state);
        const fileId = submittedFile(metadata.dialog, shownView.state);
        const fileField = fileFields[metadata.dialog];
        if (fileField && fileId) {
          // A file chosen in the form: the command runs with it attached, as if uploaded to the DM.
          outcome = {
            after: () =>
              guarded(where, 'form file', async () => {
                const file = await sharedFile({ client, ...options.files }, fileId);
                const reply = file ? await routeMessage(metadata.dialog, { ...context, mentions: [], files: [file] }) : errorReply('File not found', 'Slack did not give me that file; nothing was imported.', 'Choose the file again.');
                const ts = await post(where, reply);
                await track(context.tenantId, reply.track, where, ts);
              }),
          };
          return;
        }
        if (fileField && (values[fileField] ?? '').trim() === '') {
          outcome = { response: { response_action: 'errors', errors: { [fileBlockId(fileField)]: 'Choose a .csv file, or paste the CSV in the field below.' } } };
          return;
        }
        const step = await submitDialog(metadata.dialog, values, { ...context, mentions: [], files: [] });
        log.info({ dialog: metadata.dialog.slice(0, 50), outcome: 'form' in step ? 'errors' : 'reply', tenantId: context.tenantId, door: 'slack' }, 'form submitted');
        if ('form' in step) {
          const errors = modalErrors(step.form);
          outcome = { response: { response_action: 'errors', errors }, late: lateErrors(errors) };
          return;
        }
        outcome = {
          after: () =>
            guarded(where, 'form reply', async () => {
              const ts = await post(where, step.reply);
              await track(context.tenantId, step.reply.track, where, ts);
            }),
        };
      });
      return outcome;
    },

    setBotUserId(id: string) {
      botUserId = id || null;
    },

    logFailure(what: string, error: unknown) {
      log.error({ err: error, errorReference: newErrorReference(), door: 'slack' }, `${what} failed`);
    },

    async slashCommand(command: SlashCommand): Promise<void> {
      const where: Where = {
        team: command.team_id,
        channel: command.channel_id,
        type: conversationTypeOf(command.channel_id, command.channel_name !== undefined ? { channelName: command.channel_name } : {}),
        user: command.user_id,
        userName: command.user_name ?? null,
        ...(command.response_url ? { responseUrl: command.response_url } : {}),
      };
      await guarded(where, 'slash command', () => runText(where, command.text ?? '', command.trigger_id));
    },

    async message(turn: IncomingMessageTurn): Promise<void> {
      if (!turn.user || turn.team === '') return;
      const type = conversationTypeOf(turn.channel, turn.channelType !== undefined ? { channelType: turn.channelType } : {});
      const where: Where = { team: turn.team, channel: turn.channel, type, user: turn.user, userName: null, botDm: turn.channelType === 'im' };
      await guarded(where, 'message', async () => {
        // Slack retries an event it thinks was not acknowledged: the same event_id acts once.
        if (turn.eventId && !(await services.handledActivities.claim(slackChannelId, turn.team, turn.eventId, services.clock.now()))) {
          log.info({ door: 'slack' }, 'event delivered again; ignored');
          return;
        }
        await runText(where, turn.text);
      });
    },

    /** A file uploaded to the bot's direct messages: imported as a CSV, as "import" with the file attached. */
    async fileShared(turn: { team: string; channel: string; user: string; fileId: string; eventId: string | null }): Promise<void> {
      if (turn.user === botUserId || turn.team === '' || conversationTypeOf(turn.channel) !== 'personal') return;
      const where: Where = { team: turn.team, channel: turn.channel, type: 'personal', user: turn.user, userName: null, botDm: true };
      await guarded(where, 'file', async () => {
        if (turn.eventId && !(await services.handledActivities.claim(slackChannelId, turn.team, turn.eventId, services.clock.now()))) return;
        const context = await contextOf(where);
        const file = await sharedFile({ client, ...options.files }, turn.fileId);
        const reply = file
          ? await routeMessage('import', { ...context, mentions: [], files: [file] })
          : { command: null, ...errorReply('File not found', 'Slack did not give me that file; nothing was imported.', 'Upload the .csv again, or paste it after "/provision import".') };
        log.info({ command: reply.command, tenantId: context.tenantId, door: 'slack' }, 'slack file handled');
        await post(where, reply);
      });
    },

    async button(body: unknown, action: unknown): Promise<void> {
      const payload = body as BlockActionsBody;
      const pressed = action as { action_id?: unknown; value?: unknown };
      if (payload.type !== 'block_actions' || typeof pressed.action_id !== 'string' || !pressed.action_id.startsWith(buttonActionPrefix)) return;
      const team = payload.team?.id ?? payload.user?.team_id ?? '';
      const channel = payload.channel?.id ?? payload.container?.channel_id ?? '';
      const user = payload.user?.id ?? '';
      if (team === '' || channel === '' || user === '') return;
      // A button on one of the bot's messages: in a DM, that DM is the bot's.
      const where: Where = { team, channel, type: conversationTypeOf(channel), user, userName: payload.user?.name ?? payload.user?.username ?? null, botDm: true };
      const ts = payload.container?.message_ts ?? payload.message?.ts ?? '';
      await guarded(where, 'button', async () => {
        const button = pressedButton(pressed.value);
        const context = await contextOf(where);
        if (!button) {
          await tellPresser(where, errorReply('Unknown button', 'This button is not one I know (it may be from an older version of me); nothing was done.', 'help'));
          return;
        }
        if (button.kind === 'command') {
          const reply = await routeMessage(button.command, { ...context, mentions: [], files: [] });
          const posted = await post(where, reply);
          await track(context.tenantId, reply.track, where, posted);
          return;
        }
        if (button.kind === 'dialog') {
          if (!payload.trigger_id) return;
          await openForm(where, button.dialog, button.data, payload.trigger_id);
          return;
        }
        // Inputs on the message (the account to sign in, the device and note on a hand-off) join the button's data.
        const data = { ...inputValues(payload.state), ...button.data };
        const outcome = await routeAction(actions, button.verb, data, context);
        if ('refused' in outcome) {
          log.info({ verb: button.verb.slice(0, 50), tenantId: context.tenantId, refused: outcome.refused.code, door: 'slack' }, 'button refused');
          await tellPresser(where, errorReply(outcome.refused.title, outcome.refused.message));
          return;
        }
        log.info({ verb: button.verb, tenantId: context.tenantId, door: 'slack' }, 'button handled');
        const shown = outcome.view;
        if (ts === '') {
          await post(where, { view: shown });
          return;
        }
        const { text, blocks } = oneMessage(renderReply({ view: shown }));
        await client.chat.update({ channel, ts, text, blocks });
        await track(context.tenantId, outcome.track, where, ts);
      });
    },
  };
}

interface BlockActionsBody {
  type?: string;
  team?: { id?: string } | null;
  user?: { id?: string; name?: string; username?: string; team_id?: string };
  channel?: { id?: string };
  trigger_id?: string;
  container?: { channel_id?: string; message_ts?: string };
  message?: { ts?: string };
  state?: { values?: Record<string, Record<string, { type?: string; value?: string | null; selected_option?: { value?: string } | null }>> };
}

/** The message's inputs by their action id (= the field the verb expects): typed text, or the chosen option. */
function inputValues(state: BlockActionsBody['state']): Record<string, string> {
  const values: Record<string, string> = {};
  for (const block of Object.values(state?.values ?? {})) {
    for (const [id, input] of Object.entries(block)) {
      const value = input.selected_option?.value ?? input.value;
      if (typeof value === 'string' && value !== '') values[id] = value;
    }
  }
  return values;
}

/** `/provision` alone: what can be done, as buttons (each form the person may use opens as a modal). */
function menuReply(forms: ViewAction[]): Reply {
  return {
    view: view('blocks', {
      title: 'Provisioning',
      summary: 'What would you like to do?',
      blocks: [{ kind: 'text', text: 'Register phones, panels and displays, hand verification codes to the technicians, and sign devices in, from Slack.' }],
      actions: [{ label: 'Help', command: 'help' }, ...forms, { label: 'Who am I', command: 'whoami' }],
    }),
  };
}
