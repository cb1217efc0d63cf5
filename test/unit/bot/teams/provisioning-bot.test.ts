// The Teams activity handler on its own terms: ProvisioningBot driven by botbuilder's
// TestAdapter (no HTTP, no connector), over real services on a scratch SQLite store. What the
// bot sends lands in the adapter's queue; an invoke's answer is the 'invokeResponse' activity
// the handler sends back ({ status, body }), recorded in the same queue.
//
// @mentions of people are resolved with TeamsInfo.getMember, which needs a connector client the
// TestAdapter does not have: the member look-up is stubbed at the TeamsInfo boundary (vi.spyOn)
// where a test needs a person found, and left alone where it covers "could not resolve".
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { ActivityTypes, TeamsInfo, TestAdapter, type Activity, type TeamsChannelAccount } from 'botbuilder';
import { DialogTestLogger } from 'botbuilder-testing';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, onTestFailed, vi } from 'vitest';
import { actions } from '../../../../bot/actions/index.ts';
import { verbs } from '../../../../bot/actions/verbs.ts';
import { commands } from '../../../../bot/commands/index.ts';
import { createLogger } from '../../../../bot/logger.ts';
import { ProvisioningBot } from '../../../../bot/teams/provisioning-bot.ts';
import { setTurnLogger } from '../../../../bot/teams/turn-logger.ts';
import { openTestStore, type TestStore } from '../../../helpers/bad-input.ts';
import { cardTexts } from '../../../helpers/card-text.ts';

const tenantId = 'tenant-contoso';
const adminId = '3c0f0000-0000-4000-8000-00000000000a';
const tomId = '3c0f0000-0000-4000-8000-00000000000b';
const bot = { id: '28:provisioning-bot', name: 'ProvisioningBot' };
const admin = { id: '29:ada', name: 'Ada Admin', aadObjectId: adminId };
const channelId = '19:general@thread.tacv2';
const mac = '00-04-F2-3C-00-01';

type Where = 'personal' | 'channel';

/** An activity as Teams sends it, in the admin's personal chat or in a team channel. */
function teamsActivity(fields: Partial<Activity>, where: Where = 'personal'): Partial<Activity> {
  const conversation = where === 'channel' ? { id: channelId, conversationType: 'channel', tenantId, isGroup: true } : { id: `a:personal-${adminId}`, conversationType: 'personal', tenantId, isGroup: false };
  return {
    // The bot acts once per activity id (Teams redelivers): each test activity is a new one.
    id: `in-${randomUUID()}`,
    channelId: 'msteams',
    serviceUrl: 'https://smba.example.invalid/emea/',
    from: admin,
    recipient: bot,
    conversation: conversation as Activity['conversation'],
    channelData: { tenant: { id: tenantId }, ...(where === 'channel' ? { channel: { id: channelId }, team: { id: '19:team@thread.tacv2' } } : {}) },
    ...fields,
  };
}

const atBot = `<at>${bot.name}</at>`;
const botMention = { type: 'mention', mentioned: bot, text: atBot };

/** "@ProvisioningBot <text>" in a channel, as Teams sends it (with its mention entity, and more mentions if given). */
function channelMessage(text: string, mentions: { id: string; name: string }[] = []) {
  const entities = [botMention, ...mentions.map((person) => ({ type: 'mention', mentioned: person, text: `<at>${person.name}</at>` }))];
  return teamsActivity({ type: ActivityTypes.Message, text: `${atBot} ${text}`, entities }, 'channel');
}

/** Everything a person sees of a message the bot sent: its text and its card's texts. */
function shown(activity: Partial<Activity> | undefined): string {
  const card = activity?.attachments?.find((attachment) => attachment.contentType === 'application/vnd.microsoft.card.adaptive')?.content;
  return [activity?.text ?? '', ...cardTexts(card)].join('\n');
}

