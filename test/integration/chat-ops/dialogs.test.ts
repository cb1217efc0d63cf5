// Command forms as Teams dialogs, over HTTP as Teams sends them: a button's task/fetch answers
// the form with the documented field ids; its task/submit runs the command (or answers the
// form again with the errors next to the fields, and nothing changes); a forged submit from
// someone without the role is refused and changes nothing.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { cardTexts } from '../../helpers/card-text.ts';
import { deliverPendingNotifications, domainSnapshot } from '../../helpers/bad-input.ts';
import { startTestBotOn, testProviders, unavailable, type TestBot } from '../../helpers/test-bot.ts';

const tenantId = 'tenant-contoso';
const adminId = '7a1b2c3d-0000-4000-8000-00000000000a';
const techId = '7a1b2c3d-0000-4000-8000-00000000000b';
const admin = { id: '29:dialog-admin', name: 'Dialog Admin', aadObjectId: adminId };
const technician = { id: '29:dialog-tech', name: 'Dialog Tech', aadObjectId: techId };

interface Node {
  type?: string;
  id?: string;
  [key: string]: unknown;
}

function nodes(value: unknown): Node[] {
  if (Array.isArray(value)) return value.flatMap(nodes);
  if (value !== null && typeof value === 'object') return [value as Node, ...Object.values(value).flatMap(nodes)];
  return [];
}

interface TaskAnswer {
  task: { type: 'continue' | 'message'; value: string | { title: string; card: { contentType: string; content: unknown } } };
}

