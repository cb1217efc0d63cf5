// What the outbox tests share: a stored conversation pointing at a fake channel, a planner
// that sends one text per destination, a store on either provider, and a log to read.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { CloudAdapter, ConfigurationBotFrameworkAuthentication } from 'botbuilder';
import { createLogger, type Logger } from '../../../bot/logger.ts';
import type { NotificationPlanner, PlannedDelivery } from '../../../bot/notifications/outgoing-message.ts';
import { openStore, type Store } from '../../../prisma/store.ts';
import { createScratchDatabase } from '../../../prisma/schema-engine/index.ts';
import type { Provider } from '../../../prisma/schemas.ts';
import { createConversationService, type ConversationService } from '../../../services/conversations/conversation-service.ts';
import type { ConversationToSave } from '../../../services/conversations/conversation-repository.ts';
import type { DomainEvent } from '../../../services/notifications/domain-events.ts';
import { botAccount, defaultTenantId, defaultUser, type FakeChannel } from '../../helpers/fake-channel.ts';
import { postgresServerUrl } from '../../helpers/postgres.ts';

export const tenantId = defaultTenantId;
export const personalChat = `a:personal-${defaultUser.aadObjectId}`;
export const techniciansChannel = '19:technicians@thread.tacv2';

/** A conversation as the bot stores it when someone talks to it there (TurnContext.getConversationReference). */
export function conversationAt(channel: FakeChannel, conversationId: string): ConversationToSave {
  const personal = conversationId.startsWith('a:');
  return {
    platform: 'teams',
    tenantId,
    channelId: 'msteams',
    conversationId,
    conversationType: personal ? 'personal' : 'channel',
    teamId: personal ? null : '19:team@thread.tacv2',
    serviceUrl: channel.serviceUrl,
    userId: personal ? defaultUser.aadObjectId : null,
    address: {
      activityId: 'in-earlier-message',
      user: defaultUser,
      bot: botAccount,
      conversation: { id: conversationId, conversationType: personal ? 'personal' : 'channel', tenantId },
      channelId: 'msteams',
      serviceUrl: channel.serviceUrl,
    },
  };
}

export function lockedOut(mac: string): DomainEvent {
  return { kind: 'device.locked_out', tenantId, mac, until: '2026-11-22T09:15:00.000Z' };
}

export const lockoutText = (mac: string) => `Device ${mac} is locked out for 15 minutes.`;

/** Tells each of `conversationIds` (that is stored) about a lockout, in a text message. */
export function lockoutPlanner(conversations: ConversationService, conversationIds: readonly string[]): NotificationPlanner {
  return async (event) => {
    if (event.kind !== 'device.locked_out') return [];
    const deliveries: PlannedDelivery[] = [];
    for (const conversationId of conversationIds) {
      const conversation = await conversations.find(event.tenantId, 'msteams', conversationId);
      if (conversation) deliveries.push({ key: `chat:${conversationId}`, conversation, message: { text: lockoutText(event.mac) } });
    }
    return deliveries;
  };
}

/** The Teams adapter as bot/teams/teams-chat.ts makes it with no app id (the fake channel needs no token). */
export function emulatorAdapter(): CloudAdapter {
  const adapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication({ MicrosoftAppId: '', MicrosoftAppPassword: '' }));
  adapter.onTurnError = async (_context, error) => {
    throw new Error(`onTurnError must not see proactive failures, got: ${error.message}`);
  };
  return adapter;
}

export interface CapturedLog {
  log: Logger;
  lines(): Record<string, unknown>[];
  text(): string;
}

export function captureLog(): CapturedLog {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(...chunk.toString('utf8').split('\n').filter((line) => line !== ''));
      callback();
    },
  });
  return {
    log: createLogger('debug', sink),
    lines: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
    text: () => lines.join('\n'),
  };
}

export interface StoreRig {
  url: string;
  /** Another client on the same database (another instance). */
  open(): Promise<Store>;
  drop(): Promise<void>;
}

/** A fresh database of the provider: a SQLite file, or a scratch PostgreSQL database. */
export async function freshDatabase(provider: Provider): Promise<StoreRig> {
  if (provider === 'postgresql') {
    const database = await createScratchDatabase('postgresql', postgresServerUrl('outbox'), 'outbox');
    return { url: database.url, open: () => openStore(database.url), drop: () => database.drop() };
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'provisioning-bot-outbox-'));
  const url = `file:${path.join(dir, 'bot.db')}`;
  return { url, open: () => openStore(url), drop: async () => rmSync(dir, { recursive: true, force: true }) };
}

export function conversationsOf(store: Store): ConversationService {
  return createConversationService(store.db);
}

/** Polls until `condition` resolves true (for database state the fake channel cannot signal). */
export async function eventually(condition: () => Promise<boolean>, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
