// The sign-in queue cards of the admins (their channel, or the issuing admin's chat): one card
// per location and page (services/devices/sign-in-queue.ts), posted when its first login code
// is ready and redrawn in place as its devices move (a renewed code, signed in, marked done,
// reset). A device's event touches only the card it is on. Cards are drawn from the current
// state, so a late or repeated delivery never shows an older queue.
//
// A burst of devices (a site's morning roll-out) sends events faster than the outbox delivers
// them: by the time one is planned, the card already shows the devices of the next ones. A
// redraw identical to what the channel last accepted for that card is not sent again (kept per
// instance, after the channel accepted it), so a burst costs one update per change the admins
// can see, not one per event. Measured in bench/benchmarks/sign-in-queue.ts.
import { createHash } from 'node:crypto';
import type { StoredConversation } from '../../services/conversations/conversation-repository.ts';
import { queueSubjectOf } from '../../services/devices/sign-in-queue.ts';
import type { Services } from '../../services/index.ts';
import { view } from '../views/reply.ts';
import { signInQueueView } from '../views/sign-in-queue-view.ts';
import type { PlannedDelivery } from './outgoing-message.ts';

export function createSignInQueueDeliveries(services: Services, adminsOf: (tenantId: string, deviceId: string) => Promise<StoredConversation | null>) {
  const { conversations, postedCards } = services;
  const queue = services.devices.signInQueue;
  /** What each queue card (by activity id) last showed, as the channel accepted it: a hash of the drawn view. */
  const lastShown = new Map<string, string>();
  const shownLimit = 10_000;
  const fingerprint = (card: unknown) => createHash('sha256').update(JSON.stringify(card)).digest('base64url');
  const remember = (activityId: string, hash: string) => {
    if (lastShown.size >= shownLimit) lastShown.delete(lastShown.keys().next().value!);
    lastShown.set(activityId, hash);
  };

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
      const hash = fingerprint(card);
      const deliveries: PlannedDelivery[] = [];
      for (const where of posted) {
        if (lastShown.get(where.activityId) === hash) continue;
        const conversation = await conversations.find(tenantId, where.channelId, where.conversationId);
        if (!conversation) continue;
        deliveries.push({
          key: `redraw-queue-${where.activityId}:${conversation.conversationId}`,
          conversation,
          message: { view: card },
          update: { activityId: where.activityId },
          onPosted: async (activityId) => remember(activityId, hash),
        });
      }
      return deliveries;
    }
    if (!options.post) return [];
    const destination = await adminsOf(tenantId, deviceId);
    if (!destination) return [];
    const card = await drawn(tenantId, ref);
    return [
      {
        key: `sign-in-queue:${subject}:${destination.channelId}:${destination.conversationId}`,
        conversation: destination,
        message: { view: card },
        async onPosted(activityId) {
          await postedCards.remember(tenantId, 'sign_in_queue', subject, { channelId: destination.channelId, conversationId: destination.conversationId, activityId });
          remember(activityId, fingerprint(card));
        },
      },
    ];
  }

  /** Whether the device is in a sign-in queue: its own sign-in cards are then not posted (the queue card shows it). */
  const isQueued = async (tenantId: string, deviceId: string) => (await queue.cardOf(tenantId, deviceId)) !== null;

  return { forDevice, isQueued };
}
