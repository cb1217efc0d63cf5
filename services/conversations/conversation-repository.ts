// Stored conversation references: where the bot can reach a chat or channel later.
import type { Database } from '../../prisma/store.ts';
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

export async function ensureTenant(db: Database, tenantId: string): Promise<void> {
  await db.tenant.upsert({ where: { id: tenantId }, create: { id: tenantId }, update: {} });
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
  await db.conversationReference.upsert({
    where: { channelId_conversationId: { channelId: conversation.channelId, conversationId: conversation.conversationId } },
    create: { id: newId(), channelId: conversation.channelId, conversationId: conversation.conversationId, ...fields },
    update: fields,
  });
}

export async function deleteConversation(db: Database, channelId: string, conversationId: string): Promise<number> {
  const result = await db.conversationReference.deleteMany({ where: { channelId, conversationId } });
  return result.count;
}

export async function findConversation(db: Database, tenantId: string, channelId: string, conversationId: string): Promise<StoredConversation | null> {
  const row = await db.conversationReference.findFirst({ where: { tenantId, channelId, conversationId } });
  if (!row) return null;
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
