// Remembering a conversation on every message: a change is written at once; the same
// conversation again (only the message id in its reference differs) is not rewritten until
// its row is an hour old, so a chat turn does not pay two writes for nothing.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../../prisma/store.ts';
import { createConversationService, rememberRefreshMs, type ConversationService } from '../../../services/conversations/conversation-service.ts';
import type { Clock } from '../../../services/shared/clock.ts';

/** The wall clock, moved forward by hand: the rows' updatedAt is written by Prisma in real time. */
class ForwardClock implements Clock {
  offsetMs = 0;
  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
}

const tenantId = 'tenant-contoso';
const conversationId = 'a:personal-aad-tom';

function conversation(activityId: string, changes: { serviceUrl?: string; userName?: string } = {}) {
  const serviceUrl = changes.serviceUrl ?? 'https://smba.trafficmanager.net/emea/';
  return {
    platform: 'teams' as const,
    tenantId,
    channelId: 'msteams',
    conversationId,
    conversationType: 'personal',
    teamId: null,
    serviceUrl,
    userId: 'aad-tom',
    address: {
      activityId,
      user: { id: '29:tom', name: changes.userName ?? 'Tom Tech', aadObjectId: 'aad-tom' },
      bot: { id: '28:bot', name: 'ProvisioningBot' },
      conversation: { id: conversationId, conversationType: 'personal', tenantId },
      channelId: 'msteams',
      serviceUrl,
    },
  };
}

describe('remembering a conversation', () => {
  let dir: string;
  let store: Store;
  let clock: ForwardClock;
  let conversations: ConversationService;

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'conversation-remember-'));
    store = await openStore(`file:${path.join(dir, 'bot.db')}`);
    clock = new ForwardClock();
    conversations = createConversationService(store.db, clock);
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const row = () => store.db.conversationReference.findFirstOrThrow({ where: { conversationId } });

  it('stores a new conversation, and its tenant', async () => {
    await conversations.remember(conversation('m1'));
    expect(await conversations.find(tenantId, 'msteams', conversationId)).toMatchObject({ serviceUrl: 'https://smba.trafficmanager.net/emea/', platform: 'teams', userId: 'aad-tom' });
    expect(await store.db.tenant.count({ where: { id: tenantId } })).toBe(1);
  });

  it('does not write the same conversation again when only the message id differs', async () => {
    await conversations.remember(conversation('m1'));
    const first = await row();
    await new Promise((resolve) => setTimeout(resolve, 5));
    await conversations.remember(conversation('m2'));
    await conversations.remember(conversation('m3'));
    const after = await row();
    expect(after.updatedAt).toEqual(first.updatedAt);
    expect(after.reference).toBe(first.reference);
  });

  it('writes a change at once: a new service URL, or who spoke last', async () => {
    await conversations.remember(conversation('m1'));
    await conversations.remember(conversation('m2', { serviceUrl: 'https://smba.trafficmanager.net/amer/' }));
    expect((await row()).serviceUrl).toBe('https://smba.trafficmanager.net/amer/');
    await conversations.remember(conversation('m3', { serviceUrl: 'https://smba.trafficmanager.net/amer/', userName: 'Tom T.' }));
    expect(JSON.parse((await row()).reference)).toMatchObject({ activityId: 'm3', user: { name: 'Tom T.' } });
  });

  it('a forgotten conversation (the bot removed) is stored again by its next message', async () => {
    await conversations.remember(conversation('m1'));
    await conversations.forget('msteams', conversationId);
    expect(await store.db.conversationReference.count()).toBe(0);
    await conversations.remember(conversation('m2'));
    expect(JSON.parse((await row()).reference)).toMatchObject({ activityId: 'm2' });
  });

  it('an install asks the store even for a conversation this instance saw stored: another instance may have forgotten it', async () => {
    await conversations.remember(conversation('m1'));
    // Another instance handled the removal: the row is gone, this instance was not told.
    await store.db.conversationReference.deleteMany();
    await conversations.remember(conversation('install'), { checkStore: true });
    expect(JSON.parse((await row()).reference)).toMatchObject({ activityId: 'install' });
  });

  it('a malformed conversation is refused with what is missing, and nothing is stored', async () => {
    await expect(conversations.remember({ ...conversation('m1'), serviceUrl: 'not a url' })).rejects.toMatchObject({ code: 'invalid_input', message: expect.stringContaining('serviceUrl') });
    expect(await store.db.conversationReference.count()).toBe(0);
  });

  it('writes an unchanged conversation again once its row is an hour old, so "last used" stays true to the hour', async () => {
    await conversations.remember(conversation('m1'));
    const first = await row();
    clock.offsetMs = rememberRefreshMs - 60_000;
    await conversations.remember(conversation('m2'));
    expect((await row()).updatedAt).toEqual(first.updatedAt);
    clock.offsetMs = rememberRefreshMs + 1_000;
    await new Promise((resolve) => setTimeout(resolve, 5));
    await conversations.remember(conversation('m3'));
    const refreshed = await row();
    expect(refreshed.updatedAt.getTime()).toBeGreaterThan(first.updatedAt.getTime());
    expect(JSON.parse(refreshed.reference)).toMatchObject({ activityId: 'm3' });
  });
});
