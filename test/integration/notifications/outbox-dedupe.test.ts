// An outbox message's dedupe key is claimed once: a second message with the same key fails as a
// unique violation that isUniqueViolation recognises (the jobs that queue a day's digest or
// stale-device list stand down on it), however the INSERT ran: through Prisma (PostgreSQL),
// on SQLite's driver for the store's client, or on an open transaction that runs directly.
import { beforeEach, describe, expect, it } from 'vitest';
import { inTransactionDirectly } from '../../../prisma/direct-sqlite.ts';
import { groupedTransactions } from '../../../prisma/grouped-transactions.ts';
import { isUniqueViolation } from '../../../prisma/unique-violation.ts';
import type { DomainEvent } from '../../../services/notifications/domain-events.ts';
import { enqueueEvent } from '../../../services/notifications/outbox.ts';
import { useScratchStore } from '../../helpers/scratch-store.ts';
import { testProviders, unavailable } from '../../helpers/test-bot.ts';

const tenantId = 'tenant-dedupe';
const now = new Date('2026-12-07T06:00:00Z');
const digestDue = (day: string) => ({ kind: 'digest.due', tenantId, day }) as DomainEvent;

describe.each(testProviders)('outbox dedupe keys on %s', (provider) => {
  describe.skipIf(unavailable(provider))('a second message with a taken key', () => {
    const store = useScratchStore(provider, 'outbox dedupe');

    beforeEach(async () => {
      await store().db.tenant.deleteMany();
      await store().db.tenant.create({ data: { id: tenantId, name: 'Dedupe' } });
    });

    const failureOf = (attempt: Promise<unknown>) => attempt.then(() => null, (error: unknown) => error);
    const stored = async () => (await store().db.outboxMessage.findMany({ orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] })).map((row) => row.dedupeKey);

    it('outside a transaction: refused as a unique violation, the first kept', async () => {
      await enqueueEvent(store().db, digestDue('2026-12-07'), now, 'digest:day');
      const error = await failureOf(enqueueEvent(store().db, digestDue('2026-12-07'), now, 'digest:day'));
      expect(isUniqueViolation(error)).toBe(true);
      // The store goes on (on SQLite, on a fresh direct connection).
      await enqueueEvent(store().db, digestDue('2026-12-08'), now, 'digest:next');
      expect(await stored()).toEqual(['digest:day', 'digest:next']);
    });

    it('in a transaction, and in one that runs its statements directly: the same, rolled back with it', async () => {
      await enqueueEvent(store().db, digestDue('2026-12-07'), now, 'digest:day');
      const plain = await failureOf(store().db.$transaction((tx) => enqueueEvent(tx, digestDue('2026-12-07'), now, 'digest:day')));
      expect(isUniqueViolation(plain)).toBe(true);
      const direct = await failureOf(
        store().db.$transaction((transaction) =>
          inTransactionDirectly(store().db, transaction, async (tx) => {
            await enqueueEvent(tx, digestDue('2026-12-09'), now, 'digest:rolled-back');
            await enqueueEvent(tx, digestDue('2026-12-07'), now, 'digest:day');
          }),
        ),
      );
      expect(isUniqueViolation(direct)).toBe(true);
      // In a group commit only the item that took the key fails.
      const writes = groupedTransactions(store().db);
      const outcomes = await Promise.allSettled([
        writes.run((tx) => enqueueEvent(tx, digestDue('2026-12-10'), now, 'digest:grouped')),
        writes.run((tx) => enqueueEvent(tx, digestDue('2026-12-07'), now, 'digest:day')),
      ]);
      expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected']);
      expect(isUniqueViolation((outcomes[1] as PromiseRejectedResult).reason)).toBe(true);
      expect(await stored()).toEqual(['digest:day', 'digest:grouped']);
    });
  });
});
