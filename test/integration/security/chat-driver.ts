// Drives the bot as people in one tenant would, over the fake channel: an admin's personal
// chat and the team channels that receive technicians' and admins' cards.
import type { ActivityOptions, ReceivedActivity } from '../../helpers/fake-channel.ts';
import { cardOf, codesOnCard } from '../../helpers/card-text.ts';
import type { TestBot } from '../../helpers/test-bot.ts';

export interface Person {
  id: string;
  name: string;
  aadObjectId: string;
}

/** Everything an activity carries, as one string: texts, cards, attachments, whatever the bot put there. */
export const everything = (activity: ReceivedActivity | undefined) => (activity ? JSON.stringify(activity.body) : '');

export class TenantChat {
  readonly adminChat: string;
  readonly techniciansChannel: string;
  readonly adminsChannel: string;

  constructor(
    private readonly bot: TestBot,
    readonly tenantId: string,
    readonly admin: Person,
    /** Distinguishes this tenant's conversation ids. */
    readonly slug: string,
  ) {
    this.adminChat = `a:personal-${admin.aadObjectId}`;
    this.techniciansChannel = `19:${slug}-technicians@thread.tacv2`;
    this.adminsChannel = `19:${slug}-admins@thread.tacv2`;
  }

  /** The activity options of the admin in their personal chat (or a channel of this tenant's team). */
  options(where: 'personal' | string = 'personal'): ActivityOptions {
    if (where === 'personal') return { tenantId: this.tenantId, from: this.admin, conversationId: this.adminChat };
    return { tenantId: this.tenantId, from: this.admin, conversationType: 'channel', conversationId: where, teamId: `19:${this.slug}-team@thread.tacv2` };
  }

  /** Sends a message and returns the bot's direct replies to it (waits for the first). */
  async say(text: string, where: 'personal' | string = 'personal'): Promise<ReceivedActivity[]> {
    const activity = this.bot.channel.activity({ type: 'message', text }, this.options(where));
    const response = await this.bot.channel.post(activity);
    if (response.status !== 200) throw new Error(`"${text}" answered HTTP ${response.status}`);
    const isReply = (received: ReceivedActivity) => received.targetActivityId === activity.id;
    await this.bot.channel.waitFor(1, isReply, 15_000);
    return this.bot.channel.received.filter(isReply);
  }

  /** Presses a button (Action.Execute) of the card `onCard` (an activity id) in the admin's chat; returns the HTTP answer. */
  async press(verb: string, data: Record<string, unknown>, onCard: string | null = null, where: 'personal' | string = 'personal') {
    const value = { action: { type: 'Action.Execute', verb, data }, trigger: 'manual' };
    const activity = this.bot.channel.activity({ type: 'invoke', name: 'adaptiveCard/action', value, ...(onCard ? { replyToId: onCard } : {}) }, this.options(where));
    return this.bot.channel.post(activity);
  }

  /** The technicians' and admins' channels receive their cards. */
  async setUpChannels(): Promise<void> {
    await this.say('setup technicians', this.techniciansChannel);
    await this.say('setup admins', this.adminsChannel);
  }

  /** Registers the MACs at a location and issues their codes; returns MAC → code from the hand-off card and its batch id. */
  async registerWithCodes(macs: readonly string[], location: string): Promise<{ codes: Map<string, string>; batchId: string }> {
    await this.say(`register ${macs.map((mac) => `${mac} ${location}`).join('\n')}`);
    const [handoff] = await this.say(`codes ${macs.join(' ')}`);
    const card = cardOf(handoff!);
    const codes = codesOnCard(card);
    const batchId = /"batchId":"([^"]+)"/.exec(JSON.stringify(card))?.[1];
    if (codes.size !== macs.length || !batchId) throw new Error(`expected a hand-off card with ${macs.length} codes: ${everything(handoff)}`);
    return { codes, batchId };
  }
}
