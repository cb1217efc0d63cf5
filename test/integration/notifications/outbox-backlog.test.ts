// A backlog larger than one batch, on SQLite and PostgreSQL: the running job drains it round
// after round without waiting for its ticks, and the claim finds due messages through an index
// instead of sorting every pending row (which stalled the server as the backlog grew).
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startOutboxJob, type OutboxJob } from '../../../bot/jobs/outbox-job.ts';
import { createOutboxDelivery } from '../../../services/notifications/outbox-delivery.ts';
import { createTeamsMessenger } from '../../../bot/teams/teams-messenger.ts';
import type { Store } from '../../../prisma/store.ts';
import { enqueueEvent } from '../../../services/notifications/outbox.ts';
import { createOutboxQueue } from '../../../services/notifications/outbox-queue.ts';
import { newId } from '../../../services/shared/random.ts';
import { FakeChannel } from '../../helpers/fake-channel.ts';
import { ManualClock } from '../../helpers/manual-clock.ts';
import { testProviders, unavailable } from '../../helpers/test-bot.ts';
import { captureLog, conversationAt, conversationsOf, emulatorAdapter, eventually, freshDatabase, lockedOut, lockoutPlanner, personalChat, tenantId, type StoreRig } from './outbox-fixtures.ts';

const mac = (i: number) => `AA-BB-CC-DD-${String(Math.floor(i / 100)).padStart(2, '0')}-${String(i % 100).padStart(2, '0')}`;
const anHour = 60 * 60_000;

for (const provider of testProviders) {
  describe.skipIf(unavailable(provider))(`an outbox backlog on ${provider}`, () => {
    let rig: StoreRig;
    let store: Store;
    let channel: FakeChannel;
    let job: OutboxJob | undefined;
    const clock = new ManualClock();

    beforeAll(async () => {
      rig = await freshDatabase(provider);
    });
    afterAll(async () => {
      await rig?.drop();
    });
    beforeEach(async () => {
      store = await rig.open();
      await store.db.outboxMessage.deleteMany();
      channel = await FakeChannel.start();
      await conversationsOf(store).remember(conversationAt(channel, personalChat));
    });
    afterEach(async () => {
      await job?.stop();
      job = undefined;
      await channel.close();
      await store.close();
    });

    function jobWithBatchesOf(batchSize: number): OutboxJob {
      const logged = captureLog();
      const sender = createOutboxDelivery({
        queue: createOutboxQueue(store.db),
        messenger: createTeamsMessenger(emulatorAdapter(), ''),
        planner: lockoutPlanner(conversationsOf(store), [personalChat]),
        clock,
        log: logged.log,
        holder: 'instance-1',
        batchSize,
        random: () => 0.5,
      });
      // An hour between ticks: whatever goes out after the first round went out by draining.
      return startOutboxJob({ sender, intervalMs: anHour, log: logged.log });
    }

    const pending = () => store.db.outboxMessage.count({ where: { status: 'pending' } });

    it('drains a backlog of several batches at once, without waiting for the next tick', async () => {
      for (let i = 0; i < 35; i++) await enqueueEvent(store.db, lockedOut(mac(i)), clock.now());
      job = jobWithBatchesOf(10);
      await eventually(async () => (await pending()) === 0, 'the whole backlog sent', 30_000);
      expect(await store.db.outboxMessage.count({ where: { status: 'sent' } })).toBe(35);
      // Exactly once each.
      expect(channel.received).toHaveLength(35);
      expect(new Set(channel.received.map((activity) => activity.body.text)).size).toBe(35);
    });

    it('stops draining when the channel fails (backoff, not the next batch at once), and on stop()', async () => {
      for (let i = 0; i < 25; i++) await enqueueEvent(store.db, lockedOut(mac(i)), clock.now());
      channel.failNext(1, 503);
      job = jobWithBatchesOf(10);
      // The first round: one retry, nine sent; then it waits for its tick (an hour away).
      await eventually(async () => (await store.db.outboxMessage.count({ where: { status: 'sent' } })) === 9, 'the first round settled', 30_000);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(await pending()).toBe(16);
      expect(channel.received).toHaveLength(9);

      // kick(): the next round claims a full batch and drains on, until stop() ends it.
      channel.answerDelayMs = 20;
      job.kick();
      await eventually(async () => channel.received.length >= 12, 'draining again', 30_000);
      await job.stop();
      const sentAtStop = await store.db.outboxMessage.count({ where: { status: 'sent' } });
      const receivedAtStop = channel.received.length;
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(channel.received).toHaveLength(receivedAtStop);
      expect(await store.db.outboxMessage.count({ where: { status: 'sent' } })).toBe(sentAtStop);
      // stop() waited for the round in progress: nothing is left leased mid-delivery.
      expect(await store.db.outboxMessage.count({ where: { status: 'pending', leaseHolder: { not: null } } })).toBe(0);
    });

    it('claims from an index: no sort of the whole backlog, however long it is', async () => {
      const now = new Date('2026-11-22T09:00:00.000Z');
      const rows = Array.from({ length: 3000 }, (_, i) => ({
        id: newId(),
        tenantId,
        kind: 'device.locked_out',
        payload: JSON.stringify(lockedOut(mac(i % 10_000))),
        nextAttemptAt: new Date(now.getTime() - 3000 + i),
        createdAt: new Date(now.getTime() - 3000 + i),
      }));
      for (let i = 0; i < rows.length; i += 500) await store.db.outboxMessage.createMany({ data: rows.slice(i, i + 500) });
      // The claim's query (outbox-queue.ts claimDue), as SQL.
      const iso = now.toISOString();
      if (provider === 'sqlite') {
        await store.db.$executeRawUnsafe('ANALYZE');
        const plan = await store.db.$queryRawUnsafe<{ detail: string }[]>(
          `EXPLAIN QUERY PLAN SELECT "id" FROM "OutboxMessage" WHERE "status" = ? AND "nextAttemptAt" <= ? AND ("leaseUntil" IS NULL OR "leaseUntil" <= ?) ORDER BY "nextAttemptAt" ASC, "id" ASC LIMIT 20`,
          'pending',
          iso,
          iso,
        );
        const details = plan.map((step) => step.detail).join('\n');
        expect(details).toContain('USING INDEX OutboxMessage_status_nextAttemptAt_id_idx');
        expect(details).not.toContain('TEMP B-TREE');
      } else {
        await store.db.$executeRawUnsafe('ANALYZE "OutboxMessage"');
        const plan = await store.db.$queryRawUnsafe<{ 'QUERY PLAN': string }[]>(
          `EXPLAIN SELECT "id" FROM "OutboxMessage" WHERE "status" = 'pending' AND "nextAttemptAt" <= '${iso}'::timestamp AND ("leaseUntil" IS NULL OR "leaseUntil" <= '${iso}'::timestamp) ORDER BY "nextAttemptAt" ASC, "id" ASC LIMIT 20`,
        );
        const lines = plan.map((step) => step['QUERY PLAN']).join('\n');
        expect(lines).toContain('OutboxMessage_status_nextAttemptAt_id_idx');
        expect(lines).not.toMatch(/\bSort\b/);
      }
    });
  });
}
