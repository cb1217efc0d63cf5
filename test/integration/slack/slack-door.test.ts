// The Slack door as Slack reaches it: signed requests to POST /api/slack/events on the real
// server, answers through a fake Slack Web API on loopback.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DeviceClient } from '../../../bot/device-simulator/device-client.ts';
import { codesInMessage, FakeSlack, slackText, testAppToken, testBotToken, testSigningSecret, type SlackCall } from '../../helpers/fake-slack.ts';
import { startTestBot, type TestBot } from '../../helpers/test-bot.ts';

const team = 'T0001';
const admin = { team, id: 'U0ADMIN01', name: 'ada' };
const technician = { team, id: 'U0TECH001', name: 'tom' };
const adminDm = { id: 'D0ADMIN01', name: 'directmessage' };
const techChannel = { id: 'C0TECHS01', name: 'technicians' };

let slack: FakeSlack;
let bot: TestBot;

async function startWithSlack(extra: Record<string, string> = {}): Promise<void> {
  slack = await FakeSlack.start();
  bot = await startTestBot(
    { SLACK_SIGNING_SECRET: testSigningSecret, SLACK_BOT_TOKEN: testBotToken, SLACK_API_URL: slack.apiUrl, SLACK_ADMIN_USER_IDS: admin.id, ...extra },
    { outboxIntervalMs: 50 },
  );
  slack.setBotUrl(bot.url);
}

afterEach(async () => {
  await bot?.close();
  await slack?.close();
  expect(slack.problems).toEqual([]);
});

const postsTo = (channel: string) => (call: SlackCall) => call.method === 'chat.postMessage' && call.args.channel === channel;

/** Sends, then waits for one more post in `channel`, and returns it. */
async function nextPost(channel: string, send: () => Promise<Response>): Promise<SlackCall> {
  const before = slack.calls.filter(postsTo(channel)).length;
  const response = await send();
  expect(response.status).toBe(200);
  return (await slack.waitFor(before + 1, postsTo(channel))).at(-1)!;
}

describe('the Slack door', () => {
  beforeEach(async () => {
    await startWithSlack();
  });

  it('answers a signed /provision help with the commands, acknowledged at once', async () => {
    const reply = await nextPost(adminDm.id, () => slack.slash('help', admin, adminDm));
    expect(slackText(reply)).toContain('/provision register');
    expect(slackText(reply)).toContain('/provision codes');
  });

  it('refuses an unsigned, a badly signed and a stale request with 401, and runs nothing', async () => {
    const unsigned = await slack.slash('register 00-04-F2-00-00-09 Lobby', admin, adminDm, { signature: null });
    const forged = await slack.slash('register 00-04-F2-00-00-09 Lobby', admin, adminDm, { signature: `v0=${'0'.repeat(64)}` });
    const stale = await slack.slash('register 00-04-F2-00-00-09 Lobby', admin, adminDm, { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 });
    expect([unsigned.status, forged.status, stale.status]).toEqual([401, 401, 401]);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(slack.callsOf('chat.postMessage')).toEqual([]);
    await expect(bot.server.services.devices.queries.details(`slack:${team}`, '00-04-F2-00-00-09')).rejects.toThrow(/not|no device/i);
    expect(bot.logText()).toContain('Failed to parse and verify the request data');
  });

  it('posts the codes in the technicians channel and updates that very message when a device provisions', async () => {
    expect(slackText(await nextPost(techChannel.id, () => slack.slash('setup technicians', admin, techChannel)))).toContain("now receives the technicians' cards");
    expect(slackText(await nextPost(adminDm.id, () => slack.slash('register 00-04-F2-00-00-01 Lobby\n00-04-F2-00-00-02 Floor 2', admin, adminDm)))).toMatch(/Registered 2/);

    const adminCopy = await nextPost(adminDm.id, () => slack.slash('codes all', admin, adminDm));
    const codes = codesInMessage(adminCopy);
    expect(codes.size).toBe(2);
    const [handoff] = await slack.waitFor(1, (call) => postsTo(techChannel.id)(call) && /0 of 2 online/.test(slackText(call)));
    expect(codesInMessage(handoff)).toEqual(codes);

    const mac = '00-04-F2-00-00-01';
    const phone = new DeviceClient({ server: bot.url });
    await phone.provision({ mac, verificationCode: codes.get(mac) ?? '', model: 'Yealink MP56' });

    const [update] = await slack.waitFor(1, (call) => call.method === 'chat.update' && call.args.channel === techChannel.id && call.args.ts === handoff!.ts, 20_000);
    expect(slackText(update)).toMatch(/1 of 2 online/);
    // Posted once, updated in place: no second hand-off message in the channel.
    expect(slack.calls.filter((call) => postsTo(techChannel.id)(call) && /online/.test(slackText(call)))).toHaveLength(1);
  });

  it('acknowledges within 3 s even when the work takes longer, and answers after', async () => {
    slack.postDelayMs = 3500;
    const started = Date.now();
    const response = await slack.slash('help', admin, adminDm);
    expect(response.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(2000);
    const [reply] = await slack.waitFor(1, postsTo(adminDm.id), 10_000);
    expect(slackText(reply)).toContain('/provision register');
  });

  it('answers through the response_url, to the person alone, where the bot is not a member', async () => {
    const elsewhere = { id: 'C0ELSEWH1', name: 'random' };
    slack.refusedChannels.set(elsewhere.id, 'not_in_channel');
    expect((await slack.slash('help', admin, elsewhere)).status).toBe(200);
    const deadline = Date.now() + 10_000;
    while (slack.responses.length < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(slack.responses.map((response) => response.response_type)).toEqual(['ephemeral', 'ephemeral']);
    expect(JSON.stringify(slack.responses[0])).toContain('/provision register');
    expect(String(slack.responses[1]!.text)).toContain('/invite @Provisioning');
  });

  it("answers Slack's URL verification challenge, signed", async () => {
    const response = await slack.send(JSON.stringify({ token: 'x', challenge: 'c-123', type: 'url_verification' }), 'application/json');
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('c-123');
  });

  it('refuses a technician what the permission table refuses', async () => {
    await nextPost(adminDm.id, () => slack.slash(`grant technician <@${technician.id}|tom>`, admin, adminDm));
    const reply = await nextPost('D0TECH001', () => slack.slash('codes all', technician, { id: 'D0TECH001', name: 'directmessage' }));
    expect(slackText(reply)).toContain('needs the admin role');
  });
});

describe('without Slack settings', () => {
  it('answers 404 on /api/slack/events', async () => {
    slack = await FakeSlack.start();
    bot = await startTestBot();
    slack.setBotUrl(bot.url);
    const response = await slack.slash('help', admin, adminDm);
    expect(response.status).toBe(404);
    expect(slack.calls).toEqual([]);
  });
});

describe('Socket Mode (SLACK_APP_TOKEN)', () => {
  it('takes slash commands over the WebSocket too, acknowledged, answered with the Web API', async () => {
    await startWithSlack({ SLACK_APP_TOKEN: testAppToken });
    await slack.socketConnected();
    expect(slack.callsOf('apps.connections.open')).toHaveLength(1);
    expect(slack.callsOf('apps.connections.open')[0]!.authorization).toBe(`Bearer ${testAppToken}`);
    expect(await slack.socketSlash('help', admin, adminDm, 'env-1')).toEqual({});
    const [reply] = await slack.waitFor(1, postsTo(adminDm.id));
    expect(slackText(reply)).toContain('/provision register');
  });
});
