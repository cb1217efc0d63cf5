// Roles and destinations from chat: grant, revoke, roles and setup over the real server, a real
// SQLite file and the fake channel, with a bootstrap admin from ADMIN_USER_IDS.
import { shownText } from '../../helpers/card-text.ts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { commands } from '../../../bot/commands/index.ts';
import { defineCommand } from '../../../bot/commands/command-spec.ts';
import { botAccount, type ActivityOptions } from '../../helpers/fake-channel.ts';
import { startTestBot, type TestBot } from '../../helpers/test-bot.ts';

type Person = { id: string; name: string; aadObjectId: string };

const bea: Person = { id: '29:bea', name: 'Bea Boot', aadObjectId: '0b0b0b0b-0000-4000-8000-00000000000b' };
const tom: Person = { id: '29:tom', name: 'Tom Tech', aadObjectId: '70707070-0000-4000-8000-000000000007' };
const mia: Person = { id: '29:mia', name: 'Mia Manager', aadObjectId: '3a3a3a3a-0000-4000-8000-00000000003a' };
const stranger: Person = { id: '29:stranger', name: 'Sam Stranger', aadObjectId: '5e5e5e5e-0000-4000-8000-00000000005e' };

const tenantA = 'tenant-contoso';
const tenantB = 'tenant-fabrikam';
const teamId = '19:team@thread.tacv2';
const channelOne = '19:devices@thread.tacv2';
const channelTwo = '19:helpdesk@thread.tacv2';

// A command only technicians may run, standing in for the technician commands of the product.
const technicianOnly = defineCommand({
  name: 'bench',
  aliases: [],
  summary: 'Technicians only (test only).',
  usage: 'bench',
  operation: 'exportCodes', // technicians only in the permission table
  args: z.string(),
  async run() {
    return { text: 'on the bench' };
  },
});

let bot: TestBot;

beforeEach(async () => {
  bot = await startTestBot({ ADMIN_USER_IDS: bea.aadObjectId }, { commands: [...commands, technicianOnly] });
});
afterEach(async () => {
  await bot.close();
});

const personal = (person: Person, tenantId = tenantA): ActivityOptions => ({ from: person, tenantId, conversationId: `a:personal-${person.aadObjectId}` });
const inChannel = (person: Person, conversationId = channelOne, tenantId = tenantA): ActivityOptions => ({
  from: person,
  tenantId,
  conversationType: 'channel',
  conversationId,
  teamId,
});

const mentionOf = (person: { id: string; name: string }) => ({ type: 'mention', mentioned: { id: person.id, name: person.name }, text: `<at>${person.name}</at>` });

/** Sends one message and returns the text of the reply it gets. */
async function say(text: string, options: ActivityOptions, mentioned: { id: string; name: string }[] = []): Promise<string> {
  const before = bot.channel.received.length;
  const inAChannel = options.conversationType === 'channel';
  const people = mentioned.map((person) => `<at>${person.name}</at>`).join(' ');
  const fullText = [inAChannel ? `<at>${botAccount.name}</at>` : '', text, people].filter((part) => part !== '').join(' ');
  const entities = [...(inAChannel ? [mentionOf(botAccount)] : []), ...mentioned.map(mentionOf)];
  const response = await bot.channel.post(bot.channel.activity({ type: 'message', text: fullText, entities }, options));
  expect(response.status).toBe(200);
  const replies = await bot.channel.waitFor(before + 1);
  return shownText(replies.at(-1));
}

/**
 * Makes the fake channel know a person as a member (answering GET …/members/{id}), through the
 * `members` map another change adds to it; false while the fake channel has none.
 */
/** Makes the person a member Teams can look up (TeamsInfo.getMember resolves a mention). */
function addMember(person: Person): void {
  bot.channel.members.set(person.id, { id: person.id, name: person.name, aadObjectId: person.aadObjectId });
}

