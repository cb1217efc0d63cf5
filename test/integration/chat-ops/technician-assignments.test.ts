// Per-technician hand-off (`assign LOCATION @technician`): an assigned location's card goes by
// direct message to its technician only, an unassigned one to the technicians channel; every
// card says who can see it; redraws reach the direct-message card; the admin hears of an
// assigned technician the bot cannot reach.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DeviceClient } from '../../../bot/device-simulator/device-client.ts';
import { cardOf, cardTexts, codesOnCard } from '../../helpers/card-text.ts';
import type { ReceivedActivity } from '../../helpers/fake-channel.ts';
import { startTestBot, type TestBot } from '../../helpers/test-bot.ts';

const adminId = '0f6c1d2e-3333-4a4a-9b9b-000000000001';
const techId = '0f6c1d2e-3333-4a4a-9b9b-000000000002';
const annId = '0f6c1d2e-3333-4a4a-9b9b-000000000003';
const admin = { id: '29:ada', name: 'Ada Admin', aadObjectId: adminId };
const technician = { id: '29:tom', name: 'Tom Tech', aadObjectId: techId };
const team = '19:team@thread.tacv2';
const techChannel = { conversationType: 'channel' as const, conversationId: '19:technicians@thread.tacv2', teamId: team };
const adminChat = `a:personal-${adminId}`;
const tomChat = `a:personal-${techId}`;

let bot: TestBot;

beforeEach(async () => {
  bot = await startTestBot({ ADMIN_USER_IDS: adminId }, { outboxIntervalMs: 50 });
  await bot.channel.message('setup technicians', { ...techChannel, mentionBot: true, from: admin });
  await bot.channel.message(`grant technician ${techId}`, { from: admin, conversationId: adminChat });
  // The technician has a personal chat with the bot: they said something to it first.
  await bot.channel.message('whoami', { from: technician, conversationId: tomChat });
  await bot.channel.waitFor(3);
});
afterEach(async () => {
  await bot.close();
});

const text = (activity: ReceivedActivity | undefined) => (activity ? cardTexts(cardOf(activity)).join('\n') + (activity.body.text ?? '') : '');
const posts = (conversationId: string) => (activity: ReceivedActivity) => activity.conversationId === conversationId && activity.method === 'POST';

async function adminSays(message: string): Promise<ReceivedActivity> {
  const before = bot.channel.received.filter(posts(adminChat)).length;
  await bot.channel.message(message, { from: admin, conversationId: adminChat });
  return (await bot.channel.waitFor(before + 1, posts(adminChat), 10_000)).at(-1)!;
}

describe('technicians assigned to locations', () => {
  it('assign, unassign and assignments', async () => {
    expect(text(await adminSays(`assign  lobby ${techId}`))).toMatch(/Assigned .* to lobby/);
    expect(text(await adminSays(`assign LOBBY ${techId}`))).toMatch(/already is assigned/);
    expect(text(await adminSays(`assign Annex ${annId}`))).toMatch(/has not talked to the bot yet/);
    const listed = text(await adminSays('assignments'));
    expect(listed).toMatch(/lobby:\*\* /);
    expect(listed).toContain(annId);
    expect(text(await adminSays(`unassign Annex ${annId}`))).toMatch(/no longer assigned to Annex/);
    expect(text(await adminSays('assignments'))).not.toContain(annId);
    // Technicians may not assign.
    await bot.channel.message(`assign Lobby ${techId}`, { from: technician, conversationId: tomChat });
    const [refused] = await bot.channel.waitFor(2, posts(tomChat), 10_000).then((all) => all.slice(-1));
    expect(text(refused)).toMatch(/admin/);
  });

  it("an assigned location's card goes to its technician's direct message only; others to the channel; redraws reach it", async () => {
    const lobby = '00-04-F2-12-00-01';
    const hall = '00-04-F2-12-00-02';
    const annex = '00-04-F2-12-00-03';
    await adminSays(`register ${lobby} Lobby\n${hall} Hall\n${annex} Annex`);
    await adminSays(`assign  lobby  ${techId}`);
    await adminSays(`assign Annex ${annId}`);
    const reply = await adminSays(`codes ${lobby} ${hall} ${annex}`);
    expect(text(reply)).toMatch(/Lobby: codes sent by direct message to Tom Tech/);
    expect(text(reply)).toMatch(/Annex: .*never talked to the bot/);

    const [dm] = await bot.channel.waitFor(1, (activity) => posts(tomChat)(activity) && /online/.test(text(activity)), 10_000);
    const [channelCard] = await bot.channel.waitFor(1, (activity) => posts(techChannel.conversationId)(activity) && /online/.test(text(activity)), 10_000);
    await new Promise((resolve) => setTimeout(resolve, 300));

    // The technician's card: Lobby alone, and who can see it.
    expect(text(dm)).toContain(lobby);
    expect(text(dm)).not.toContain(hall);
    expect(text(dm)).not.toContain(annex);
    expect(text(dm)).toContain('Sent to: Tom Tech (direct message)');
    // The channel: Hall only; never the assigned locations' codes.
    const channelPosts = bot.channel.received.filter((activity) => posts(techChannel.conversationId)(activity) && /online/.test(text(activity)));
    for (const card of channelPosts) {
      expect(text(card)).not.toContain(lobby);
      expect(text(card)).not.toContain(annex);
    }
    expect(text(channelCard)).toContain(hall);
    expect(text(channelCard)).toContain('Sent to: the technicians channel');
    expect(bot.channel.received.filter((activity) => posts(tomChat)(activity) && /online/.test(text(activity)))).toHaveLength(1);

    // The Lobby device comes online: the direct-message card is redrawn in place.
    const codes = codesOnCard(cardOf(reply));
    const phone = new DeviceClient({ server: bot.url });
    await phone.provision({ mac: lobby, verificationCode: codes.get(lobby) ?? '' });
    const [redrawn] = await bot.channel.waitFor(1, (activity) => activity.method === 'PUT' && activity.targetActivityId === dm!.assignedId && /1 of 1 online/.test(text(activity)), 10_000);
    expect(text(redrawn)).toContain('Sent to: Tom Tech (direct message)');
  });
});
