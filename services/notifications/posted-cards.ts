// Where the bot posted a card it will redraw later: a hand-off card (subject: the batch id, or a
// page of it: bot/views/handoff-pages.ts), a sign-in card or a status card with next-step
// buttons (subject: device id). Every posted copy is kept, several in one conversation too (a
// card posted again, a command run twice): each is redrawn, so no older copy keeps a button
// whose step has passed. Remembering a copy again (its button pressed) changes nothing.
import { insertRows } from '../../prisma/bulk-write.ts';
import type { Database } from '../../prisma/store.ts';
import { newId } from '../shared/random.ts';

/** sign_in_queue: a location's sign-in queue card (subject "<page>:<location key>", services/devices/sign-in-queue.ts). */
export type PostedCardKind = 'handoff' | 'sign_in' | 'status' | 'sign_in_queue' | 'sip_batch' | 'update_batch';

export interface PostedCardRef {
  channelId: string;
  conversationId: string;
  activityId: string;
}

export function createPostedCards(db: Database) {
  return {
    async remember(tenantId: string, kind: PostedCardKind, subject: string, where: PostedCardRef): Promise<void> {
      // Remembered once: a copy already known (the unique key) stays as it is.
      const now = new Date();
      const row = { id: newId(), tenantId, kind, subject, channelId: where.channelId, conversationId: where.conversationId, activityId: where.activityId, createdAt: now, updatedAt: now };
      await insertRows(db, 'PostedCard', [row], { skipExisting: true });
    },

    /** A card now shows something else (a page split in two): it is no longer redrawn as `subject`. */
    async forget(tenantId: string, kind: PostedCardKind, subject: string, where: PostedCardRef): Promise<void> {
      await db.postedCard.deleteMany({ where: { tenantId, kind, subject, channelId: where.channelId, conversationId: where.conversationId, activityId: where.activityId } });
    },

    /** The cards whose subject is `subject` or starts with `subject/` (a hand-off batch and its pages). */
    async findWithPrefix(tenantId: string, kind: PostedCardKind, subject: string): Promise<(PostedCardRef & { subject: string })[]> {
      const rows = await db.postedCard.findMany({
        where: { tenantId, kind, OR: [{ subject }, { subject: { startsWith: `${subject}/` } }] },
        orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      });
      return rows.map((row) => ({ subject: row.subject, channelId: row.channelId, conversationId: row.conversationId, activityId: row.activityId }));
    },

    async find(tenantId: string, kind: PostedCardKind, subject: string): Promise<PostedCardRef[]> {
      const rows = await db.postedCard.findMany({ where: { tenantId, kind, subject }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
      return rows.map((row) => ({ channelId: row.channelId, conversationId: row.conversationId, activityId: row.activityId }));
    },
  };
}

export type PostedCards = ReturnType<typeof createPostedCards>;
