// The sign-in queue cards of the admins (their channel, or the issuing admin's chat): one card
// per location and page (services/devices/sign-in-queue.ts), posted when its first login code
// is ready and redrawn in place as its devices move (a renewed code, signed in, marked done,
// reset). A device's event touches only the card it is on. Cards are drawn from the current
// state, so a late or repeated delivery never shows an older queue.
import type { StoredConversation } from '../../services/conversations/conversation-repository.ts';
import { queueSubjectOf } from '../../services/devices/sign-in-queue.ts';
import type { Services } from '../../services/index.ts';
import { view } from '../views/reply.ts';
import { signInQueueView } from '../views/sign-in-queue-view.ts';
import type { PlannedDelivery } from './outgoing-message.ts';

export function createSignInQueueDeliveries(services: Services, adminsOf: (tenantId: string, deviceId: string) => Promise<StoredConversation | null>) {
  const { conversations, postedCards } = services;
  const queue = services.devices.signInQueue;

  async function drawn(tenantId: string, ref: { locationKey: string; page: number }) {
    const [page, profile] = await Promise.all([queue.page(tenantId, ref), services.tenants.profile(tenantId)]);
    return view('blocks', signInQueueView(page, services.clock.now(), profile.timeZone));
  }

  /**
   * The device's queue card redrawn in place; when `post` (its login code is ready) and the card
   * was never posted, it is posted to the admins. [] for a device that is in no queue.
   */
  async function forDevice(tenantId: string, deviceId: string, options: { post: boolean }): Promise<PlannedDelivery[]> {
    const ref = await queue.cardOf(tenantId, deviceId);
    if (!ref) return [];
    const subject = queueSubjectOf(ref);
    const posted = await postedCards.find(tenantId, 'sign_in_queue', subject);
    if (posted.length > 0) {
      const card = await drawn(tenantId, ref);
      const deliveries: PlannedDelivery[] = [];
      for (const where of posted) {
        const conversation = await conversations.find(tenantId, where.channelId, where.conversationId);
        if (conversation) deliveries.push({ key: `redraw-queue-${where.activityId}:${conversation.conversationId}`, conversation, message: { view: card }, update: { activityId: where.activityId } });
      }
      return deliveries;
    }
    if (!options.post) return [];
    const destination = await adminsOf(tenantId, deviceId);
    if (!destination) return [];
    return [
      {
        key: `sign-in-queue:${subject}:${destination.channelId}:${destination.conversationId}`,
        conversation: destination,
        message: { view: await drawn(tenantId, ref) },
        onPosted: (activityId) => postedCards.remember(tenantId, 'sign_in_queue', subject, { channelId: destination.channelId, conversationId: destination.conversationId, activityId }),
      },
    ];
  }

  /** Whether the device is in a sign-in queue: its own sign-in cards are then not posted (the queue card shows it). */
  const isQueued = async (tenantId: string, deviceId: string) => (await queue.cardOf(tenantId, deviceId)) !== null;

  return { forDevice, isQueued };
}