describe('grant and roles', () => {
  it('when the bootstrap admin grants technician to a mentioned person, they can run technician commands and roles lists them', async () => {
    addMember(tom);

    expect(await say('bench', personal(tom))).toContain('"bench" needs');
    expect(await say('grant technician', inChannel(bea), [tom])).toBe('Granted technician to Tom Tech.');
    expect(await say('bench', personal(tom))).toBe('on the bench');
    expect(await say('grant technician', inChannel(bea), [tom])).toBe('Tom Tech already is technician.');

    const roles = await say('roles', personal(bea));
    expect(roles).toContain('**Technicians:** Tom Tech');
    expect(roles).toContain("**Admins:** Bea Boot (from the bot's configuration)");
  });

  it("names the person as the conversation's roster does, not as the mention's text says", async () => {
    addMember(tom);
    // A client may send any text and name with a mention: the grant must not record "The CEO".
    expect(await say('grant technician', inChannel(bea), [{ id: tom.id, name: 'The CEO' }])).toBe('Granted technician to Tom Tech.');
    expect(await say('roles', personal(bea))).toContain('**Technicians:** Tom Tech');
  });

  it('grants by the Entra object id typed instead of a mention', async () => {
    expect(await say(`grant technician ${tom.aadObjectId.toUpperCase()}`, personal(bea))).toBe(`Granted technician to ${tom.aadObjectId}.`);
    expect(await say('bench', personal(tom))).toBe('on the bench');
    expect(await say(`grant manager ${mia.aadObjectId}`, personal(bea))).toBe(`Granted manager to ${mia.aadObjectId}.`);

    const roles = await say('roles', personal(mia));
    expect(roles).toContain(`**Technicians:** ${tom.aadObjectId}`);
    expect(roles).toContain(`**Managers:** ${mia.aadObjectId}`);
    // A manager reads the roles but is not told how to change them.
    expect(roles).not.toContain('grant ROLE');
  });

  it('when a mentioned person cannot be looked up in Teams, nothing is granted and the reply says to mention a member or type their object id', async () => {
    // Not a member the channel knows: the lookup answers 404.
    const reply = await say('grant technician', inChannel(bea), [stranger]);
    expect(reply).toContain("I couldn't find Sam Stranger among the members of this conversation");
    expect(reply).toContain('Mention a person who is a member of this team or chat, or type their Entra object id');
    expect(reply).toContain('they can see it with "whoami"');
    expect(await bot.server.store.db.roleGrant.count()).toBe(0);
  });

  it('when no one is named, or the role is unknown, the reply shows the usage', async () => {
    const noOne = await say('grant technician', personal(bea));
    expect(noOne).toContain('@mention the person to grant technician');
    expect(noOne).toContain('grant admin|technician|manager @person');
    expect(await say(`grant wizard ${tom.aadObjectId}`, personal(bea))).toContain('"wizard" is not a role; say which role: admin, technician, manager');
    expect(await say('grant technician @Tom', personal(bea))).toContain('type @ and pick the person from the list');
  });

  it('when a technician tries to grant, they are refused with the role it needs', async () => {
    await say(`grant technician ${tom.aadObjectId}`, personal(bea));
    const reply = await say(`grant admin ${tom.aadObjectId}`, personal(tom));
    expect(reply).toContain('"grant" needs the admin role');
    expect(await say('roles', personal(tom))).toContain('"roles" needs one of the roles admin, manager');
    expect(await bot.server.services.roles.rolesOf({ platform: 'teams', tenantId: tenantA, userId: tom.aadObjectId })).toEqual(new Set(['technician']));
  });
});

describe('revoke', () => {
  it('when an admin revokes a role, its holder can no longer use it, and a second revoke says they do not hold it', async () => {
    await say(`grant technician ${tom.aadObjectId}`, personal(bea));
    expect(await say('bench', personal(tom))).toBe('on the bench');

    expect(await say(`revoke technician ${tom.aadObjectId}`, personal(bea))).toBe(`Revoked technician from ${tom.aadObjectId}.`);
    expect(await say('bench', personal(tom))).toContain('"bench" needs');
    expect(await say(`revoke technician ${tom.aadObjectId}`, personal(bea))).toBe(`${tom.aadObjectId} does not hold technician.`);
    expect(await say('roles', personal(bea))).toContain('**Technicians:** nobody yet');
  });

  it('revokes a mentioned person', async () => {
    addMember(tom);
    await say('grant manager', inChannel(bea), [tom]);
    expect(await say('revoke manager', inChannel(bea), [tom])).toBe('Revoked manager from Tom Tech.');
  });

  it('a bootstrap admin cannot be revoked, not even by another admin, and nothing else changes in that command', async () => {
    await say(`grant admin ${tom.aadObjectId}`, personal(bea));
    await say(`grant admin ${mia.aadObjectId}`, personal(bea));

    const reply = await say(`revoke admin ${mia.aadObjectId} ${bea.aadObjectId}`, personal(tom));
    expect(reply).toContain('ADMIN_USER_IDS');
    expect(reply).toContain('ADMIN_USER_IDS');
    expect(await bot.server.services.roles.rolesOf({ platform: 'teams', tenantId: tenantA, userId: bea.aadObjectId })).toEqual(new Set(['admin']));
    // The refusal came before the other revoke in the same message.
    expect(await bot.server.services.roles.rolesOf({ platform: 'teams', tenantId: tenantA, userId: mia.aadObjectId })).toEqual(new Set(['admin']));
  });
});

