// Card button presses (Action.Execute invokes) with tampered or missing data, through the
// real server and the fake Teams channel: a wrong or unknown verb, missing ids, ids of another
// organisation or of another hand-off, wrong types, huge strings, a forged confirmation. Each
// is refused with a sentence that says what is wrong (Universal Actions' error response: the
// pressed card stays as it was), and nothing in the store changes.
import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { verbs } from '../../../bot/actions/verbs.ts';
import { cardTexts } from '../../helpers/card-text.ts';
import { deliverPendingNotifications, domainSnapshot, repeatTo } from '../../helpers/bad-input.ts';
import type { ActivityOptions } from '../../helpers/fake-channel.ts';
import { startTestBotOn, testProviders, unavailable, type TestBot } from '../../helpers/test-bot.ts';

const tenantA = 'tenant-contoso';
const tenantB = 'tenant-fabrikam';
const adminId = '0f6c1d2e-dddd-4a4a-9b9b-000000000001';
const techId = '0f6c1d2e-dddd-4a4a-9b9b-000000000002';
const admin = { id: '29:card-admin', name: 'Card Admin', aadObjectId: adminId };
const technician = { id: '29:card-tech', name: 'Card Tech', aadObjectId: techId };
const stranger = { id: '29:card-stranger', name: 'No Role', aadObjectId: '0f6c1d2e-dddd-4a4a-9b9b-000000000003' };

const macsA = { inBatch: '00-04-F2-0A-00-01', provisioned: '00-04-F2-0A-00-02', notInBatch: '00-04-F2-0A-00-03' };
const macsB = { provisioned: '00-04-F2-0B-00-01' };

