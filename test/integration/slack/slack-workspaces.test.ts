// A Slack workspace is a tenant of its own until an admin links it to an organisation with a
// one-time code from Teams; a workspace never sees another tenant's devices.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultTenantId } from '../../helpers/fake-channel.ts';
import { FakeSlack, slackText, testBotToken, testSigningSecret, type SlackCall, type SlackChannel, type SlackUser } from '../../helpers/fake-slack.ts';
import { startTestBot, type TestBot } from '../../helpers/test-bot.ts';

const teamsAdminId = '0f6c1d2e-1111-4a4a-9b9b-0000000000aa';
const teamsAdmin = { id: '29:ada', name: 'Ada Admin', aadObjectId: teamsAdminId };
const teamsChat = `a:personal-${teamsAdminId}`;
const alice: SlackUser = { team: 'T0ALPHA01', id: 'U0ALICE01', name: 'alice' };
const bob: SlackUser = { team: 'T0BRAVO01', id: 'U0BOB0001', name: 'bob' };
const aliceDm: SlackChannel = { id: 'D0ALICE01', name: 'directmessage' };
const bobDm: SlackChannel = { id: 'D0BOB0001', name: 'directmessage' };

let slack: FakeSlack;
let bot: TestBot;

beforeEach(async () => {
  slack = await FakeSlack.start();
  bot = await startTestBot({
    ADMIN_USER_IDS: teamsAdminId,
    SLACK_SIGNING_SECRET: testSigningSecret,
    SLACK_BOT_TOKEN: testBotToken,
    SLACK_API_URL: slack.apiUrl,
    SLACK_ADMIN_USER_IDS: `${alice.id},${bob.id}`,
  });
  slack.setBotUrl(bot.url);
});
afterEach(async () => {
  await bot.close();
  await slack.close();
  expect(slack.problems).toEqual([]);
});

async function says(who: SlackUser, where: SlackChannel, text: string): Promise<string> {
  const posts = (call: SlackCall) => call.method === 'chat.postMessage' && call.args.channel === where.id;
  const before = slack.calls.filter(posts).length;
  expect((await slack.slash(text, who, where)).status).toBe(200);
  return slackText((await slack.waitFor(before + 1, posts)).at(-1));
}

async function teamsSays(text: string): Promise<string> {
  const inChat = (activity: { conversationId: string; method: string }) => activity.conversationId === teamsChat && activity.method === 'POST';
  const before = bot.channel.received.filter(inChat).length;
  await bot.channel.message(text, { from: teamsAdmin, conversationId: teamsChat });
  const reply = (await bot.channel.waitFor(before + 1, inChat, 10_000)).at(-1);
  return `${reply?.body.text ?? ''}${JSON.stringify(reply?.body.attachments ?? '')}`;
}

describe('Slack workspaces and tenants', () => {
  it('keeps each unlinked workspace to its own devices', async () => {
    expect(await says(alice, aliceDm, 'register 00-04-F2-AA-00-01 Alpha HQ')).toMatch(/Registered 1/);
    expect(await says(bob, bobDm, 'register 00-04-F2-BB-00-01 Bravo HQ')).toMatch(/Registered 1/);

    const bobSees = await says(bob, bobDm, 'status 00-04-F2-AA-00-01');
    expect(bobSees).not.toContain('Alpha HQ');
    expect(bobSees).toMatch(/not|no device/i);
    expect(await says(bob, bobDm, 'list')).not.toContain('00-04-F2-AA-00-01');
    expect(await says(alice, aliceDm, 'whoami')).toContain(`slack:${alice.team}`);
  });

  it('links a workspace to the Teams organisation with a one-time code, audited, and then shares its devices', async () => {
    await teamsSays('register 00-04-F2-CC-00-01 Teams Lobby');
    expect(await says(alice, aliceDm, 'status 00-04-F2-CC-00-01')).not.toContain('Teams Lobby');

    const issued = await teamsSays('link slack');
    const code = /Link code: (\d{8})/.exec(issued)?.[1];
    expect(code).toBeDefined();

    expect(await says(alice, aliceDm, 'link 0000 0000')).toMatch(/not valid/);
    expect(await says(alice, aliceDm, `link ${code}`)).toContain('now linked');
    expect(await says(alice, aliceDm, 'status 00-04-F2-CC-00-01')).toContain('Teams Lobby');
    expect(await says(alice, aliceDm, 'whoami')).toContain(defaultTenantId);

    // The code works once: another workspace cannot use it.
    expect(await says(bob, bobDm, `link ${code}`)).toMatch(/not valid/);
    expect(await says(bob, bobDm, 'status 00-04-F2-CC-00-01')).not.toContain('Teams Lobby');

    const audit = await bot.server.store.db.auditEvent.findMany({ where: { tenantId: defaultTenantId, action: { startsWith: 'workspace.' } }, orderBy: { at: 'asc' } });
    expect(audit.map((row) => [row.action, row.actor])).toEqual([
      ['workspace.link_code_issued', `user:${teamsAdminId}`],
      ['workspace.linked', `user:slack:${alice.id}`],
    ]);
  });

  it('refuses link codes from anyone but an admin, and "link slack" in Slack', async () => {
    const carol: SlackUser = { team: alice.team, id: 'U0CAROL01', name: 'carol' };
    expect(await says(carol, { id: 'D0CAROL01', name: 'directmessage' }, 'link 12345678')).toContain('needs the admin role');
    expect(await says(alice, aliceDm, 'link slack')).toContain('Run it in Teams');
  });
});

describe('direct messages', () => {
  it('takes a DM for the person’s chat with the bot only once a reply got through', async () => {
    const otherDm: SlackChannel = { id: 'D0OTHER01', name: 'directmessage' };
    slack.refusedChannels.set(otherDm.id, 'channel_not_found');
    await slack.slash('help', alice, otherDm);
    await slack.waitFor(1, () => slack.responses.length >= 2);
    const tenant = `slack:${alice.team}`;
    expect(await bot.server.services.conversations.findPersonalChat(tenant, { platform: 'slack', userId: alice.id })).toBeNull();
    await says(alice, aliceDm, 'help');
    // Recorded after Slack accepted the reply, which may be a moment after the fake Slack saw it.
    const personalChat = async () => (await bot.server.services.conversations.findPersonalChat(tenant, { platform: 'slack', userId: alice.id }))?.conversationId;
    await expect.poll(personalChat).toBe(`${alice.team}:${aliceDm.id}`);
    // Later commands there keep it so.
    await says(alice, aliceDm, 'whoami');
    expect(await personalChat()).toBe(`${alice.team}:${aliceDm.id}`);
  });
});
