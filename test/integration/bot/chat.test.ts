// The bot as Teams sees it: real server, real SQLite, activities over HTTP, replies at the fake channel.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { commands } from '../../../bot/commands/index.ts';
import { defineCommand } from '../../../bot/commands/command-spec.ts';
import { botAccount, defaultTenantId, defaultUser } from '../../helpers/fake-channel.ts';
import { startTestBot, type TestBot } from '../../helpers/test-bot.ts';
import { cardOf, cardTexts, shownText } from '../../helpers/card-text.ts';

let bot: TestBot;

const failingCommand = defineCommand({
  name: 'explode',
  aliases: [],
  summary: 'Fails on purpose (test only).',
  usage: 'explode',
  operation: 'help',
  args: z.string(),
  async run() {
    throw new Error('database on fire at /srv/secret/path');
  },
});

beforeEach(async () => {
  bot = await startTestBot({}, { commands: [...commands, failingCommand] });
});
afterEach(async () => {
  await bot.close();
});

const storedReferences = () => bot.server.store.db.conversationReference.findMany({ orderBy: { createdAt: 'asc' } });

describe('messages', () => {
  it('when a user types help, the reply lists every command of the registry with its summary', async () => {
    const response = await bot.channel.message('help');
    expect(response.status).toBe(200);

    const [reply] = await bot.channel.waitFor(1);
    expect(reply?.method).toBe('POST');
    expect(reply?.body.type).toBe('message');
    const shown = cardTexts(cardOf(reply!)).join('\n');
    for (const command of commands) {
      expect(shown).toContain(command.usage);
      expect(shown).toContain(command.summary);
    }
    // The reply goes to the conversation and answers the message it replies to.
    expect(reply?.conversationId).toBe(`a:personal-${defaultUser.aadObjectId}`);
    expect(reply?.targetActivityId).toMatch(/^in-/);
  });

  it('when the bot is @mentioned in a channel, the mention is stripped before the command is read', async () => {
    await bot.channel.message('whoami', { conversationType: 'channel', mentionBot: true, teamId: '19:team@thread.tacv2' });
    const [reply] = await bot.channel.waitFor(1);
    expect(reply?.body.text).toContain(`**Tenant:** ${defaultTenantId}`);
    expect(reply?.body.text).toContain('**Conversation:** channel');
  });

  it('takes the tenant from the activity, never from what the user typed', async () => {
    await bot.channel.message('whoami', { tenantId: 'tenant-fabrikam' });
    await bot.channel.message('whoami tenant-contoso');
    const replies = await bot.channel.waitFor(2);
    expect(replies[0]?.body.text).toContain('**Tenant:** tenant-fabrikam');
    expect(shownText(replies[1])).toContain('That doesn\'t fit "whoami"');
    expect(shownText(replies[1])).toContain('whoami takes nothing after it');
  });

  it('when a command is misspelt, the reply suggests the closest one', async () => {
    await bot.channel.message('hlep');
    const [reply] = await bot.channel.waitFor(1);
    expect(shownText(reply)).toContain('I don\'t know the command "hlep"');
    expect(shownText(reply)).toContain('Did you mean help?');
    const card = cardOf(reply!) as { actions?: { type: string; data: { msteams: { type: string; value: string } } }[] };
    expect(card.actions?.map((action) => action.data.msteams)).toEqual([{ type: 'imBack', value: 'help' }]);
  });

  it('help for a command that does not exist is an error card whose buttons ask for the close ones', async () => {
    await bot.channel.message('help stauts');
    const [reply] = await bot.channel.waitFor(1);
    expect(shownText(reply)).toContain('I don\'t know the command "stauts". Did you mean');
    const card = cardOf(reply!) as { actions?: { data: { msteams: { value: string } } }[] };
    expect(card.actions?.map((action) => action.data.msteams.value)).toContain('help status');
  });

  it('when a Teams message carries no tenant, the bot refuses and stores nothing', async () => {
    await bot.channel.message('help', { tenantId: null });
    const [reply] = await bot.channel.waitFor(1);
    expect(reply?.body.text).toContain("can't tell which Microsoft 365 organisation");
    expect(await storedReferences()).toHaveLength(0);
  });

  it('when a command throws, the user gets an apology with a reference that is in the log, and no internals', async () => {
    const response = await bot.channel.message('explode');
    expect(response.status).toBe(200);
    const [reply] = await bot.channel.waitFor(1);
    const reference = /reference: ([A-Z0-9]{4}-[A-Z0-9]{4})/.exec(reply?.body.text ?? '')?.[1];
    expect(reference).toBeDefined();
    expect(reply?.body.text).not.toContain('database on fire');
    expect(reply?.body.text).not.toContain('/srv/secret');
    const logged = bot.logs().find((line) => line.errorReference === reference);
    expect(logged?.msg).toBe('turn failed');
    expect(JSON.stringify(logged)).toContain('database on fire');
  });

  it('never writes message text to the log (it can hold codes), only the command name', async () => {
    await bot.channel.message('help whoami-123456');
    await bot.channel.waitFor(1);
    expect(bot.logText()).not.toContain('123456');
    expect(bot.logs().some((line) => line.command === 'help')).toBe(true);
  });
});

