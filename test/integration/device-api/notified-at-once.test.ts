// What a device request causes is told at once: the device API asks the outbox for a run right
// after answering (bot/device-api/device-routes.ts), instead of leaving the awaiting-sign-in
// card and a lockout alert to the outbox's next tick. The outbox here ticks once an hour.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DeviceClient } from '../../../bot/device-simulator/device-client.ts';
import { cardOf, cardTexts } from '../../helpers/card-text.ts';
import type { ReceivedActivity } from '../../helpers/fake-channel.ts';
import { startTestBotOn, testProviders, unavailable, type TestBot } from '../../helpers/test-bot.ts';

const adminId = '0f6c1d2e-3333-4a4a-9b9b-000000000171';
const admin = { id: '29:ada', name: 'Ada Admin', aadObjectId: adminId };
const ada = { kind: 'user', id: adminId, name: 'Ada Admin' } as const;
const tenantId = 'tenant-contoso';
const adminsChannel = { conversationType: 'channel' as const, conversationId: '19:admins@thread.tacv2', teamId: '19:team@thread.tacv2' };
const techniciansChannel = { conversationType: 'channel' as const, conversationId: '19:technicians@thread.tacv2', teamId: '19:team@thread.tacv2' };
const hourMs = 3_600_000;

const text = (activity: ReceivedActivity) => cardTexts(cardOf(activity)).join('\n');
const postedIn = (bot: TestBot, conversationId: string, pattern: RegExp) =>
  bot.channel.received.filter((activity) => activity.conversationId === conversationId && activity.method === 'POST' && pattern.test(text(activity)));
const inAdmins = (bot: TestBot, pattern: RegExp) => postedIn(bot, adminsChannel.conversationId, pattern);

describe.each(testProviders)('on %s', (provider) => {
  describe.skipIf(unavailable(provider))('a device request, with the outbox ticking hourly', () => {
    let bot: TestBot;
    let codes: Map<string, string>;

    beforeEach(async () => {
      bot = await startTestBotOn(provider, { ADMIN_USER_IDS: adminId }, { outboxIntervalMs: hourMs });
      await bot.channel.message('setup admins', { ...adminsChannel, mentionBot: true, from: admin });
      await bot.channel.message('setup technicians', { ...techniciansChannel, mentionBot: true, from: admin });
      await bot.channel.waitFor(2);
      const devices = bot.server.services.devices;
      await devices.registry.register(ada, tenantId, [{ mac: '00-04-F2-71-00-01', location: 'Lobby' }, { mac: '00-04-F2-71-00-02', location: 'Lobby' }]);
      const { issued } = await devices.codes.issue(ada, tenantId, { all: true });
      codes = new Map(issued.map((code) => [code.mac, code.code]));
      // The outbox's first run after start (2 s) posts the hand-off card; the next tick is an hour away.
      await bot.channel.waitUntil(() => postedIn(bot, techniciansChannel.conversationId, /00-04-F2-71-00-01/).length > 0, 'the hand-off card', 15_000);
    });
    afterEach(async () => {
      await bot?.close();
    });

    it('a provision: its awaiting-sign-in card arrives without waiting for the next tick', async () => {
      const phone = new DeviceClient({ server: bot.url });
      await phone.provision({ mac: '00-04-F2-71-00-01', verificationCode: codes.get('00-04-F2-71-00-01')!, model: 'Poly CCX 600' });
      await bot.channel.waitUntil(() => inAdmins(bot, /waiting for sign-in/i).some((activity) => text(activity).includes('00-04-F2-71-00-01')), 'the awaiting-sign-in card', 10_000);
    });

    it('refusals: the lockout alert after the fifth wrong code arrives without waiting for the next tick', async () => {
      const phone = new DeviceClient({ server: bot.url });
      const right = codes.get('00-04-F2-71-00-02')!;
      const wrong = right === '000000' ? '111111' : '000000';
      for (let attempt = 0; attempt < 5; attempt++) {
        await expect(phone.provision({ mac: '00-04-F2-71-00-02', verificationCode: wrong })).rejects.toThrow();
      }
      await bot.channel.waitUntil(() => inAdmins(bot, /locked/i).some((activity) => text(activity).includes('00-04-F2-71-00-02')), 'the lockout alert', 10_000);
    });
  });
});
