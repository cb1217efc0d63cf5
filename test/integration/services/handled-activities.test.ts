// An activity is acted on once: the first claim of its id wins, every redelivery (even one that
// arrives at the same moment, on another instance) is told it was handled; claims older than a
// day are forgotten by time, as stored. On a SQLite file and a scratch PostgreSQL database.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createScratchDatabase, type ScratchDatabase } from '../../../prisma/schema-engine/index.ts';
import { openStore, type Store } from '../../../prisma/store.ts';
import { createHandledActivities } from '../../../services/conversations/handled-activities.ts';
import { postgresServerUrl } from '../../helpers/postgres.ts';
import { testProviders, unavailable } from '../../helpers/test-bot.ts';

const at = (iso: string) => new Date(iso);

describe.each(testProviders)('handled activities on %s', (provider) => {
  describe.skipIf(unavailable(provider))('claims', () => {
    let database: ScratchDatabase;
    let store: Store;
    const handled = () => createHandledActivities(store.db);

    beforeAll(async () => {
      database = await createScratchDatabase(provider, provider === 'postgresql' ? postgresServerUrl('handled activities') : undefined, 'handled_activities');
      store = await openStore(database.url);
    });
    afterAll(async () => {
      await store?.close();
      await database?.drop();
    });
    beforeEach(async () => {
      await store.db.handledActivity.deleteMany();
    });

    it('the first delivery of an activity claims it; a redelivery does not, another activity does', async () => {
      expect(await handled().claim('msteams', 'a:chat', 'm1', at('2026-12-07T10:00:00Z'))).toBe(true);
      expect(await handled().claim('msteams', 'a:chat', 'm1', at('2026-12-07T10:00:05Z'))).toBe(false);
      expect(await handled().claim('msteams', 'a:chat', 'm2', at('2026-12-07T10:00:05Z'))).toBe(true);
      expect(await handled().claim('msteams', 'a:other', 'm1', at('2026-12-07T10:00:05Z'))).toBe(true);
      const rows = await store.db.handledActivity.findMany({ orderBy: { key: 'asc' } });
      expect(rows).toEqual([
        { key: 'msteams:a:chat:m1', at: at('2026-12-07T10:00:00Z') },
        { key: 'msteams:a:chat:m2', at: at('2026-12-07T10:00:05Z') },
        { key: 'msteams:a:other:m1', at: at('2026-12-07T10:00:05Z') },
      ]);
    });

    it('of ten deliveries of one activity at once, exactly one claims it', async () => {
      const claims = await Promise.all(Array.from({ length: 10 }, () => handled().claim('msteams', 'a:chat', 'burst', at('2026-12-07T10:00:00Z'))));
      expect(claims.filter(Boolean)).toHaveLength(1);
    });

    it('forgets claims older than the cutoff only, so an old activity id could be claimed again', async () => {
      await handled().claim('msteams', 'a:chat', 'old', at('2026-12-06T09:00:00Z'));
      await handled().claim('msteams', 'a:chat', 'new', at('2026-12-07T09:00:00Z'));
      expect(await handled().forgetBefore(at('2026-12-06T10:00:00Z'))).toBe(1);
      expect(await handled().claim('msteams', 'a:chat', 'old', at('2026-12-07T09:30:00Z'))).toBe(true);
      expect(await handled().claim('msteams', 'a:chat', 'new', at('2026-12-07T09:30:00Z'))).toBe(false);
    });
  });
});
