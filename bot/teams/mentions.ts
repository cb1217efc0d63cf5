// The people @mentioned in a message, as commands need them: a Teams mention carries only the
// Teams user id ("29:…") and a display name, while roles are kept by Entra object id, so each
// mention is looked up in the conversation's member list. A lookup that fails (not a member,
// a tag or channel mention, the connector down) leaves the id null instead of failing the turn:
// the command that needs it says what to do. The name comes from the member list too, when
// found: a mention's text and name are whatever the sender's client put there.
import { TeamsInfo } from './botbuilder.ts';
import type { Mention, TurnContext } from 'botbuilder';
import type { MentionedUser } from '../commands/command-spec.ts';
import { turnLogger } from './turn-logger.ts';

function mentionsOf(context: TurnContext): Mention[] {
  const botId = context.activity.recipient?.id;
  const seen = new Set<string>();
  const found: Mention[] = [];
  for (const entity of context.activity.entities ?? []) {
    const mention = entity as Partial<Mention>;
    const id = mention.mentioned?.id;
    if (mention.type !== 'mention' || typeof id !== 'string' || id === '' || id === botId || seen.has(id)) continue;
    seen.add(id);
    found.push(mention as Mention);
  }
  return found;
}

/** "<at>Tom Tech</at>" → "Tom Tech", for mentions that carry no name of their own. */
function nameInText(text: string | undefined): string | null {
  const name = (text ?? '').replace(/<\/?at>/gi, '').trim();
  return name === '' ? null : name;
}

function warn(context: TurnContext, fields: Record<string, unknown>, message: string): void {
  try {
    turnLogger(context).warn(fields, message);
  } catch {
    // No turn logger (a unit test's bare context): the null id already tells the command.
  }
}

async function resolve(context: TurnContext, mention: Mention): Promise<MentionedUser> {
  const mentionedName = mention.mentioned.name?.trim() || nameInText(mention.text);
  try {
    const member = await TeamsInfo.getMember(context, mention.mentioned.id);
    // The roster's name, not the mention's: the sender writes the mention text (and a client
    // can send any name with it), so "@CEO" could be anyone; the grant records the name it shows.
    return { name: member.name?.trim() || mentionedName || mention.mentioned.id, userId: member.aadObjectId?.toLowerCase() ?? null };
  } catch (error) {
    // The status only: names and ids of other people do not belong in the log.
    const status = (error as { statusCode?: unknown }).statusCode;
    warn(context, { status: typeof status === 'number' ? status : null }, 'a mentioned user could not be looked up');
    return { name: mentionedName ?? mention.mentioned.id, userId: null };
  }
}

/** The people mentioned in this message, the bot excluded, each once, with their Entra object id when Teams gives it. */
export async function resolveMentions(context: TurnContext): Promise<MentionedUser[]> {
  return Promise.all(mentionsOf(context).map((mention) => resolve(context, mention)));
}
