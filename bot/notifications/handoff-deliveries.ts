// The hand-off cards of the technicians channel: posted when codes are issued (one card, or a
// card per location and page: bot/views/handoff-pages.ts), and redrawn in place as devices
// move: a device's event redraws the cards that show it (its page, the batch's whole card or
// summary), never the other pages.
//
// When the channel still says a card is too big (413), the delivery engine asks `split`: the
// Locations with assigned technicians (`assign LOCATION @technician`) get their cards, a card
// per location (and page), by direct message to each of them instead: the channel gets the
// other locations. Every card says who can see it ("Sent to: …"), redraws included.
//
// page is cut in two, the first half replaces the card in place (its tracking moves to the
// narrower subject) and the second is posted beside it. Smaller pages, not a retry loop.
import type { StoredConversation } from '../../services/conversations/conversation-repository.ts';
import type { Handoff } from '../../services/devices/handoffs.ts';
import type { Services } from '../../services/index.ts';
import type { LocationAssignment } from '../../services/auth/location-assignments.ts';
import { locationKeyOf } from '../../services/time-zones.ts';
import { handoffCard } from '../views/handoff-cards.ts';
import { fitsOneCard, halves, handoffPages, pageBySubject, pageShows, type HandoffPage } from '../views/handoff-pages.ts';
import { view } from '../views/reply.ts';
import { codeHandoffView } from '../views/handoff-view.ts';
import type { PlannedDelivery } from './outgoing-message.ts';
import type { PlanningRun } from '../../services/notifications/delivery-ports.ts';
import { conversationInRun, sharedInRun } from './run-reads.ts';

const keyOf = (conversation: StoredConversation, subject: string) => `handoff:${conversation.channelId}:${conversation.conversationId}:${subject}`;