describe('ProvisioningBot through the TestAdapter', () => {
  let store: TestStore;
  let adapter: TestAdapter;
  const logLines: string[] = [];

  beforeAll(async () => {
    store = await openTestStore('sqlite', { bootstrapAdmins: [adminId] });
    await store.services.devices.registry.register({ kind: 'user', id: adminId, name: 'Ada Admin' }, tenantId, [{ mac, location: 'Lobby' }]);
  });
  afterAll(async () => {
    await store?.close();
  });
  beforeEach(() => {
    const handler = new ProvisioningBot(store.services, commands, actions);
    const logger = createLogger('debug', new Writable({ write: (chunk: Buffer, _encoding, done) => (logLines.push(chunk.toString('utf8')), done()) }));
    adapter = new TestAdapter((context) => handler.run(context));
    // The chat adapter gives every turn its request's logger; here, one for the test.
    adapter.use(async (context, next) => {
      setTurnLogger(context, logger);
      await next();
    });
    // botbuilder-testing's transcript logger: every activity in and out, with timings, printed
    // only when a test fails (its DialogTestClient drives botbuilder-dialogs, which this bot has none of).
    const transcript: string[] = [];
    adapter.use(new DialogTestLogger({ log: (...parts: unknown[]) => transcript.push(parts.map(String).join(' ')) }));
    onTestFailed(() => console.log(`Transcript of the failed test:\n${transcript.join('\n')}`));
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  /** Runs one turn; returns what the bot sent during it. */
  async function turn(activity: Partial<Activity>): Promise<Partial<Activity>[]> {
    adapter.activeQueue.splice(0);
    await adapter.processActivity(activity);
    return adapter.activeQueue.splice(0);
  }

  /** Runs one invoke turn; returns the body of its invoke response (and checks its status). */
  async function invoke(name: string, value: unknown, where: Where = 'personal'): Promise<unknown> {
    const sent = await turn(teamsActivity({ type: ActivityTypes.Invoke, name, value }, where));
    const responses = sent.filter((activity) => activity.type === ActivityTypes.InvokeResponse);
    expect(responses, `one invoke response for ${name}`).toHaveLength(1);
    const { status, body } = responses[0]!.value as { status: number; body: unknown };
    // An Action.Execute answer carries its status in the body too (a refusal: 4xx).
    expect(status).toBe((body as { statusCode?: number } | undefined)?.statusCode ?? 200);
    return body;
  }

  it('a channel message that @mentions the bot runs the command after the mention (whoami)', async () => {
    const [reply, ...more] = await turn(channelMessage('whoami'));
    expect(more).toEqual([]);
    expect(reply?.type).toBe(ActivityTypes.Message);
    expect(shown(reply)).toContain(`**User id (Entra object id):** ${adminId}`);
    expect(shown(reply)).toContain(`**Tenant:** ${tenantId}`);
    expect(shown(reply)).toContain('**Conversation:** channel');
  });

  it('a channel message with only the bot @mentioned is answered with a hint, not a command', async () => {
    const [reply] = await turn(channelMessage(''));
    expect(shown(reply)).toMatch(/Type \*\*help\*\*/);
  });

  it('help @mentioned in a channel answers the command list from the registry', async () => {
    const [reply] = await turn(channelMessage('help'));
    const text = shown(reply);
    for (const command of commands) expect(text).toContain(command.name);
  });

  it("grant with a person's @mention resolves them through TeamsInfo.getMember and grants the role to their Entra object id", async () => {
    const tom = { id: '29:tom', name: 'Tom Tech' };
    const getMember = vi.spyOn(TeamsInfo, 'getMember').mockImplementation(async (_context, userId) => {
      if (userId !== tom.id) throw Object.assign(new Error('not a member'), { statusCode: 404 });
      return { id: tom.id, name: tom.name, aadObjectId: tomId.toUpperCase() } as TeamsChannelAccount;
    });
    const [reply] = await turn(channelMessage(`grant technician <at>${tom.name}</at>`, [tom]));
    expect(getMember).toHaveBeenCalledTimes(1);
    expect(getMember.mock.calls[0]?.[1]).toBe(tom.id);
    expect(shown(reply)).toContain('Granted technician to Tom Tech.');
    expect([...(await store.services.roles.rolesOf({ platform: 'teams', tenantId, userId: tomId }))]).toEqual(['technician']);
  });

  it('grant with an @mention that cannot be resolved (no connector to ask) says so and grants nothing', async () => {
    const ann = { id: '29:ann', name: 'Ann Outsider' };
    const before = await store.store.db.roleGrant.count();
    const [reply] = await turn(channelMessage(`grant manager <at>${ann.name}</at>`, [ann]));
    expect(shown(reply)).toMatch(/couldn't find Ann Outsider among the members of this conversation/);
    // The look-up failed (the TestAdapter has no connector client) and was logged without names.
    const warning = logLines.find((line) => line.includes('a mentioned user could not be looked up'));
    expect(warning).toBeDefined();
    expect(warning).not.toContain('Ann');
    expect(await store.store.db.roleGrant.count()).toBe(before);
  });

  it('a card button (adaptiveCard/action) is answered with the card that replaces the pressed one', async () => {
    const body = (await invoke('adaptiveCard/action', { action: { type: 'Action.Execute', verb: verbs.showStatus, data: { mac } }, trigger: 'manual' })) as {
      statusCode: number;
      type: string;
      value: unknown;
    };
    expect(body).toMatchObject({ statusCode: 200, type: 'application/vnd.microsoft.card.adaptive' });
    expect(cardTexts(body.value).join('\n')).toContain(mac);
  });

  it('an unknown card verb is refused beside the pressed card (Universal Actions error), not a failed turn', async () => {
    const body = await invoke('adaptiveCard/action', { action: { type: 'Action.Execute', verb: 'device.delete', data: {} }, trigger: 'manual' });
    expect(body).toMatchObject({ statusCode: 400, type: 'application/vnd.microsoft.error', value: { code: 'unknown_button', message: expect.stringMatching(/^Unknown button: /) } });
  });

  it('task/fetch of the register dialog is answered with its form', async () => {
    const body = (await invoke('task/fetch', { data: { msteams: { type: 'task/fetch' }, dialog: 'register' }, context: { theme: 'default' } })) as {
      task: { type: string; value: { title: string; card: { contentType: string; content: unknown } } };
    };
    expect(body.task.type).toBe('continue');
    expect(body.task.value.title).toBe('Register devices');
    expect(body.task.value.card.contentType).toBe('application/vnd.microsoft.card.adaptive');
    const inputs = JSON.stringify(body.task.value.card.content).match(/"type":"Input\.\w+","id":"\w+"/g) ?? [];
    expect(inputs.join(' ')).toMatch(/"id":"macs".*"id":"location"/);
  });

  it('task/submit of the register dialog registers the devices and answers the result in the dialog', async () => {
    const body = (await invoke('task/submit', { data: { dialog: 'register', macs: '00:04:f2:3c:00:02', location: 'Annex' }, context: { theme: 'default' } })) as {
      task: { type: string; value: { card: { content: unknown } } };
    };
    expect(body.task.type).toBe('continue');
    expect(cardTexts(body.task.value.card.content)).toContain('Registered 1 of 1');
    const stored = await store.store.db.device.findFirst({ where: { tenantId, mac: '00-04-F2-3C-00-02' } });
    expect(stored?.location).toBe('Annex');
  });

  it('task/submit with a bad field answers the form again with the error, and registers nothing', async () => {
    const before = await store.store.db.device.count();
    const body = (await invoke('task/submit', { data: { dialog: 'register', macs: 'not-a-mac', location: '' } })) as { task: { value: { card: { content: unknown } } } };
    expect(cardTexts(body.task.value.card.content).join('\n')).toMatch(/Not a MAC address: "not-a-mac"/);
    expect(await store.store.db.device.count()).toBe(before);
  });

  it('a redelivered message (same activity id) is acted on once', async () => {
    const message = { ...channelMessage('whoami'), id: 'redelivered-1' };
    expect(await turn({ ...message })).toHaveLength(1);
    expect(await turn({ ...message })).toEqual([]);
  });
});
