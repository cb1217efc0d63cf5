// Regression tests for what the property tests found: text no store keeps as given. U+0000 in
// a location made PostgreSQL refuse the whole import ("invalid byte sequence for encoding
// UTF8: 0x00", the admin got the apology) and made SQLite cut the location short without a
// word; half an emoji came back as U+FFFD; a file saved in the Windows code page stored
// "Salle �g�e". Each is now refused, naming the character, and nothing of it is stored.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commands } from '../../../bot/commands/index.ts';
import { routeMessage } from '../../../bot/commands/router.ts';
import type { Role } from '../../../services/auth/role.ts';
import { cardTexts, teamsCardOf } from '../../helpers/card-text.ts';
import { openTestStore, registryCounts, type TestStore } from '../../helpers/bad-input.ts';
import { testProviders, unavailable } from '../../helpers/test-bot.ts';

const tenantId = 'tenant-contoso';
const adminId = '0f6c1d2e-ffff-4a4a-9b9b-000000000001';
const actor = { kind: 'user' as const, id: adminId, name: 'Text Admin' };

describe.each(testProviders)('on %s', (provider) => {
  describe.skipIf(unavailable(provider))('text that cannot be stored as given', () => {
    let test: TestStore;

    beforeAll(async () => {
      test = await openTestStore(provider, { bootstrapAdmins: [adminId] });
    });
    afterAll(async () => {
      await test?.close();
    });

    const locationOf = async (mac: string) => (await test.store.db.device.findFirst({ where: { tenantId, mac } }))?.location;

    it('an import rejects the row whose location holds U+0000, names the character, and stores the other rows exactly', async () => {
      const report = await test.services.devices.registry.importCsv(actor, tenantId, 'MAC,Location\n00-04-F2-00-01-01,Lo\u0000bby\n00-04-F2-00-01-02,Salle Égée\n');
      expect(report.rejected).toEqual([{ line: 2, value: '00-04-F2-00-01-01', reason: 'location contains an invisible control character (U+0000); retype it' }]);
      expect(report.added).toEqual([{ mac: '00-04-F2-00-01-02', location: 'Salle Égée' }]);
      expect(await locationOf('00-04-F2-00-01-01')).toBe(undefined);
      expect(await locationOf('00-04-F2-00-01-02')).toBe('Salle Égée');
    });

    it('typed registrations (the service, whatever adapter calls it) get the same checks as CSV cells: unstorable characters, length in characters', async () => {
      const before = await registryCounts(test.store.db);
      const report = await test.services.devices.registry.register(actor, tenantId, [
        { mac: '00-04-F2-00-02-01', location: 'Lo\u0000bby' },
        { mac: '00-04-F2-00-02-02', location: 'Hall', model: 'VVX \uD83D' },
        // 100 emoji are 100 characters (200 UTF-16 units): within the limit, as a person counts.
        { mac: '00-04-F2-00-02-03', location: '\u{1F4DE}'.repeat(100) },
        { mac: '00-04-F2-00-02-04', location: 'x'.repeat(101) },
      ]);
      expect(report.rejected).toEqual([
        { line: 1, value: '00-04-F2-00-02-01', reason: 'location contains an invisible control character (U+0000); retype it' },
        { line: 2, value: '00-04-F2-00-02-02', reason: 'model contains a broken character (U+D83D, half of an emoji or symbol); retype it' },
        { line: 4, value: '00-04-F2-00-02-04', reason: 'location longer than 100 characters' },
      ]);
      expect(report.added).toEqual([{ mac: '00-04-F2-00-02-03', location: '\u{1F4DE}'.repeat(100) }]);
      expect((await registryCounts(test.store.db)).devices).toBe(before.devices + 1);
    });

    it('an import rejects a model with a control character the same way', async () => {
      const report = await test.services.devices.registry.importCsv(actor, tenantId, 'MAC;Location;Model\n00-04-F2-00-01-03;Lobby;VVX\u001b[31m 450\n');
      expect(report.rejected).toEqual([{ line: 2, value: '00-04-F2-00-01-03', reason: 'model contains an invisible control character (U+001B); retype it' }]);
      expect(report.added).toEqual([]);
    });

    it('an import of a file saved in the Windows code page rejects the rows it cannot read, saying to save it as CSV UTF-8', async () => {
      const windows1252 = Buffer.concat([Buffer.from('MAC,Location\r\n00-04-F2-00-01-04,Salle '), Buffer.from([0xc9]), Buffer.from('g'), Buffer.from([0xe9]), Buffer.from('e\r\n')]);
      const before = await registryCounts(test.store.db);
      const report = await test.services.devices.registry.importCsv(actor, tenantId, windows1252);
      expect(report.rejected).toEqual([
        { line: 2, value: '00-04-F2-00-01-04', reason: 'location contains a character that could not be read (U+FFFD): save the file as "CSV UTF-8" and import it again' },
      ]);
      expect(await registryCounts(test.store.db)).toEqual(before);
    });

    describe('register in chat', () => {
      const context = () => ({
        tenantId,
        principal: { platform: 'teams' as const, tenantId, userId: adminId, displayName: 'Text Admin' },
        roles: new Set<Role>(['admin']),
        conversation: { channelId: 'msteams', id: `a:personal-${adminId}`, type: 'personal' as const },
        mentions: [],
        files: [],
        services: test.services,
        commands,
      });

      it.each([
        ['U+0000', '00-04-F2-00-02-01 Lo\u0000bby', 'the text contains an invisible control character (U+0000); retype it.'],
        ['half an emoji', '00-04-F2-00-02-02 Lobby \uD83D', 'the text contains a broken character (U+D83D, half of an emoji or symbol); retype it.'],
        ['a control character on the second line', '00-04-F2-00-02-03 Lobby\n00-04-F2-00-02-04 Hall\u0007', 'line 2 contains an invisible control character (U+0007); retype it.'],
      ])('refuses a location with %s, naming it, and registers none of the devices', async (_what, text, problem) => {
        const before = await registryCounts(test.store.db);
        const reply = await routeMessage(`register ${text}`, context());
        const shown = cardTexts(teamsCardOf(reply));
        expect(shown).toContain('That doesn\'t fit "register"');
        expect(shown).toContain(problem);
        expect(await registryCounts(test.store.db)).toEqual(before);
      });

      it('still registers a location with tabs, accents and emoji, blanks collapsed', async () => {
        const reply = await routeMessage('register 00-04-F2-00-02-05 Salle\tÉgée 😀', context());
        expect(cardTexts(teamsCardOf(reply)).join(' ')).toContain('Registered 1 of 1');
        expect(await locationOf('00-04-F2-00-02-05')).toBe('Salle Égée 😀');
      });
    });
  });
});
