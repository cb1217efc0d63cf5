// A CSV uploaded to the bot's direct messages is imported: file_shared → files.info → download
// with the bot token; Slack's HTML sign-in page (status 200) is recognised and refused.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeSlack, slackText, testBotToken, testSigningSecret, type SlackCall, type SlackChannel, type SlackUser } from '../../helpers/fake-slack.ts';
import { startTestBot, type TestBot } from '../../helpers/test-bot.ts';

const admin: SlackUser = { team: 'T0001', id: 'U0ADMIN01', name: 'ada' };
const adminDm: SlackChannel = { id: 'D0ADMIN01', name: 'directmessage' };
const csv = 'MAC address,Location\r\n00-04-F2-00-00-61,Lobby\r\n00-04-F2-00-00-62,Lobby\r\n';

let slack: FakeSlack;
let bot: TestBot;

beforeEach(async () => {
  slack = await FakeSlack.start();
  bot = await startTestBot({ SLACK_SIGNING_SECRET: testSigningSecret, SLACK_BOT_TOKEN: testBotToken, SLACK_API_URL: slack.apiUrl, SLACK_ADMIN_USER_IDS: admin.id });
  slack.setBotUrl(bot.url);
});
afterEach(async () => {
  await bot.close();
  await slack.close();
  expect(slack.problems).toEqual([]);
});

const postsTo = (channel: string) => (call: SlackCall) => call.method === 'chat.postMessage' && call.args.channel === channel;
const upload = (fileId: string, eventId: string, who = admin) =>
  slack.event(who.team, { type: 'file_shared', file_id: fileId, user_id: who.id, channel_id: adminDm.id, file: { id: fileId }, event_ts: '1.1' }, eventId);

describe('CSV files uploaded to the bot in Slack', () => {
  it('imports a CSV uploaded to the direct message, downloaded with the bot token', async () => {
    slack.addFile('F0001', 'devices.csv', csv);
    expect((await upload('F0001', 'EvF1')).status).toBe(200);
    const [reply] = await slack.waitFor(1, postsTo(adminDm.id));
    expect(slackText(reply)).toContain('Imported devices.csv');
    expect(slackText(reply)).toMatch(/Added\*\n2/);
    expect(slack.callsOf('files.info').map((call) => call.args.file)).toEqual(['F0001']);
    expect(slack.downloads).toEqual([`Bearer ${testBotToken}`]);
  });

  it("refuses Slack's HTML sign-in page instead of importing it, and says what to fix", async () => {
    slack.addFile('F0002', 'devices.csv', csv);
    slack.loginPageForDownloads = true;
    expect((await upload('F0002', 'EvF2')).status).toBe(200);
    const [reply] = await slack.waitFor(1, postsTo(adminDm.id));
    expect(slackText(reply)).toContain('sign-in page');
    expect(slackText(reply)).toContain('files:read');
    await expect(bot.server.services.devices.queries.details(`slack:${admin.team}`, '00-04-F2-00-00-61')).rejects.toThrow();
  });

  it('imports nothing for someone without the admin role', async () => {
    const nobody: SlackUser = { team: 'T0001', id: 'U0NOBODY1', name: 'nobody' };
    slack.addFile('F0003', 'devices.csv', csv);
    expect((await upload('F0003', 'EvF3', nobody)).status).toBe(200);
    const [reply] = await slack.waitFor(1, postsTo(adminDm.id));
    expect(slackText(reply)).toContain('needs the admin role');
    expect(slack.downloads).toEqual([]);
  });
});
