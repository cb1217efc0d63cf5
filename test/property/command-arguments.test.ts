// Every command's argument parsing, driven with generated text: whatever follows a command
// name (or one of its aliases), the real router on real services answers with a reply (the
// command's answer, its usage, or a coded error card) and never throws, which in chat would
// be the generic "something went wrong" apology. A sample goes through the real HTTP server
// and the fake Teams channel too, where the apology itself can be checked for.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commands } from '../../bot/commands/index.ts';
import type { CommandContext, CommandReply } from '../../bot/commands/command-spec.ts';
import { routeMessage } from '../../bot/commands/router.ts';
import { apologyFor } from '../../bot/teams/teams-chat.ts';
import type { Role } from '../../services/auth/role.ts';
import { cardOf, cardTexts, shownText, teamsCardOf } from '../helpers/card-text.ts';
import { permissionFor } from '../../services/auth/permissions.ts';
import { openTestStore, type TestStore } from '../helpers/bad-input.ts';
import type { ReceivedActivity } from '../helpers/fake-channel.ts';
import { startTestBotOn, testProviders, unavailable, type TestBot } from '../helpers/test-bot.ts';
import { freeText, nearValidCsv } from './csv-generators.ts';

const tenantId = 'tenant-property';
const adminId = '0f6c1d2e-aaaa-4a4a-9b9b-000000000001';
const allRoles: ReadonlySet<Role> = new Set(['admin', 'technician', 'manager']);
const registered = ['00-04-F2-00-00-01', '00-04-F2-00-00-02', '00-04-F2-00-00-03'];

const hex2 = (octet: number) => octet.toString(16).padStart(2, '0').toUpperCase();

/** Every word that starts a command: names and aliases. */
const commandWords = commands.flatMap((command) => [command.name, ...command.aliases]);

/** Pieces commands look for, and pieces that break naive parsing. */
const token = fc.oneof(
  fc.constantFrom(
    ...registered,
    '00:04:f2:00:00:02',
    '0004.F200.0003',
    'FF-FF-FF-FF-FF-FF',
    '00-04-F2',
    'all',
    'ALL',
    'location',
    'Location',
    'Lobby',
    'waiting',
    'awaiting',
    'signedin',
    'devices',
    'codes',
    'admin',
    'technicians',
    'managers',
    'to',
    'and',
    '@Tom',
    '<at>Tom</at>',
    '<at>',
    '0f6c1d2e-3333-4a4a-9b9b-000000000003',
    '{0f6c1d2e-4444-4a4a-9b9b-000000000004}',
    'lobby-phone@contoso.com',
    'help',
    '?',
    '${x}',
    '**bold**',
    '[link](https://example.com)',
    '&nbsp;',
    '\u0000',
    '\uD800',
    '😀',
    '"',
    "'",
    'MAC address,Location',
  ),
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.string({ unit: fc.constantFrom(...'0123456789ABCDEF-:.'.split('')), minLength: 1, maxLength: 17 }),
);
const separator = fc.constantFrom(' ', ' ', '  ', '\n', '\r\n', '\t', ',', ';', ', ');

/** What commands expect, with free text where a location, account or note goes: "<MAC> <text>", "location <text>", "<role> <text>". */
const shapedArguments = fc
  .tuple(fc.constantFrom(...registered, '00-04-F2-00-00-09', 'all', 'location', 'waiting location', 'technician', 'admins', 'devices', ''), separator, freeText)
  .map(([lead, gap, text]) => `${lead}${gap}${text}`);

/** Text after the command name. */
export const commandArguments = fc.oneof(
  { weight: 4, arbitrary: fc.array(fc.tuple(token, separator), { maxLength: 8 }).map((parts) => parts.map(([word, gap]) => word + gap).join('')) },
  { weight: 3, arbitrary: shapedArguments },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 80 }) },
  { weight: 1, arbitrary: nearValidCsv.map((generated) => generated.text) },
  { weight: 1, arbitrary: fc.constantFrom('', ' ', '\n', 'x'.repeat(5000), `location ${'L'.repeat(300)}`, `${registered[0]} ${'é'.repeat(150)}`) },
);

function expectAReply(reply: CommandReply & { command: string | null }): void {
  const card = teamsCardOf(reply);
  if (card) {
    expect(card.type).toBe('AdaptiveCard');
    expect(cardTexts(card).join(' ').trim()).not.toBe('');
  } else {
    expect(typeof reply.text).toBe('string');
    expect((reply.text ?? '').trim()).not.toBe('');
  }
}

