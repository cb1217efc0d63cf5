// A provisioning day as Teams delivers it: an admin registers and imports devices, issues
// codes; technicians get the hand-off card; a phone provisions; the card updates in place;
// the admin signs the device in from a card, sees the login code, then "Signed in".
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DeviceClient } from '../../../bot/device-simulator/device-client.ts';
import { cardOf, cardTexts, codesOnCard } from '../../helpers/card-text.ts';
import type { ReceivedActivity } from '../../helpers/fake-channel.ts';
import { startTestBot, type TestBot } from '../../helpers/test-bot.ts';

const adminId = '0f6c1d2e-1111-4a4a-9b9b-000000000001';
const techId = '0f6c1d2e-2222-4a4a-9b9b-000000000002';
const admin = { id: '29:ada', name: 'Ada Admin', aadObjectId: adminId };
const technician = { id: '29:tom', name: 'Tom Tech', aadObjectId: techId };
const techChannel = { conversationType: 'channel' as const, conversationId: '19:technicians@thread.tacv2', teamId: '19:team@thread.tacv2' };
const adminChat = `a:personal-${adminId}`;

let bot: TestBot;

beforeEach(async () => {
  bot = await startTestBot({ ADMIN_USER_IDS: adminId }, { outboxIntervalMs: 50 });
});
afterEach(async () => {
  await bot.close();
});

const asAdmin = (text: string) => bot.channel.message(text, { from: admin, conversationId: adminChat });
const lastReply = async (count: number, where: (activity: ReceivedActivity) => boolean) => (await bot.channel.waitFor(count, where, 10_000)).at(-1);

/** Sends, then waits for the next message to arrive in that conversation, and returns it. */
async function nextIn(conversationId: string, send: () => Promise<unknown>): Promise<ReceivedActivity | undefined> {
  const before = bot.channel.received.filter(inConversation(conversationId)).length;
  await send();
  return lastReply(before + 1, inConversation(conversationId));
}
const adminSays = (text: string) => nextIn(adminChat, () => asAdmin(text));
const inConversation = (id: string, method = 'POST') => (activity: ReceivedActivity) => activity.conversationId === id && activity.method === method;
const text = (activity: ReceivedActivity | undefined) => (activity ? cardTexts(cardOf(activity)).join('\n') + (activity.body.text ?? '') : '');

async function pressButton(verb: string, data: Record<string, unknown>, on: ReceivedActivity, from = admin) {
  const value = { action: { type: 'Action.Execute', verb, data }, trigger: 'manual' };
  const activity = bot.channel.activity({ type: 'invoke', name: 'adaptiveCard/action', value, replyToId: on.assignedId }, { from, conversationId: on.conversationId });
  return bot.channel.post(activity);
}

