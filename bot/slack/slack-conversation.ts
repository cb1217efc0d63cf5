// The Slack side of every turn: which tenant and principal a request is (the workspace's
// tenant: services/auth/workspace-links.ts), remembering the conversation for later
// notifications, and answering there: posted (in parts past 50 blocks), through a slash
// command's response_url where the bot is not a member, or to the one person (ephemeral).
import type { CommandContext, CommandSpec, TrackedCard } from '../commands/command-spec.ts';
import type { ExportKind, ExportLinks } from '../exports/export-links.ts';
import type { Logger } from '../logger.ts';
import type { Reply } from '../views/reply.ts';
import type { Principal } from '../../services/auth/principal.ts';
import type { Services } from '../../services/index.ts';
import { newErrorReference } from '../../services/shared/random.ts';
import { describeStorageFailure, storageFailureOf, storageUnavailableMessage } from '../../prisma/storage-errors.ts';
import type { SlackMessage } from './block-kit.ts';
import { oneMessage, splitMessage } from './fit-message.ts';
import { renderReply } from './render-blocks.ts';
import { conversationKey, slackChannelId, type SlackConversationType } from './slack-address.ts';
import type { SlackWebClient } from './slack-web-client.ts';

export interface Where {
  team: string;
  channel: string;
  type: SlackConversationType;
  user: string;
  userName: string | null;
  /** A slash command's response_url: where to answer when the bot cannot post in the channel. */
  responseUrl?: string;
  /**
   * A direct message known to be the person's DM with the bot (an event or a button there). A
   * slash command can be typed in any DM, also one between two people where the bot cannot
   * post: such a DM becomes the person's chat with the bot only once a reply got through.
   */
  botDm?: boolean;
}

/** Slack's answers that mean the bot cannot post in this channel (it was never invited, or it is a DM with someone else). */
const cannotPostHere = new Set(['not_in_channel', 'channel_not_found']);

export type SlackConversations = ReturnType<typeof createSlackConversations>;

export function createSlackConversations(options: { services: Services; commands: readonly CommandSpec[]; client: SlackWebClient; log: Logger; apiUrl: string; exportLinks?: ExportLinks }) {
  const { services, commands, client, log } = options;

  /** Stores where to reach this conversation later (notifications, cards redrawn in place). */
  async function remember(tenantId: string, where: Where): Promise<void> {
    let botDm = where.botDm === true;
    if (where.type === 'personal' && !botDm) {
      // Known from before to be this person's DM with the bot: it stays so.
      botDm = (await services.conversations.find(tenantId, slackChannelId, conversationKey(where)))?.userId === where.user;
    }
    await services.conversations.remember({
      platform: 'slack',
      tenantId,
      channelId: slackChannelId,
      conversationId: conversationKey(where),
      conversationType: where.type,
      teamId: where.team,
      serviceUrl: options.apiUrl,
      // Personal notifications go to a DM only once it is known to be the bot's.
      userId: where.type === 'personal' && botDm ? where.user : null,
      address: { team: where.team, channel: where.channel },
    });
  }

  async function contextOf(where: Where): Promise<Omit<CommandContext, 'mentions' | 'files'>> {
    const tenantId = await services.workspaceLinks.tenantOf('slack', where.team);
    const principal: Principal = { platform: 'slack', tenantId, userId: where.user, displayName: where.userName };
    const id = conversationKey(where);
    await remember(tenantId, where);
    const links = options.exportLinks;
    return {
      tenantId,
      principal,
      roles: await services.roles.rolesOf(principal),
      conversation: { channelId: slackChannelId, id, type: where.type },
      services,
      commands,
      workspaceId: where.team,
      ...(links ? { exportLink: (kind: ExportKind) => links.linkFor(tenantId, kind) } : {}),
    };
  }

  async function track(tenantId: string, tracked: TrackedCard | undefined, where: Where, ts: string): Promise<void> {
    if (!tracked || ts === '') return;
    await services.postedCards.remember(tenantId, tracked.kind, tracked.subject, { channelId: slackChannelId, conversationId: conversationKey(where), activityId: ts });
  }

  /** Posts the reply in the conversation (in several messages when longer than Slack's 50 blocks); the first message's ts. */
  async function post(where: Where, reply: Pick<Reply, 'text' | 'view'>): Promise<string> {
    const parts = splitMessage(renderReply(reply));
    let first = '';
    for (const part of parts) {
      try {
        const answer = await client.chat.postMessage({ channel: where.channel, text: part.text, blocks: part.blocks, unfurl_links: false, unfurl_media: false });
        if (first === '' && typeof answer.ts === 'string') first = answer.ts;
      } catch (error) {
        const slackError = (error as { data?: { error?: unknown } }).data?.error;
        if (first !== '' || !where.responseUrl || typeof slackError !== 'string' || !cannotPostHere.has(slackError)) throw error;
        // Not a member here: the answer goes to the person alone, through the command's response_url.
        await respond(where.responseUrl, parts);
        return '';
      }
    }
    return first;
  }

  /** Posts to a slash command's response_url (only Slack's own hosts): seen by the person who typed the command. */
  async function respond(responseUrl: string, parts: readonly SlackMessage[]): Promise<void> {
    const allowed = new Set(['hooks.slack.com', new URL(options.apiUrl).host]);
    if (!URL.canParse(responseUrl) || !allowed.has(new URL(responseUrl).host)) throw new Error('response_url is not on a Slack host');
    const hint = { text: 'I am not a member of this channel, so only you see my answer. Invite me with `/invite @Provisioning` to post here.', blocks: [] as SlackMessage['blocks'] };
    for (const part of [...parts, hint]) {
      const body = { response_type: 'ephemeral', replace_original: false, text: part.text, ...(part.blocks.length > 0 ? { blocks: part.blocks } : {}) };
      const response = await fetch(responseUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(10_000) });
      await response.body?.cancel();
      if (!response.ok) throw new Error(`response_url answered ${response.status}`);
    }
  }

  /** Only the person who pressed sees it (a refusal keeps the pressed message as it was). */
  async function tellPresser(where: Where, reply: Pick<Reply, 'text' | 'view'>): Promise<void> {
    const { text, blocks } = oneMessage(renderReply(reply));
    await client.chat.postEphemeral({ channel: where.channel, user: where.user, text, blocks });
  }

  /** A storage failure is told to the person (nothing changed, try again); anything else is logged with a reference. */
  async function guarded(where: Where | null, what: string, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (error) {
      const reference = newErrorReference();
      const failure = storageFailureOf(error);
      if (failure) log.error({ errorReference: reference, storage: failure.kind, reason: describeStorageFailure(failure), door: 'slack' }, `${what} failed: storage unavailable`);
      else log.error({ err: error, errorReference: reference, door: 'slack' }, `${what} failed`);
      if (!where) return;
      const message = failure
        ? storageUnavailableMessage(reference)
        : `Sorry, something went wrong on my side and I couldn't finish that. Please try again; if it keeps happening, give your admin this reference: ${reference}.`;
      await client.chat.postEphemeral({ channel: where.channel, user: where.user, text: message }).catch(() => undefined);
    }
  }

  return { remember, contextOf, track, post, tellPresser, guarded };
}