describe.each(testProviders)('on %s', (provider) => {
  describe.skipIf(unavailable(provider))('command forms as Teams dialogs', () => {
    let bot: TestBot;
    let before: Awaited<ReturnType<typeof domainSnapshot>>;
    const personal = (who: typeof admin) => ({ from: who, conversationId: `a:personal-${who.aadObjectId}` });

    async function dialog(phase: 'fetch' | 'submit', data: Record<string, unknown>, who = admin): Promise<TaskAnswer> {
      const answer = await bot.channel.dialog(phase, data, personal(who));
      expect(answer.status).toBe(200);
      return answer.body as TaskAnswer;
    }

    function cardIn(answer: TaskAnswer): unknown {
      expect(answer.task.type).toBe('continue');
      const value = answer.task.value as { card: { contentType: string; content: unknown } };
      expect(value.card.contentType).toBe('application/vnd.microsoft.card.adaptive');
      return value.card.content;
    }

    const inputIds = (card: unknown) => nodes(card).filter((node) => typeof node.type === 'string' && node.type.startsWith('Input.')).map((node) => node.id);

    beforeAll(async () => {
      bot = await startTestBotOn(provider, { ADMIN_USER_IDS: adminId }, { scheduler: 'off' });
      const actor = { kind: 'user' as const, id: adminId, name: 'Dialog Admin' };
      await bot.server.services.roles.grant(actor, tenantId, { platform: 'teams', userId: techId, name: 'Dialog Tech' }, 'technician');
      await bot.server.services.devices.registry.register(actor, tenantId, [{ mac: '00-04-F2-D1-00-01', location: 'Lobby' }]);
      await deliverPendingNotifications(bot.server);
    });
    afterAll(async () => {
      await bot?.close();
    });
    beforeEach(async () => {
      before = await domainSnapshot(bot.server.store.db);
    });

    it.each([
      ['register', ['macs', 'location', 'account']],
      ['import', ['csv']],
      ['codes', ['target', 'location', 'macs']],
      ['signin', ['mac', 'account']],
      ['grant', ['role', 'user']],
    ])('task/fetch of the %s dialog answers its form with the fields %j', async (name, fields) => {
      const card = cardIn(await dialog('fetch', { dialog: name }));
      expect(inputIds(card)).toEqual(fields);
      // The submit button brings the dialog's name back with the values.
      const submit = nodes(card).find((node) => node.type === 'Action.Submit');
      expect(submit?.data).toEqual({ dialog: name });
    });

    it("the register form offers the tenant's locations", async () => {
      const card = cardIn(await dialog('fetch', { dialog: 'register' }));
      expect(cardTexts(card).join('\n')).toMatch(/In use: Lobby\./);
    });

    it('a button can open a form prefilled', async () => {
      const card = cardIn(await dialog('fetch', { dialog: 'signin', mac: '00-04-F2-D1-00-01', account: 'lobby@contoso.com' }));
      expect(nodes(card).find((node) => node.id === 'mac')?.value).toBe('00-04-F2-D1-00-01');
      expect(nodes(card).find((node) => node.id === 'account')?.value).toBe('lobby@contoso.com');
    });

    it('task/submit of register with MACs in any form and a location registers them', async () => {
      const answer = await dialog('submit', { dialog: 'register', macs: '00:04:f2:d1:00:02\n0004.F2D1.0003\n', location: 'Floor 2' });
      const texts = cardTexts(cardIn(answer));
      expect(texts).toContain('Registered 2 of 2');
      const stored = await bot.server.store.db.device.findMany({ where: { tenantId, location: 'Floor 2' }, orderBy: { mac: 'asc' } });
      expect(stored.map((device) => device.mac)).toEqual(['00-04-F2-D1-00-02', '00-04-F2-D1-00-03']);
      // The next step is one press away: issue their codes.
      const next = nodes(cardIn(answer)).find((node) => node.title === 'Issue codes');
      expect(next?.data).toMatchObject({ msteams: { type: 'task/fetch' }, dialog: 'codes', target: 'macs' });
    });

    it('task/submit of register with a bad MAC answers the form again with the error next to the field, and stores nothing', async () => {
      const card = cardIn(await dialog('submit', { dialog: 'register', macs: '00-04-F2-D1-00-09\n00-04-F2-ZZ-00-10', location: 'Floor 3' }));
      expect(inputIds(card)).toEqual(['macs', 'location', 'account']);
      const all = nodes(card);
      const field = all.findIndex((node) => node.id === 'macs');
      const error = all.slice(field + 1).find((node) => node.type === 'TextBlock');
      expect(error?.text).toMatch(/Not a MAC address: "00-04-F2-ZZ-00-10"/);
      expect(error?.color).toBe('attention');
      // What the person typed is kept.
      expect(all[field]?.value).toBe('00-04-F2-D1-00-09\n00-04-F2-ZZ-00-10');
      expect(await domainSnapshot(bot.server.store.db)).toEqual(before);
    });

    it('a form-opening button on a card shown inside a dialog (sent as task/submit) opens the form instead of running the command', async () => {
      // Teams sends every button of a dialog's card as task/submit, with the button's data.
      const card = cardIn(await dialog('submit', { msteams: { type: 'task/fetch' }, dialog: 'codes', target: 'macs', macs: '00-04-F2-D1-00-01' }));
      expect(inputIds(card)).toEqual(['target', 'location', 'macs']);
      expect(nodes(card).find((node) => node.id === 'macs')?.value).toBe('00-04-F2-D1-00-01');
      expect(await domainSnapshot(bot.server.store.db)).toEqual(before);
    });

    it('task/submit without the required field answers the form again and changes nothing', async () => {
      const card = cardIn(await dialog('submit', { dialog: 'register', macs: '   ', location: 'Lobby' }));
      expect(cardTexts(card)).toContain('MAC addresses is required.');
      expect(await domainSnapshot(bot.server.store.db)).toEqual(before);
    });

    it("a technician's forged task/submit of codes is refused and changes nothing", async () => {
      const answer = await dialog('submit', { dialog: 'codes', target: 'all' }, technician);
      const texts = cardTexts(cardIn(answer));
      expect(texts).toContain('Not allowed');
      expect(texts.join(' ')).toMatch(/"codes" needs the admin role/);
      expect(await domainSnapshot(bot.server.store.db)).toEqual(before);
    });

    it("a technician cannot even open the codes form", async () => {
      const texts = cardTexts(cardIn(await dialog('fetch', { dialog: 'codes' }, technician)));
      expect(texts).toContain('Not allowed');
    });

    it('an unknown or missing dialog name is answered, not crashed on', async () => {
      for (const name of ['format-disk', undefined, 42, 'x'.repeat(10_000)]) {
        const answer = await dialog('submit', { dialog: name });
        const texts = cardTexts(cardIn(answer));
        expect(texts).toContain('Unknown dialog');
        expect(JSON.stringify(answer).length).toBeLessThan(4_000);
      }
      expect(await domainSnapshot(bot.server.store.db)).toEqual(before);
    });

    it('values of the wrong type are refused without running anything', async () => {
      const card = cardIn(await dialog('submit', { dialog: 'register', macs: ['00-04-F2-D1-00-11'], location: 'Lobby' }));
      expect(cardTexts(card).join(' ')).toMatch(/MAC addresses: expected text/);
      expect(await domainSnapshot(bot.server.store.db)).toEqual(before);
    });

    it('task/submit of codes for a location issues them and posts the hand-off card in the conversation, tracked for redraws', async () => {
      const answer = await dialog('submit', { dialog: 'codes', target: 'location', location: 'Lobby', macs: '' });
      expect(answer.task.type).toBe('message');
      const [posted] = await bot.channel.waitFor(1, (activity) => activity.conversationId === `a:personal-${adminId}` && JSON.stringify(activity.body).includes('00-04-F2-D1-00-01'));
      expect(posted).toBeDefined();
      const tracked = await bot.server.store.db.postedCard.findMany({ where: { tenantId, kind: 'handoff' } });
      expect(tracked).toHaveLength(1);
    });

    it('the codes form says which location is missing instead of running', async () => {
      const card = cardIn(await dialog('submit', { dialog: 'codes', target: 'location', location: ' ' }));
      expect(cardTexts(card)).toContain('Say which location.');
      expect(await domainSnapshot(bot.server.store.db)).toEqual(before);
    });
  });
});
