// Issue 12, item 10: the same MAC registered in two organisations. Wrong codes from one address
// lock it out; each organisation's admins are told about their own device (its location there),
// in their own admins channel, and neither organisation's notice reaches the other's channel.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { lockoutPolicy } from '../../../services/devices/attempt-limits.ts';
import { callDeviceApi } from '../../helpers/device-api.ts';
import { closeDeviceRequestAgents } from '../../helpers/device-requests.ts';
import type { ReceivedActivity } from '../../helpers/fake-channel.ts';
import { ManualClock, minutes } from '../../helpers/manual-clock.ts';
import { startTestBotOn, testProviders, unavailable, type TestBot } from '../../helpers/test-bot.ts';
import { everything, TenantChat } from './chat-driver.ts';

const mac = '00-04-F2-D0-00-01';
const tenants = [
  { tenantId: 'tenant-contoso', slug: 'contoso', location: 'Contoso Lobby', admin: { id: '29:ada', name: 'Ada Contoso', aadObjectId: '1c0a0000-0000-4000-8000-00000000c0a1' } },
  { tenantId: 'tenant-fabrikam', slug: 'fabrikam', location: 'Fabrikam Hall', admin: { id: '29:bob', name: 'Bob Fabrikam', aadObjectId: '1c0a0000-0000-4000-8000-00000000f0b1' } },
] as const;

describe.each(testProviders)('on %s', (provider) => {
  describe.skipIf(unavailable(provider))('a MAC registered in two organisations, locked out', () => {
    let bot: TestBot;
    afterEach(async () => {
      await bot?.close();
    });
    afterAll(() => closeDeviceRequestAgents());

    it("each organisation's admins hear of their own device only, in their own channel", async () => {
      const clock = new ManualClock();
      bot = await startTestBotOn(provider, { ADMIN_USER_IDS: tenants.map((tenant) => tenant.admin.aadObjectId).join(',') }, { clock, outboxIntervalMs: 50, scheduler: 'off' });
      const chats = tenants.map((tenant) => new TenantChat(bot, tenant.tenantId, tenant.admin, tenant.slug));
      const codes: string[] = [];
      for (const [index, chat] of chats.entries()) {
        await chat.setUpChannels();
        const { codes: issued } = await chat.registerWithCodes([mac], tenants[index]!.location);
        codes.push(issued.get(mac)!);
      }
      const live = new Set(codes);
      const wrong: string[] = [];
      for (let guess = 1; wrong.length < lockoutPolicy.maxFailures; guess++) {
        const code = String((Number(codes[0]) + guess * 7) % 1_000_000).padStart(6, '0');
        if (!live.has(code)) wrong.push(code);
      }

      // Five wrong codes from one address: the MAC is locked out for that address.
      const statuses: number[] = [];
      for (const code of wrong) {
        statuses.push((await callDeviceApi(bot.url, 'POST', '/provision', { mac, verificationCode: code })).status);
        clock.advance(minutes(1));
      }
      expect(statuses).toEqual([401, 401, 401, 401, 429]);

      const lockoutCards = (activity: ReceivedActivity) => everything(activity).includes('locked out');
      bot.server.outbox.kick();
      await bot.channel.waitFor(2, lockoutCards, 15_000);
      bot.server.outbox.kick();
      await new Promise((resolve) => setTimeout(resolve, 500));
      const cards = bot.channel.received.filter(lockoutCards);
      // One notice per organisation, nothing more.
      expect(cards).toHaveLength(2);

      for (const [index, chat] of chats.entries()) {
        const own = tenants[index]!;
        const other = tenants[1 - index]!;
        const otherChat = chats[1 - index]!;
        const received = cards.filter((activity) => activity.conversationId === chat.adminsChannel);
        expect(received, `${own.slug}'s admins channel`).toHaveLength(1);
        const text = everything(received[0]);
        // About their own device: the MAC and its location in their organisation.
        expect(text).toContain(mac);
        expect(text).toContain(own.location);
        // Nothing of the other organisation.
        expect(text).not.toContain(other.location);
        expect(text).not.toContain(other.slug);
        expect(text).not.toContain(other.tenantId);
        // Nothing of theirs went to the other organisation's channels.
        const leaked = bot.channel.received.filter((activity) => [otherChat.adminsChannel, otherChat.techniciansChannel, otherChat.adminChat].includes(activity.conversationId ?? '') && everything(activity).includes(own.location));
        expect(leaked).toEqual([]);
      }
      // Every lockout notice went to an admins channel of the organisation it names.
      expect(cards.every((activity) => chats.some((chat) => chat.adminsChannel === activity.conversationId))).toBe(true);
    }, 60_000);
  });
});
