// Where the scheduled jobs' events go and what they show there (the bot's real planner over a
// real store, conversations stored as the bot stores them), the digest delivered to the
// managers channel through the running outbox, the digest command, and the Regenerate button.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createNotificationPlanner } from '../../../bot/notifications/plan.ts';
import type { PlannedDelivery } from '../../../bot/notifications/outgoing-message.ts';
import { verbs } from '../../../bot/actions/verbs.ts';
import type { DomainEvent } from '../../../services/notifications/domain-events.ts';
import { actionsOf, textsOf } from '../../unit/cards/card-checks.ts';
import { cardOf, cardTexts, codesOnCard, teamsCardOf } from '../../helpers/card-text.ts';
import type { ReceivedActivity } from '../../helpers/fake-channel.ts';
import { ManualClock } from '../../helpers/manual-clock.ts';
import { startTestBot, type TestBot } from '../../helpers/test-bot.ts';
import {
  admin,
  adminChat,
  adminId,
  adminUser,
  channels,
  hourMs,
  issueCodes,
  provision,
  rememberPersonalChat,
  setUpChannel,
  signIn,
  tenantId,
} from './reporting-fixtures.ts';

const now = new Date('2026-11-22T07:00:00Z'); // 08:00 in Berlin
const lobby = ['00-04-F2-00-01-01', '00-04-F2-00-01-02', '00-04-F2-00-01-03'];
const floor2 = ['00-04-F2-00-02-01'];
const manager = { id: '29:mia', name: 'Mia Manager', aadObjectId: '0f6c1d2e-3333-4a4a-9b9b-000000000003' };
const technician = { id: '29:tom', name: 'Tom Tech', aadObjectId: '0f6c1d2e-2222-4a4a-9b9b-000000000002' };

let bot: TestBot;
let clock: ManualClock;

beforeEach(async () => {
  clock = new ManualClock(now);
  // The outbox runs only when a test kicks it.
  bot = await startTestBot({ ADMIN_USER_IDS: adminId, CODE_TTL_HOURS: '24' }, { clock, outboxIntervalMs: 3_600_000 });
  await bot.server.store.db.tenant.upsert({ where: { id: tenantId }, create: { id: tenantId, timeZone: 'Europe/Berlin' }, update: { timeZone: 'Europe/Berlin' } });
  await bot.server.services.devices.registry.register(admin, tenantId, [...lobby.map((mac) => ({ mac, location: 'Lobby' })), ...floor2.map((mac) => ({ mac, location: 'Floor 2' }))]);
});
afterEach(async () => {
  await bot.close();
});

const plan = (event: DomainEvent) => createNotificationPlanner(bot.server.services)(event);
const where = (deliveries: PlannedDelivery[]) => deliveries.map((delivery) => delivery.conversation.conversationId);
const texts = (delivery: PlannedDelivery | undefined) => textsOf(teamsCardOf(delivery?.message));

describe('codes.expiring', () => {
  async function expiringEvent(issuedBy = `user:${adminId}`): Promise<DomainEvent> {
    const { batchId } = await issueCodes(bot.server.services, lobby);
    return { kind: 'codes.expiring', tenantId, batchId, location: 'Lobby', leadMinutes: 240, expiresAt: new Date(now.getTime() + 4 * hourMs).toISOString(), macs: lobby, issuedBy };
  }

  it('warns the technicians channel and the issuing admin, one card each; only the admin copy can regenerate', async () => {
    await setUpChannel(bot, 'technicians');
    await rememberPersonalChat(bot, adminId);
    const event = await expiringEvent();
    const deliveries = await plan(event);
    expect(where(deliveries)).toEqual([channels.technicians, adminChat]);
    for (const delivery of deliveries) {
      expect(texts(delivery)).toContain('3 codes at Lobby expire at Sun 22 Nov, 12:00 CET (in 4 h). The devices have not been provisioned yet.');
      expect(delivery.update).toBeUndefined();
    }
    expect(actionsOf(teamsCardOf(deliveries[0]?.message))).toEqual([]);
    expect(actionsOf(teamsCardOf(deliveries[1]?.message))).toEqual([
      expect.objectContaining({ type: 'Action.Execute', title: 'Regenerate codes', verb: verbs.regenerateCodes, data: { batchId: (event as { batchId: string }).batchId, location: 'Lobby' } }),
    ]);
    // Keys are stable across retries and differ per destination.
    const again = await plan(event);
    expect(again.map((delivery) => delivery.key)).toEqual(deliveries.map((delivery) => delivery.key));
    expect(new Set(deliveries.map((delivery) => delivery.key)).size).toBe(2);
  });

  it('without a technicians channel, only the admin; when the admin never talked to the bot, only the technicians; with neither, nobody', async () => {
    const event = await expiringEvent();
    await rememberPersonalChat(bot, adminId);
    expect(where(await plan(event))).toEqual([adminChat]);
    await setUpChannel(bot, 'technicians');
    expect(where(await plan({ ...event, issuedBy: 'user:someone-else' } as DomainEvent))).toEqual([channels.technicians]);
    expect(where(await plan({ ...event, issuedBy: 'job:codes' } as DomainEvent))).toEqual([channels.technicians]);
    await bot.server.services.conversations.forget('msteams', channels.technicians);
    expect(await plan({ ...event, issuedBy: 'user:someone-else' } as DomainEvent)).toEqual([]);
  });
});