describe('conversation references', () => {
  it('remembers the conversation of every message, once, with its tenant and the full reference', async () => {
    await bot.channel.message('help');
    await bot.channel.message('whoami');
    await bot.channel.waitFor(2);
    const references = await storedReferences();
    expect(references).toHaveLength(1);
    const [stored] = references;
    expect(stored).toMatchObject({
      tenantId: defaultTenantId,
      channelId: 'msteams',
      conversationId: `a:personal-${defaultUser.aadObjectId}`,
      conversationType: 'personal',
      serviceUrl: bot.channel.serviceUrl,
      platform: 'teams',
      userId: defaultUser.aadObjectId,
    });
    const reference = JSON.parse(stored?.reference ?? '{}') as { bot?: { id?: string }; conversation?: { id?: string } };
    expect(reference.bot?.id).toBe(botAccount.id);
    expect(reference.conversation?.id).toBe(stored?.conversationId);
    expect(await bot.server.store.db.tenant.findUnique({ where: { id: defaultTenantId } })).not.toBeNull();
  });

  it('remembers a team channel when the bot is installed there, and greets it', async () => {
    const options = { conversationType: 'channel' as const, teamId: '19:team@thread.tacv2', conversationId: '19:general@thread.tacv2' };
    const response = await bot.channel.post(
      bot.channel.activity({ type: 'conversationUpdate', membersAdded: [botAccount] }, options),
    );
    expect(response.status).toBe(200);
    const [greeting] = await bot.channel.waitFor(1);
    // Only messages that @mention the bot reach it in a channel: the welcome says so, with its name.
    expect(greeting?.body.text).toContain(`type **@${botAccount.name} help**`);
    expect(greeting?.body.text).not.toContain('Type **help**');
    const [stored] = await storedReferences();
    expect(stored).toMatchObject({ conversationId: '19:general@thread.tacv2', conversationType: 'channel', teamId: '19:team@thread.tacv2', platform: 'teams', userId: null });
  });

  it('remembers a conversation on installationUpdate add and forgets it on remove', async () => {
    await bot.channel.post(bot.channel.activity({ type: 'installationUpdate', action: 'add' }));
    expect(await storedReferences()).toHaveLength(1);
    await bot.channel.post(bot.channel.activity({ type: 'installationUpdate', action: 'remove' }));
    expect(await storedReferences()).toHaveLength(0);
  });
});

describe('card actions', () => {
  it('a refused card button is answered in the HTTP response beside the pressed card, which stays', async () => {
    const response = await bot.channel.invoke('device.signIn', { mac: '00-04-F2-81-24-B3' });
    expect(response.status).toBe(403);
    // The default user holds no role: the answer says which one is needed.
    expect(response.body).toMatchObject({ statusCode: 403, type: 'application/vnd.microsoft.error', value: { code: 'not_allowed', message: expect.stringContaining('needs the admin role') } });
    expect(bot.channel.received).toHaveLength(0);
  });

  it('an unknown button gets an error answer, not a failure', async () => {
    const response = await bot.channel.invoke('no.such.verb', {});
    expect(response.body).toMatchObject({ statusCode: 400, value: { code: 'unknown_button', message: expect.stringContaining('not known') } });
  });
});
