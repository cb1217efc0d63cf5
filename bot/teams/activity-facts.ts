// Facts the bot reads off an incoming activity. Pure functions over the wire format, so
// they are tested with plain objects. The tenant always comes from the activity itself.
import type { Activity, ConversationReference } from 'botbuilder';
import type { AttachedFile } from '../commands/command-spec.ts';
import { urlHostAllowed } from '../host-allowlist.ts';

type ActivityLike = Partial<Pick<Activity, 'text' | 'entities' | 'recipient' | 'channelData' | 'conversation' | 'channelId' | 'from'>>;

/** The Bot Framework Emulator sends no tenant; local conversations share this one. */
export const emulatorTenantId = 'local-emulator';

export function tenantIdOf(activity: ActivityLike): string | null {
  const channelData = activity.channelData as { tenant?: { id?: unknown } } | undefined;
  const fromChannelData = channelData?.tenant?.id;
  if (typeof fromChannelData === 'string' && fromChannelData.trim() !== '') return fromChannelData.trim();
  const fromConversation = activity.conversation?.tenantId;
  if (typeof fromConversation === 'string' && fromConversation.trim() !== '') return fromConversation.trim();
  return activity.channelId === 'emulator' ? emulatorTenantId : null;
}

/**
 * The user's Entra object id. The Bot Framework Emulator sends none: there, and only there,
 * its user id stands in, so roles can be tried locally (set it to a GUID in the Emulator).
 */
export function userIdOf(activity: ActivityLike): string | null {
  const aadObjectId = activity.from?.aadObjectId;
  if (aadObjectId) return aadObjectId.toLowerCase();
  return activity.channelId === 'emulator' && activity.from?.id ? activity.from.id.toLowerCase() : null;
}

export function conversationTypeOf(activity: ActivityLike): 'personal' | 'channel' | 'groupChat' | 'unknown' {
  const type = activity.conversation?.conversationType;
  if (type === 'personal' || type === 'channel' || type === 'groupChat') return type;
  // Teams always says; other channels (the Emulator) talk one to one.
  return activity.conversation?.isGroup ? 'groupChat' : type === undefined ? 'personal' : 'unknown';
}

export function teamIdOf(activity: ActivityLike): string | null {
  const channelData = activity.channelData as { team?: { id?: unknown } } | undefined;
  return typeof channelData?.team?.id === 'string' ? channelData.team.id : null;
}

function escapeForRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The message text without the bot's @mention. In a channel Teams sends "<at>Bot</at> help"
 * with a mention entity for the bot; mentions of other people are kept.
 */
export function textWithoutBotMention(activity: ActivityLike): string {
  let text = activity.text ?? '';
  const botId = activity.recipient?.id;
  const mentions = (activity.entities ?? []).filter((entity) => (entity as { type?: string }).type === 'mention');
  for (const entity of mentions) {
    const mention = entity as { type?: string; mentioned?: { id?: string }; text?: string };
    if (mention.type === 'mention' && mention.mentioned?.id === botId && typeof mention.text === 'string' && mention.text !== '') {
      text = text.replace(new RegExp(escapeForRegExp(mention.text), 'g'), ' ');
    }
  }
  // Some clients send no mention entity at all: then a leading <at>…</at> is the bot's.
  if (mentions.length === 0) text = text.replace(/^\s*<at>[^<]*<\/at>/i, ' ');
  return text.replace(/&nbsp;/g, ' ').replace(/[ \t]+/g, ' ').trim();
}

/**
 * The text a command reads: without the bot's @mention, and without the @mentions of people
 * (commands get those resolved, as context.mentions). A mention tag the activity carries no
 * entity for stays as "@Name", so a command can say it could not tell who that is.
 */
export function commandText(activity: ActivityLike): string {
  let text = textWithoutBotMention(activity);
  for (const entity of activity.entities ?? []) {
    const mention = entity as { type?: string; text?: string; mentioned?: { id?: string } };
    if (mention.type === 'mention' && mention.mentioned?.id !== activity.recipient?.id && typeof mention.text === 'string' && mention.text !== '') {
      text = text.split(mention.text).join(' ');
    }
  }
  return text.replace(/<at>([^<]*)<\/at>/gi, (_tag, name: string) => `@${name.trim()}`).replace(/[ \t]+/g, ' ').trim();
}

/**
 * A Teams channel message's conversation id names its thread ("19:…@thread.tacv2;messageid=…").
 * The channel itself is the id without that suffix: new messages posted there start their own
 * thread instead of landing as replies where someone once typed a command.
 */
export function channelConversationId(conversationId: string): string {
  return conversationId.split(';messageid=')[0] ?? conversationId;
}

/**
 * What a conversation service needs to store about where this activity came from: a Teams
 * destination, whose opaque address is the Bot Framework conversation reference.
 */
export function conversationToRemember(activity: Partial<Activity>, reference: Partial<ConversationReference>, tenantId: string) {
  const personal = conversationTypeOf(activity) === 'personal';
  const conversationId = channelConversationId(activity.conversation?.id ?? '');
  if (reference.conversation) reference = { ...reference, conversation: { ...reference.conversation, id: conversationId } };
  return {
    platform: 'teams' as const,
    tenantId,
    channelId: activity.channelId ?? '',
    conversationId,
    conversationType: conversationTypeOf(activity),
    teamId: teamIdOf(activity),
    serviceUrl: activity.serviceUrl ?? '',
    userId: personal ? userIdOf(activity) : null,
    address: reference as Record<string, unknown>,
  };
}

const teamsFileDownload = 'application/vnd.microsoft.teams.file.download.info';

/** Files sent in personal chat: Teams attaches a download URL for each (the manifest sets supportsFiles). */
export function attachedFiles(activity: Partial<Activity>, allowedHosts: readonly string[]): AttachedFile[] {
  return (activity.attachments ?? []).flatMap((attachment) => {
    const content = attachment.content as { downloadUrl?: unknown } | undefined;
    if (attachment.contentType !== teamsFileDownload || typeof content?.downloadUrl !== 'string') return [];
    return [{ name: attachment.name ?? 'file', downloadUrl: content.downloadUrl, fromAllowedHost: urlHostAllowed(content.downloadUrl, allowedHosts), isAllowedUrl: (url: string) => urlHostAllowed(url, allowedHosts) }];
  });
}
