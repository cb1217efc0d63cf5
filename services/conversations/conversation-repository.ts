// Stored conversation references: where the bot can reach a chat or channel later.
import type { Database, DatabaseOrTransaction } from '../../prisma/store.ts';
import { isUniqueViolation } from '../../prisma/unique-violation.ts';
import { newId } from '../shared/random.ts';

export interface StoredConversation {
  tenantId: string;
  channelId: string;
  conversationId: string;
  conversationType: string | null;
  teamId: string | null;
  serviceUrl: string;
  userAadObjectId: string | null;
  audience: string | null;
  /** The Bot Framework conversation reference, as the chat adapter gave it. */
  reference: unknown;
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

export async function saveConversation(db: Database, conversation: ConversationToSave): Promise<void> {
  const fields = {
    tenantId: conversation.tenantId,
    conversationType: conversation.conversationType,
    teamId: conversation.teamId,
    serviceUrl: conversation.serviceUrl,
    userAadObjectId: conversation.userAadObjectId,
    reference: JSON.stringify(conversation.reference),
  };
  await upsertRacing(() =>
    db.conversationReference.upsert({
      where: { channelId_conversationId: { channelId: conversation.channelId, conversationId: conversation.conversationId } },
      create: { id: newId(), channelId: conversation.channelId, conversationId: conversation.conversationId, ...fields },
      update: fields,
    }),
  );
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
    tenantId: row.tenantId,
    channelId: row.channelId,
    conversationId: row.conversationId,
    conversationType: row.conversationType,
    teamId: row.teamId,
    serviceUrl: row.serviceUrl,
    userAadObjectId: row.userAadObjectId,
    audience: row.audience,
    reference: JSON.parse(row.reference) as unknown,
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
 * away from any other conversation of the tenant in the same transaction. Null when the
 * conversation is not stored for this tenant.
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

export async function findConversationByAudience(db: DatabaseOrTransaction, tenantId: string, audience: string): Promise<StoredConversation | null> {
  // One row at most by setConversationAudience; should two concurrent setups both have won,
  // the most recently touched one is the destination until the next setup clears the other.
  const row = await db.conversationReference.findFirst({ where: { tenantId, audience }, orderBy: { updatedAt: 'desc' } });
  return row ? toStoredConversation(row) : null;
}

export async function findPersonalConversation(db: DatabaseOrTransaction, tenantId: string, userAadObjectId: string): Promise<StoredConversation | null> {
  // Teams sends object ids in lower case; an id typed by a person may not be.
  const ids = [...new Set([userAadObjectId, userAadObjectId.toLowerCase()])];
  const row = await db.conversationReference.findFirst({
    where: { tenantId, conversationType: 'personal', userAadObjectId: { in: ids } },
    orderBy: { updatedAt: 'desc' },
  });
  return row ? toStoredConversation(row) : null;
}
