// Crash drill, outbox: the bot runs as a real process on a SQLite file and is killed with
// SIGKILL while notifications wait in its outbox, then started again on the same file. The
// fake Teams channel lives in the test process and counts what every life of the bot sent.
//
// What the bot promises: a notification in the outbox survives a kill and is delivered once
// after the restart; the destinations the channel accepted before the kill are recorded
// (outbox progress) and not served again.
//
// The window no design closes: between the channel accepting a post and the outbox recording
// it, a kill loses the record, and the post is sent again. Teams has no idempotency key for new
// messages, so that is at-least-once, never lost. The notification in flight is also leased to
// the dead process: it waits for that lease to run out (5 minutes) before it is sent again.
// The last test drills exactly that window.
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../../../prisma/store.ts';
import { cardOf, codesOnCard } from '../../helpers/card-text.ts';
import { cleanUpRigs, crashAdmin as admin, crashAdminChat as adminChat, kill9, newRig, startLife, type Rig } from '../../helpers/crash-rig.ts';
import { callDeviceApi } from '../../helpers/device-api.ts';
import type { ReceivedActivity } from '../../helpers/fake-channel.ts';
import { eventually, macsOf, notExactlyOnce, sleep } from '../../helpers/reliability.ts';

const techChannel = { conversationType: 'channel' as const, conversationId: '19:technicians@thread.tacv2', teamId: '19:team@thread.tacv2' };
const asAdmin = (rig: Rig, text: string) => rig.channel.message(text, { from: admin, conversationId: adminChat });

afterEach(cleanUpRigs);

