// Remembers every conversation that talks to the bot or installs it, so later features can
// send proactive messages and update cards there. Keyed by channel + conversation id, scoped
// by the tenant the activity came from.
import { z } from 'zod';
import type { Database } from '../../prisma/store.ts';
import { platforms, type PrincipalId } from '../auth/principal.ts';
import { systemClock, type Clock } from '../shared/clock.ts';
import { DomainError } from '../shared/errors.ts';
import { RecentReads } from '../shared/recent-reads.ts';
import {
  deleteConversation,
  ensureTenant,
  findConversation,
  findConversationByAudience,
  findPersonalConversation,
  saveConversation,
  setConversationAudience,
  type AudienceChange,
  type ConversationToSave,
  type StoredConversation,
} from './conversation-repository.ts';

/** Who a conversation can be the destination for: `setup <audience>` picks one per tenant. */
export const audiences = ['technicians', 'admins', 'managers'] as const;
export type Audience = (typeof audiences)[number];

export function isAudience(value: string): value is Audience {
  return (audiences as readonly string[]).includes(value);
}

const conversationSchema = z.object({
  platform: z.enum(platforms),
  tenantId: z.string().trim().min(1).max(100),
  channelId: z.string().trim().min(1).max(100),
  conversationId: z.string().trim().min(1).max(1000),
  conversationType: z.string().max(50).nullable(),
  teamId: z.string().max(1000).nullable(),
  serviceUrl: z.url({ protocol: /^https?$/ }),
  userId: z.string().max(100).nullable(),
  address: z.record(z.string(), z.unknown()),
});

export interface ConversationService {
  /**
   * Stores the conversation if it is new or changed. `checkStore`: ask the store even when this
   * instance saw the conversation stored a moment ago (the bot was just installed again: another
   * instance may have forgotten it since).
   */
  remember(conversation: ConversationToSave, options?: { checkStore?: boolean }): Promise<void>;
  forget(channelId: string, conversationId: string): Promise<void>;
  find(tenantId: string, channelId: string, conversationId: string): Promise<StoredConversation | null>;
  /**
   * Makes this stored conversation the tenant's one destination for the audience, taking it
   * from any other of the tenant's conversations, on any platform (see setConversationAudience).
   */
  setAudience(tenantId: string, channelId: string, conversationId: string, audience: Audience): Promise<AudienceChange>;
  /** The conversation that receives the audience's messages in this tenant, if one was set up (on any platform). */
  findAudience(tenantId: string, audience: Audience): Promise<StoredConversation | null>;
  /** The personal chat the user has with the bot in this tenant on their platform, if they ever talked to it there. */
  findPersonalChat(tenantId: string, person: PrincipalId): Promise<StoredConversation | null>;
}

/**
 * Every message remembers its conversation, and nearly always nothing changed but the id of
 * the message in the reference (activityId: proactive sends post, they do not reply to it).
 * Writing the same row again cost two writes per message (the tenant, and the conversation in
 * a transaction), the largest cost of a chat turn in the chat benchmark. So an unchanged
 * conversation is written again only once its row is this old, which keeps updatedAt ("last
 * used", what orders a user's personal chats) true to within the hour.
 */
export const rememberRefreshMs = 60 * 60_000;

/**
 * The address without the id of the message it was taken from, as JSON: what "changed"
 * compares. (A Teams address, the Bot Framework reference, names the message as activityId.)
 */
function addressKey(address: unknown): string {
  if (address === null || typeof address !== 'object') return JSON.stringify(address);
  const { activityId: _messageId, ...where } = address as Record<string, unknown>;
  return JSON.stringify(where);
}

/**
 * How long this instance trusts what it last read or wrote of a conversation before it asks the
 * store again: a message then costs no read at all. Another instance may forget the conversation
 * meanwhile (the bot removed); a message from a conversation the bot was removed from does not
 * come, and a new install asks the store (checkStore), so a stale entry only delays by this much
 * the re-recording of a conversation deleted under a running chat.
 */
export const rememberedConversationTtlMs = 60_000;

function unchanged(stored: StoredConversation, incoming: ConversationToSave): boolean {
  return (
    stored.platform === incoming.platform &&
    stored.conversationType === incoming.conversationType &&
    stored.teamId === incoming.teamId &&
    stored.serviceUrl === incoming.serviceUrl &&
    stored.userId === incoming.userId &&
    addressKey(stored.address) === addressKey(incoming.address)
  );
}

export function createConversationService(db: Database, clock: Clock = systemClock): ConversationService {
  // The row as this instance last read or wrote it, by channel and conversation id (its unique key).
  const recentRows = new RecentReads<StoredConversation>({ ttlMs: rememberedConversationTtlMs, maxEntries: 10_000 });
  const keyOf = (channelId: string, conversationId: string) => `${channelId}\u0000${conversationId}`;
  const upToDate = (stored: StoredConversation | null | undefined, incoming: ConversationToSave): stored is StoredConversation =>
    !!stored && stored.tenantId === incoming.tenantId && unchanged(stored, incoming) && clock.now().getTime() - stored.updatedAt.getTime() < rememberRefreshMs;

  return {
    async remember(conversation, options = {}) {
      // The same conversation as a row this instance read or wrote a moment ago: nothing to do.
      // (Checked before the schema: it equals a row that passed it, so it passes too.)
      if (!options.checkStore && upToDate(recentRows.get(keyOf(conversation.channelId, conversation.conversationId)), conversation)) return;
      const parsed = conversationSchema.safeParse(conversation);
      if (!parsed.success) {
        const fields = parsed.error.issues.map((issue) => issue.path.join('.')).join(', ');
        throw new DomainError('invalid_input', `This conversation cannot be remembered: ${fields} missing or malformed in the activity.`);
      }
      const { tenantId, channelId, conversationId } = parsed.data;
      const key = keyOf(channelId, conversationId);
      const stored = await findConversation(db, tenantId, channelId, conversationId);
      if (upToDate(stored, parsed.data)) {
        recentRows.set(key, stored);
        return;
      }
      recentRows.forget((candidate) => candidate === key);
      await ensureTenant(db, tenantId);
      recentRows.set(key, await saveConversation(db, parsed.data));
    },
    async forget(channelId, conversationId) {
      try {
        await deleteConversation(db, channelId, conversationId);
      } finally {
        recentRows.forget((key) => key === keyOf(channelId, conversationId));
      }
    },
    find: (tenantId, channelId, conversationId) => findConversation(db, tenantId, channelId, conversationId),
    async setAudience(tenantId, channelId, conversationId, audience) {
      if (!isAudience(audience)) {
        throw new DomainError('invalid_input', `"${String(audience)}" is not an audience. Audiences are: ${audiences.join(', ')}.`);
      }
      const change = await setConversationAudience(db, tenantId, channelId, conversationId, audience);
      if (!change) {
        throw new DomainError('not_found', 'I have not stored this conversation yet. Send me any message here, then try again.');
      }
      return change;
    },
    findAudience: (tenantId, audience) => findConversationByAudience(db, tenantId, audience),
    findPersonalChat: (tenantId, person) => findPersonalConversation(db, tenantId, person),
  };
}