describe('codes.expired', () => {
  const expire = async (macs: string[]) => {
    // What the expiry sweep does to the codes (the sweep itself is the scheduler's).
    await bot.server.store.db.verificationCode.updateMany({ where: { tenantId, status: 'live', device: { mac: { in: macs } } }, data: { status: 'expired', closedAt: clock.now() } });
  };

  it('sends one summary to the admins channel', async () => {
    await setUpChannel(bot, 'admins');
    await rememberPersonalChat(bot, adminId);
    const deliveries = await plan({ kind: 'codes.expired', tenantId, macs: lobby });
    expect(where(deliveries)).toEqual([channels.admins]);
    expect(texts(deliveries[0])).toEqual(expect.arrayContaining(['3 codes expired', ...lobby, `codes ${lobby.join(' ')}`]));
  });

  it('without an admins channel, to the personal chats of the admins who issued the codes; else nobody', async () => {
    await issueCodes(bot.server.services, lobby);
    await expire(lobby);
    expect(await plan({ kind: 'codes.expired', tenantId, macs: lobby })).toEqual([]);
    await rememberPersonalChat(bot, adminId);
    const deliveries = await plan({ kind: 'codes.expired', tenantId, macs: lobby });
    expect(where(deliveries)).toEqual([adminChat]);
    expect(texts(deliveries[0])[0]).toBe('3 codes expired');
  });
});

describe('devices.stale', () => {
  it('lists to the admins channel the devices still waiting for sign-in, each with a Sign in button', async () => {
    await setUpChannel(bot, 'admins');
    clock.advance(-30 * hourMs);
    const { codes } = await issueCodes(bot.server.services, lobby);
    for (const mac of lobby) await provision(bot.server.services, mac, codes.get(mac));
    clock.advance(30 * hourMs);
    await signIn(bot.server.services, lobby[2]!);
    const since = new Date(now.getTime() - 30 * hourMs).toISOString();
    const event: DomainEvent = { kind: 'devices.stale', tenantId, day: '2026-11-22', devices: lobby.map((mac) => ({ mac, location: 'Lobby', since })) };
    const deliveries = await plan(event);
    expect(where(deliveries)).toEqual([channels.admins]);
    // The third signed in since the job looked.
    expect(texts(deliveries[0])[0]).toBe('2 devices waiting for sign-in for more than 24 h');
    expect(actionsOf(teamsCardOf(deliveries[0]?.message)).map((action) => action.data)).toEqual([{ mac: lobby[0] }, { mac: lobby[1] }]);
    expect(texts(deliveries[0])).toContain('waiting since Sat 21 Nov, 02:00 CET (1 d 6 h)');
  });

  it('tells nobody when no admins channel is set up, or when every device signed in meanwhile', async () => {
    const event: DomainEvent = { kind: 'devices.stale', tenantId, day: '2026-11-22', devices: [{ mac: lobby[0]!, location: 'Lobby', since: now.toISOString() }] };
    expect(await plan(event)).toEqual([]);
    await setUpChannel(bot, 'admins');
    // Still registered, not waiting for sign-in.
    expect(await plan(event)).toEqual([]);
  });
});

describe('digest.due', () => {
  it("goes to the managers channel, built when delivered, titled with the day it is for", async () => {
    await setUpChannel(bot, 'technicians');
    await setUpChannel(bot, 'admins');
    expect(await plan({ kind: 'digest.due', tenantId, day: '2026-11-22' })).toEqual([]);
    await setUpChannel(bot, 'managers');
    const deliveries = await plan({ kind: 'digest.due', tenantId, day: '2026-11-22' });
    expect(where(deliveries)).toEqual([channels.managers]);
    expect(texts(deliveries[0]).slice(0, 2)).toEqual(['Daily digest — Sun 22 Nov 2026', '4 devices · as of Sun 22 Nov, 08:00 CET']);
  });

  it('reaches the managers channel through the outbox once, however often the job runs', async () => {
    await setUpChannel(bot, 'managers');
    const isDigest = (activity: ReceivedActivity) => activity.conversationId === channels.managers && cardTexts(cardOf(activity)).includes('Daily digest — Sun 22 Nov 2026');
    const schedule = { digestTime: '08:00', timeZone: 'Europe/Berlin' };
    await bot.server.services.reporting.queueDueDigests(clock.now(), schedule);
    bot.server.outbox.kick();
    await bot.channel.waitFor(1, isDigest);
    await bot.server.services.reporting.queueDueDigests(new Date(now.getTime() + hourMs), schedule);
    bot.server.outbox.kick();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(bot.channel.received.filter(isDigest)).toHaveLength(1);
  });
});