describe.each(testProviders)('on %s', (provider) => {
  describe.skipIf(unavailable(provider))('every command with generated arguments, through the real router', () => {
    let test: TestStore;
    const context = (roles: ReadonlySet<Role>, type: 'personal' | 'channel'): CommandContext => ({
      tenantId,
      principal: { platform: 'teams', tenantId, userId: adminId, displayName: 'Property Admin' },
      roles,
      conversation: { channelId: 'msteams', id: type === 'personal' ? `a:personal-${adminId}` : '19:property@thread.tacv2', type },
      mentions: [],
      files: [],
      services: test.services,
      commands,
    });

    beforeAll(async () => {
      test = await openTestStore(provider, { bootstrapAdmins: [adminId] });
      // Some state for the commands to work on: three devices, codes for two of them.
      const actor = { kind: 'user' as const, id: adminId, name: 'Property Admin' };
      await test.services.devices.registry.register(actor, tenantId, registered.map((mac) => ({ mac, location: 'Lobby' })));
      await test.services.devices.codes.issue(actor, tenantId, { macs: registered.slice(0, 2) });
    });
    afterAll(async () => {
      await test?.close();
    });

    // One property per command word, so each gets its share of runs (and a failure names it).
    it.each(commandWords)('answers "%s" followed by any text, for someone holding every role, without throwing', async (word) => {
      await fc.assert(
        fc.asyncProperty(commandArguments, fc.constantFrom('personal' as const, 'channel' as const), async (text, where) => {
          const reply = await routeMessage(`${word} ${text}`, context(allRoles, where));
          expectAReply(reply);
        }),
        { numRuns: provider === 'sqlite' ? 25 : 12 },
      );
    });

    it('"register <MAC> <location>" stores the location exactly as typed (blanks collapsed), or refuses it and stores nothing', async () => {
      let next = 0x100;
      const location = fc.string({ unit: fc.oneof(fc.constantFrom(...'Lobby 2-é😀'.split('')), fc.constantFrom('\u0000', '\u0007', '\u007f', '\uD800', '\t', '\u00A0', '$', '"')), minLength: 1, maxLength: 20 });
      await fc.assert(
        fc.asyncProperty(location, async (typed) => {
          const mac = `00-04-F2-00-${hex2(next >> 8)}-${hex2(next++ & 0xff)}`;
          const reply = await routeMessage(`register ${mac} ${typed}`, context(allRoles, 'personal'));
          expectAReply(reply);
          const stored = await test.store.db.device.findFirst({ where: { tenantId, mac } });
          const words = typed.trim().split(/\s+/).filter((word) => word !== '');
          if (stored === null) {
            expect(cardTexts(teamsCardOf(reply)).join(' ')).toMatch(/contains|That doesn't fit/);
          } else {
            expect(stored.location).toBe(words.length > 0 ? words.join(' ') : null);
          }
        }),
        { numRuns: provider === 'sqlite' ? 150 : 60 },
      );
    });

    it('refuses every command but the open ones to someone without a role, whatever follows, naming the role it needs', async () => {
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...commandWords), commandArguments, async (word, text) => {
          const reply = await routeMessage(`${word} ${text}`, context(new Set(), 'personal'));
          expectAReply(reply);
          const command = commands.find((candidate) => candidate.name === reply.command);
          if (command && permissionFor(command.operation) !== 'anyone') expect(cardTexts(teamsCardOf(reply)).join(' ')).toMatch(/needs .*role/);
        }),
        { numRuns: 150 },
      );
    });

    it('answers any first word at all (unknown commands get "did you mean" or help), without throwing', async () => {
      await fc.assert(
        fc.asyncProperty(fc.oneof(fc.string({ unit: 'binary', maxLength: 30 }), commandArguments), async (text) => {
          expectAReply(await routeMessage(text, context(allRoles, 'personal')));
        }),
        { numRuns: 300 },
      );
    });
  });
});

describe('a sample of generated commands through the real server and the fake Teams channel', () => {
  let bot: TestBot;
  const admin = { id: '29:property-admin', name: 'Property Admin', aadObjectId: adminId };

  beforeAll(async () => {
    bot = await startTestBotOn('sqlite', { ADMIN_USER_IDS: adminId });
  });
  afterAll(async () => {
    await bot?.close();
  });

  it('answers each message once, with HTTP 200 and never the apology', async () => {
    const apology = apologyFor('REFERENCE').split('REFERENCE')[0] ?? '';
    const sample = fc.sample(fc.tuple(fc.constantFrom(...commandWords), commandArguments), { numRuns: 60, seed: 6 });
    for (const [word, text] of sample) {
      const activity = bot.channel.activity({ type: 'message', text: `${word} ${text}` }, { from: admin, conversationId: `a:personal-${adminId}` });
      const response = await bot.channel.post(activity);
      expect(response.status).toBe(200);
      const isReply = (received: ReceivedActivity) => received.targetActivityId === activity.id;
      const [reply] = await bot.channel.waitFor(1, isReply, 15_000);
      const shown = shownText(reply);
      expect(shown, `"${word} ${text}"`).not.toContain(apology);
      expect(cardOf(reply!) ?? reply!.body.text).toBeTruthy();
    }
    // Nothing in the logs says a turn failed.
    expect(bot.logs().filter((line) => line.msg === 'turn failed')).toEqual([]);
  });
});
