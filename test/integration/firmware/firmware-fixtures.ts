// What the firmware tests share: a bot on loopback with an admins channel, devices registered,
// given codes and provisioned over HTTP as phones, and the admin's chat.
import { DeviceClient } from '../../../bot/device-simulator/device-client.ts';
import { cardOf, cardTexts, codesOnCard } from '../../helpers/card-text.ts';
import type { ReceivedActivity } from '../../helpers/fake-channel.ts';
import type { ManualClock } from '../../helpers/manual-clock.ts';
import type { Provider } from '../../../prisma/schemas.ts';
import { startTestBotOn, type TestBot } from '../../helpers/test-bot.ts';

export const adminId = '0f6c1d2e-1111-4a4a-9b9b-00000000f001';
export const admin = { id: '29:ada', name: 'Ada Admin', aadObjectId: adminId };
export const adminsChannel = { conversationType: 'channel' as const, conversationId: '19:admins@thread.tacv2', teamId: '19:team@thread.tacv2' };
export const adminChat = `a:personal-${adminId}`;

export const text = (activity: ReceivedActivity | undefined) => (activity ? cardTexts(cardOf(activity)).join('\n') + (activity.body.text ?? '') : '');
export const inConversation = (id: string) => (activity: ReceivedActivity) => activity.conversationId === id && activity.method === 'POST';

export interface FirmwareRig {
  bot: TestBot;
  say(message: string): Promise<string>;
  /** Registers the devices at the location, issues codes, provisions each as a phone reporting the model and firmware. */
  provision(devices: { mac: string; location: string; manufacturer?: string; model: string; firmwareVersion: string }[]): Promise<Map<string, DeviceClient>>;
}

export async function startFirmwareRig(env: Record<string, string> = {}, clock?: ManualClock, provider: Provider = 'sqlite'): Promise<FirmwareRig> {
  const bot = await startTestBotOn(provider, { ADMIN_USER_IDS: adminId, ...env }, { outboxIntervalMs: 50, scheduler: 'off', ...(clock ? { clock } : {}) });
  await bot.channel.message('setup admins', { ...adminsChannel, mentionBot: true, from: admin });
  await bot.channel.waitFor(1);
  async function say(message: string): Promise<string> {
    const before = bot.channel.received.filter(inConversation(adminChat)).length;
    await bot.channel.message(message, { from: admin, conversationId: adminChat });
    return text((await bot.channel.waitFor(before + 1, inConversation(adminChat), 10_000)).at(-1));
  }
  return {
    bot,
    say,
    async provision(devices) {
      await say(`register ${devices.map((device) => `${device.mac} ${device.location}`).join('\n')}`);
      const before = bot.channel.received.filter(inConversation(adminChat)).length;
      await bot.channel.message(`codes ${devices.map((device) => device.mac).join(' ')}`, { from: admin, conversationId: adminChat });
      const card = (await bot.channel.waitFor(before + 1, inConversation(adminChat), 10_000)).at(-1)!;
      const codes = codesOnCard(cardOf(card));
      const phones = new Map<string, DeviceClient>();
      for (const device of devices) {
        const phone = new DeviceClient({ server: bot.url });
        await phone.provision({ mac: device.mac, verificationCode: codes.get(device.mac) ?? '', manufacturer: device.manufacturer ?? 'Yealink', model: device.model, firmwareVersion: device.firmwareVersion });
        phones.set(device.mac, phone);
      }
      return phones;
    },
  };
}