describe('setup', () => {
  const audienceOf = async (conversationId: string) =>
    (await bot.server.store.db.conversationReference.findFirst({ where: { conversationId } }))?.audience ?? null;

  it('when an admin runs setup technicians in a channel, that channel becomes the destination, moved from the channel set before', async () => {
    expect(await say('setup technicians', inChannel(bea, channelOne))).toBe("This channel now receives the technicians' cards.");
    expect(await audienceOf(channelOne)).toBe('technicians');
    expect((await bot.server.services.conversations.findAudience(tenantA, 'technicians'))?.conversationId).toBe(channelOne);

    expect(await say('setup technician', inChannel(bea, channelTwo))).toBe(
      "This channel now receives the technicians' cards. The channel that received them before no longer does.",
    );
    expect(await audienceOf(channelOne)).toBeNull();
    expect(await audienceOf(channelTwo)).toBe('technicians');
    expect((await bot.server.services.conversations.findAudience(tenantA, 'technicians'))?.conversationId).toBe(channelTwo);

    expect(await say('setup technicians', inChannel(bea, channelTwo))).toBe("This channel already receives the technicians' cards.");
  });

  it('a channel receives one audience: setting another says which one it stops receiving', async () => {
    await say('setup technicians', inChannel(bea, channelOne));
    const reply = await say('setup managers', inChannel(bea, channelOne));
    expect(reply).toContain("This channel now receives the managers' cards.");
    expect(reply).toContain("It no longer receives the technicians' cards: run **setup technicians**");
    expect(await bot.server.services.conversations.findAudience(tenantA, 'technicians')).toBeNull();
  });

  it('in personal chat, setup explains it must be run in the channel that should receive the cards, and stores nothing', async () => {
    const reply = await say('setup technicians', personal(bea));
    expect(reply).toContain('has to be run in the channel that should receive the technicians\' cards');
    expect(reply).toContain('@Provisioning setup technicians');
    expect(await bot.server.services.conversations.findAudience(tenantA, 'technicians')).toBeNull();
  });

  it('only admins may run setup, and the audience must be one of the three', async () => {
    await say(`grant technician ${tom.aadObjectId}`, personal(bea));
    expect(await say('setup technicians', inChannel(tom))).toContain('"setup" needs the admin role');
    expect(await say('setup everyone', inChannel(bea))).toContain('"everyone" is not one of the audiences');
    expect(await audienceOf(channelOne)).toBeNull();
  });

  it('the personal chat of a user is found for notifications, in their tenant only', async () => {
    await say('whoami', personal(tom));
    const chat = await bot.server.services.conversations.findPersonalChat(tenantA, { platform: 'teams', userId: tom.aadObjectId.toUpperCase() });
    expect(chat).toMatchObject({ conversationId: `a:personal-${tom.aadObjectId}`, conversationType: 'personal', platform: 'teams', userId: tom.aadObjectId });
    expect(await bot.server.services.conversations.findPersonalChat(tenantB, { platform: 'teams', userId: tom.aadObjectId })).toBeNull();
    expect(await bot.server.services.conversations.findPersonalChat(tenantA, { platform: 'teams', userId: mia.aadObjectId })).toBeNull();
  });
});

describe('tenants', () => {
  it("a user of tenant B cannot see or use tenant A's roles and destinations", async () => {
    await say(`grant technician ${tom.aadObjectId}`, personal(bea, tenantA));
    await say(`grant manager ${mia.aadObjectId}`, personal(bea, tenantA));
    await say('setup technicians', inChannel(bea, channelOne, tenantA));

    // The same people, talking from tenant B, hold nothing there.
    expect(await say('roles', personal(mia, tenantB))).toContain('"roles" needs');
    expect(await say('bench', personal(tom, tenantB))).toContain('"bench" needs');

    // The bootstrap admin is admin in tenant B too, and sees only tenant B's roles there.
    const rolesInB = await say('roles', personal(bea, tenantB));
    expect(rolesInB).not.toContain(tom.aadObjectId);
    expect(rolesInB).not.toContain(mia.aadObjectId);
    expect(rolesInB).toContain('**Technicians:** nobody yet');

    // Setting tenant B's destination leaves tenant A's alone.
    await say('setup technicians', inChannel(bea, channelTwo, tenantB));
    expect((await bot.server.services.conversations.findAudience(tenantA, 'technicians'))?.conversationId).toBe(channelOne);
    expect((await bot.server.services.conversations.findAudience(tenantB, 'technicians'))?.conversationId).toBe(channelTwo);
  });

  it("bootstrap admins who never talked from a tenant are counted there, not named", async () => {
    const other = '0c0c0c0c-0000-4000-8000-00000000000c';
    await bot.close();
    bot = await startTestBot({ ADMIN_USER_IDS: `${bea.aadObjectId},${other}` }, { commands: [...commands, technicianOnly] });
    const reply = await say('roles', personal(bea, tenantB));
    expect(reply).toContain("**Admins:** Bea Boot (from the bot's configuration)");
    expect(reply).not.toContain(other);
    expect(reply).toContain("Also admin everywhere: 1 person listed in ADMIN_USER_IDS in the bot's configuration.");
  });
});
