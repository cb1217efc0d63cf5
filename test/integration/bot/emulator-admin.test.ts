// The first admin with an emulator: emulators and test tools send user ids that are not Entra
// object ids. Without an app id (local mode) ADMIN_USER_IDS takes exactly what whoami shows.
import { afterEach, describe, expect, it } from 'vitest';
import { shownText } from '../../helpers/card-text.ts';
import { startTestBot, type TestBot } from '../../helpers/test-bot.ts';

// The Microsoft 365 Agents Playground's default user: channel "msteams", an aadObjectId that is no GUID.
const playgroundUser = { id: '00000000-0000-0000-0000-00000000000011', name: 'Alex Wilber', aadObjectId: '00000000-0000-0000-0000-00000000000011' };
// The Bot Framework Emulator: channel "emulator", no tenant, no aadObjectId; its own user id.
const emulatorUser = { id: 'r_7e1x9k2b4q', name: 'User' };

let bot: TestBot | undefined;
afterEach(async () => {
  await bot?.close();
  bot = undefined;
});

async function say(text: string, options: { emulator: boolean }): Promise<string> {
  const current = bot!;
  const conversationId = options.emulator ? 'emulator-conversation-1' : `a:personal-${playgroundUser.aadObjectId}`;
  const before = current.channel.received.filter((a) => a.conversationId === conversationId).length;
  const activity = options.emulator
    ? current.channel.activity({ type: 'message', text, channelId: 'emulator' }, { from: emulatorUser, tenantId: null, conversationId })
    : current.channel.activity({ type: 'message', text }, { from: playgroundUser, conversationId });
  await current.channel.post(activity);
  const replies = await current.channel.waitFor(before + 1, (a) => a.conversationId === conversationId, 10_000);
  return shownText(replies.at(-1));
}

describe('the first admin in local mode, with an emulator', () => {
  it('the Agents Playground user: whoami shows a non-GUID id, and ADMIN_USER_IDS set to it makes an admin', async () => {
    bot = await startTestBot({});
    const whoami = await say('whoami', { emulator: false });
    expect(whoami).toContain(playgroundUser.aadObjectId);
    expect(whoami).toContain(`ADMIN_USER_IDS=${playgroundUser.aadObjectId} works while the bot runs without MicrosoftAppId`);
    await bot.close();

    bot = await startTestBot({ ADMIN_USER_IDS: playgroundUser.aadObjectId });
    expect(await say('register 00-04-F2-81-24-B3 Lobby', { emulator: false })).toMatch(/Registered 1/);
  });

  it('the Bot Framework Emulator user: the id whoami shows is the one ADMIN_USER_IDS accepts', async () => {
    bot = await startTestBot({ ADMIN_USER_IDS: emulatorUser.id });
    const whoami = await say('whoami', { emulator: true });
    expect(whoami).toContain(emulatorUser.id.toLowerCase());
    expect(whoami).toContain('local-emulator');
    expect(await say('register 00-04-F2-81-24-B3 Lobby', { emulator: true })).toMatch(/Registered 1/);
  });
});
