// Remote sign-in at scale (issue 18), over HTTP with the real server, the device API and a fake
// channel: devices imported with a planned account get their sign-in requested as they come
// online, without an admin pressing anything; their login codes appear on ONE queue card per
// location in the admins' channel, updated in place as they sign in; an admin's "done" moves a
// row to done and the device's own report confirms it; another account than planned is refused.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verbs } from '../../../bot/actions/verbs.ts';
import { DeviceApiError, DeviceClient } from '../../../bot/device-simulator/device-client.ts';
import { cardOf, cardTexts, codesOnCard } from '../../helpers/card-text.ts';
import type { ReceivedActivity } from '../../helpers/fake-channel.ts';
import { startTestBot, type TestBot } from '../../helpers/test-bot.ts';

const adminId = '0f6c1d2e-3333-4a4a-9b9b-000000000018';
const admin = { id: '29:ada', name: 'Ada Admin', aadObjectId: adminId };
const adminsChannel = { conversationType: 'channel' as const, conversationId: '19:admins@thread.tacv2', teamId: '19:team@thread.tacv2' };
const adminChat = `a:personal-${adminId}`;

const devices = [
  { mac: '00-04-F2-18-00-01', account: 'lobby-1@contoso.com', loginCode: 'EV9PGNQN1' },
  { mac: '00-04-F2-18-00-02', account: 'lobby-2@contoso.com', loginCode: 'EV9PGNQN2' },
  { mac: '00-04-F2-18-00-03', account: 'lobby-3@contoso.com', loginCode: 'EV9PGNQN3' },
];

let bot: TestBot;
beforeEach(async () => {
  bot = await startTestBot({ ADMIN_USER_IDS: adminId }, { outboxIntervalMs: 50 });
  await bot.channel.message('setup admins', { ...adminsChannel, mentionBot: true, from: admin });
  await bot.channel.waitFor(1);
});
afterEach(async () => {
  await bot.close();
});

const inAdminsChannel = (activity: ReceivedActivity) => activity.conversationId === adminsChannel.conversationId;
const text = (activity: ReceivedActivity) => cardTexts(cardOf(activity)).join('\n') + (activity.body.text ?? '');
const isQueueCard = (activity: ReceivedActivity) => inAdminsChannel(activity) && /Sign-in queue: Lobby/.test(text(activity));

async function adminSays(message: string): Promise<ReceivedActivity> {
  const posts = (activity: ReceivedActivity) => activity.conversationId === adminChat && activity.method === 'POST';
  const before = bot.channel.received.filter(posts).length;
  await bot.channel.message(message, { from: admin, conversationId: adminChat });
  return (await bot.channel.waitFor(before + 1, posts, 10_000)).at(-1)!;
}

/** The data of the "yes" button of a confirmation card. */
function confirmData(activity: ReceivedActivity): Record<string, unknown> {
  let found: Record<string, unknown> | null = null;
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (node === null || typeof node !== 'object') return;
    const record = node as Record<string, unknown>;
    if (record.verb === verbs.confirm) found = record.data as Record<string, unknown>;
    Object.values(record).forEach(walk);
  };
  walk(cardOf(activity));
  if (!found) throw new Error(`no confirmation button on: ${text(activity)}`);
  return found;
}

/** The queue card as it now stands: its post, or the latest update of it. */
function currentQueueCard(): { activityId: string; shown: string } | null {
  const posted = bot.channel.received.filter((activity) => isQueueCard(activity) && activity.method === 'POST');
  if (posted.length === 0) return null;
  const activityId = posted[0]!.assignedId;
  const versions = bot.channel.received.filter((activity) => inAdminsChannel(activity) && (activity.assignedId === activityId));
  return { activityId, shown: text(versions.at(-1)!) };
}

async function queueCardShowing(pattern: RegExp): Promise<{ activityId: string; shown: string }> {
  await bot.channel.waitUntil(() => pattern.test(currentQueueCard()?.shown ?? ''), `the queue card to show ${pattern}`, 30_000);
  return currentQueueCard()!;
}

