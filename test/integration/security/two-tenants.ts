// Two tenants on one bot, each with devices, live codes, hand-off batches, a device mid-sign-in,
// a technician and channels, built through chat and the device API as people would. The
// tenant-isolation drills let tenant B's admin try everything on A's things.
//
// "Nothing of A" is checked against everything A has that B could not know: MACs, locations,
// accounts, login codes, models, codes, device and batch ids, names, conversation ids. A value
// is not a leak when B typed it in that very message (the bot may echo "no device X here"), or
// when B's own data holds it (B may register a MAC that A also has).
import { expect } from 'vitest';
import type { Provider } from '../../../prisma/schemas.ts';
import { callDeviceApi } from '../../helpers/device-api.ts';
import type { ReceivedActivity } from '../../helpers/fake-channel.ts';
import { startTestBotOn, type TestBot } from '../../helpers/test-bot.ts';
import { everything, TenantChat, type Person } from './chat-driver.ts';

export interface TenantFacts {
  tenantId: string;
  slug: string;
  admin: Person;
  technician: Person;
  macs: [string, string, string, string];
  locations: [string, string];
  account: string;
  loginCode: string;
  model: string;
  firmware: string;
}

export const contoso: TenantFacts = {
  tenantId: 'tenant-contoso',
  slug: 'contoso',
  admin: { id: '29:ada', name: 'Ada Contoso', aadObjectId: '1c0a0000-0000-4000-8000-00000000a0a1' },
  technician: { id: '29:tom', name: 'Tom Contoso', aadObjectId: '1c0a0000-0000-4000-8000-00000000a0a2' },
  macs: ['00-04-F2-C0-00-01', '00-04-F2-C0-00-02', '00-04-F2-C0-00-03', '00-04-F2-C0-00-04'],
  locations: ['Contoso Lobby', 'Contoso Floor 7'],
  account: 'lobby-phone@contoso.com',
  loginCode: 'CTSO7LGN4',
  model: 'ContosoPhone X1',
  firmware: '9.8.7-contoso',
};

export const fabrikam: TenantFacts = {
  tenantId: 'tenant-fabrikam',
  slug: 'fabrikam',
  admin: { id: '29:bob', name: 'Bob Fabrikam', aadObjectId: '1c0a0000-0000-4000-8000-00000000b0b1' },
  technician: { id: '29:fay', name: 'Fay Fabrikam', aadObjectId: '1c0a0000-0000-4000-8000-00000000b0b2' },
  macs: ['00-04-F2-F0-00-01', '00-04-F2-F0-00-02', '00-04-F2-F0-00-03', '00-04-F2-F0-00-04'],
  locations: ['Fabrikam Hall', 'Fabrikam Dock'],
  account: 'hall-phone@fabrikam.com',
  loginCode: 'FBRK3LGN8',
  model: 'FabrikamPhone Z2',
  firmware: '1.2.3-fabrikam',
};

export interface Populated {
  chat: TenantChat;
  /** MAC → the code on the hand-off card. */
  codes: Map<string, string>;
  batchIds: string[];
  /** The token of the first device, provisioned, with a login code reported. */
  token: string;
}

/** A tenant's day so far: channels, a technician, two batches, a provisioned device mid-sign-in. */
async function populate(bot: TestBot, facts: TenantFacts): Promise<Populated> {
  const chat = new TenantChat(bot, facts.tenantId, facts.admin, facts.slug);
  await chat.setUpChannels();
  await chat.say(`grant technician ${facts.technician.aadObjectId}`);
  // The technician says hello once, so that the bot knows their name.
  await bot.channel.message('whoami', { tenantId: facts.tenantId, from: facts.technician, conversationId: `a:personal-${facts.technician.aadObjectId}` });
  const [first, second, third, fourth] = facts.macs;
  const batch1 = await chat.registerWithCodes([first, second, third], facts.locations[0]);
  const batch2 = await chat.registerWithCodes([fourth], facts.locations[1]);
  const provisioned = await callDeviceApi(bot.url, 'POST', '/provision', { mac: first, verificationCode: batch1.codes.get(first), model: facts.model, firmwareVersion: facts.firmware });
  expect(provisioned.status).toBe(200);
  const token = String(provisioned.body.deviceToken);
  await chat.say(`signin ${first} ${facts.account}`);
  expect((await callDeviceApi(bot.url, 'POST', '/login-code', { loginCode: facts.loginCode }, token)).status).toBe(200);
  return { chat, codes: new Map([...batch1.codes, ...batch2.codes]), batchIds: [batch1.batchId, batch2.batchId], token };
}

/** Checks one thing B was shown; `typed` is what B sent to get it. */
export type ShownCheck = (shown: string, typed: string, what: string) => Promise<void>;

export class TwoTenants {
  private constructor(
    readonly bot: TestBot,
    readonly a: Populated,
    readonly b: Populated,
  ) {}

