// Firmware readiness and a remote update end to end, over HTTP as Teams and a phone speak it:
// a Yealink T56A on firmware 58.15.0.100 provisions (policy warn) and the admins' sign-in card
// names the minimum 58.15.0.124; `firmware` counts it below the minimum; an admin adds release
// 58.15.0.130 and asks for it now; the phone fetches it from GET /state, reports each step and
// its new inventory; `status` shows the new version.
import { afterEach, describe, expect, it } from 'vitest';
import { DeviceApiError, DeviceClient } from '../../../bot/device-simulator/device-client.ts';
import { cardOf, cardTexts, codesOnCard } from '../../helpers/card-text.ts';
import type { ReceivedActivity } from '../../helpers/fake-channel.ts';
import { startTestBot, type TestBot } from '../../helpers/test-bot.ts';

const adminId = '0f6c1d2e-1111-4a4a-9b9b-00000000f001';
const admin = { id: '29:ada', name: 'Ada Admin', aadObjectId: adminId };
const adminsChannel = { conversationType: 'channel' as const, conversationId: '19:admins@thread.tacv2', teamId: '19:team@thread.tacv2' };
const techniciansChannel = { conversationType: 'channel' as const, conversationId: '19:technicians@thread.tacv2', teamId: '19:team@thread.tacv2' };
const adminChat = `a:personal-${adminId}`;
const mac = '80-5E-C0-00-00-01';

let bot: TestBot;
afterEach(async () => {
  await bot?.close();
});

const text = (activity: ReceivedActivity | undefined) => (activity ? cardTexts(cardOf(activity)).join('\n') + (activity.body.text ?? '') : '');
const inConversation = (id: string) => (activity: ReceivedActivity) => activity.conversationId === id && activity.method === 'POST';

async function adminSays(message: string): Promise<string> {
  const before = bot.channel.received.filter(inConversation(adminChat)).length;
  await bot.channel.message(message, { from: admin, conversationId: adminChat });
  return text((await bot.channel.waitFor(before + 1, inConversation(adminChat), 10_000)).at(-1));
}

async function startWithDevice(env: Record<string, string> = {}): Promise<{ code: string }> {
  bot = await startTestBot({ ADMIN_USER_IDS: adminId, ...env }, { outboxIntervalMs: 50, scheduler: 'off' });
  await bot.channel.message('setup admins', { ...adminsChannel, mentionBot: true, from: admin });
  await bot.channel.message('setup technicians', { ...techniciansChannel, mentionBot: true, from: admin });
  await bot.channel.waitFor(2);
  await adminSays(`register ${mac} Lobby`);
  const before = bot.channel.received.filter(inConversation(adminChat)).length;
  await bot.channel.message(`codes ${mac}`, { from: admin, conversationId: adminChat });
  const card = (await bot.channel.waitFor(before + 1, inConversation(adminChat), 10_000)).at(-1)!;
  return { code: codesOnCard(cardOf(card)).get(mac) ?? '' };
}

describe('firmware readiness and a remote update, end to end over HTTP', () => {
  it('a T56A below the minimum provisions with a warning, then is updated to 58.15.0.130 and status shows it', async () => {
    const { code } = await startWithDevice();
    const phone = new DeviceClient({ server: bot.url });
    await phone.provision({ mac, verificationCode: code, manufacturer: 'Yealink', model: 'T56A', firmwareVersion: '58.15.0.100' });

    // The admins' awaiting-sign-in card warns, with the minimum.
    const awaiting = (await bot.channel.waitFor(1, (activity) => inConversation(adminsChannel.conversationId)(activity) && /waiting for sign-in/i.test(text(activity)), 20_000)).at(-1);
    expect(text(awaiting)).toContain('58.15.0.124');
    expect(text(awaiting)).toMatch(/below the minimum/i);

    // `firmware` counts it below the minimum.
    const fleet = await adminSays('firmware');
    expect(fleet).toMatch(/1 device: 1 below the minimum/);
    expect(fleet).toContain('Yealink T55/T56/T58');
    // The digest's firmware line too.
    expect(await adminSays('digest')).toContain('1 below the minimum · 1 unknown version · 0 updates available');

    // The release, then the update now.
    expect(await adminSays('firmware release "Yealink T56A" firmware 58.15.0.130 verified')).toMatch(/Release added[\s\S]*58\.15\.0\.130/);
    expect(await adminSays(`update ${mac} firmware to 58.15.0.130 now`)).toMatch(/1 update scheduled/);

    const { update } = await phone.state();
    expect(update).toMatchObject({ component: 'firmware', version: '58.15.0.130', notAfter: null });
    for (const step of ['downloading', 'installing', 'succeeded'] as const) {
      expect((await phone.reportUpdateStatus(update!.id, step)).status).toBe(step);
    }
    await phone.reportInventory({ firmwareVersion: '58.15.0.130', teamsVersion: '1449/1.0.94.2024' });
    expect((await phone.state()).update).toBeNull();

    expect(await adminSays(`status ${mac}`)).toContain('58.15.0.130');
    expect(await adminSays('firmware')).toMatch(/1 device: 0 below the minimum/);

    // The batch's update card in the admins channel ends at "1 of 1 updated", updated in place.
    const isBatchCard = (activity: ReceivedActivity) => activity.conversationId === adminsChannel.conversationId && /Updates: Lobby/.test(text(activity));
    await bot.channel.waitFor(1, (activity) => isBatchCard(activity) && /1 of 1 updated/.test(text(activity)), 20_000);
    expect(bot.channel.received.filter((activity) => isBatchCard(activity) && activity.method === 'POST')).toHaveLength(1);
  });

  it('under FIRMWARE_BELOW_MINIMUM=block the provision is refused with the minimum, the admins are told, and the code still works after the firmware update', async () => {
    const { code } = await startWithDevice({ FIRMWARE_BELOW_MINIMUM: 'block' });
    const phone = new DeviceClient({ server: bot.url });
    const refused = await phone.provision({ mac, verificationCode: code, manufacturer: 'Yealink', model: 'T56A', firmwareVersion: '58.15.0.100' }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(DeviceApiError);
    expect(refused).toMatchObject({ status: 409, code: 'firmware_below_minimum', details: { minimum: '58.15.0.124' } });
    expect((refused as Error).message).toContain('58.15.0.124');
    expect((await bot.server.store.db.device.findFirst({ where: { mac } }))?.state).toBe('code_issued');

    const notice = await bot.channel.waitFor(1, (activity) => inConversation(adminsChannel.conversationId)(activity) && /firmware too old/i.test(text(activity)), 20_000);
    expect(text(notice.at(-1))).toContain('58.15.0.124');
    // The technicians are told what to do on site.
    const onSite = await bot.channel.waitFor(1, (activity) => inConversation(techniciansChannel.conversationId)(activity) && /update the firmware first/i.test(text(activity)), 20_000);
    expect(text(onSite.at(-1))).toMatch(/58\.15\.0\.124 or later[\s\S]*same verification code again/);

    await phone.provision({ mac, verificationCode: code, manufacturer: 'Yealink', model: 'T56A', firmwareVersion: '58.15.0.124' });
    expect((await bot.server.store.db.device.findFirst({ where: { mac } }))?.state).toBe('awaiting_sign_in');
  });
});