describe('a provisioning day', () => {
  it('goes from MACs to a signed-in phone, with the hand-off card updated in place and notifications never lost', async () => {
    // Set-up: the technicians channel, and a technician.
    await bot.channel.message('setup technicians', { ...techChannel, mentionBot: true, from: admin });
    await asAdmin(`grant technician ${techId}`);
    await bot.channel.waitFor(2);

    // Register three by hand, import two from a CSV.
    expect(text(await adminSays('register 00-04-F2-00-00-01 Lobby\n00-04-F2-00-00-02 Lobby\n00-04-F2-00-00-03 Floor 2'))).toMatch(/Registered 3/);
    expect(text(await adminSays('import MAC address;Location\r\n00-04-F2-00-00-04;Floor 2\r\n00-04-F2-00-00-05;Cafeteria\r\n'))).toMatch(/Imported/);

    // A technician may not issue codes.
    await bot.channel.message('codes all', { from: technician, conversationId: `a:personal-${techId}` });
    expect(text(await lastReply(1, inConversation(`a:personal-${techId}`)))).toContain('needs the admin role');

    // Codes for all: the admin sees the card, the technicians channel receives it.
    const adminHandoff = await adminSays('codes all');
    const codes = codesOnCard(cardOf(adminHandoff!));
    expect(codes.size).toBe(5);
    const isHandoff = (activity: ReceivedActivity) => inConversation(techChannel.conversationId)(activity) && /online/.test(text(activity));
    const [handoffPost] = await bot.channel.waitFor(1, isHandoff, 10_000);
    expect(text(handoffPost)).toMatch(/0 of 5 online/);
    expect(codesOnCard(cardOf(handoffPost!))).toEqual(codes);

    // The channel now fails twice with 500, then once with 429: delayed, never lost or doubled.
    bot.channel.failNext(2, 500);
    bot.channel.failNext(1, 429, { 'Retry-After': '1' });

    // A phone provisions with its code.
    const mac = '00-04-F2-00-00-01';
    const phone = new DeviceClient({ server: bot.url });
    await phone.provision({ mac, verificationCode: codes.get(mac) ?? '', model: 'Yealink MP56' });

    // The hand-off card is updated in place; the admin gets the "waiting for sign-in" card.
    const [handoffUpdate] = await bot.channel.waitFor(1, (activity) => activity.method === 'PUT' && activity.targetActivityId === handoffPost?.assignedId, 20_000);
    expect(text(handoffUpdate)).toMatch(/1 of 5 online/);
    const awaiting = (await bot.channel.waitFor(1, (activity) => inConversation(adminChat)(activity) && /provisioned,? (and )?waiting for sign-in/i.test(text(activity)), 20_000)).at(-1);
    expect(text(awaiting)).toMatch(/provisioned,? (and )?waiting for sign-in/i);
    expect(bot.channel.failures.map((failure) => failure.status)).toEqual([500, 500, 429]);

    // The admin presses Sign in: the card is replaced by "waiting for the device's code".
    const pressed = await pressButton('device.signIn', { mac, account: 'lobby-phone@contoso.com' }, awaiting!);
    expect(pressed.status).toBe(200);
    const replaced = (pressed.body as { value: unknown }).value;
    expect(cardTexts(replaced).join('\n')).toMatch(/Waiting for the device/i);

    // The device reports its login code: the admin's card shows it.
    expect((await phone.state()).signInRequested).toBe(true);
    await phone.reportLoginCode('EV9PGNQN8');
    const withCode = await lastReply(1, (activity) => activity.method === 'PUT' && activity.targetActivityId === awaiting?.assignedId && text(activity).includes('EV9PGNQN8'));
    expect(text(withCode)).toContain('EV9PGNQN8');
    expect(text(withCode)).toContain('microsoft.com/devicelogin');

    // The device reports signed-in: the admin sees Signed in.
    await phone.reportSignedIn('lobby-phone@contoso.com');
    const signedIn = await lastReply(1, (activity) => activity.method === 'PUT' && activity.targetActivityId === awaiting?.assignedId && /Signed in as/.test(text(activity)));
    expect(text(signedIn)).toMatch(/Signed in as lobby-phone@contoso.com/);

    // Exactly one hand-off card and one awaiting card were posted, despite the failures.
    expect(bot.channel.received.filter(isHandoff)).toHaveLength(1);
    expect(bot.channel.received.filter((activity) => activity.method === 'POST' && /provisioned,? (and )?waiting for sign-in/i.test(text(activity)))).toHaveLength(1);
  });

  it('a technician marks a device installed on the hand-off card, and the card shows it', async () => {
    await adminSays(`grant technician ${techId}`);
    await adminSays('register 00-04-F2-00-00-07 Lobby');
    const card = await adminSays('codes 00-04-F2-00-00-07');
    const batchId = JSON.stringify(cardOf(card!)).match(/"batchId":"([^"]+)"/)?.[1];
    const pressed = await pressButton('handoff.installed', { batchId, mac: '00-04-F2-00-00-07', note: 'on the wall by the door' }, card!, technician);
    expect(cardTexts((pressed.body as { value: unknown }).value).join('\n')).toContain('installed: on the wall by the door');
  });

  it('codes when no device waits on activation is an error card, not a line of text', async () => {
    const reply = await adminSays('codes all');
    expect(reply?.body.text ?? '').toBe('');
    expect(cardTexts(cardOf(reply!))).toEqual(expect.arrayContaining(['No code issued', 'No device is waiting on activation.', 'register MAC [location]']));
  });

  it('the same message delivered twice acts once', async () => {
    const activity = bot.channel.activity({ type: 'message', text: 'register 00-04-F2-00-00-09 Lobby' }, { from: admin, conversationId: adminChat });
    await bot.channel.post(activity);
    await bot.channel.post(activity);
    await bot.channel.waitFor(1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(bot.channel.received).toHaveLength(1);
    expect(await bot.server.store.db.auditEvent.count({ where: { action: 'device.registered' } })).toBe(1);
  });

  it('codes all on more than 50 devices asks first; "yes" issues them, an expired "yes" does nothing', async () => {
    const lines = Array.from({ length: 51 }, (_, index) => `02-00-00-00-00-${index.toString(16).padStart(2, '0').toUpperCase()} Hall`).join('\n');
    await adminSays(`register ${lines}`);
    const confirm = await adminSays('codes all');
    expect(text(confirm)).toMatch(/Issue codes for 51 devices\?/);
    expect(await bot.server.store.db.verificationCode.count()).toBe(0);

    const expired = await pressButton('confirm.yes', { command: 'codes', args: 'all', expiresAt: new Date(Date.now() - 1000).toISOString() }, confirm!);
    // Refused beside the confirmation card, which stays (Universal Actions error response).
    expect(expired.body).toMatchObject({ type: 'application/vnd.microsoft.error', value: { message: expect.stringMatching(/expired/) } });
    const data = JSON.stringify(cardOf(confirm!)).match(/"expiresAt":"([^"]+)"/)?.[1];
    const yes = await pressButton('confirm.yes', { command: 'codes', args: 'all', expiresAt: data }, confirm!);
    expect(yes.status).toBe(200);
    expect(await bot.server.store.db.verificationCode.count({ where: { status: 'live' } })).toBe(51);
  });
});

