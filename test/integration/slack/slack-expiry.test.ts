// Codes about to expire, in Slack: the warning reaches the technicians channel and the issuing
// admin's DM; the admin's copy regenerates the codes from its button, redrawn in place.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { codesInMessage, FakeSlack, slackText, testBotToken, testSigningSecret, type SlackCall, type SlackChannel, type SlackUser } from '../../helpers/fake-slack.ts';
import { hours, ManualClock } from '../../helpers/manual-clock.ts';
import { startTestBot, type TestBot } from '../../helpers/test-bot.ts';

const admin: SlackUser = { team: 'T0001', id: 'U0ADMIN01', name: 'ada' };
const adminDm: SlackChannel = { id: 'D0ADMIN01', name: 'directmessage' };
const techChannel: SlackChannel = { id: 'C0TECHS01', name: 'technicians' };

let slack: FakeSlack;
let bot: TestBot;
let clock: ManualClock;

beforeEach(async () => {
  slack = await FakeSlack.start();
  clock = new ManualClock(new Date('2026-11-22T07:00:00Z'));
  bot = await startTestBot(
    { SLACK_SIGNING_SECRET: testSigningSecret, SLACK_BOT_TOKEN: testBotToken, SLACK_API_URL: slack.apiUrl, SLACK_ADMIN_USER_IDS: admin.id, CODE_TTL_HOURS: '24' },
    { clock, outboxIntervalMs: 50 },
  );
  slack.setBotUrl(bot.url);
});
afterEach(async () => {
  await bot.close();
  await slack.close();
  expect(slack.problems).toEqual([]);
});

const postsTo = (channel: string) => (call: SlackCall) => call.method === 'chat.postMessage' && call.args.channel === channel;
async function nextPost(channel: SlackChannel, text: string): Promise<SlackCall> {
  const before = slack.calls.filter(postsTo(channel.id)).length;
  expect((await slack.slash(text, admin, channel)).status).toBe(200);
  return (await slack.waitFor(before + 1, postsTo(channel.id))).at(-1)!;
}

describe('expiring codes in Slack', () => {
  it('warns the technicians and the issuing admin; the admin regenerates from the button', async () => {
    await nextPost(techChannel, 'setup technicians');
    await nextPost(adminDm, 'register 00-04-F2-00-00-91 Lobby\n00-04-F2-00-00-92 Lobby');
    const first = codesInMessage(await nextPost(adminDm, 'codes all'));
    expect(first.size).toBe(2);

    clock.advance(hours(21));
    await bot.server.jobs.scheduler!.runNow('warn-expiring-codes');
    const warning = (call: SlackCall) => /expire/.test(slackText(call)) && /Lobby/.test(slackText(call));
    await slack.waitFor(1, (call) => postsTo(techChannel.id)(call) && warning(call), 10_000);
    const [adminCopy] = await slack.waitFor(1, (call) => postsTo(adminDm.id)(call) && warning(call), 10_000);
    const techCopy = slack.calls.find((call) => postsTo(techChannel.id)(call) && warning(call));
    expect(slackText(techCopy)).toContain('An admin can regenerate them');
    expect(JSON.stringify(techCopy!.args.blocks)).not.toContain('Regenerate codes');

    expect((await slack.press(adminCopy!, 'Regenerate codes', admin)).status).toBe(200);
    const [redrawn] = await slack.waitFor(1, (call) => call.method === 'chat.update' && call.args.ts === adminCopy!.ts, 10_000);
    const second = codesInMessage(redrawn);
    expect(second.size).toBe(2);
    expect([...second.values()]).not.toEqual([...first.values()]);
    // The technicians get the new hand-off.
    await slack.waitFor(1, (call) => postsTo(techChannel.id)(call) && [...codesInMessage(call).values()].join() === [...second.values()].join(), 10_000);
  });
});
