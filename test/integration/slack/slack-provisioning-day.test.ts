// A provisioning day played in Slack: help, register, import, codes with the hand-off in the
// technicians channel (updated in place as a phone provisions), Sign in from the button, the
// device's login code, signed in. Also what Slack does to a bot: retried events, 429s, forged
// buttons, a 500-device hand-off. Every Block Kit message is checked against Slack's limits.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DeviceClient } from '../../../bot/device-simulator/device-client.ts';
import { codesInMessage, FakeSlack, slackText, testBotToken, testSigningSecret, botUserId, type SlackCall, type SlackChannel, type SlackUser } from '../../helpers/fake-slack.ts';
import { startTestBot, type TestBot } from '../../helpers/test-bot.ts';

const team = 'T0001';
const admin: SlackUser = { team, id: 'U0ADMIN01', name: 'ada' };
const technician: SlackUser = { team, id: 'U0TECH001', name: 'tom' };
const adminDm: SlackChannel = { id: 'D0ADMIN01', name: 'directmessage' };
const techDm: SlackChannel = { id: 'D0TECH001', name: 'directmessage' };
const techChannel: SlackChannel = { id: 'C0TECHS01', name: 'technicians' };

let slack: FakeSlack;
let bot: TestBot;

beforeEach(async () => {
  slack = await FakeSlack.start();
  bot = await startTestBot(
    // The digest is due from midnight on, whenever the test runs.
    { SLACK_SIGNING_SECRET: testSigningSecret, SLACK_BOT_TOKEN: testBotToken, SLACK_API_URL: slack.apiUrl, SLACK_ADMIN_USER_IDS: admin.id, DIGEST_TIME: '00:00' },
    { outboxIntervalMs: 50 },
  );
  slack.setBotUrl(bot.url);
});
afterEach(async () => {
  await bot.close();
  await slack.close();
  expect(slack.problems).toEqual([]);
});

const postsTo = (channel: string) => (call: SlackCall) => call.method === 'chat.postMessage' && call.args.channel === channel;

async function nextPost(channel: string, send: () => Promise<Response>): Promise<SlackCall> {
  const before = slack.calls.filter(postsTo(channel)).length;
  expect((await send()).status).toBe(200);
  return (await slack.waitFor(before + 1, postsTo(channel))).at(-1)!;
}
const adminSays = (text: string) => nextPost(adminDm.id, () => slack.slash(text, admin, adminDm));
const updatesOf = (call: SlackCall, pattern: RegExp) => (update: SlackCall) => update.method === 'chat.update' && update.args.channel === call.args.channel && update.args.ts === call.ts && pattern.test(slackText(update));

