// A morning roll-out at two sites (issue 18), over HTTP with the real server, the simulator's
// device client as the phones and a fake channel as Teams, on a clock the test moves: 30 devices
// with planned accounts provision in a burst; each is asked to sign in at once, reports its login
// code and appears on its site's queue card exactly once; lapsed codes are renewed (at most 4
// times, then the device waits for the admin); the cards empty as the devices sign in.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { digestView } from '../../../bot/views/digest-view.ts';
import { DeviceClient, newLoginCode } from '../../../bot/device-simulator/device-client.ts';
import { cardOf, cardTexts } from '../../helpers/card-text.ts';
import type { ReceivedActivity } from '../../helpers/fake-channel.ts';
import { ManualClock, minutes } from '../../helpers/manual-clock.ts';
import { startTestBotOn, testProviders, unavailable, type TestBot } from '../../helpers/test-bot.ts';

const adminId = '0f6c1d2e-3333-4a4a-9b9b-000000000118';
const admin = { id: '29:ada', name: 'Ada Admin', aadObjectId: adminId };
const ada = { kind: 'user', id: adminId, name: 'Ada Admin' } as const;
const tenantId = 'tenant-contoso';
const adminsChannel = { conversationType: 'channel' as const, conversationId: '19:admins@thread.tacv2', teamId: '19:team@thread.tacv2' };
const sites = ['Site North', 'Site South'] as const;

interface Phone {
  mac: string;
  site: string;
  account: string;
  client: DeviceClient;
  loginCode: string | null;
}

let bot: TestBot;
let clock: ManualClock;

const text = (activity: ReceivedActivity) => cardTexts(cardOf(activity)).join('\n');
const queueTitle = (site: string) => `Sign-in queue: ${site}`;

/** Each site's queue cards as they now stand (post, or latest update), by activity id. */
function queueCards(site: string): { activityId: string; shown: string }[] {
  const posts = bot.channel.received.filter((activity) => activity.conversationId === adminsChannel.conversationId && activity.method === 'POST' && text(activity).includes(queueTitle(site)));
  return posts.map((post) => {
    const versions = bot.channel.received.filter((activity) => activity.assignedId === post.assignedId);
    return { activityId: post.assignedId, shown: text(versions.at(-1)!) };
  });
}

const occurrences = (haystack: string, needle: string) => haystack.split(needle).length - 1;

async function cardsShowing(what: string, ok: (site: string, shown: string) => boolean): Promise<void> {
  // Generous: the machine running the tests may be busy; the outbox gets there.
  await bot.channel.waitUntil(() => sites.every((site) => queueCards(site).length === 1 && ok(site, queueCards(site)[0]!.shown)), what, 45_000);
}

/** 30 phones, 15 per site, registered with planned accounts and given codes; not yet online. */
async function thirtyPhones(): Promise<{ phones: Phone[]; codes: Map<string, string> }> {
  const phones: Phone[] = Array.from({ length: 30 }, (_, index) => ({
    mac: `00-04-F2-1B-00-${String(index + 1).padStart(2, '0')}`,
    site: sites[index % 2]!,
    account: `phone-${index + 1}@contoso.com`,
    client: new DeviceClient({ server: bot.url }),
    loginCode: null,
  }));
  const devices = bot.server.services.devices;
  await devices.registry.register(ada, tenantId, phones.map((phone) => ({ mac: phone.mac, location: phone.site, account: phone.account })));
  const { issued } = await devices.codes.issue(ada, tenantId, { all: true });
  return { phones, codes: new Map(issued.map((code) => [code.mac, code.code])) };
}

/** What a phone does when it polls: a requested sign-in gets a fresh login code. */
async function poll(phone: Phone): Promise<boolean> {
  const state = await phone.client.state();
  if (!state.signInRequested) return false;
  expect(state.account).toBe(phone.account);
  phone.loginCode = newLoginCode();
  await phone.client.reportLoginCode(phone.loginCode, 900);
  return true;
}