describe('the digest command', () => {
  const say = async (text: string, from: typeof manager) => {
    const conversationId = `a:personal-${from.aadObjectId}`;
    const before = bot.channel.received.filter((activity) => activity.conversationId === conversationId).length;
    await bot.channel.message(text, { from, conversationId });
    return (await bot.channel.waitFor(before + 1, (activity) => activity.conversationId === conversationId)).at(-1)!;
  };

  it('shows a manager the digest now, in the tenant time zone; a technician is told it needs the manager role', async () => {
    await bot.server.services.roles.grant(admin, tenantId, { platform: 'teams', userId: manager.aadObjectId, name: manager.name }, 'manager');
    await bot.server.services.roles.grant(admin, tenantId, { platform: 'teams', userId: technician.aadObjectId, name: technician.name }, 'technician');
    const reply = await say('digest', manager);
    const shown = cardTexts(cardOf(reply));
    expect(shown).toEqual(expect.arrayContaining(['Daily digest — Sun 22 Nov 2026', '4 devices · as of Sun 22 Nov, 08:00 CET', 'Lobby', 'Floor 2']));
    const refused = await say('digest', technician);
    expect(JSON.stringify(refused.body)).toMatch(/manager/);
    expect(cardOf(refused) === undefined || !cardTexts(cardOf(refused)).includes('Daily digest — Sun 22 Nov 2026')).toBe(true);
  });

  it('takes nothing after it', async () => {
    await bot.server.services.roles.grant(admin, tenantId, { platform: 'teams', userId: manager.aadObjectId, name: manager.name }, 'manager');
    expect(JSON.stringify((await say('digest today', manager)).body)).toContain('digest takes nothing after it');
  });
});

describe('the Regenerate codes button', () => {
  // Pressed on the warning card the bot posted in the admin's chat (its activity id: replyToId).
  const press = (data: Record<string, unknown>, from = adminUser) => {
    const value = { action: { type: 'Action.Execute', verb: verbs.regenerateCodes, data }, trigger: 'manual' };
    return bot.channel.post(bot.channel.activity({ type: 'invoke', name: 'adaptiveCard/action', value, replyToId: 'act-warning' }, { from, conversationId: adminChat }));
  };
  const cardIn = (response: { body: unknown }) => (response.body as { value: unknown }).value;

  it('gives new codes to the batch devices at that location still waiting on activation, and shows the new hand-off card', async () => {
    const { batchId, codes } = await issueCodes(bot.server.services, [...lobby, ...floor2]);
    await provision(bot.server.services, lobby[0]!, codes.get(lobby[0]!));
    const response = await press({ batchId, location: 'Lobby' });
    expect(response.status).toBe(200);
    const card = cardIn(response);
    expect(cardTexts(card).join('\n')).toMatch(/Device codes — 0 of 2 online/);
    const fresh = codesOnCard(card);
    expect([...fresh.keys()].sort()).toEqual([lobby[1], lobby[2]]);
    // The old codes of those devices no longer work; Floor 2 kept its code.
    const statuses = await bot.server.store.db.verificationCode.findMany({ where: { batchId }, select: { status: true, device: { select: { mac: true } } } });
    expect(Object.fromEntries(statuses.map((row) => [row.device.mac, row.status]))).toEqual({ [lobby[0]!]: 'used', [lobby[1]!]: 'revoked', [lobby[2]!]: 'revoked', [floor2[0]!]: 'live' });
    // The hand-off is tracked like the codes command's, so it can be redrawn in place.
    expect(await bot.server.store.db.postedCard.findMany({ where: { kind: 'handoff' }, select: { conversationId: true, activityId: true } })).toEqual([{ conversationId: adminChat, activityId: 'act-warning' }]);
  });

  it('is for admins; with nothing left to regenerate it says what to do instead', async () => {
    await bot.server.services.roles.grant(admin, tenantId, { platform: 'teams', userId: technician.aadObjectId, name: technician.name }, 'technician');
    const { batchId, codes } = await issueCodes(bot.server.services, floor2);
    // Refusals are answered beside the warning card, which stays (Universal Actions' error response).
    const refused = await press({ batchId, location: 'Floor 2' }, technician);
    expect(refused.body).toMatchObject({ type: 'application/vnd.microsoft.error', value: { message: expect.stringContaining('needs the admin role') } });
    await provision(bot.server.services, floor2[0]!, codes.get(floor2[0]!));
    const nothing = await press({ batchId, location: 'Floor 2' });
    expect(nothing.body).toMatchObject({ type: 'application/vnd.microsoft.error', value: { message: expect.stringContaining('None of these devices is waiting on activation any more') } });
  });
});
