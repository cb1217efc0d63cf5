// The SIP tests' bot: the real server with the simulated gateway and a scripted scenario, on an
// injected clock, an admins channel set up, and an admin talking to it in personal chat.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { verbs } from '../../../bot/actions/verbs.ts';
import { cardOf, cardTexts } from '../../helpers/card-text.ts';
import type { ReceivedActivity } from '../../helpers/fake-channel.ts';
import { ManualClock } from '../../helpers/manual-clock.ts';
import { createScratchDatabase } from '../../../prisma/schema-engine/index.ts';
import type { Provider } from '../../../prisma/schemas.ts';
import { postgresServerUrl } from '../../helpers/postgres.ts';
import { startTestBot, type TestBot } from '../../helpers/test-bot.ts';

export const adminId = '0f6c1d2e-1111-4a4a-9b9b-00000000051a';
export const admin = { id: '29:ada', name: 'Ada Admin', aadObjectId: adminId };
export const adminChat = `a:personal-${adminId}`;
export const adminsChannel = { conversationType: 'channel' as const, conversationId: '19:admins@thread.tacv2', teamId: '19:team@thread.tacv2' };

export const inAdminChat = (activity: ReceivedActivity) => activity.conversationId === adminChat && activity.method === 'POST';
/** Everything the admins channel received (posts and in-place updates). */
export const inAdmins = (activity: ReceivedActivity) => activity.conversationId === adminsChannel.conversationId;
export const text = (activity: ReceivedActivity | undefined) => (activity ? cardTexts(cardOf(activity)).join('\n') + (activity.body.text ?? '') : '');

export class SipChat {
  bot!: TestBot;
  private databaseUrl = '';
  private dropDatabase: () => Promise<void> = async () => {};

  private constructor(
    readonly dir: string,
    readonly clock: ManualClock,
  ) {}

  /** A bot whose simulated gateway answers `scenario` ({ HardwareId: "success" | error }); the database survives restart(). */
  static async start(scenario: Record<string, string>, now = new Date('2026-12-07T09:00:00Z'), provider: Provider = 'sqlite'): Promise<SipChat> {
    const chat = new SipChat(mkdtempSync(path.join(tmpdir(), 'sip-chat-')), new ManualClock(now));
    chat.databaseUrl = `file:${path.join(chat.dir, 'bot.db')}`;
    if (provider === 'postgresql') {
      const database = await createScratchDatabase('postgresql', postgresServerUrl('sip'), 'sip_chat');
      chat.databaseUrl = database.url;
      chat.dropDatabase = database.drop;
    }
    writeFileSync(path.join(chat.dir, 'scenario.json'), JSON.stringify(scenario));
    chat.bot = await chat.startBot();
    await chat.bot.channel.message('setup admins', { ...adminsChannel, mentionBot: true, from: admin });
    await chat.bot.channel.waitFor(1);
    return chat;
  }

  private startBot(): Promise<TestBot> {
    const env = {
      ADMIN_USER_IDS: adminId,
      SIP_SIMULATOR_SCENARIO: path.join(this.dir, 'scenario.json'),
      DATABASE_URL: this.databaseUrl,
      CODE_HASH_SECRET: 'sip-test-secret-0123456789-0123456789-0123',
    };
    return startTestBot(env, { clock: this.clock, outboxIntervalMs: 50 });
  }

  /** Stops the bot and starts a new one on the same database: a restart. */
  async restart(): Promise<void> {
    await this.bot.close();
    this.bot = await this.startBot();
  }

  async close(): Promise<void> {
    await this.bot.close();
    await this.dropDatabase();
    rmSync(this.dir, { recursive: true, force: true });
  }

  get db() {
    return this.bot.server.store.db;
  }

  /** Sends a message as the admin in personal chat; the bot's answer, as text. */
  async adminSays(message: string): Promise<string> {
    const before = this.bot.channel.received.filter(inAdminChat).length;
    await this.bot.channel.message(message, { from: admin, conversationId: adminChat });
    return text((await this.bot.channel.waitFor(before + 1, inAdminChat, 10_000)).at(-1));
  }

  /** Presses "yes" on the confirmation of `command args`; the card that replaced it, as text. */
  async confirm(command: string, args: string): Promise<string> {
    const data = { command, args, expiresAt: new Date(this.clock.now().getTime() + 60_000).toISOString() };
    const value = { action: { type: 'Action.Execute', verb: verbs.confirm, data }, trigger: 'manual' };
    const response = await this.bot.channel.post(this.bot.channel.activity({ type: 'invoke', name: 'adaptiveCard/action', value }, { from: admin, conversationId: adminChat }));
    expect(response.status).toBe(200);
    return cardTexts((response.body as { value: unknown }).value).join('\n');
  }

  /** Moves the clock to `time` and fires the jobs due then, as node-cron would. */
  async jobsAt(time: Date): Promise<void> {
    this.clock.advance(time.getTime() - this.clock.now().getTime());
    await this.bot.server.jobs.scheduler!.runDue(this.clock.now());
  }
}
