// Group commit against real databases: items that arrive together share one transaction, each
// in its savepoint; each sees what the items before it wrote; one that throws leaves no trace
// and fails alone; a group whose commit fails fails every item and writes nothing.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createScratchDatabase, type ScratchDatabase } from '../../../prisma/schema-engine/index.ts';
import { openStore, type Store, type Transaction } from '../../../prisma/store.ts';
import { groupedTransactions } from '../../../prisma/grouped-transactions.ts';
import { postgresServerUrl } from '../../helpers/postgres.ts';
import { testProviders, unavailable } from '../../helpers/test-bot.ts';

describe.each(testProviders)('grouped transactions on %s', (provider) => {
  describe.skipIf(unavailable(provider))('groupedTransactions', () => {
    let database: ScratchDatabase;
    let store: Store;
    const db = () => store.db;
    const tenantNames = async () => (await db().tenant.findMany({ orderBy: { id: 'asc' }, select: { id: true } })).map((row) => row.id);
    const addTenant = (id: string) => async (tx: Transaction) => {
      await tx.tenant.create({ data: { id } });
      return tx.tenant.count();
    };

    beforeAll(async () => {
      database = await createScratchDatabase(provider, provider === 'postgresql' ? postgresServerUrl('grouped-tx') : undefined, 'grouped_tx');
      store = await openStore(database.url);
    });
    afterAll(async () => {
      await store?.close();
      await database?.drop();
    });
    beforeEach(async () => {
      await db().tenant.deleteMany({});
    });

    it('runs the items that arrive in one turn of the event loop together, in arrival order, and a lone item alone', async () => {
      const groups: number[] = [];
      const writes = groupedTransactions(db(), { onGroup: (items) => groups.push(items) });
      const counts = await Promise.all(['t-1', 't-2', 't-3', 't-4', 't-5'].map((id) => writes.run(addTenant(id))));
      // Each saw the items before it, as if they had committed one by one.
      expect(counts).toEqual([1, 2, 3, 4, 5]);
      expect(await writes.run(addTenant('t-6'))).toBe(6);
      expect(groups).toEqual([5, 1]);
      expect(await tenantNames()).toEqual(['t-1', 't-2', 't-3', 't-4', 't-5', 't-6']);
    });

    it('takes the items that arrive while a group runs into the next group', async () => {
      const groups: number[] = [];
      const writes = groupedTransactions(db(), { onGroup: (items) => groups.push(items) });
      let release: () => void = () => {};
      let started: () => void = () => {};
      const running = new Promise<void>((resolve) => (started = resolve));
      const slow = writes.run(async (tx) => {
        const released = new Promise<void>((resolve) => (release = resolve));
        started();
        await released;
        return addTenant('t-slow')(tx);
      });
      await running;
      const later = ['t-a', 't-b', 't-c'].map((id) => writes.run(addTenant(id)));
      release();
      await Promise.all([slow, ...later]);
      expect(groups).toEqual([1, 3]);
    });

    it('rolls back only the item that throws, which alone fails with its own error', async () => {
      const writes = groupedTransactions(db());
      const failing = async (tx: Transaction) => {
        await tx.tenant.create({ data: { id: 't-broken' } });
        throw new Error('this item failed halfway');
      };
      // A unique violation from the database, too: the statement fails inside the savepoint.
      const duplicate = async (tx: Transaction) => {
        await tx.tenant.create({ data: { id: 't-dup-side' } });
        return tx.tenant.create({ data: { id: 't-1' } });
      };
      const outcomes = await Promise.allSettled([
        writes.run(addTenant('t-0')),
        writes.run(addTenant('t-1')),
        writes.run(failing),
        writes.run(duplicate),
        writes.run(addTenant('t-2')),
      ]);
      expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'rejected', 'fulfilled']);
      expect(String((outcomes[2] as PromiseRejectedResult).reason)).toContain('this item failed halfway');
      expect(await tenantNames()).toEqual(['t-0', 't-1', 't-2']);
    });

    it('fails every item of a group, and writes nothing of it, when the group cannot commit', async () => {
      const writes = groupedTransactions(db());
      // The second item ends the transaction itself: its savepoint can no longer be rolled back to.
      const breaksTheTransaction = async (tx: Transaction) => {
        await tx.$executeRawUnsafe('ROLLBACK');
        throw new Error('broke the transaction');
      };
      await writes.run(addTenant('t-alone'));
      const group = [writes.run(addTenant('t-a')), writes.run(breaksTheTransaction), writes.run(addTenant('t-b'))];
      const outcomes = await Promise.allSettled(group);
      expect(outcomes.every((outcome) => outcome.status === 'rejected')).toBe(true);
      expect(await tenantNames()).toEqual(['t-alone']);
      // The writer carries on with the next group.
      await writes.run(addTenant('t-after'));
      expect(await tenantNames()).toContain('t-after');
    });

    it('bounds a group: a long queue is worked off in groups of at most maxItems', async () => {
      const groups: number[] = [];
      const writes = groupedTransactions(db(), { maxItems: 10, onGroup: (items) => groups.push(items) });
      await Promise.all(Array.from({ length: 35 }, (_, index) => writes.run(addTenant(`t-${String(index).padStart(2, '0')}`))));
      expect(groups).toEqual([10, 10, 10, 5]);
      expect(await tenantNames()).toHaveLength(35);
    });
  });
});