/** Three devices imported with MAC ID,Location,Account, given codes, provisioned with them. */
async function threePhonesOnline(): Promise<DeviceClient[]> {
  const csv = ['MAC ID,Location,Account', ...devices.map((device) => `${device.mac},Lobby,${device.account}`)].join('\n');
  const imported = await adminSays(`import\n${csv}`);
  expect(text(imported)).toMatch(/Planned accounts for 3 devices/);
  const codes = codesOnCard(cardOf(await adminSays(`codes ${devices.map((device) => device.mac).join(' ')}`)));
  const phones: DeviceClient[] = [];
  for (const device of devices) {
    const phone = new DeviceClient({ server: bot.url });
    await phone.provision({ mac: device.mac, verificationCode: codes.get(device.mac) ?? '', model: 'Poly CCX 600', firmwareVersion: '8.1.3' });
    phones.push(phone);
  }
  return phones;
}

describe('devices imported with a planned account', () => {
  it('ask for their sign-in as they come online; one queue card shows every code with its account and is updated in place as they sign in', async () => {
    const phones = await threePhonesOnline();
    // Without any admin action, each device is asked to sign in, with its planned account.
    for (const [index, phone] of phones.entries()) {
      expect(await phone.state()).toEqual({ state: 'awaiting_sign_in', signInRequested: true, account: devices[index]!.account, update: null });
    }
    for (const [index, phone] of phones.entries()) await phone.reportLoginCode(devices[index]!.loginCode, 900);

    const card = await queueCardShowing(/EV9PGNQN1[\s\S]*EV9PGNQN2[\s\S]*EV9PGNQN3/);
    for (const device of devices) {
      expect(card.shown).toContain(`${device.loginCode} → sign in as ${device.account}`);
      expect(card.shown).toContain(device.mac);
    }
    // Said once at the top: where to go and what to choose; the trust facts beside each code.
    expect(card.shown.match(/https:\/\/microsoft\.com\/devicelogin/g)).toHaveLength(1);
    expect(card.shown).toContain('"Use another account"');
    expect(card.shown).toMatch(/Provisioned\n.* from 127\.0\.0\.1/);
    expect(card.shown).toMatch(/Code issued by\nAda Admin/);
    // One card for the location, no per-device sign-in card.
    expect(bot.channel.received.filter((activity) => isQueueCard(activity) && activity.method === 'POST')).toHaveLength(1);
    expect(bot.channel.received.filter((activity) => inAdminsChannel(activity) && /waiting for sign-in/i.test(text(activity)))).toHaveLength(0);

    // The first signs in: its row moves to the done count, on the same card.
    await phones[0]!.reportSignedIn(devices[0]!.account);
    const afterFirst = await queueCardShowing(/Signed in: \S+ 1 of 3/);
    expect(afterFirst.activityId).toBe(card.activityId);
    expect(afterFirst.shown).not.toContain('EV9PGNQN1');
    expect(afterFirst.shown).toContain('EV9PGNQN2');

    // An admin presses "done" for the second: done at once; the device's own report confirms it.
    const answer = await bot.channel.invoke(verbs.signInQueueDone, { mac: devices[1]!.mac }, { ...adminsChannel, from: admin });
    expect(answer.body).toMatchObject({ statusCode: 200 });
    expect(cardTexts((answer.body as { value: unknown }).value).join('\n')).toMatch(/Signed in: \S+ 2 of 3/);
    await phones[1]!.reportSignedIn(devices[1]!.account);

    // The third reports another account than planned: refused, the admins told, still on the card.
    const refused = await phones[2]!.reportSignedIn('attacker@fabrikam.com').then(() => null, (error: unknown) => error);
    expect(refused).toBeInstanceOf(DeviceApiError);
    expect((refused as DeviceApiError).status).toBe(409);
    await bot.channel.waitFor(1, (activity) => inAdminsChannel(activity) && /Sign-in refused: another account/.test(text(activity)), 10_000);
    await phones[2]!.reportSignedIn(devices[2]!.account);
    const last = await queueCardShowing(/Signed in: \S+ 3 of 3/);
    expect(last.activityId).toBe(card.activityId);
    expect(last.shown).toContain('Every device of this card is signed in');
    expect(bot.channel.received.filter((activity) => isQueueCard(activity) && activity.method === 'POST')).toHaveLength(1);
  }, 90_000);

  it('with auto sign-in off, "signin MAC" without an account uses the planned one, and another account is refused', async () => {
    await adminSays('auto signin off');
    const [phone] = await threePhonesOnline();
    // Not queued: the admins get the device's own awaiting-sign-in card, with the planned account offered.
    const awaiting = await bot.channel.waitFor(1, (activity) => inAdminsChannel(activity) && /waiting for sign-in/i.test(text(activity)), 10_000);
    expect(JSON.stringify(cardOf(awaiting[0]!))).toContain(devices[0]!.account);
    await adminSays(`signin ${devices[0]!.mac}`);
    expect(await phone!.state()).toEqual({ state: 'awaiting_sign_in', signInRequested: true, account: devices[0]!.account, update: null });
    await phone!.reportLoginCode(devices[0]!.loginCode, 900);
    const refused = await phone!.reportSignedIn('attacker@fabrikam.com').then(() => null, (error: unknown) => error);
    expect((refused as DeviceApiError).code).toBe('account_mismatch');
  });

  it('a device whose firmware is below its model\'s minimum is not asked at once: it waits for the admin, whose card names the minimum', async () => {
    const [old, current] = devices;
    const csv = ['MAC ID,Location,Account', `${old!.mac},Lobby,${old!.account}`, `${current!.mac},Lobby,${current!.account}`].join('\n');
    await adminSays(`import\n${csv}`);
    const codes = codesOnCard(cardOf(await adminSays(`codes ${old!.mac} ${current!.mac}`)));
    const oldPhone = new DeviceClient({ server: bot.url });
    await oldPhone.provision({ mac: old!.mac, verificationCode: codes.get(old!.mac) ?? '', manufacturer: 'Yealink', model: 'T56A', firmwareVersion: '58.15.0.100' });
    const currentPhone = new DeviceClient({ server: bot.url });
    await currentPhone.provision({ mac: current!.mac, verificationCode: codes.get(current!.mac) ?? '', manufacturer: 'Yealink', model: 'T56A', firmwareVersion: '58.15.0.124' });
    expect(await oldPhone.state()).toMatchObject({ state: 'awaiting_sign_in', signInRequested: false });
    expect(await currentPhone.state()).toMatchObject({ state: 'awaiting_sign_in', signInRequested: true, account: current!.account });
    const awaiting = await bot.channel.waitFor(1, (activity) => inAdminsChannel(activity) && text(activity).includes(old!.mac) && /waiting for sign-in/i.test(text(activity)), 10_000);
    expect(text(awaiting[0]!)).toContain('58.15.0.124');
  });

  it('with auto sign-in off, wait for the admin; "signin location" then asks them all with their planned accounts', async () => {
    expect(text(await adminSays('auto signin off'))).toMatch(/Auto sign-in is off/);
    const phones = await threePhonesOnline();
    for (const phone of phones) expect(await phone.state()).toEqual({ state: 'awaiting_sign_in', signInRequested: false, update: null });
    const reply = await adminSays('signin location Lobby');
    expect(text(reply)).toMatch(/Sign-in requested\n3/);
    for (const [index, phone] of phones.entries()) {
      expect(await phone.state()).toEqual({ state: 'awaiting_sign_in', signInRequested: true, account: devices[index]!.account, update: null });
    }
  });
});