  static async start(provider: Provider): Promise<TwoTenants> {
    // No scheduled jobs: a digest or warning queued for A on its own would read as B's doing.
    const bot = await startTestBotOn(provider, { ADMIN_USER_IDS: `${contoso.admin.aadObjectId},${fabrikam.admin.aadObjectId}` }, { outboxIntervalMs: 50, scheduler: 'off' });
    return new TwoTenants(bot, await populate(bot, contoso), await populate(bot, fabrikam));
  }

  get db() {
    return this.bot.server.store.db;
  }

  async drainOutbox(): Promise<void> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      this.bot.server.outbox.kick();
      if ((await this.db.outboxMessage.count({ where: { status: 'pending' } })) === 0) return;
      if (Date.now() > deadline) throw new Error('the outbox did not drain within 20 s');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Everything stored for a tenant, as one string (delivery bookkeeping left out: it moves on its own). */
  async tenantData(tenantId: string): Promise<string> {
    const where = { tenantId };
    const byId = { orderBy: { id: 'asc' as const } };
    return JSON.stringify([
      await this.db.tenant.findUnique({ where: { id: tenantId } }),
      await this.db.device.findMany({ where, ...byId }),
      await this.db.verificationCode.findMany({ where, ...byId }),
      await this.db.signInSession.findMany({ where, ...byId }),
      await this.db.roleGrant.findMany({ where, ...byId }),
      await this.db.handoffBatch.findMany({ where, ...byId }),
      await this.db.conversationReference.findMany({ where, ...byId }),
      await this.db.auditEvent.findMany({ where, ...byId }),
      await this.db.outboxMessage.findMany({ where, ...byId, select: { id: true, kind: true, payload: true } }),
      await this.db.postedCard.findMany({ where, ...byId, select: { id: true, kind: true, subject: true, channelId: true, conversationId: true, activityId: true } }),
    ]);
  }

  /** What A has that B cannot know. */
  async valuesOfA(): Promise<string[]> {
    const devices = await this.db.device.findMany({ where: { tenantId: contoso.tenantId } });
    const conversations = await this.db.conversationReference.findMany({ where: { tenantId: contoso.tenantId } });
    return [
      contoso.tenantId,
      ...contoso.macs,
      ...contoso.locations,
      contoso.account,
      contoso.loginCode,
      contoso.model,
      contoso.firmware,
      contoso.admin.name,
      contoso.technician.name,
      contoso.admin.aadObjectId,
      contoso.technician.aadObjectId,
      ...this.a.codes.values(),
      ...this.a.batchIds,
      ...devices.map((device) => device.id),
      ...conversations.map((conversation) => conversation.conversationId),
    ];
  }

  /** A's values (`ofA`) found in `shown`, unless B typed them (`typed`) or B's own data holds them. */
  private async leaksOfA(ofA: readonly string[], shown: string, typed: string): Promise<string[]> {
    const found = (value: string) => (/^\d{6}$/.test(value) ? new RegExp(`(?<![0-9A-Za-z])${value}(?![0-9A-Za-z])`).test(shown) : shown.includes(value));
    const candidates = ofA.filter((value) => found(value) && !typed.includes(value));
    if (candidates.length === 0) return [];
    // B's data is read only when needed: most answers show no value of A at all.
    const ownData = await this.tenantData(fabrikam.tenantId);
    return candidates.filter((value) => !ownData.includes(value));
  }

  /** Runs B's attempts; then: nothing of A shown to B, nothing sent to A's conversations, A's data unchanged. */
  async asB(attempts: (check: ShownCheck) => Promise<number>): Promise<void> {
    await this.drainOutbox();
    const before = await this.tenantData(contoso.tenantId);
    const ofA = await this.valuesOfA();
    const firstNew = this.bot.channel.received.length;
    const findings: string[] = [];
    const check: ShownCheck = async (shown, typed, what) => {
      const leaks = await this.leaksOfA(ofA, shown, typed);
      if (leaks.length > 0) findings.push(`${what} showed ${JSON.stringify(leaks)}`);
    };
    expect(await attempts(check)).toBeGreaterThan(0);
    await this.drainOutbox();
    const sentSince = this.bot.channel.received.slice(firstNew);
    expect(sentSince.filter(inConversationOfA).map(everything)).toEqual([]);
    // Cards B's channels got on their own (hand-off cards, notices, updates) show nothing of A either.
    for (const activity of sentSince.filter((received) => received.targetActivityId === null || received.method === 'PUT')) {
      await check(everything(activity), '', `a card sent to ${activity.conversationId}`);
    }
    expect(findings).toEqual([]);
    // Compared parsed, so that a failure shows which rows of A changed.
    expect(JSON.parse(await this.tenantData(contoso.tenantId))).toEqual(JSON.parse(before));
  }

  async close(): Promise<void> {
    await this.bot.close();
  }
}

function inConversationOfA(activity: ReceivedActivity): boolean {
  return [contoso.slug, contoso.admin.aadObjectId, contoso.technician.aadObjectId].some((part) => activity.conversationId.includes(part));
}
