// "codes all" for 1,000 devices as Teams delivers it: the technicians channel gets a card per
// location and page, each well under Teams' size limit, every device on exactly one card; a
// card the channel refuses as too big (413) is split, not lost; as devices provision, each
// card that shows them is updated in place, and no other.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DeviceClient } from '../../../bot/device-simulator/device-client.ts';
import { actionsOf } from '../../unit/cards/card-checks.ts';
import { cardOf, cardTexts, codesOnCard } from '../../helpers/card-text.ts';
import type { ReceivedActivity } from '../../helpers/fake-channel.ts';
import { startTestBot, type TestBot } from '../../helpers/test-bot.ts';

const adminId = '0f6c1d2e-1111-4a4a-9b9b-000000000001';
const admin = { id: '29:ada', name: 'Ada Admin', aadObjectId: adminId };
const techChannel = { conversationType: 'channel' as const, conversationId: '19:technicians@thread.tacv2', teamId: '19:team@thread.tacv2' };
const adminChat = `a:personal-${adminId}`;
/** Under the 28 KB quoted as Teams' oldest limit, with margin. */
const budgetBytes = 24 * 1024;

// 1,000 devices: one location of 600, others of 250, 99 and 50, one device without a location.
const locations: [string, number][] = [['Berlin HQ — Building A, Floor 2 (open space north)', 600], ['Munich', 250], ['Lobby', 99], ['Warehouse', 50], ['', 1]];
const mac = (index: number) => `00-04-F2-00-${String(Math.floor(index / 100)).padStart(2, '0')}-${String(index % 100).padStart(2, '0')}`;

let bot: TestBot;
beforeEach(async () => {
  bot = await startTestBot({ ADMIN_USER_IDS: adminId }, { outboxIntervalMs: 20 });
});
afterEach(async () => {
  await bot.close();
});

const bytesOf = (activity: ReceivedActivity) => Buffer.byteLength(JSON.stringify(activity.body), 'utf8');
const toTechnicians = (method: string) => (activity: ReceivedActivity) => activity.conversationId === techChannel.conversationId && activity.method === method && /Device codes/.test(cardTexts(cardOf(activity)).join('\n'));
const title = (activity: ReceivedActivity) => cardTexts(cardOf(activity)).find((text) => text.startsWith('Device codes')) ?? '';

async function adminSays(text: string): Promise<ReceivedActivity> {
  const before = bot.channel.received.filter((activity) => activity.conversationId === adminChat).length;
  await bot.channel.message(text, { from: admin, conversationId: adminChat });
  return (await bot.channel.waitFor(before + 1, (activity) => activity.conversationId === adminChat, 20_000)).at(-1)!;
}

describe('a hand-off of 1,000 devices', () => {
  it('arrives as cards under the limit, every device on one card, each updated in place as its devices provision', { timeout: 120_000 }, async () => {
    await bot.channel.message('setup technicians', { ...techChannel, mentionBot: true, from: admin });
    await bot.channel.waitFor(1, (activity) => activity.conversationId === techChannel.conversationId);
    let index = 0;
    const rows = locations.flatMap(([location, count]) => Array.from({ length: count }, () => `${mac(index++)};${location}`));
    expect(cardTexts(cardOf(await adminSays(`import MAC address;Location\r\n${rows.join('\r\n')}\r\n`))).join('\n')).toMatch(/1,?000/);

    // The channel refuses the first card as too big: the outbox sends it as two halves instead.
    bot.channel.failNext(1, 413, {}, (request) => request.conversationId === techChannel.conversationId && request.method === 'POST');

    // "codes all" asks first (over 50 devices); the admin confirms and gets the summary, not 1,000 codes.
    const confirm = await adminSays('codes all');
    const yes = actionsOf(cardOf(confirm)).find((action) => action.verb === 'confirm.yes');
    expect(yes, cardTexts(cardOf(confirm)).join('\n')).toBeDefined();
    const value = { action: { type: 'Action.Execute', verb: 'confirm.yes', data: yes?.data }, trigger: 'manual' };
    const answer = await bot.channel.post(bot.channel.activity({ type: 'invoke', name: 'adaptiveCard/action', value, replyToId: confirm.assignedId }, { from: admin, conversationId: adminChat }));
    expect(answer.status, bot.logText().slice(-3000)).toBe(200);
    const summary = (answer.body as { value: unknown }).value;
    expect(cardTexts(summary)).toContain('Device codes — 0 of 1000 online');
    expect(codesOnCard(summary).size).toBe(0);
    expect(Buffer.byteLength(JSON.stringify(summary))).toBeLessThan(budgetBytes);

    // 30 + 13 + 5 + 3 + 1 pages, the first of them split in two after the 413.
    const posted = await bot.channel.waitFor(53, toTechnicians('POST'), 60_000);
    expect(bot.channel.failures.map((failure) => failure.status)).toEqual([413]);
    expect(posted).toHaveLength(53);
    const sizes = posted.map(bytesOf);
    console.info(`hand-off cards of 1,000 devices: ${posted.length} cards, largest ${Math.max(...sizes)} bytes`);
    expect(Math.max(...sizes)).toBeLessThan(budgetBytes);
    const codes = new Map<string, string>();
    const cardOfDevice = new Map<string, string>();
    for (const card of posted) {
      for (const [device, code] of codesOnCard(cardOf(card))) {
        expect(cardOfDevice.has(device)).toBe(false);
        codes.set(device, code);
        cardOfDevice.set(device, card.assignedId);
      }
    }
    expect(codes.size).toBe(1000);
    expect(posted.map(title)).toContain('Device codes: Munich, page 2 of 13 (devices 21–40 of 250) — 0 of 20 online');
    expect(posted.map(title)).toContain('Device codes: Berlin HQ — Building A, Floor 2 (open space north), page 1 of 30 (devices 1–10 of 600) — 0 of 10 online');

    // One device of every card provisions: that card, and only it, is updated in place.
    const firstOfEach = [...new Map(posted.map((card) => [card.assignedId, [...codesOnCard(cardOf(card)).keys()][0]!])).entries()];
    for (const [, device] of firstOfEach) {
      const phone = new DeviceClient({ server: bot.url });
      await phone.provision({ mac: device, verificationCode: codes.get(device)!, model: 'Yealink MP56' });
    }
    const updates = await bot.channel.waitFor(53, toTechnicians('PUT'), 60_000);
    expect(new Set(updates.map((update) => update.targetActivityId))).toEqual(new Set(posted.map((card) => card.assignedId)));
    for (const update of updates) {
      expect(bytesOf(update)).toBeLessThan(budgetBytes);
      expect(title(update)).toMatch(/ — 1 of \d+ online$/);
      const onCard = [...codesOnCard(cardOf(update)).keys()];
      expect(onCard.every((device) => cardOfDevice.get(device) === update.targetActivityId)).toBe(true);
    }
    // The admin's summary, updated in place too, ends up counting them all (each redraw draws the state of its time).
    const summaryId = confirm.assignedId;
    await bot.channel.waitFor(1, (activity) => activity.method === 'PUT' && activity.targetActivityId === summaryId && cardTexts(cardOf(activity)).includes('Device codes — 53 of 1000 online'), 60_000);
  });
});