describe('importing a CSV file sent in personal chat', () => {
  it('downloads the attachment Teams gives and reports every row', async () => {
    const attachment = bot.channel.attachFile('phones.csv', '\uFEFFMAC ID,Location\r\n00-04-F2-00-01-01,Lobby\r\nnot-a-mac,Lobby\r\n');
    const reply = await nextIn(adminChat, () =>
      bot.channel.post(bot.channel.activity({ type: 'message', text: 'import', attachments: [attachment] }, { from: admin, conversationId: adminChat })),
    );
    const shown = text(reply);
    expect(shown).toContain('Imported phones.csv');
    expect(shown).toMatch(/not-a-mac/);
    expect(await bot.server.store.db.device.count()).toBe(1);
  });

  it('a header-only file is no success: the error card says no device row was found and quotes the first line', async () => {
    const attachment = bot.channel.attachFile('template.csv', '\uFEFFMAC address,Location\r\n');
    const reply = await nextIn(adminChat, () =>
      bot.channel.post(bot.channel.activity({ type: 'message', text: 'import', attachments: [attachment] }, { from: admin, conversationId: adminChat })),
    );
    const shown = text(reply);
    expect(shown).not.toMatch(/Imported/);
    expect(shown).toContain('No device row found');
    expect(shown).toContain('The first line received: "MAC address,Location".');
    expect(await bot.server.store.db.device.count()).toBe(0);
  });

  it('a paste whose line breaks were lost says so, quoting the start of the line, and imports nothing', async () => {
    const reply = await adminSays('import MAC address,Location 00-04-F2-00-01-01,Lobby 00-04-F2-00-01-02,Lobby');
    const shown = text(reply);
    expect(shown).not.toMatch(/Imported/);
    expect(shown).toContain('the line breaks were probably lost');
    expect(shown).toContain('The first line received: "MAC address,Location 00-04-F2-00-01-01,Lobby 00-04-F2-00-01-02,Lobby".');
    expect(await bot.server.store.db.device.count()).toBe(0);
  });

  it('without a file or pasted CSV, says how to give one, and changes nothing', async () => {
    const reply = await adminSays('import');
    expect(text(reply)).toContain('attach the .csv file');
    expect(await bot.server.store.db.device.count()).toBe(0);
  });
});
