// The outbox as a queue shared by several instances, on SQLite and PostgreSQL: a message is
// leased to one sender at a time, delivered once, and a served destination is never served again.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createOutboxDelivery, type OutboxRunResult } from '../../../services/notifications/outbox-delivery.ts';
import { createTeamsMessenger } from '../../../bot/teams/teams-messenger.ts';
import type { Store } from '../../../prisma/store.ts';
import { enqueueEvent } from '../../../services/notifications/outbox.ts';
import { claimDue, createOutboxQueue, markProgress, markRetry, markSent } from '../../../services/notifications/outbox-queue.ts';
import { FakeChannel } from '../../helpers/fake-channel.ts';
import { ManualClock, minutes } from '../../helpers/manual-clock.ts';
import { testProviders, unavailable } from '../../helpers/test-bot.ts';
import {
  captureLog,
  conversationAt,
  conversationsOf,
  emulatorAdapter,
  freshDatabase,
  lockedOut,
  lockoutPlanner,
  lockoutText,
  personalChat,
  techniciansChannel,
  type StoreRig,
} from './outbox-fixtures.ts';

const macs = Array.from({ length: 12 }, (_, i) => `AA-BB-CC-DD-EE-${String(i + 1).padStart(2, '0')}`);

for (const provider of testProviders) {
  describe.skipIf(unavailable(provider))(`the outbox queue on ${provider}`, () => {
    let rig: StoreRig;
    let first: Store;
    let second: Store;
    let channel: FakeChannel;
    const clock = new ManualClock();

    beforeAll(async () => {
      rig = await freshDatabase(provider);
    });
    afterAll(async () => {
      await rig?.drop();
    });

    beforeEach(async () => {
      // Two clients on one database: two instances of the bot.
      first = await rig.open();
      second = await rig.open();
      await first.db.outboxMessage.deleteMany();
      channel = await FakeChannel.start();
      const conversations = conversationsOf(first);
      await conversations.remember(conversationAt(channel, personalChat));
      await conversations.remember(conversationAt(channel, techniciansChannel));
    });
    afterEach(async () => {
      await channel.close();
      await first.close();
      await second.close();
    });

    function senderOn(store: Store, holder: string, batchSize = 20) {
      const logged = captureLog();
      const sender = createOutboxDelivery({
        queue: createOutboxQueue(store.db),
        messenger: createTeamsMessenger(emulatorAdapter(), ''),
        planner: lockoutPlanner(conversationsOf(store), [personalChat, techniciansChannel]),
        clock,
        log: logged.log,
        holder,
        batchSize,
        random: () => 0.5,
      });
      return { sender, logged };
    }

    it('two instances claiming at once split the due messages: none is leased twice', async () => {
      for (const mac of macs) await enqueueEvent(first.db, lockedOut(mac), clock.now());
      const options = { limit: macs.length, leaseMs: minutes(5) };
      const [a, b] = await Promise.all([claimDue(first.db, clock.now(), { ...options, holder: 'a' }), claimDue(second.db, clock.now(), { ...options, holder: 'b' })]);
      const ids = [...a, ...b].map((message) => message.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids).toHaveLength(macs.length);
      // Leased: nobody else gets them until the lease expires.
      expect(await claimDue(first.db, clock.now(), { ...options, holder: 'c' })).toEqual([]);
    });

    it('a lease that expired (its instance died) is taken over, and the old holder can no longer write', async () => {
      await enqueueEvent(first.db, lockedOut(macs[0]!), clock.now());
      const [claimed] = await claimDue(first.db, clock.now(), { holder: 'dead-instance', limit: 1, leaseMs: minutes(5) });
      expect(claimed?.event).toEqual(lockedOut(macs[0]!));

      const later = new Date(clock.now().getTime() + minutes(5) + 1);
      const [takenOver] = await claimDue(second.db, later, { holder: 'survivor', limit: 1, leaseMs: minutes(5) });
      expect(takenOver?.id).toBe(claimed?.id);

      expect(await markProgress(first.db, claimed!.id, 'chat:x', 'dead-instance')).toBe(false);
      expect(await markSent(first.db, claimed!.id, later, 'dead-instance')).toBe(false);
      expect(await markProgress(second.db, claimed!.id, 'chat:x', 'survivor')).toBe(true);
      expect(await markSent(second.db, claimed!.id, later, 'survivor')).toBe(true);
      const row = await first.db.outboxMessage.findUniqueOrThrow({ where: { id: claimed!.id } });
      expect(row).toMatchObject({ status: 'sent', progress: '["chat:x"]', leaseHolder: null, leaseUntil: null });
    });

    it('records progress in one write from the list the holder knows, and reads the list again when it is another', async () => {
      await enqueueEvent(first.db, lockedOut(macs[0]!), clock.now());
      const [claimed] = await claimDue(first.db, clock.now(), { holder: 'one', limit: 1, leaseMs: minutes(5) });
      const progressOf = async () => (await first.db.outboxMessage.findUniqueOrThrow({ where: { id: claimed!.id } })).progress;
      expect(await markProgress(first.db, claimed!.id, 'chat:a', 'one', [])).toBe(true);
      expect(await markProgress(first.db, claimed!.id, 'chat:b', 'one', ['chat:a'])).toBe(true);
      // A stale list (it missed chat:b): nothing is lost, the append goes on the stored list.
      expect(await markProgress(first.db, claimed!.id, 'chat:c', 'one', ['chat:a'])).toBe(true);
      expect(await progressOf()).toBe('["chat:a","chat:b","chat:c"]');
      // Another holder's write is refused however the list is given.
      expect(await markProgress(first.db, claimed!.id, 'chat:d', 'other', ['chat:a', 'chat:b', 'chat:c'])).toBe(false);
      expect(await progressOf()).toBe('["chat:a","chat:b","chat:c"]');
    });

    it('records a last destination and the message sent in one write, only for the lease holder and only while pending', async () => {
      await enqueueEvent(first.db, lockedOut(macs[0]!), clock.now());
      const [claimed] = await claimDue(first.db, clock.now(), { holder: 'one', limit: 1, leaseMs: minutes(5) });
      const rowOf = () => first.db.outboxMessage.findUniqueOrThrow({ where: { id: claimed!.id } });
      expect(await markProgress(first.db, claimed!.id, 'chat:a', 'one', [])).toBe(true);
      // Another holder: refused, nothing written.
      expect(await markProgress(first.db, claimed!.id, 'chat:b', 'other', ['chat:a'], clock.now())).toBe(false);
      expect(await rowOf()).toMatchObject({ status: 'pending', progress: '["chat:a"]', leaseHolder: 'one' });
      expect(await markProgress(first.db, claimed!.id, 'chat:b', 'one', ['chat:a'], clock.now())).toBe(true);
      expect(await rowOf()).toMatchObject({ status: 'sent', sentAt: clock.now(), progress: '["chat:a","chat:b"]', leaseHolder: null, leaseUntil: null });
      // Sent: a later write of the kind finds nothing pending.
      expect(await markProgress(first.db, claimed!.id, 'chat:c', 'one', ['chat:a', 'chat:b'], clock.now())).toBe(false);
      expect((await rowOf()).progress).toBe('["chat:a","chat:b"]');
    });

    it('a stale list with the last destination: appended on the stored list, and sent', async () => {
      await enqueueEvent(first.db, lockedOut(macs[0]!), clock.now());
      const [claimed] = await claimDue(first.db, clock.now(), { holder: 'one', limit: 1, leaseMs: minutes(5) });
      expect(await markProgress(first.db, claimed!.id, 'chat:a', 'one', [])).toBe(true);
      expect(await markProgress(first.db, claimed!.id, 'chat:b', 'one', [], clock.now())).toBe(true);
      expect(await first.db.outboxMessage.findUniqueOrThrow({ where: { id: claimed!.id } })).toMatchObject({ status: 'sent', progress: '["chat:a","chat:b"]' });
    });

    it('two senders running at the same time deliver each message exactly once', async () => {
      for (const mac of macs) await enqueueEvent(first.db, lockedOut(mac), clock.now());
      channel.answerDelayMs = 3;
      const one = senderOn(first, 'instance-1', 4);
      const two = senderOn(second, 'instance-2', 4);
      const totals: OutboxRunResult = { sent: 0, retried: 0, dead: 0 };
      for (let round = 0; round < 10 && totals.sent < macs.length; round++) {
        for (const result of await Promise.all([one.sender.runOnce(), two.sender.runOnce()])) {
          totals.sent += result.sent;
          totals.retried += result.retried;
          totals.dead += result.dead;
        }
      }
      expect(totals).toEqual({ sent: macs.length, retried: 0, dead: 0 });
      // Every lockout reached both conversations once.
      const deliveries = channel.received.map((activity) => `${activity.conversationId} ${activity.body.text}`).sort();
      const expected = macs.flatMap((mac) => [personalChat, techniciansChannel].map((conversationId) => `${conversationId} ${lockoutText(mac)}`)).sort();
      expect(deliveries).toEqual(expected);
      expect(await first.db.outboxMessage.count({ where: { status: 'sent' } })).toBe(macs.length);
    });

    it('claims in due order: a message put back for a retry queues up behind the ones due before it', async () => {
      const start = clock.now();
      for (const [i, mac] of macs.slice(0, 4).entries()) await enqueueEvent(first.db, lockedOut(mac), new Date(start.getTime() + i * 1000));
      const rows = await first.db.outboxMessage.findMany({ orderBy: { createdAt: 'asc' } });
      // The oldest failed once and is due again in 10 s; the newest is not due yet at all.
      await markRetry(first.db, rows[0]!.id, new Date(start.getTime() + 5_000), 5_000, 'HTTP 502');
      await first.db.outboxMessage.update({ where: { id: rows[3]!.id }, data: { nextAttemptAt: new Date(start.getTime() + 60_000) } });
      const now = new Date(start.getTime() + 20_000);
      const claimed = await claimDue(first.db, now, { holder: 'instance-1', limit: 2, leaseMs: minutes(5) });
      expect(claimed.map((message) => message.id)).toEqual([rows[1]!.id, rows[2]!.id]);
      const rest = await claimDue(first.db, now, { holder: 'instance-1', limit: 20, leaseMs: minutes(5) });
      expect(rest.map((message) => message.id)).toEqual([rows[0]!.id]);
    });

    it('on retry, a destination the channel already accepted is not sent again', async () => {
      await enqueueEvent(first.db, lockedOut(macs[0]!), clock.now());
      // The personal chat takes it; the channel fails once.
      channel.failNext(1, 502, {}, (request) => request.conversationId === techniciansChannel);
      const { sender } = senderOn(first, 'instance-1');
      expect(await sender.runOnce()).toEqual({ sent: 0, retried: 1, dead: 0, moreDue: false });
      const pending = await first.db.outboxMessage.findFirstOrThrow();
      expect(pending).toMatchObject({ status: 'pending', attempts: 1, progress: `["chat:${personalChat}"]` });
      expect(pending.lastError).toContain('502');

      clock.advance(minutes(1));
      // Another instance picks the retry up.
      expect(await senderOn(second, 'instance-2').sender.runOnce()).toEqual({ sent: 1, retried: 0, dead: 0, moreDue: false });
      const texts = channel.received.map((activity) => activity.conversationId);
      expect(texts.filter((id) => id === personalChat)).toHaveLength(1);
      expect(texts.filter((id) => id === techniciansChannel)).toHaveLength(1);
      expect(channel.failures).toHaveLength(1);
    });
  });
}
