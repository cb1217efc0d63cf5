// Teams may deliver the same activity twice (a retry after a slow answer). Each activity id
// is claimed once; a second delivery is recognised and ignored.
import { Prisma } from '../../generated/sqlite/client.ts';
import { executeStatement } from '../../prisma/direct-sqlite.ts';
import type { Database } from '../../prisma/store.ts';

export function createHandledActivities(db: Database) {
  return {
    /**
     * True the first time this activity is seen, false for every redelivery. Every turn runs it,
     * so it is one plain INSERT that skips a taken key (SQLite and PostgreSQL both say
     * ON CONFLICT DO NOTHING): Prisma's create costs half as much again, and would answer a taken
     * key with an error to catch. On SQLite it runs on the driver itself (prisma/direct-sqlite.ts).
     */
    async claim(channelId: string, conversationId: string, activityId: string, now: Date): Promise<boolean> {
      const key = `${channelId}:${conversationId}:${activityId}`;
      const inserted = await executeStatement(db, Prisma.sql`INSERT INTO "HandledActivity" ("key", "at") VALUES (${key}, ${now}) ON CONFLICT ("key") DO NOTHING`);
      return inserted === 1;
    },

    /** Forgets claims older than a day: a redelivery comes within minutes. */
    async forgetBefore(cutoff: Date): Promise<number> {
      const removed = await db.handledActivity.deleteMany({ where: { at: { lt: cutoff } } });
      return removed.count;
    },
  };
}

export type HandledActivities = ReturnType<typeof createHandledActivities>;