describe('signin location', () => {
  it('asks first above 20 devices, and lists the devices without a planned account instead of guessing one', async () => {
    await adminSays('auto signin off');
    const macs = Array.from({ length: 22 }, (_, index) => `00-04-F2-18-04-${String(index + 1).padStart(2, '0')}`);
    // 21 with a planned account, the last without one.
    const csv = ['MAC,Location,Account', ...macs.map((mac, index) => `${mac},Annex,${index < 21 ? `annex-${index}@contoso.com` : ''}`)].join('\n');
    await adminSays(`import\n${csv}`);
    const { issued } = await bot.server.services.devices.codes.issue({ kind: 'user', id: adminId }, 'tenant-contoso', { location: 'Annex' });
    await Promise.all(issued.map((code) => new DeviceClient({ server: bot.url }).provision({ mac: code.mac, verificationCode: code.code })));
    const asked = await adminSays('signin location Annex');
    expect(text(asked)).toMatch(/Sign in 21 devices at Annex\?/);
    expect(await bot.server.store.db.signInSession.count()).toBe(0);
    const answer = await bot.channel.invoke(verbs.confirm, confirmData(asked), { from: admin, conversationId: adminChat });
    const shown = cardTexts((answer.body as { value: unknown }).value).join('\n');
    expect(shown).toMatch(/Sign-in requested\n21/);
    expect(shown).toContain(`No planned account, so not asked (no account is guessed): ${macs[21]}`);
    expect(await bot.server.store.db.signInSession.count({ where: { status: 'requested' } })).toBe(21);
  });
});