describe('kill -9 with notifications still in the outbox', () => {
  /** Admin sets up the technicians channel, registers devices, issues their codes (read off the reply card). */
  async function provisioningDay(rig: Rig, macs: readonly string[]): Promise<Map<string, string>> {
    await rig.channel.message('setup technicians', { ...techChannel, mentionBot: true, from: admin });
    await asAdmin(rig, `register ${macs.map((mac) => `${mac} Lobby`).join('\n')}`);
    await asAdmin(rig, `codes ${macs.join(' ')}`);
    // The answer to a message comes back within its turn: the reply is at the channel already.
    const reply = rig.channel.received.find((activity) => activity.conversationId === adminChat && codesOnCard(cardOf(activity)).size > 0);
    const codes = codesOnCard(cardOf(reply!));
    expect(codes.size).toBe(macs.length);
    return codes;
  }

  const isHandoffPost = (activity: ReceivedActivity) => activity.conversationId === techChannel.conversationId && activity.method === 'POST' && activity.targetActivityId === null;
  const awaitingPost = (request: { method: string; conversationId: string; targetActivityId: string | null }) =>
    request.method === 'POST' && request.targetActivityId === null && request.conversationId === adminChat;
  const macOfAwaiting = (activity: ReceivedActivity) => /Device ([0-9A-F-]{17})/.exec(String(activity.body.summary))?.[1] ?? '?';

  it('after a restart on a healthy channel, each notification is delivered exactly once: none lost, none repeated', async () => {
    const rig = await newRig();
    const first = await startLife(rig);
    const store = await openStore(`file:${rig.databaseFile}`);
    try {
      const macs = macsOf(0x40, 8);
      const codes = await provisioningDay(rig, macs);
      const [handoff] = await rig.channel.waitFor(1, isHandoffPost, 20_000);

      // The admin's chat refuses every proactive post (500) until the restart: each provision's
      // hand-off update goes through (recorded as progress), its "waiting for sign-in" card does not.
      rig.channel.failNext(10_000, 500, {}, awaitingPost);
      const early = macs.slice(0, 6);
      for (const mac of early) expect((await callDeviceApi(first.url, 'POST', '/provision', { mac, verificationCode: codes.get(mac) })).status).toBe(200);
      await eventually(
        async () => {
          const rows = await store.db.outboxMessage.findMany({ where: { kind: 'device.provisioned' } });
          return rows.length === early.length && rows.every((row) => row.attempts >= 1 && row.leaseHolder === null && row.status === 'pending');
        },
        'every provision notification to have failed once',
        30_000,
      );
      // Now the channel refuses every proactive request, and two more devices provision: their
      // notifications are in the outbox, untried or failed, when the bot dies right after.
      // Nothing the bot sends from here on can be accepted, so even a request in flight at the
      // kill cannot become a duplicate.
      rig.channel.failNext(10_000, 503, {}, (request) => request.method === 'PUT' || request.targetActivityId === null);
      for (const mac of macs.slice(6)) expect((await callDeviceApi(first.url, 'POST', '/provision', { mac, verificationCode: codes.get(mac) })).status).toBe(200);
      await kill9(first);

      const pending = await store.db.outboxMessage.findMany({ where: { status: 'pending' } });
      expect(pending.filter((row) => row.kind === 'device.provisioned')).toHaveLength(macs.length);
      expect(rig.channel.failures.length).toBeGreaterThanOrEqual(early.length);
      // An outbox run may have been under way at the kill: its lease belongs to the dead process,
      // and the next life takes the message over when it runs out (5 minutes). Those minutes
      // pass at once here; the last test below drills the lease itself.
      await store.db.outboxMessage.updateMany({ where: { status: 'pending', leaseHolder: { not: null } }, data: { leaseUntil: new Date(Date.now() - 1000) } });

      rig.channel.cancelPlannedFaults();
      await startLife(rig);
      await eventually(async () => (await store.db.outboxMessage.count({ where: { status: { not: 'sent' } } })) === 0, 'every notification to be sent after the restart', 45_000);
      await sleep(2500); // a full outbox interval more: nothing else may arrive

      expect(rig.channel.received.filter(isHandoffPost)).toHaveLength(1);
      // The hand-off card updated at most once per provision across both lives of the bot
      // (provisions delivered in one outbox run share one update), and current at the end.
      const handoffUpdates = rig.channel.received.filter((activity) => activity.method === 'PUT' && activity.targetActivityId === handoff!.assignedId);
      expect(handoffUpdates.length).toBeGreaterThanOrEqual(1);
      expect(handoffUpdates.length).toBeLessThanOrEqual(macs.length);
      expect(JSON.stringify(handoffUpdates.at(-1)!.body)).toContain(`${macs.length} of ${macs.length} online`);
      const awaiting = rig.channel.received.filter((activity) => awaitingPost(activity) && /provisioned and waiting for sign-in/.test(String(activity.body.summary)));
      expect(notExactlyOnce(macs, awaiting.map(macOfAwaiting))).toEqual([]);
    } finally {
      await store.close();
    }
  }, 120_000);

  it('the window: a card the channel took just before the kill, with its answer still on the way, is sent again once the dead process\'s lease runs out', async () => {
    const rig = await newRig();
    const first = await startLife(rig);
    const store = await openStore(`file:${rig.databaseFile}`);
    try {
      // The technicians channel takes the hand-off card, but its answer never reaches the bot.
      rig.channel.hangNext(1, { accept: true, match: (request) => request.conversationId === techChannel.conversationId && request.targetActivityId === null && request.method === 'POST' });
      await provisioningDay(rig, macsOf(0x41, 2));
      await rig.channel.waitUntil(() => rig.channel.hangs.length === 1, 'the hand-off post to be in flight', 20_000);
      await kill9(first);
      const [row] = await store.db.outboxMessage.findMany({ where: { kind: 'codes.issued' } });
      expect(row).toMatchObject({ status: 'pending', progress: null });
      expect(row!.leaseHolder).not.toBeNull();

      // After the restart the notification is still leased to the dead process: not sent yet.
      await startLife(rig);
      await sleep(3000); // more than an outbox interval (2 s), and its start-up run
      expect(rig.channel.received.filter(isHandoffPost)).toHaveLength(1);

      // The lease runs out (its 5 minutes, moved forward here): the card is sent again.
      await store.db.outboxMessage.update({ where: { id: row!.id }, data: { leaseUntil: new Date(Date.now() - 1000) } });
      await eventually(async () => (await store.db.outboxMessage.findUnique({ where: { id: row!.id } }))?.status === 'sent', 'the hand-off to be sent after the lease', 20_000);
      // Twice at the channel: the copy taken before the kill, and the one after. Never lost.
      expect(rig.channel.received.filter(isHandoffPost)).toHaveLength(2);
    } finally {
      await store.close();
    }
  }, 120_000);
});