describe('a provisioning day in Slack', () => {
  it('goes from MACs to a signed-in phone, with messages updated in place', async () => {
    expect(slackText(await adminSays('help'))).toContain('/provision import');
    await nextPost(techChannel.id, () => slack.slash('setup technicians', admin, techChannel));
    expect(slackText(await adminSays(`grant technician <@${technician.id}|tom>`))).toMatch(/tom/);

    expect(slackText(await adminSays('register 00-04-F2-00-00-01 Lobby\n00-04-F2-00-00-02 Lobby'))).toMatch(/Registered 2/);
    // An import pasted after the command, as Slack sends a multi-line slash command.
    expect(slackText(await adminSays('import MAC address;Location\n00-04-F2-00-00-03;Floor 2 & <Annex>\n'))).toMatch(/Added\*\n1/);

    const adminCopy = await adminSays('codes all');
    const codes = codesInMessage(adminCopy);
    expect(codes.size).toBe(3);
    // What users typed is escaped: "<Annex>" cannot become Slack markup.
    expect(slackText(adminCopy)).toContain('Floor 2 &amp; &lt;Annex&gt;');
    const [handoff] = await slack.waitFor(1, (call) => postsTo(techChannel.id)(call) && /0 of 3 online/.test(slackText(call)));

    // A technician marks a device installed from the hand-off message: it is redrawn in place.
    expect((await slack.press(handoff!, 'Mark installed', technician, { mac: '00-04-F2-00-00-02', note: 'by the door' })).status).toBe(200);
    await slack.waitFor(1, updatesOf(handoff!, /installed: by the door/));

    const mac = '00-04-F2-00-00-01';
    const phone = new DeviceClient({ server: bot.url });
    await phone.provision({ mac, verificationCode: codes.get(mac) ?? '', model: 'Yealink MP56' });
    await slack.waitFor(1, updatesOf(handoff!, /1 of 3 online/), 20_000);

    // No admins channel: the admin who issued the codes gets the sign-in card in their DM.
    const [awaiting] = await slack.waitFor(1, (call) => postsTo(adminDm.id)(call) && /waiting for sign-in/.test(slackText(call)), 20_000);
    expect((await slack.press(awaiting!, 'Sign in', admin, { account: 'lobby-phone@contoso.com' })).status).toBe(200);
    await slack.waitFor(1, updatesOf(awaiting!, /Waiting for the device/));

    expect((await phone.state()).signInRequested).toBe(true);
    await phone.reportLoginCode('EV9PGNQN8');
    const [withCode] = await slack.waitFor(1, updatesOf(awaiting!, /EV9PGNQN8/), 20_000);
    expect(slackText(withCode)).toContain('microsoft.com/devicelogin');
    await phone.reportSignedIn('lobby-phone@contoso.com');
    await slack.waitFor(1, updatesOf(awaiting!, /Signed in as lobby-phone@contoso.com/), 20_000);

    expect(slack.calls.filter((call) => postsTo(techChannel.id)(call) && /online/.test(slackText(call)))).toHaveLength(1);
  });

  it("sends the managers' digest to the Slack channel set up for them", async () => {
    const managers: SlackChannel = { id: 'C0MANAGE1', name: 'managers' };
    await nextPost(managers.id, () => slack.slash('setup managers', admin, managers));
    await adminSays('register 00-04-F2-00-00-81 Lobby');
    await bot.server.jobs.scheduler!.runNow('queue-digests');
    const [digest] = await slack.waitFor(1, (call) => postsTo(managers.id)(call) && /digest/i.test(slackText(call)), 20_000);
    expect(slackText(digest)).toContain('Lobby');
  });

  it('acts once on an event Slack retries', async () => {
    const mention = { type: 'app_mention', user: admin.id, text: `<@${botUserId}> register 00-04-F2-00-00-21 Lobby &amp; Hall`, channel: techChannel.id, ts: '1.1', team };
    expect((await slack.event(team, mention, 'Ev0001')).status).toBe(200);
    expect((await slack.event(team, mention, 'Ev0001', { headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' } })).status).toBe(200);
    await slack.waitFor(1, postsTo(techChannel.id));
    await new Promise((resolve) => setTimeout(resolve, 300));
    const replies = slack.calls.filter(postsTo(techChannel.id));
    expect(replies).toHaveLength(1);
    expect(slackText(replies[0])).toMatch(/Registered 1/);
    expect(await bot.server.services.devices.queries.details(`slack:${team}`, '00-04-F2-00-00-21')).toMatchObject({ device: { location: 'Lobby & Hall' } });
    // A direct message runs a command too.
    const dm = { type: 'message', channel_type: 'im', user: admin.id, text: 'status 00-04-F2-00-00-21', channel: adminDm.id, ts: '1.2', team };
    expect((await slack.event(team, dm, 'Ev0002')).status).toBe(200);
    expect(slackText((await slack.waitFor(1, postsTo(adminDm.id))).at(-1))).toContain('00-04-F2-00-00-21');
  });

  it('delays a hand-off Slack rate-limits (429 Retry-After), without losing or doubling it', async () => {
    await nextPost(techChannel.id, () => slack.slash('setup technicians', admin, techChannel));
    await adminSays('register 00-04-F2-00-00-31 Lobby');
    slack.failNext(1, 429, { 'Retry-After': '1' }, techChannel.id);
    const started = Date.now();
    await adminSays('codes all');
    const [handoff] = await slack.waitFor(1, (call) => postsTo(techChannel.id)(call) && /online/.test(slackText(call)), 20_000);
    expect(handoff).toBeDefined();
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(slack.failures).toEqual([{ method: 'chat.postMessage', status: 429 }]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(slack.calls.filter((call) => postsTo(techChannel.id)(call) && /online/.test(slackText(call)))).toHaveLength(1);
  });

  it('keeps delivering to other channels while one channel waits out its Retry-After', async () => {
    const adminsChannel: SlackChannel = { id: 'C0ADMINS1', name: 'admins' };
    await nextPost(techChannel.id, () => slack.slash('setup technicians', admin, techChannel));
    await nextPost(adminsChannel.id, () => slack.slash('setup admins', admin, adminsChannel));
    await adminSays('register 00-04-F2-00-00-35 Lobby');
    slack.failNext(1, 429, { 'Retry-After': '4' }, techChannel.id);
    const codes = codesInMessage(await adminSays('codes all'));
    // The technicians' hand-off is held back; the device provisions meanwhile.
    await slack.waitFor(1, () => slack.failures.length === 1);
    await new DeviceClient({ server: bot.url }).provision({ mac: '00-04-F2-00-00-35', verificationCode: codes.get('00-04-F2-00-00-35') ?? '', model: 'Yealink MP56' });
    const [awaiting] = await slack.waitFor(1, (call) => postsTo(adminsChannel.id)(call) && /waiting for sign-in/.test(slackText(call)), 10_000);
    expect(slack.calls.filter((call) => postsTo(techChannel.id)(call) && /online/.test(slackText(call)))).toEqual([]);
    const [handoff] = await slack.waitFor(1, (call) => postsTo(techChannel.id)(call) && /online/.test(slackText(call)), 20_000);
    expect(slack.calls.indexOf(awaiting!)).toBeLessThan(slack.calls.indexOf(handoff!));
    // Drawn from the current state when it finally went out: the device is already online.
    expect(slackText(handoff)).toMatch(/1 of 1 online/);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(slack.calls.filter((call) => postsTo(techChannel.id)(call) && /online/.test(slackText(call)))).toHaveLength(1);
  }, 30_000);

  it("refuses a technician's forged button through the permission table, leaving the message as it was", async () => {
    await adminSays(`grant technician <@${technician.id}|tom>`);
    await adminSays('register 00-04-F2-00-00-41 Lobby');
    const list = await nextPost(techDm.id, () => slack.slash('status 00-04-F2-00-00-41', technician, techDm));
    const forged = JSON.stringify({ v: 'codes.regenerate', d: { batchId: 'b'.repeat(20), location: 'Lobby' } });
    const statusButton = (list.args.blocks as { type: string }[]).some((block) => block.type === 'actions');
    // Any button of ours will do as the carrier: the forged value is what counts.
    const carrier: SlackCall = statusButton ? list : { ...list, args: { ...list.args, blocks: [{ type: 'actions', elements: [{ type: 'button', action_id: 'provision.button.0', text: { type: 'plain_text', text: 'X' }, value: '{}' }] }] } };
    const label = ((carrier.args.blocks as { type: string; elements?: { text: { text: string } }[] }[]).find((block) => block.type === 'actions')?.elements?.[0]?.text.text)!;
    expect((await slack.press(carrier, label, technician, {}, forged)).status).toBe(200);
    const [refusal] = await slack.waitFor(1, (call) => call.method === 'chat.postEphemeral' && call.args.user === technician.id);
    expect(slackText(refusal)).toMatch(/needs the admin role/);
    expect(slack.callsOf('chat.update')).toEqual([]);
  });

  it('hands off 500 devices within Block Kit limits, after a Block Kit confirmation', async () => {
    await nextPost(techChannel.id, () => slack.slash('setup technicians', admin, techChannel));
    const rows = Array.from({ length: 500 }, (_, index) => `00-04-F2-01-${String(Math.floor(index / 100)).padStart(2, '0')}-${String(index % 100).padStart(2, '0')};Site ${index % 7}`);
    expect(slackText(await adminSays(`import MAC address;Location\n${rows.join('\n')}`))).toMatch(/Added\*\n500/);
    const question = await adminSays('codes all');
    const yes = (question.args.blocks as { type: string; elements?: { confirm?: unknown; text: { text: string } }[] }[]).flatMap((block) => block.elements ?? []).find((element) => element.text.text === 'Yes, go ahead');
    expect(yes?.confirm).toBeDefined();
    expect((await slack.press(question, 'Yes, go ahead', admin)).status).toBe(200);
    await slack.waitFor(1, (call) => call.method === 'chat.update' && call.args.ts === question.ts, 20_000);
    // 7 sites of 71-72 devices, 20 devices a message: 4 pages each.
    const handoffs = await slack.waitFor(28, (call) => postsTo(techChannel.id)(call) && /online/.test(slackText(call)), 60_000);
    const shown = new Map<string, string>();
    for (const message of handoffs) for (const [mac, code] of codesInMessage(message)) shown.set(mac, code);
    expect(shown.size).toBe(500);
    expect(Math.max(...handoffs.map((message) => (message.args.blocks as unknown[]).length))).toBeLessThanOrEqual(50);
  }, 90_000);
});
