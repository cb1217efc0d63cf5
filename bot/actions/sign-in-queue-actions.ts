// The sign-in queue card's button: an admin signed a device in at the portal and says so. The
// row moves to done at once; the device's own signed-in report confirms it (and a report for
// another account is refused, as for any sign-in).
import { z } from 'zod';
import { queueSubjectOf } from '../../services/devices/sign-in-queue.ts';
import { actorOf } from '../commands/actor.ts';
import { view } from '../views/reply.ts';
import { signInQueueView } from '../views/sign-in-queue-view.ts';
import { defineAction } from './action-spec.ts';
import { cardMac } from './card-data.ts';
import { verbs } from './verbs.ts';

export const signInQueueDoneAction = defineAction({
  verb: verbs.signInQueueDone,
  operation: 'signIn',
  data: z.object({ mac: cardMac }),
  async run(context, { mac }) {
    const { services, tenantId } = context;
    const device = await services.devices.signInQueue.markDone(actorOf(context), tenantId, mac);
    const card = await services.devices.signInQueue.cardOf(tenantId, device.id);
    const profile = await services.tenants.profile(tenantId);
    const page = await services.devices.signInQueue.page(tenantId, card!);
    return { view: view('blocks', signInQueueView(page, services.clock.now(), profile.timeZone)), track: { kind: 'sign_in_queue' as const, subject: queueSubjectOf(card!) } };
  },
});
