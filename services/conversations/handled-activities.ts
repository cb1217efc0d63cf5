// Teams may deliver the same activity twice (a retry after a slow answer). Each activity id
// is claimed once; a second delivery is recognised and ignored.
import type { Database } from '../../prisma/store.ts';
import { isUniqueViolation } from '../../prisma/unique-violation.ts';

export function createHandledActivities(db: Database) {
  return {
    /** True the first time this activity is seen, false for every redelivery. */
    async claim(channelId: string, conversationId: string, activityId: string, now: Date): Promise<boolean> {
      const key = `${channelId}:${conversationId}:${activityId}`;
      try {
        await db.handledActivity.create({ data: { key, at: now } });
        return true;
      } catch (error) {
        // The key is taken: this activity was handled before.
        if (isUniqueViolation(error)) return false;
        throw error;
      }
    },

    /** Forgets claims older than a day: a redelivery comes within minutes. */
    async forgetBefore(cutoff: Date): Promise<number> {
      const removed = await db.handledActivity.deleteMany({ where: { at: { lt: cutoff } } });
      return removed.count;
    },
  };
}

export type HandledActivities = ReturnType<typeof createHandledActivities>;
