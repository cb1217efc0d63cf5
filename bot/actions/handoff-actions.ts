import { z } from 'zod';
import { verbs } from './verbs.ts';
import type { Handoff, TechnicianMark } from '../../services/devices/handoffs.ts';
import { parseMac } from '../../services/devices/mac-address.ts';
import { actorOf } from '../commands/actor.ts';
import { handoffCard } from '../views/handoff-cards.ts';
import { fitsOneCard, pageBySubject, pageOfDevice } from '../views/handoff-pages.ts';
import { defineAction } from './action-spec.ts';
import { cardId } from './card-data.ts';

const markData = z.object({
  batchId: cardId('hand-off'),
  // The card the form is on (bot/views/handoff-pages.ts); cards posted before pages had none.
  page: z.string({ error: 'the page must be text' }).max(200, 'not a page of this hand-off').optional(),
  mac: z.string({ error: 'choose the device in the list first' }).min(1, 'choose the device in the list first').max(64, 'not a device from the list'),
  note: z.string({ error: 'the note must be text' }).max(500, 'the note is longer than 500 characters; shorten it').optional(),
});

/**
 * The pressed card, redrawn as what it showed: its page, or the whole batch. A card of before
 * pages (the whole batch, now too large for one card) becomes the page of the marked device.
 */
function pressedCard(handoff: Handoff, page: string | undefined, rawMac: string): string {
  if (page !== undefined && pageBySubject(handoff, page)) return page;
  if (fitsOneCard(handoff)) return handoff.batchId;
  const parsed = parseMac(rawMac);
  return (parsed.ok ? pageOfDevice(handoff, parsed.mac)?.subject : undefined) ?? handoff.batchId;
}

function markAction(verb: string, kind: TechnicianMark) {
  return defineAction({
    verb,
    operation: kind === 'installed' ? 'markInstalled' : 'reportProblem',
    data: markData,
    async run(context, { batchId, page, mac, note }) {
      const { services, tenantId } = context;
      const handoff = await services.devices.handoffs.mark(actorOf(context), tenantId, batchId, mac, kind, note ?? null);
      const profile = await services.tenants.profile(tenantId);
      const subject = pressedCard(handoff, page, mac);
      return { view: handoffCard(handoff, profile.timeZone, subject)!, track: { kind: 'handoff', subject } };
    },
  });
}

export const markInstalledAction = markAction(verbs.markInstalled, 'installed');
export const reportProblemAction = markAction(verbs.reportProblem, 'problem');