describe.each(testProviders)('on %s', (provider) => {
  describe.skipIf(unavailable(provider))('card actions with tampered or missing data', () => {
    let bot: TestBot;
    let batchA: string;
    let batchB: string;
    let before: Awaited<ReturnType<typeof domainSnapshot>>;

    beforeAll(async () => {
      bot = await startTestBotOn(provider, { ADMIN_USER_IDS: adminId }, { scheduler: 'off' });
      const { services } = bot.server;
      const actor = { kind: 'user' as const, id: adminId, name: 'Card Admin' };
      await services.roles.grant(actor, tenantA, { platform: 'teams', userId: techId, name: 'Card Tech' }, 'technician');
      // Organisation A: a hand-off of two devices, one of them provisioned (waiting for sign-in); a third device outside it.
      await services.devices.registry.register(actor, tenantA, Object.values(macsA).map((mac) => ({ mac, location: 'Lobby' })));
      const issuedA = await services.devices.codes.issue(actor, tenantA, { macs: [macsA.inBatch, macsA.provisioned] });
      batchA = issuedA.batchId;
      const codeA = issuedA.issued.find((entry) => entry.mac === macsA.provisioned)?.code ?? '';
      await services.devices.provisioning.provision({ mac: macsA.provisioned, verificationCode: codeA });
      // Organisation B: its own hand-off and a device waiting for sign-in.
      await services.devices.registry.register(actor, tenantB, [{ mac: macsB.provisioned, location: 'Lobby' }]);
      const issuedB = await services.devices.codes.issue(actor, tenantB, { macs: [macsB.provisioned] });
      batchB = issuedB.batchId;
      await services.devices.provisioning.provision({ mac: macsB.provisioned, verificationCode: issuedB.issued[0]?.code ?? '' });
      await deliverPendingNotifications(bot.server);
    });
    afterAll(async () => {
      await bot?.close();
    });
    beforeEach(async () => {
      before = await domainSnapshot(bot.server.store.db);
    });

    /**
     * Presses a button in organisation A's personal chat. A refusal is Universal Actions' error
     * response (Teams keeps the pressed card and shows the message): its title is the message's
     * start ("Not allowed: …"). Anything else would be a card replacing the pressed one.
     */
    async function press(verb: unknown, data: unknown, from = admin, options: ActivityOptions = {}) {
      const value = { action: { type: 'Action.Execute', verb, data }, trigger: 'manual' };
      const activity = bot.channel.activity({ type: 'invoke', name: 'adaptiveCard/action', value }, { from, conversationId: `a:personal-${from.aadObjectId}`, ...options });
      const answer = await bot.channel.post(activity);
      const body = answer.body as { statusCode: number; type: string; value: { code?: unknown; message?: unknown } };
      // botbuilder answers the invoke with the response's own status.
      expect(answer.status).toBe(body.statusCode);
      if (body.type !== 'application/vnd.microsoft.error') {
        // The card's texts: its fallback text first, then its title.
        const [, title, ...texts] = cardTexts(body.value);
        return { refused: false, title, texts, size: JSON.stringify(body.value).length };
      }
      expect(body.statusCode).toBeGreaterThanOrEqual(400);
      expect(body.statusCode).toBeLessThan(500);
      expect(typeof body.value.code).toBe('string');
      const message = String(body.value.message);
      const cut = message.indexOf(': ');
      return { refused: true, title: message.slice(0, cut), texts: [message.slice(cut + 2)], size: JSON.stringify(body.value).length };
    }

    /** The press was refused, keeping the pressed card: this title, a problem matching `problem`, and the store as it was. */
    async function expectRefused(pressed: ReturnType<typeof press>, title: string, problem: RegExp) {
      const { refused, title: shown, texts, size } = await pressed;
      expect(refused).toBe(true);
      expect(shown).toBe(title);
      expect(texts.join('\n')).toMatch(problem);
      // Whatever was sent, the answer quotes only a little of it.
      expect(size).toBeLessThan(4_000);
      expect(await domainSnapshot(bot.server.store.db)).toEqual(before);
    }

    const huge = repeatTo(500_000, 'A');

    it.each([
      ['an unknown verb', 'device.delete'],
      ['an empty verb', ''],
      ['a verb in the wrong case', 'DEVICE.STATUS'],
      ['a verb that is not text', { verb: 'device.status' }],
      ['a verb of half a megabyte', huge],
    ])('refuses %s as an unknown button', async (_what, verb) => {
      await expectRefused(press(verb, { mac: macsA.inBatch }), 'Unknown button', /is not known to this version of the bot/);
    });

    it.each([
      [verbs.signIn, {}, /mac: this card names no device/],
      [verbs.refreshSignIn, { account: 'lobby@contoso.com' }, /mac: this card names no device/],
      [verbs.showStatus, { mac: '' }, /mac: this card names no device/],
      [verbs.markInstalled, { mac: macsA.inBatch }, /batchId: this card carries no hand-off id/],
      [verbs.reportProblem, { batchId: 'x', note: 'broken' }, /mac: choose the device in the list first/],
      [verbs.regenerateCodes, { location: 'Lobby' }, /batchId: this card carries no hand-off id/],
      [verbs.confirm, { command: 'codes', args: 'all' }, /expiresAt: this card carries no expiry/],
      [verbs.cancel, {}, /command: this card names no command/],
    ])('refuses %s with missing data, naming the missing field', async (verb, data, problem) => {
      await expectRefused(press(verb, data), 'Something is missing or wrong', problem);
    });

    it.each([
      [verbs.signIn, { mac: 42 }, /mac: this card names no device/],
      [verbs.signIn, { mac: macsA.provisioned, account: ['a@b.com'] }, /account: the account must be text/],
      [verbs.showStatus, { mac: { mac: macsA.inBatch } }, /mac: this card names no device/],
      [verbs.markInstalled, { batchId: { id: 'x' }, mac: macsA.inBatch }, /batchId: this card carries no hand-off id/],
      [verbs.markInstalled, { batchId: 'batch; DROP TABLE "Device"', mac: macsA.inBatch }, /batchId: this card's hand-off id is damaged/],
      [verbs.reportProblem, { batchId: 'x', mac: macsA.inBatch, note: 7 }, /note: the note must be text/],
      [verbs.regenerateCodes, { batchId: 'x', location: null }, /location: the location must be text/],
      [verbs.confirm, { command: 'codes', args: ['all'], expiresAt: new Date().toISOString() }, /args: this card carries no arguments/],
      [verbs.confirm, { command: 'codes', args: 'all', expiresAt: Date.now() + 60_000 }, /expiresAt: this card carries no expiry/],
    ])('refuses %s with data of the wrong type (%j)', async (verb, data, problem) => {
      await expectRefused(press(verb, data), 'Something is missing or wrong', problem);
    });

    it.each([
      [verbs.signIn, () => ({ mac: huge }), /mac: not a device this bot showed/],
      [verbs.showStatus, () => ({ mac: huge }), /mac: not a device this bot showed/],
      [verbs.markInstalled, () => ({ batchId: huge, mac: macsA.inBatch }), /batchId: this card's hand-off id is damaged/],
      [verbs.reportProblem, () => ({ batchId: batchA, mac: macsA.inBatch, note: repeatTo(501) }), /note: the note is longer than 500 characters/],
      [verbs.regenerateCodes, () => ({ batchId: batchA, location: huge }), /location: not a location of this hand-off/],
      [verbs.confirm, () => ({ command: huge, args: 'all', expiresAt: new Date().toISOString() }), /command: not a command name/],
      [verbs.confirm, () => ({ command: 'codes', args: huge, expiresAt: new Date().toISOString() }), /args: the arguments are longer than any command takes/],
      [verbs.signIn, () => ({ mac: macsA.provisioned, account: huge }), /account: the account is longer than 254 characters/],
    ])('refuses %s with a huge string before looking anything up', async (verb, data, problem) => {
      await expectRefused(press(verb, data()), 'Something is missing or wrong', problem);
    });

    describe("another organisation's ids", () => {
      it("refuses to sign in another organisation's device, and leaves it waiting", async () => {
        await expectRefused(press(verbs.signIn, { mac: macsB.provisioned, account: 'lobby@contoso.com' }), 'That did not work', /No device 00-04-F2-0B-00-01 is registered here/);
        await expectRefused(press(verbs.refreshSignIn, { mac: macsB.provisioned }), 'That did not work', /No device 00-04-F2-0B-00-01 is registered here/);
      });

      it("shows no status for another organisation's device", async () => {
        await expectRefused(press(verbs.showStatus, { mac: macsB.provisioned }), 'That did not work', /No device 00-04-F2-0B-00-01 is registered here/);
      });

      it("marks nothing on another organisation's hand-off, even with a MAC that is in it", async () => {
        await expectRefused(press(verbs.markInstalled, { batchId: batchB, mac: macsB.provisioned }, technician), 'That did not work', /no longer kept/);
        await expectRefused(press(verbs.reportProblem, { batchId: batchB, mac: macsB.provisioned, note: 'cracked screen' }, technician), 'That did not work', /no longer kept/);
      });

      it("regenerates no codes for another organisation's hand-off", async () => {
        await expectRefused(press(verbs.regenerateCodes, { batchId: batchB, location: 'Lobby' }), 'That did not work', /None of these devices is waiting/);
      });

      it("refuses organisation B's hand-off id when the press comes from organisation B's conversation but a user of A", async () => {
        // The tenant comes from the activity, never from the data: here B, where this technician holds no role.
        await expectRefused(press(verbs.markInstalled, { batchId: batchB, mac: macsB.provisioned }, technician, { tenantId: tenantB }), 'Not allowed', /needs/);
      });
    });

    describe('ids of another hand-off or device in the same organisation', () => {
      it('marks nothing for a device that is not part of the hand-off', async () => {
        await expectRefused(press(verbs.markInstalled, { batchId: batchA, mac: macsA.notInBatch }, technician), 'That did not work', /00-04-F2-0A-00-03 is not part of this hand-off/);
      });

      it('marks nothing for a MAC that is not a MAC', async () => {
        await expectRefused(press(verbs.markInstalled, { batchId: batchA, mac: 'the lobby phone' }, technician), 'That did not work', /Choose the device in the list first/);
      });

      it('signs in no device that is not waiting for sign-in', async () => {
        await expectRefused(press(verbs.signIn, { mac: macsA.inBatch }), 'That did not work', /only a device waiting for sign-in can be signed in/);
      });

      it('passes no invalid account to the device', async () => {
        await expectRefused(press(verbs.signIn, { mac: macsA.provisioned, account: 'lobby[at](https://evil.example)' }), 'That did not work', /account: expected a sign-in name/);
      });
    });

    describe('a tampered confirmation', () => {
      const soon = () => new Date(Date.now() + 5 * 60_000).toISOString();

      it('runs nothing when its expiry was pushed beyond what the bot issues', async () => {
        const forged = new Date(Date.now() + 365 * 24 * 3_600_000).toISOString();
        await expectRefused(press(verbs.confirm, { command: 'codes', args: 'all', expiresAt: forged }), 'That did not work', /This confirmation was not issued by me/);
      });

      it.each([
        ['expired', () => ({ command: 'codes', args: 'all', expiresAt: new Date(Date.now() - 1000).toISOString() }), /expired; nothing was done/],
        ['an expiry that is not a time', () => ({ command: 'codes', args: 'all', expiresAt: 'tomorrow' }), /expired; nothing was done/],
        ['an unknown command', () => ({ command: 'wipe', args: 'all', expiresAt: soon() }), /There is no command "wipe"/],
        ['arguments the command refuses', () => ({ command: 'list', args: 'everything now', expiresAt: soon() }), /no longer fits "list"/],
      ])('runs nothing when %s', async (_what, data, problem) => {
        await expectRefused(press(verbs.confirm, data()), 'That did not work', problem);
      });

      it('runs nothing for someone without the role the command needs', async () => {
        await expectRefused(press(verbs.confirm, { command: 'codes', args: 'all', expiresAt: soon() }, technician), 'Not allowed', /"codes" needs the admin role/);
      });
    });

    it('refuses every button to someone without a role, whatever the data', async () => {
      for (const verb of [verbs.signIn, verbs.showStatus, verbs.markInstalled, verbs.regenerateCodes]) {
        await expectRefused(press(verb, { mac: macsA.provisioned, batchId: batchA }, stranger), 'Not allowed', /needs/);
      }
    });

    it('refuses any generated mix of tampered values on any button, and changes nothing', async () => {
      // Nothing here is valid for organisation A: B's ids, a MAC registered nowhere, junk, wrong types.
      const tampered = fc.oneof(
        fc.constantFrom(macsB.provisioned, batchB, '', ' ', '../etc/passwd', '%00', '00-04-F2-0C-00-01', 'FF-FF-FF-FF-FF-FF', '9999-12-31T00:00:00Z', 'codes', 'register'),
        fc.string({ unit: 'binary', maxLength: 30 }),
        fc.jsonValue({ maxDepth: 2 }),
      );
      const data = fc.dictionary(fc.constantFrom('mac', 'batchId', 'note', 'account', 'location', 'command', 'args', 'expiresAt'), tampered, { maxKeys: 4 });
      const pressVerbs = [verbs.signIn, verbs.refreshSignIn, verbs.showStatus, verbs.markInstalled, verbs.reportProblem, verbs.regenerateCodes, verbs.confirm];
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...pressVerbs), data, async (verb, sent) => {
          const { refused, title, texts, size } = await press(verb, sent);
          expect(refused).toBe(true);
          expect(['Unknown button', 'Not allowed', 'Something is missing or wrong', 'That did not work'], `${verb} ${JSON.stringify(sent)} → ${title}: ${texts.join(' | ')}`).toContain(title);
          expect(size).toBeLessThan(4_000);
        }),
        { numRuns: provider === 'sqlite' ? 120 : 60 },
      );
      expect(await domainSnapshot(bot.server.store.db)).toEqual(before);
      expect(bot.logs().filter((line) => line.msg === 'turn failed')).toEqual([]);
    });
  });
});
