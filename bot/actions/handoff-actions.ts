import { z } from 'zod';
import { verbs } from './verbs.ts';
import type { TechnicianMark } from '../../services/devices/handoffs.ts';
import { actorOf } from '../commands/actor.ts';
import { codeHandoffView } from '../views/handoff-view.ts';
import { view } from '../views/reply.ts';
import { defineAction } from './action-spec.ts';
import { cardId } from './card-data.ts';

const markData = z.object({
  batchId: cardId('hand-off'),
  mac: z.string({ error: 'choose the device in the list first' }).min(1, 'choose the device in the list first').max(64, 'not a device from the list'),
  note: z.string({ error: 'the note must be text' }).max(500, 'the note is longer than 500 characters; shorten it').optional(),
});

function markAction(verb: string, kind: TechnicianMark) {
  return defineAction({
    verb,
    operation: kind === 'installed' ? 'markInstalled' : 'reportProblem',
    data: markData,
    async run(context, { batchId, mac, note }) {
      const { services, tenantId } = context;
      const handoff = await services.devices.handoffs.mark(actorOf(context), tenantId, batchId, mac, kind, note ?? null);
      const profile = await services.tenants.profile(tenantId);
      return { view: view('codeHandoff', codeHandoffView(handoff, profile.timeZone)), track: { kind: 'handoff', subject: batchId } };
    },
  });
}

export const markInstalledAction = markAction(verbs.markInstalled, 'installed');
export const reportProblemAction = markAction(verbs.reportProblem, 'problem');
