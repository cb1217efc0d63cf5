// The Teams messenger against a fake channel on loopback: what reaches the connector, and how
// its failures come back (once each: botbuilder's own retries are off).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TeamsInfo, type CloudAdapter } from 'botbuilder';
import { ChannelError } from '../../../services/notifications/delivery-ports.ts';
import { adaptiveCardContentType, createTeamsMessenger } from '../../../bot/teams/teams-messenger.ts';
import type { AdaptiveCard } from '../../../cards/template-data.ts';
import { renderView } from '../../../bot/teams/render-view.ts';
import { view } from '../../../bot/views/reply.ts';
import type { StoredConversation } from '../../../services/conversations/conversation-repository.ts';
import { FakeChannel } from '../../helpers/fake-channel.ts';
import { conversationAt, emulatorAdapter, personalChat, techniciansChannel } from './outbox-fixtures.ts';

let channel: FakeChannel;
let adapter: CloudAdapter;

beforeEach(async () => {
  channel = await FakeChannel.start();
  adapter = emulatorAdapter();
});
afterEach(async () => {
  await channel.close();
});

function stored(conversationId: string, at: FakeChannel = channel): StoredConversation {
  return { ...conversationAt(at, conversationId), audience: null, updatedAt: new Date() };
}

// A neutral view, as the planner hands it over; the messenger renders it as an Adaptive Card.
const shown = view('blocks', { title: 'Codes', summary: 'Codes for 2 devices', blocks: [{ kind: 'text', text: 'AA-BB-CC-DD-EE-01 · 123456' }] });
const card: AdaptiveCard = renderView(shown);