describe('planned accounts', () => {
  it('register … account UPN plans it; a second device with the same account asks first and changes nothing until confirmed', async () => {
    expect(text(await adminSays('register 00-04-F2-18-01-01 Lobby account kiosk@contoso.com'))).toMatch(/Planned accounts for 1 device/);
    const asked = await adminSays('register 00-04-F2-18-01-02 Lobby account KIOSK@contoso.com');
    expect(text(asked)).toMatch(/Plan one account on several devices\?/);
    expect(await bot.server.store.db.device.count({ where: { mac: '00-04-F2-18-01-02' } })).toBe(0);
    const listed = text(await adminSays('accounts location Lobby'));
    expect(listed).toMatch(/With a planned account\n1/);
    expect(listed).toContain('kiosk@contoso.com');
    // Confirmed on the card: both devices carry it.
    const answer = await bot.channel.invoke(verbs.confirm, confirmData(asked), { from: admin, conversationId: adminChat });
    expect(answer.body).toMatchObject({ statusCode: 200 });
    const planned = await bot.server.store.db.plannedAccount.findMany({ include: { device: true }, orderBy: { deviceId: 'asc' } });
    expect(planned.map((row) => row.accountKey)).toEqual(['kiosk@contoso.com', 'kiosk@contoso.com']);
  });

  it("the register dialog's Shared account field plans it; a malformed one comes back under the field and nothing is stored", async () => {
    const personal = { from: admin, conversationId: adminChat };
    const bad = JSON.stringify(await bot.channel.dialog('submit', { dialog: 'register', macs: '00-04-F2-18-03-01', location: 'Lobby', account: 'lobby phone' }, personal));
    expect(bad).toContain('Write the account as its UPN');
    expect(await bot.server.store.db.device.count()).toBe(0);
    await bot.channel.dialog('submit', { dialog: 'register', macs: '00-04-F2-18-03-01', location: 'Lobby', account: 'lobby-9@contoso.com' }, personal);
    const planned = await bot.server.store.db.plannedAccount.findFirst({ include: { device: true } });
    expect(planned).toMatchObject({ account: 'lobby-9@contoso.com', device: { mac: '00-04-F2-18-03-01', location: 'Lobby' } });
    const history = await bot.server.store.db.auditEvent.findMany({ where: { action: 'device.account_planned' } });
    expect(history).toHaveLength(1);
  });

  it('a malformed UPN is refused with what to write, and nothing is planned', async () => {
    await adminSays('register 00-04-F2-18-02-01 Lobby');
    const reply = text(await adminSays('accounts\nMAC,Account\n00-04-F2-18-02-01,not an account'));
    expect(reply).toMatch(/Refused\n1/);
    expect(reply).toMatch(/lobby-phone@contoso\.com/);
    expect(await bot.server.store.db.plannedAccount.count()).toBe(0);
  });

  it('"accounts" with MAC,Account lines plans them for registered devices, names the unregistered ones, and lists with and without', async () => {
    await adminSays('register 00-04-F2-18-05-01 Lobby\n00-04-F2-18-05-02 Lobby\n00-04-F2-18-05-03 Annex');
    const reply = text(await adminSays('accounts\nMAC ID;Account\n00:04:f2:18:05:01;lobby-a@contoso.com\n00-04-F2-18-05-02;lobby-b@contoso.com\n00-04-F2-18-05-99;nobody@contoso.com'));
    expect(reply).toMatch(/Planned\n2/);
    expect(reply).toMatch(/Not registered here, so nothing was planned for them: 00-04-F2-18-05-99/);
    const all = text(await adminSays('accounts'));
    expect(all).toMatch(/With a planned account\n2/);
    expect(all).toMatch(/Without one\n1/);
    expect(all).toContain('00-04-F2-18-05-03');
    // Changing one is audited with what it was.
    await adminSays('accounts\nMAC,Account\n00-04-F2-18-05-01,lobby-c@contoso.com');
    const changes = await bot.server.store.db.auditEvent.findMany({ where: { action: 'device.account_planned' }, orderBy: { at: 'asc' } });
    expect(changes.map((row) => JSON.parse(row.data ?? '{}'))).toContainEqual({ from: 'lobby-a@contoso.com', to: 'lobby-c@contoso.com' });
  });
});