export function createHandoffDeliveries(services: Services) {
  const { conversations, postedCards } = services;

  const where = (conversation: StoredConversation, activityId: string) => ({ channelId: conversation.channelId, conversationId: conversation.conversationId, activityId });

  /**
   * Where the hand-off cards are is read once per run and batch, until this planner posts or
   * moves a hand-off card: each change starts a new generation, and the next event reads again
   * (a card the run posted is redrawn by its later events, as when each event read it).
   */
  let handoffCardsGeneration = 0;
  const remember = async (tenantId: string, subject: string, at: ReturnType<typeof where>) => {
    handoffCardsGeneration++;
    await postedCards.remember(tenantId, 'handoff', subject, at);
  };

  /** A page to post (or, with `update`, to draw over an earlier card), with its halves should the channel find it too big. */
  /** Who can see a card in this conversation: the channel, or the assigned technician whose personal chat it is. */
  async function sentToOf(tenantId: string, conversation: StoredConversation): Promise<string> {
    if (conversation.audience === 'technicians') return 'the technicians channel';
    if (!conversation.userId) return '';
    const userId = conversation.userId.toLowerCase();
    const assigned = (await services.assignments.list(tenantId)).find((row) => row.platform === conversation.platform && row.userId.toLowerCase() === userId);
    return assigned ? directMessageLabel(assigned, conversation) : '';
  }

  function pageDelivery(handoff: Handoff, timeZone: string, page: HandoffPage, conversation: StoredConversation, sentTo: string, update?: { activityId: string; replaces: string }): PlannedDelivery {
    const { tenantId } = handoff;
    return {
      key: update ? `redraw-handoff-${update.activityId}:${conversation.conversationId}:${page.subject}` : keyOf(conversation, page.subject),
      conversation,
      message: { view: view('codeHandoff', codeHandoffView(handoff, timeZone, page, sentTo)) },
      ...(update ? { update: { activityId: update.activityId } } : {}),
      // Remembered when posted, and when a half takes over a card (its row moves to the half's subject).
      ...(update?.replaces === page.subject
        ? {}
        : {
            async onPosted(activityId: string) {
              handoffCardsGeneration++;
              if (update) await postedCards.forget(tenantId, 'handoff', update.replaces, where(conversation, activityId));
              await remember(tenantId, page.subject, where(conversation, activityId));
            },
          }),
      async split() {
        const [first, second] = halves(handoff, page);
        if (!first || !second) return [];
        // The first half takes the card's place (updated, or posted); the second is a new card.
        return [pageDelivery(handoff, timeZone, first, conversation, sentTo, update), pageDelivery(handoff, timeZone, second, conversation, sentTo)];
      },
    };
  }

  /**
   * codes.issued: the cards of the batch. A location with assigned technicians: its pages, to
   * each of them by direct message (one who never talked to the bot is named in the codes
   * reply: bot/commands/codes.ts). Every other location: the technicians channel (if there is one), the
   * batch as one card when nothing of it went elsewhere, as today.
   */
  async function post(tenantId: string, batchId: string, technicians: StoredConversation | null): Promise<PlannedDelivery[]> {
    const [handoff, profile, assigned] = await Promise.all([services.devices.handoffs.get(tenantId, batchId), services.tenants.profile(tenantId), services.assignments.byLocation(tenantId)]);
    const deliveries: PlannedDelivery[] = [];
    const pages = handoffPages(handoff);
    const assignedPages = pages.filter((page) => assigned.has(locationKeyOf(page.location)));
    for (const page of assignedPages) {
      for (const technician of assigned.get(locationKeyOf(page.location)) ?? []) {
        const chat = await conversations.findPersonalChat(tenantId, { platform: technician.platform, userId: technician.userId });
        if (chat) deliveries.push(pageDelivery(handoff, profile.timeZone, page, chat, directMessageLabel(technician, chat)));
      }
    }
    if (!technicians) return deliveries;
    const channel = 'the technicians channel';
    if (assignedPages.length === 0 && fitsOneCard(handoff)) {
      deliveries.push({
        key: `handoff:${technicians.channelId}:${technicians.conversationId}`,
        conversation: technicians,
        message: { view: handoffCard(handoff, profile.timeZone, batchId, channel)! },
        onPosted: (activityId) => remember(tenantId, batchId, where(technicians, activityId)),
      });
      return deliveries;
    }
    for (const page of pages) {
      if (!assigned.has(locationKeyOf(page.location))) deliveries.push(pageDelivery(handoff, profile.timeZone, page, technicians, channel));
    }
    return deliveries;
  }

  /** A device's event: every posted card of its batches that shows it, redrawn in place. `batchIds`: its batches, when its run read them. */
  async function redraw(tenantId: string, deviceId: string, run?: PlanningRun, batchIds?: readonly string[]): Promise<PlannedDelivery[]> {
    const deliveries: PlannedDelivery[] = [];
    for (const batchId of batchIds ?? (await services.devices.handoffs.batchesOfDevice(tenantId, deviceId))) {
      const posted = await sharedInRun(run, `handoff-cards:${tenantId}:${batchId}:${handoffCardsGeneration}`, () => postedCards.findWithPrefix(tenantId, 'handoff', batchId));
      if (posted.length === 0) continue;
      // The batch's state once per run: a site's phones coming online together all redraw it.
      const batch = () => services.devices.handoffs.get(tenantId, batchId);
      const [handoff, profile] = await Promise.all([run ? run.once(`handoff:${tenantId}:${batchId}`, batch) : batch(), services.tenants.profile(tenantId)]);
      const device = handoff.devices.find((candidate) => candidate.deviceId === deviceId);
      for (const card of posted) {
        // The batch's own card (whole, or the summary) counts every device; a page only its own.
        if (card.subject !== batchId && (!device || !pageShows(card.subject, device))) continue;
        const conversation = await conversationInRun(services, run, tenantId, card.channelId, card.conversationId);
        if (!conversation) continue;
        const page = card.subject === batchId ? null : pageBySubject(handoff, card.subject);
        const sentTo = await sentToOf(tenantId, conversation);
        if (page) {
          deliveries.push(pageDelivery(handoff, profile.timeZone, page, conversation, sentTo, { activityId: card.activityId, replaces: card.subject }));
          continue;
        }
        const drawn = handoffCard(handoff, profile.timeZone, card.subject, sentTo);
        if (drawn) deliveries.push({ key: `redraw-handoff-${card.activityId}:${conversation.conversationId}`, conversation, message: { view: drawn }, update: { activityId: card.activityId } });
      }
    }
    return deliveries;
  }

  return { post, redraw };
}

/** The name a personal chat's stored address gives its user (a Teams reference's `user`), if any. */
function nameInAddress(address: unknown): string | null {
  const name = (address as { user?: { name?: unknown } } | null)?.user?.name;
  return typeof name === 'string' && name.trim() !== '' ? name : null;
}

/** What to call an assigned technician: the name stored with the assignment, else their chat's, else their id. */
export function technicianName(technician: Pick<LocationAssignment, 'userName' | 'userId'>, chat: StoredConversation | null): string {
  return technician.userName ?? (chat ? nameInAddress(chat.address) : null) ?? technician.userId;
}

/** "Tom Tech (direct message)". */
export function directMessageLabel(technician: Pick<LocationAssignment, 'userName' | 'userId'>, chat: StoredConversation | null): string {
  return `${technicianName(technician, chat)} (direct message)`;
}
