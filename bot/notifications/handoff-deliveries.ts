// The hand-off cards of the technicians channel: posted when codes are issued (one card, or a
// card per location and page: bot/views/handoff-pages.ts), and redrawn in place as devices
// move: a device's event redraws the cards that show it (its page, the batch's whole card or
// summary), never the other pages.
//
// When the channel still says a card is too big (413), the delivery engine asks `split`: the
// page is cut in two, the first half replaces the card in place (its tracking moves to the
// narrower subject) and the second is posted beside it. Smaller pages, not a retry loop.
import type { StoredConversation } from '../../services/conversations/conversation-repository.ts';
import type { Handoff } from '../../services/devices/handoffs.ts';
import type { Services } from '../../services/index.ts';
import { handoffCard } from '../views/handoff-cards.ts';
import { fitsOneCard, halves, handoffPages, pageBySubject, pageShows, type HandoffPage } from '../views/handoff-pages.ts';
import { view } from '../views/reply.ts';
import { codeHandoffView } from '../views/handoff-view.ts';
import type { PlannedDelivery } from './outgoing-message.ts';

const keyOf = (conversation: StoredConversation, subject: string) => `handoff:${conversation.channelId}:${conversation.conversationId}:${subject}`;

export function createHandoffDeliveries(services: Services) {
  const { conversations, postedCards } = services;

  const where = (conversation: StoredConversation, activityId: string) => ({ channelId: conversation.channelId, conversationId: conversation.conversationId, activityId });

  /** A page to post (or, with `update`, to draw over an earlier card), with its halves should the channel find it too big. */
  function pageDelivery(handoff: Handoff, timeZone: string, page: HandoffPage, conversation: StoredConversation, update?: { activityId: string; replaces: string }): PlannedDelivery {
    const { tenantId } = handoff;
    return {
      key: update ? `redraw-handoff-${update.activityId}:${conversation.conversationId}:${page.subject}` : keyOf(conversation, page.subject),
      conversation,
      message: { view: view('codeHandoff', codeHandoffView(handoff, timeZone, page)) },
      ...(update ? { update: { activityId: update.activityId } } : {}),
      // Remembered when posted, and when a half takes over a card (its row moves to the half's subject).
      ...(update?.replaces === page.subject
        ? {}
        : {
            async onPosted(activityId: string) {
              if (update) await postedCards.forget(tenantId, 'handoff', update.replaces, where(conversation, activityId));
              await postedCards.remember(tenantId, 'handoff', page.subject, where(conversation, activityId));
            },
          }),
      async split() {
        const [first, second] = halves(handoff, page);
        if (!first || !second) return [];
        // The first half takes the card's place (updated, or posted); the second is a new card.
        return [pageDelivery(handoff, timeZone, first, conversation, update), pageDelivery(handoff, timeZone, second, conversation)];
      },
    };
  }

  /** codes.issued: every card of the batch, to the technicians channel. */
  async function post(tenantId: string, batchId: string, technicians: StoredConversation): Promise<PlannedDelivery[]> {
    const [handoff, profile] = await Promise.all([services.devices.handoffs.get(tenantId, batchId), services.tenants.profile(tenantId)]);
    if (fitsOneCard(handoff)) {
      return [
        {
          key: `handoff:${technicians.channelId}:${technicians.conversationId}`,
          conversation: technicians,
          message: { view: handoffCard(handoff, profile.timeZone, batchId)! },
          onPosted: (activityId) => postedCards.remember(tenantId, 'handoff', batchId, where(technicians, activityId)),
        },
      ];
    }
    return handoffPages(handoff).map((page) => pageDelivery(handoff, profile.timeZone, page, technicians));
  }

  /** A device's event: every posted card of its batches that shows it, redrawn in place. */
  async function redraw(tenantId: string, deviceId: string): Promise<PlannedDelivery[]> {
    const deliveries: PlannedDelivery[] = [];
    for (const batchId of await services.devices.handoffs.batchesOfDevice(tenantId, deviceId)) {
      const posted = await postedCards.findWithPrefix(tenantId, 'handoff', batchId);
      if (posted.length === 0) continue;
      const [handoff, profile] = await Promise.all([services.devices.handoffs.get(tenantId, batchId), services.tenants.profile(tenantId)]);
      const device = handoff.devices.find((candidate) => candidate.deviceId === deviceId);
      for (const card of posted) {
        // The batch's own card (whole, or the summary) counts every device; a page only its own.
        if (card.subject !== batchId && (!device || !pageShows(card.subject, device))) continue;
        const conversation = await conversations.find(tenantId, card.channelId, card.conversationId);
        if (!conversation) continue;
        const page = card.subject === batchId ? null : pageBySubject(handoff, card.subject);
        if (page) {
          deliveries.push(pageDelivery(handoff, profile.timeZone, page, conversation, { activityId: card.activityId, replaces: card.subject }));
          continue;
        }
        const drawn = handoffCard(handoff, profile.timeZone, card.subject);
        if (drawn) deliveries.push({ key: `redraw-handoff-${card.activityId}:${conversation.conversationId}`, conversation, message: { view: drawn }, update: { activityId: card.activityId } });
      }
    }
    return deliveries;
  }

  return { post, redraw };
}