async function failureOf(promise: Promise<unknown>): Promise<ChannelError> {
  const error = await promise.then(
    () => null,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(ChannelError);
  return error as ChannelError;
}

describe('posting and updating', () => {
  it('a proactive text is a new message in the conversation (not a reply), and its id comes back', async () => {
    const messenger = createTeamsMessenger(adapter, '');
    const { activityId } = await messenger.post(stored(techniciansChannel), { text: 'Device AA-BB-CC-DD-EE-01 is locked out.' });

    const [sent] = await channel.waitFor(1);
    expect(sent?.method).toBe('POST');
    expect(sent?.conversationId).toBe(techniciansChannel);
    expect(sent?.targetActivityId).toBeNull();
    expect(sent?.body.text).toBe('Device AA-BB-CC-DD-EE-01 is locked out.');
    expect(sent?.body.from).toMatchObject({ id: '28:provisioning-bot' });
    expect(activityId).toBe(sent?.assignedId);
  });

  it('a card goes alone as an Adaptive Card attachment, with its fallback text as the summary', async () => {
    const messenger = createTeamsMessenger(adapter, '');
    await messenger.post(stored(personalChat), { view: shown });
    const [sent] = await channel.waitFor(1);
    expect(sent?.body.text).toBeUndefined();
    expect(sent?.body.summary).toBe('Codes for 2 devices');
    expect(sent?.body.attachments).toEqual([{ contentType: adaptiveCardContentType, content: card }]);
  });

  it('an update replaces the earlier message: PUT to its activity id', async () => {
    const messenger = createTeamsMessenger(adapter, '');
    const { activityId } = await messenger.post(stored(personalChat), { view: shown });
    const updated = view('blocks', { title: 'Codes', summary: 'Codes for 2 devices', blocks: [{ kind: 'text', text: '1 of 2 online' }] });
    await messenger.update(stored(personalChat), activityId, { view: updated });

    const [, put] = await channel.waitFor(2);
    expect(put?.method).toBe('PUT');
    expect(put?.conversationId).toBe(personalChat);
    expect(put?.targetActivityId).toBe(activityId);
    expect(put?.body.id).toBe(activityId);
    expect(put?.body.attachments).toEqual([{ contentType: adaptiveCardContentType, content: renderView(updated) }]);
  });
});

describe('failures reach the caller once, as ChannelErrors', () => {
  it('a 500 fails at once: one request at the channel, no retry inside botbuilder', async () => {
    const messenger = createTeamsMessenger(adapter, '');
    channel.failNext(1, 500);
    const started = Date.now();
    const error = await failureOf(messenger.post(stored(personalChat), { text: 'hello' }));
    expect(error.status).toBe(500);
    expect(error.permanent).toBe(false);
    expect(error.retryAfterMs).toBeNull();
    expect(channel.failures).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(900);
    // Nothing was retried behind our back.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(channel.received).toHaveLength(0);
  });

  it('a 429 says when to come back (Retry-After) instead of being slept through', async () => {
    const messenger = createTeamsMessenger(adapter, '');
    channel.failNext(1, 429, { 'Retry-After': '7' });
    const error = await failureOf(messenger.post(stored(personalChat), { text: 'hello' }));
    expect(error.status).toBe(429);
    expect(error.retryAfterMs).toBe(7000);
    expect(error.permanent).toBe(false);
    expect(channel.failures).toHaveLength(1);
  });

  it('a 403 (bot removed from the conversation) is permanent and names the channel error code', async () => {
    const messenger = createTeamsMessenger(adapter, '');
    channel.failNext(1, 403);
    const error = await failureOf(messenger.update(stored(personalChat), 'act-1', { view: shown }));
    expect(error.status).toBe(403);
    expect(error.permanent).toBe(true);
    expect(error.message).toContain('BotNotInConversationRoster');
    // The card is not in the error: it can hold codes.
    expect(error.message).not.toContain('123456');
  });

  it('a channel that is down is a transient failure without status', async () => {
    const gone = await FakeChannel.start();
    await gone.close();
    const messenger = createTeamsMessenger(adapter, '');
    const error = await failureOf(messenger.post(stored(personalChat, gone), { text: 'hello' }));
    expect(error.status).toBeNull();
    expect(error.permanent).toBe(false);
  });

  it('a channel that never answers times out as a transient failure', async () => {
    const messenger = createTeamsMessenger(adapter, '', { requestTimeoutMs: 150 });
    channel.answerDelayMs = 2000;
    const started = Date.now();
    const error = await failureOf(messenger.post(stored(personalChat), { text: 'hello' }));
    expect(error.status).toBeNull();
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('a stored reference without a service URL is permanent (nothing to retry)', async () => {
    const messenger = createTeamsMessenger(adapter, '');
    const broken = { ...stored(personalChat), address: { conversation: { id: personalChat } } };
    const error = await failureOf(messenger.post(broken, { text: 'hello' }));
    expect(error.permanent).toBe(true);
  });

  it('a destination of another platform is not sent through Teams, and is permanent (nothing to retry)', async () => {
    const messenger = createTeamsMessenger(adapter, '');
    const slack = { ...stored(personalChat), platform: 'slack' as const };
    const before = channel.received.length;
    const error = await failureOf(messenger.post(slack, { text: 'hello' }));
    expect(error.permanent).toBe(true);
    expect(channel.received.length).toBe(before);
  });
});

describe('the fake channel as a connector', () => {
  it('answers member look-ups (TeamsInfo.getMember) from its members, 404 otherwise', async () => {
    channel.members.set('29:bob', { id: '29:bob', name: 'Bob Builder', aadObjectId: 'aad-bob', userPrincipalName: 'bob@contoso.example' });
    const found: unknown[] = [];
    await adapter.continueConversationAsync('', conversationAt(channel, personalChat).address as object, async (context) => {
      found.push(await TeamsInfo.getMember(context, '29:bob'));
      found.push(await TeamsInfo.getMember(context, '29:nobody').catch((error: { statusCode?: number }) => error.statusCode));
    });
    expect(found[0]).toMatchObject({ id: '29:bob', name: 'Bob Builder', aadObjectId: 'aad-bob' });
    expect(found[1]).toBe(404);
  });
});
