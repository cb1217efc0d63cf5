// Card buttons and tracked cards as Teams delivers them (real server, fake channel): a refused
// press keeps the pressed card; a problem report, with or without a note, keeps the hand-off
// card and reaches the admins; a tracked card is sent alone; every copy of a device's cards is
// redrawn, so after a sign-in none still offers Sign in.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DeviceClient } from '../../../bot/device-simulator/device-client.ts';
import { verbs } from '../../../bot/actions/verbs.ts';
import { cardOf, cardTexts, codesOnCard } from '../../helpers/card-text.ts';
import type { ReceivedActivity } from '../../helpers/fake-channel.ts';
import { startTestBot, type TestBot } from '../../helpers/test-bot.ts';

const adminId = '0f6c1d2e-3333-4a4a-9b9b-000000000001';
const techId = '0f6c1d2e-3333-4a4a-9b9b-000000000002';
const admin = { id: '29:ada', name: 'Ada Admin', aadObjectId: adminId };
const technician = { id: '29:tom', name: 'Tom Tech', aadObjectId: techId };
const team = '19:team@thread.tacv2';
const techChannel = { conversationType: 'channel' as const, conversationId: '19:technicians@thread.tacv2', teamId: team };
const adminsChannel = { conversationType: 'channel' as const, conversationId: '19:admins@thread.tacv2', teamId: team };
const adminChat = `a:personal-${adminId}`;

let bot: TestBot;

beforeEach(async () => {
  bot = await startTestBot({ ADMIN_USER_IDS: adminId }, { outboxIntervalMs: 50 });
  await bot.channel.message('setup technicians', { ...techChannel, mentionBot: true, from: admin });
  await bot.channel.message('setup admins', { ...adminsChannel, mentionBot: true, from: admin });
  await bot.channel.message(`grant technician ${techId}`, { from: admin, conversationId: adminChat });
  await bot.channel.waitFor(3);
});
afterEach(async () => {
  await bot.close();
});

const text = (activity: ReceivedActivity | undefined) => (activity ? cardTexts(cardOf(activity)).join('\n') + (activity.body.text ?? '') : '');
const posts = (conversationId: string) => (activity: ReceivedActivity) => activity.conversationId === conversationId && activity.method === 'POST';

/** Sends as the admin in their chat and returns the reply. */
async function adminSays(message: string): Promise<ReceivedActivity> {
  const before = bot.channel.received.filter(posts(adminChat)).length;
  await bot.channel.message(message, { from: admin, conversationId: adminChat });
  return (await bot.channel.waitFor(before + 1, posts(adminChat), 10_000)).at(-1)!;
}

async function press(verb: string, data: Record<string, unknown>, on: ReceivedActivity, from = admin) {
  const value = { action: { type: 'Action.Execute', verb, data }, trigger: 'manual' };
  const activity = bot.channel.activity({ type: 'invoke', name: 'adaptiveCard/action', value, replyToId: on.assignedId }, { from, conversationId: on.conversationId, conversationType: on.conversationId.startsWith('19:') ? 'channel' : 'personal' });
  return bot.channel.post(activity);
}

/** The latest version of a posted card: its last update, or the post itself. */
function latest(card: ReceivedActivity): ReceivedActivity {
  return bot.channel.received.filter((activity) => activity.method === 'PUT' && activity.targetActivityId === card.assignedId).at(-1) ?? card;
}

/** Every Action.Execute or Action.Submit title on a card, however deep. */
function buttonTitles(card: unknown): string[] {
  const titles: string[] = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const record = node as Record<string, unknown>;
      if (typeof record.type === 'string' && record.type.startsWith('Action.') && typeof record.title === 'string') titles.push(record.title);
      Object.values(record).forEach(walk);
    }
  };
  walk(card);
  return titles;
}

