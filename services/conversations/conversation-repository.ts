// Stored destinations: where the bot can reach a chat or channel later. A destination is
// (platform, tenant, audience, opaque address): services keep the address and hand it back to
// the platform's adapter, which alone knows what it means (Teams: a Bot Framework reference).
import type { Database, DatabaseOrTransaction } from '../../prisma/store.ts';
import { canonicalUserId, type Platform, type PrincipalId } from '../auth/principal.ts';
import { isUniqueViolation } from '../../prisma/unique-violation.ts';
import { newId } from '../shared/random.ts';

export interface StoredConversation {
  /** Whose adapter can read `address`. */
  platform: Platform;
  tenantId: string;
  channelId: string;
  conversationId: string;
  conversationType: string | null;
  teamId: string | null;
  serviceUrl: string;
  /** For personal chats: the platform's id of the user whose chat this is. */
  userId: string | null;
  audience: string | null;
  /** Where the platform's adapter reaches the conversation, as it gave it; opaque to services. */
  address: unknown;
  updatedAt: Date;
}

export type ConversationToSave = Omit<StoredConversation, 'audience' | 'updatedAt'>;

/**
 * Prisma's upsert is a read then an insert, not one atomic statement: two requests that both
 * read "missing" both insert, and the second fails on the unique key (seen with a burst of
 * first messages from a new tenant on PostgreSQL). Losing that race means the row now exists,
 * which is what an upsert wants; so the loser runs the upsert again and takes the update path.
 */
async function upsertRacing<T>(upsert: () => Promise<T>): Promise<T> {
  try {
    return await upsert();
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    return upsert();
  }
}

export async function ensureTenant(db: Database, tenantId: string): Promise<void> {
  await upsertRacing(() => db.tenant.upsert({ where: { id: tenantId }, create: { id: tenantId }, update: {} }));
}

/** Writes the conversation (new, or its row updated) and returns the row as stored. */
export async function saveConversation(db: Database, conversation: ConversationToSave): Promise<StoredConversation> {
  const fields = {
    tenantId: conversation.tenantId,
    platform: conversation.platform,
    conversationType: conversation.conversationType,
    teamId: conversation.teamId,
    serviceUrl: conversation.serviceUrl,
    userId: conversation.userId,
    reference: JSON.stringify(conversation.address),
  };
  const row = await upsertRacing(() =>
    db.conversationReference.upsert({
      where: { channelId_conversationId: { channelId: conversation.channelId, conversationId: conversation.conversationId } },
      create: { id: newId(), channelId: conversation.channelId, conversationId: conversation.conversationId, ...fields },
      update: fields,
    }),
  );
  return toStoredConversation(row);
}

export async function deleteConversation(db: Database, channelId: string, conversationId: string): Promise<number> {
  const result = await db.conversationReference.deleteMany({ where: { channelId, conversationId } });
  return result.count;
}

export async function findConversation(db: Database, tenantId: string, channelId: string, conversationId: string): Promise<StoredConversation | null> {
  const row = await db.conversationReference.findFirst({ where: { tenantId, channelId, conversationId } });
  return row ? toStoredConversation(row) : null;
}

type ConversationRow = NonNullable<Awaited<ReturnType<Database['conversationReference']['findFirst']>>>;

function toStoredConversation(row: ConversationRow): StoredConversation {
  return {
    // Rows are written with a platform; anything unknown is a Teams row from before platforms.
    platform: row.platform === 'slack' ? 'slack' : 'teams',
    tenantId: row.tenantId,
    channelId: row.channelId,
    conversationId: row.conversationId,
    conversationType: row.conversationType,
    teamId: row.teamId,
    serviceUrl: row.serviceUrl,
    userId: row.userId,
    audience: row.audience,
    address: JSON.parse(row.reference) as unknown,
    updatedAt: row.updatedAt,
  };
}

export interface AudienceChange {
  /** The audience this conversation was the destination for before, if any (a conversation holds one). */
  previousAudience: string | null;
  /** How many other conversations of the tenant were the destination for this audience until now. */
  takenFrom: number;
}

/**
 * Makes one stored conversation the tenant's destination for an audience, taking the audience
 * away from any other conversation of the tenant in the same transaction, whatever its
 * platform. Null when the conversation is not stored for this tenant.
 *
 * One destination per audience across platforms, because an audience is a team of people, not
 * a chat tool: when the technicians move their channel from Teams to Slack, the hand-off cards
 * must follow them rather than arrive twice (and be updated in place twice), and the old
 * channel must stop receiving codes nobody there acts on.
 */
export async function setConversationAudience(
  db: Database,
  tenantId: string,
  channelId: string,
  conversationId: string,
  audience: string,
): Promise<AudienceChange | null> {
  return db.$transaction(async (tx) => {
    const target = await tx.conversationReference.findFirst({ where: { tenantId, channelId, conversationId } });
    if (!target) return null;
    const taken = await tx.conversationReference.updateMany({
      where: { tenantId, audience, id: { not: target.id } },
      data: { audience: null },
    });
    await tx.conversationReference.update({ where: { id: target.id }, data: { audience } });
    return { previousAudience: target.audience, takenFrom: taken.count };
  });
}

/** The tenant's destination for the audience, whatever its platform (there is one per tenant). */
export async function findConversationByAudience(db: DatabaseOrTransaction, tenantId: string, audience: string): Promise<StoredConversation | null> {
  // One row at most by setConversationAudience; should two concurrent setups both have won,
  // the most recently touched one is the destination until the next setup clears the other.
  const row = await db.conversationReference.findFirst({ where: { tenantId, audience }, orderBy: { updatedAt: 'desc' } });
  return row ? toStoredConversation(row) : null;
}

/** The user's personal chat with the bot on their platform, the most recently used one. */
export async function findPersonalConversation(db: DatabaseOrTransaction, tenantId: string, person: PrincipalId): Promise<StoredConversation | null> {
  // Teams sends object ids in lower case; an id typed by a person may not be.
  const ids = [...new Set([person.userId, canonicalUserId(person.platform, person.userId)])];
  const row = await db.conversationReference.findFirst({
    where: { tenantId, platform: person.platform, conversationType: 'personal', userId: { in: ids } },
    orderBy: { updatedAt: 'desc' },
  });
  return row ? toStoredConversation(row) : null;
}
