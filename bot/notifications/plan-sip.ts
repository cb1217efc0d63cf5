// Who hears about SIP Gateway bulk sign-in, and what they see (all in the admins channel):
//   sip.batch_progress  → the batch card: posted once, then redrawn in place as items finish
//   sip.batch_completed → the batch card redrawn, and one completion summary
//   sip.batch_stuck     → one notice: no progress for 30 minutes
//   sip.deadline        → a warning (48 h, 66 h after onboarding) or "deadline expired", once each
// The card is drawn from the batch as it is now, so a late or repeated delivery never shows an older state.
import type { StoredConversation } from '../../services/conversations/conversation-repository.ts';
import type { Services } from '../../services/index.ts';
import type { DomainEvent } from '../../services/notifications/domain-events.ts';
import { view, type View } from '../views/reply.ts';
import { sipBatchCardView, sipCompletedView, sipDeadlineView, sipStuckView } from '../views/sip-views.ts';
import type { PlannedDelivery } from './outgoing-message.ts';

type SipEvent = Extract<DomainEvent, { kind: `sip.${string}` }>;

const keyOf = (purpose: string, conversation: StoredConversation) => `${purpose}:${conversation.channelId}:${conversation.conversationId}`;

export async function planSip(services: Services, event: SipEvent): Promise<PlannedDelivery[]> {
  const { tenantId } = event;
  const admins = await services.conversations.findAudience(tenantId, 'admins');
  if (!admins) return [];
  const { timeZone } = await services.tenants.profile(tenantId);
  const now = services.clock.now();
  if (event.kind === 'sip.deadline') {
    const purpose = `sip-deadline:${event.leadHours ?? 'expired'}:${event.deadline}:${event.accounts[0]?.hardwareId ?? ''}`;
    return [{ key: keyOf(purpose, admins), conversation: admins, message: { view: view('blocks', sipDeadlineView(event, timeZone)) } }];
  }
  const batch = await services.sip.signIn.batch(tenantId, event.batchId);
  const card = (): View => view('blocks', sipBatchCardView(batch, now, timeZone));
  if (event.kind === 'sip.batch_stuck') {
    return [{ key: keyOf(`sip-stuck:${event.batchId}`, admins), conversation: admins, message: { view: view('blocks', sipStuckView(batch, new Date(event.since), timeZone)) } }];
  }
  const deliveries: PlannedDelivery[] = [];
  const posted = await services.postedCards.find(tenantId, 'sip_batch', event.batchId);
  if (posted.length === 0) {
    deliveries.push({
      key: keyOf(`sip-batch:${event.batchId}`, admins),
      conversation: admins,
      message: { view: card() },
      onPosted: (activityId) => services.postedCards.remember(tenantId, 'sip_batch', event.batchId, { channelId: admins.channelId, conversationId: admins.conversationId, activityId }),
    });
  } else {
    for (const where of posted) {
      const conversation = await services.conversations.find(tenantId, where.channelId, where.conversationId);
      if (conversation) deliveries.push({ key: `redraw-sip_batch-${where.activityId}:${conversation.conversationId}`, conversation, message: { view: card() }, update: { activityId: where.activityId } });
    }
  }
  if (event.kind === 'sip.batch_completed') {
    deliveries.push({ key: keyOf(`sip-completed:${event.batchId}`, admins), conversation: admins, message: { view: view('blocks', sipCompletedView(batch)) } });
  }
  return deliveries;
}