describe('the hand-off card and its buttons', () => {
  async function handOff(macs: string[]) {
    await adminSays(`register ${macs.map((mac) => `${mac} Lobby`).join('\n')}`);
    const reply = await adminSays(`codes ${macs.join(' ')}`);
    const [posted] = await bot.channel.waitFor(1, (activity) => posts(techChannel.conversationId)(activity) && /online/.test(text(activity)), 10_000);
    const batchId = JSON.stringify(cardOf(reply)).match(/"batchId":"([^"]+)"/)?.[1];
    return { reply, posted: posted!, batchId: batchId!, codes: codesOnCard(cardOf(reply)) };
  }

  it('the codes reply is the card alone, its sentence inside it', async () => {
    const { reply } = await handOff(['00-04-F2-11-00-01', '00-04-F2-11-00-02']);
    expect(reply.body.text ?? '').toBe('');
    expect(reply.body.attachments).toHaveLength(1);
    expect(cardTexts(cardOf(reply))).toContain('2 codes issued. The technicians channel gets this hand-off card too.');
  });

  it('a problem report without a note leaves the hand-off card intact, and the admins hear of it', async () => {
    const mac = '00-04-F2-11-00-03';
    const { posted, batchId, codes } = await handOff([mac, '00-04-F2-11-00-04']);
    const answer = await press(verbs.reportProblem, { batchId, mac }, posted, technician);
    expect(answer.status).toBe(200);
    const card = (answer.body as { statusCode: number; value: unknown }).value;
    expect(answer.body).toMatchObject({ statusCode: 200, type: 'application/vnd.microsoft.card.adaptive' });
    // The same hand-off, every code still on it, the report shown, the form still there.
    expect(codesOnCard(card)).toEqual(codes);
    expect(cardTexts(card).join('\n')).toMatch(/problem/);
    expect(buttonTitles(card)).toEqual(['Mark installed', 'Report a problem']);

    // The admins channel gets a card naming the device, its location, the technician, with a Status button.
    const [told] = await bot.channel.waitFor(1, (activity) => posts(adminsChannel.conversationId)(activity) && /Problem reported/.test(text(activity)), 10_000);
    const told_ = text(told);
    expect(told_).toContain(mac);
    expect(told_).toContain('Lobby');
    expect(told_).toContain('Tom Tech');
    expect(told_).toMatch(/No note was left/);
    expect(JSON.stringify(cardOf(told!))).toContain(`"verb":"${verbs.showStatus}"`);
    expect(buttonTitles(cardOf(told!))).toEqual(['Status']);

    // The admin's own copy of the hand-off (the codes reply) is redrawn with the report too.
    const adminCopy = bot.channel.received.find((activity) => posts(adminChat)(activity) && /online/.test(text(activity)))!;
    await bot.channel.waitFor(1, (activity) => activity.method === 'PUT' && activity.targetActivityId === adminCopy.assignedId, 10_000);
    expect(codesOnCard(cardOf(latest(adminCopy)))).toEqual(codes);
  });

  it("a problem report's note reaches the admins", async () => {
    const mac = '00-04-F2-11-00-05';
    const { posted, batchId } = await handOff([mac]);
    await press(verbs.reportProblem, { batchId, mac, note: 'no PoE on port 12' }, posted, technician);
    const [told] = await bot.channel.waitFor(1, (activity) => posts(adminsChannel.conversationId)(activity) && /Problem reported/.test(text(activity)), 10_000);
    expect(text(told)).toContain('no PoE on port 12');
  });

  it('a refused press is answered beside the card, which stays as it was', async () => {
    const { posted, batchId } = await handOff(['00-04-F2-11-00-06']);
    const before = bot.channel.received.length;
    const answer = await press(verbs.reportProblem, { batchId, note: 'cracked' }, posted, technician);
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ statusCode: 400, type: 'application/vnd.microsoft.error', value: { code: 'invalid_card_data', message: expect.stringMatching(/choose the device in the list first/) } });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(bot.channel.received.slice(before).filter((activity) => activity.targetActivityId === posted.assignedId)).toEqual([]);
    expect(await bot.server.store.db.auditEvent.count({ where: { action: 'handoff.problem' } })).toBe(0);
  });
});

describe('every copy of a tracked card', () => {
  it('after a sign-in, no copy of the device\'s cards offers Sign in (copies in two conversations, two in one)', async () => {
    const mac = '00-04-F2-22-00-01';
    await adminSays(`register ${mac} Lobby`);
    const codes = codesOnCard(cardOf(await adminSays(`codes ${mac}`)));
    const phone = new DeviceClient({ server: bot.url });
    await phone.provision({ mac, verificationCode: codes.get(mac) ?? '' });

    // Copy 1: the awaiting sign-in card in the admins channel.
    const [awaiting] = await bot.channel.waitFor(1, (activity) => posts(adminsChannel.conversationId)(activity) && /provisioned, waiting for sign-in/i.test(text(activity)), 10_000);
    expect(buttonTitles(cardOf(awaiting!))).toContain('Sign in');
    // Copies 2 and 3: the device's status, asked twice in the admin's chat, each with its Sign in button.
    const status1 = await adminSays(`status ${mac}`);
    const status2 = await adminSays(`status ${mac}`);
    for (const copy of [status1, status2]) expect(buttonTitles(cardOf(copy))).toContain('Sign in');
    // Copy 4: the admin starts the sign-in from their chat.
    const progress = await adminSays(`signin ${mac} lobby@contoso.com`);
    expect(text(progress)).toMatch(/Waiting for the device/i);

    await phone.reportLoginCode('EV9PGNQN8');
    await phone.reportSignedIn('lobby@contoso.com');

    const copies = [awaiting!, status1, status2, progress];
    await bot.channel.waitFor(copies.length, (activity) => activity.method === 'PUT' && copies.some((copy) => copy.assignedId === activity.targetActivityId) && /signed in/i.test(text(activity)), 15_000);
    for (const copy of copies) {
      const now = latest(copy);
      expect(text(now), `copy in ${copy.conversationId}`).toMatch(/signed in/i);
      expect(buttonTitles(cardOf(now)), `copy in ${copy.conversationId}`).not.toContain('Sign in');
    }
    expect(await bot.server.store.db.postedCard.count({ where: { subject: { not: '' }, kind: { in: ['sign_in', 'status'] } } })).toBe(4);
  });
});