describe.each(testProviders)('on %s', (provider) => {
  describe.skipIf(unavailable(provider))('30 devices with planned accounts at two sites', () => {
    beforeEach(async () => {
      clock = new ManualClock(new Date());
      bot = await startTestBotOn(provider, { ADMIN_USER_IDS: adminId }, { outboxIntervalMs: 30, clock });
      await bot.channel.message('setup admins', { ...adminsChannel, mentionBot: true, from: admin });
      await bot.channel.waitFor(1);
    });
    afterEach(async () => {
      await bot?.close();
    });

    it('are asked to sign in as they come online, each on its own site\'s card once; lapsed codes are renewed; the cards empty as they sign in', async () => {
      const { phones, codes } = await thirtyPhones();
      // The burst: every phone provisions at once; its very first look at its state finds its
      // sign-in requested (it is requested in the provision's own transaction: no waiting at all).
      const asked = await Promise.all(
        phones.map(async (phone) => {
          await phone.client.provision({ mac: phone.mac, verificationCode: codes.get(phone.mac)!, model: 'Poly CCX 600' });
          return poll(phone);
        }),
      );
      expect(asked.every(Boolean)).toBe(true);

      const onItsCardOnce = (site: string, shown: string) =>
        phones.every((phone) => occurrences(shown, `${phone.loginCode} → sign in as ${phone.account}`) === (phone.site === site ? 1 : 0) && occurrences(shown, `Device\n${phone.mac}`) === (phone.site === site ? 1 : 0));
      await cardsShowing('every code on its site card once', onItsCardOnce);
      expect(bot.channel.received.filter((activity) => /waiting for sign-in/i.test(text(activity)))).toHaveLength(0);

      // 16 minutes later every code has lapsed: the phones' next poll finds a new request (renewed, not waiting for the admin).
      const firstCodes = new Map(phones.map((phone) => [phone.mac, phone.loginCode]));
      clock.advance(minutes(16));
      await Promise.all(phones.map(async (phone) => expect(await poll(phone)).toBe(true)));
      await cardsShowing('the renewed codes', (site, shown) => onItsCardOnce(site, shown) && phones.every((phone) => !shown.includes(firstCodes.get(phone.mac)!)));
      const entries = await bot.server.store.db.signInQueueEntry.findMany();
      expect(entries.map((entry) => entry.renewals)).toEqual(Array(30).fill(1));
      // The managers' digest counts them, and how long the longest has waited.
      const digest = await bot.server.services.reporting.buildDigest(tenantId, clock.now(), { timeZone: 'UTC' });
      expect(digest.signInQueues).toEqual({ devices: 30, locations: 2, oldestSince: expect.any(Date) });
      expect(digestView(digest, 'UTC').attention).toContainEqual({ title: 'Waiting in sign-in queues', value: expect.stringMatching(/^30 devices at 2 locations, the longest for 16/) });

      // They sign in one after the other: each card ends with no code on it, all done.
      for (const phone of phones) await phone.client.reportSignedIn(phone.account);
      await cardsShowing('all signed in', (_site, shown) => /Signed in: \S+ 15 of 15/.test(shown) && phones.every((phone) => !shown.includes(phone.loginCode!)));
      for (const site of sites) expect(queueCards(site)).toHaveLength(1);
      expect((await bot.server.services.reporting.buildDigest(tenantId, clock.now(), { timeZone: 'UTC' })).signInQueues?.devices).toBe(0);
    }, 120_000);

    it('a code that lapses a fifth time is not renewed: the device waits for the admin, and the card says so', async () => {
      const { phones, codes } = await thirtyPhones();
      const phone = phones[0]!;
      await phone.client.provision({ mac: phone.mac, verificationCode: codes.get(phone.mac)! });
      expect(await poll(phone)).toBe(true);
      for (let renewal = 1; renewal <= 4; renewal++) {
        clock.advance(minutes(16));
        expect(await poll(phone)).toBe(true);
      }
      clock.advance(minutes(16));
      expect(await phone.client.state()).toEqual({ state: 'awaiting_sign_in', signInRequested: false, update: null });
      await bot.channel.waitUntil(() => /its code lapsed 5 times, waiting for you/.test(queueCards(phone.site)[0]?.shown ?? ''), 'the card to say it waits for the admin', 45_000);
      // The admin asks again: renewals start over.
      await bot.server.services.devices.signIn.request(ada, tenantId, phone.mac, null);
      expect(await phone.client.state()).toEqual({ state: 'awaiting_sign_in', signInRequested: true, account: phone.account, update: null });
      expect((await bot.server.store.db.signInQueueEntry.findFirst({ where: { device: { mac: phone.mac } } }))?.renewals).toBe(0);
    }, 90_000);
  });
});
