import { z } from 'zod';
import { verbs } from './verbs.ts';
import { MAX_LOCATION_LENGTH } from '../../services/devices/csv-device-list.ts';
import { DomainError } from '../../services/shared/errors.ts';
import { actorOf } from '../commands/actor.ts';
import { handoffReply } from '../views/handoff-cards.ts';
import { defineAction } from './action-spec.ts';
import { cardId } from './card-data.ts';

/**
 * Expiry warning card: codes cannot be extended, so the batch's devices at that location still
 * waiting on activation get new codes; the warning becomes the new hand-off card (and the
 * technicians channel gets it too, from the codes.issued event).
 */
export const regenerateCodesAction = defineAction({
  verb: verbs.regenerateCodes,
  operation: 'issueCodes',
  // The card sends "" for devices without a location.
  // A stored location is at most MAX_LOCATION_LENGTH characters, each at most two UTF-16 units.
  data: z.object({ batchId: cardId('hand-off'), location: z.string({ error: 'the location must be text' }).max(2 * MAX_LOCATION_LENGTH, 'not a location of this hand-off').default('') }),
  async run(context, { batchId, location }) {
    const { services, tenantId } = context;
    const macs = await services.reporting.regenerableMacs(tenantId, batchId, location === '' ? null : location);
    if (macs.length === 0) {
      throw new DomainError('conflict', 'None of these devices is waiting on activation any more: they are provisioned, or have newer codes. Type "list waiting" to see what still needs one.');
    }
    const report = await services.devices.codes.issue(actorOf(context), tenantId, { macs });
    if (report.issued.length === 0) {
      throw new DomainError('conflict', 'No new code was needed: these devices were provisioned meanwhile. Type "list waiting" to see what still needs one.');
    }
    const [handoff, profile] = await Promise.all([services.devices.handoffs.get(tenantId, report.batchId), services.tenants.profile(tenantId)]);
    return handoffReply(handoff, profile.timeZone);
  },
});
