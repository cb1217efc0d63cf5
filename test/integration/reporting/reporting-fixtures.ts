// What the reporting tests share: a tenant seeded through the services as a provisioning week
// would leave it, stored conversations pointing at the fake channel, and a clock moved to a time.
import type { ConversationToSave } from '../../../services/conversations/conversation-repository.ts';
import type { Audience } from '../../../services/conversations/conversation-service.ts';
import type { Services } from '../../../services/index.ts';
import { botAccount, type FakeChannel } from '../../helpers/fake-channel.ts';
import type { ManualClock } from '../../helpers/manual-clock.ts';
import type { TestBot } from '../../helpers/test-bot.ts';

export const tenantId = 'tenant-contoso';
export const adminId = '0f6c1d2e-1111-4a4a-9b9b-000000000001';
export const admin = { kind: 'user' as const, id: adminId, name: 'Ada Admin' };
export const adminUser = { id: '29:ada', name: 'Ada Admin', aadObjectId: adminId };
export const adminChat = `a:personal-${adminId}`;

export const channels = {
  technicians: '19:technicians@thread.tacv2',
  admins: '19:admins@thread.tacv2',
  managers: '19:managers@thread.tacv2',
} as const;

export const hourMs = 3_600_000;

export function moveTo(clock: ManualClock, when: Date | string): void {
  clock.advance(new Date(when).getTime() - clock.now().getTime());
}

/** A conversation as the bot stores it when someone talks to it there. */
export function conversationAt(channel: FakeChannel, conversationId: string, options: { tenant?: string; userId?: string } = {}): ConversationToSave {
  const personal = conversationId.startsWith('a:');
  const tenant = options.tenant ?? tenantId;
  return {
    platform: 'teams',
    tenantId: tenant,
    channelId: 'msteams',
    conversationId,
    conversationType: personal ? 'personal' : 'channel',
    teamId: personal ? null : '19:team@thread.tacv2',
    serviceUrl: channel.serviceUrl,
    userId: personal ? (options.userId ?? null) : null,
    address: {
      activityId: 'in-earlier-message',
      user: adminUser,
      bot: botAccount,
      conversation: { id: conversationId, conversationType: personal ? 'personal' : 'channel', tenantId: tenant },
      channelId: 'msteams',
      serviceUrl: channel.serviceUrl,
    },
  };
}

/** Stores a channel and makes it the tenant's destination for the audience (as "setup <audience>" does). */
export async function setUpChannel(bot: TestBot, audience: Audience, tenant = tenantId): Promise<string> {
  const conversationId = tenant === tenantId ? channels[audience] : `19:${audience}-${tenant}@thread.tacv2`;
  await bot.server.services.conversations.remember(conversationAt(bot.channel, conversationId, { tenant }));
  await bot.server.services.conversations.setAudience(tenant, 'msteams', conversationId, audience);
  return conversationId;
}

/** Stores the personal chat of a user with the bot. */
export async function rememberPersonalChat(bot: TestBot, userId: string): Promise<string> {
  const conversationId = `a:personal-${userId}`;
  await bot.server.services.conversations.remember(conversationAt(bot.channel, conversationId, { userId }));
  return conversationId;
}

/** Issues codes and returns each MAC's plaintext code, with the batch id. */
export async function issueCodes(services: Services, macs: string[], tenant = tenantId): Promise<{ batchId: string; codes: Map<string, string> }> {
  const report = await services.devices.codes.issue(admin, tenant, { macs });
  return { batchId: report.batchId, codes: new Map(report.issued.map((entry) => [entry.mac, entry.code])) };
}

/** The technician types the code on the phone: the device is provisioned (awaiting sign-in). */
export async function provision(services: Services, mac: string, code: string | undefined): Promise<void> {
  await services.devices.provisioning.provision({ mac, verificationCode: code ?? '' });
}

/** The admin asks for a sign-in, and the device reports its login code (signing in). */
export async function startSignIn(services: Services, mac: string, tenant = tenantId): Promise<void> {
  await services.devices.signIn.request(admin, tenant, mac, 'room@contoso.com');
  const { device } = await services.devices.queries.details(tenant, mac);
  await services.devices.signIn.reportLoginCode(device, { loginCode: 'HKQ7MX2PA' });
}

/** The whole remote sign-in, ending signed in. */
export async function signIn(services: Services, mac: string, tenant = tenantId): Promise<void> {
  await startSignIn(services, mac, tenant);
  const { device } = await services.devices.queries.details(tenant, mac);
  await services.devices.signIn.reportSignedIn(device, { account: 'room@contoso.com' });
}

/** Five wrong codes for the MAC: it is locked out (a device.locked_out event). */
export async function lockOut(services: Services, mac: string): Promise<void> {
  for (let i = 0; i < 5; i++) {
    await services.devices.provisioning.provision({ mac, verificationCode: '000000' }).catch(() => undefined);
  }
}
