import { z } from 'zod';
import { renderCard } from '../../cards/render.ts';
import type { CodeTarget } from '../../services/devices/verification-codes.ts';
import { waitingOnActivation } from '../../services/devices/device-state.ts';
import { codeHandoffView } from '../views/handoff-view.ts';
import { confirmationCard } from './confirmation.ts';
import { actorOf } from './actor.ts';
import { defineCommand } from './command-spec.ts';

/** Above this many devices, `codes all` asks for confirmation first. */
export const confirmAbove = 50;

const target = z
  .string()
  .min(1, 'say which devices: one or more MACs, "all", or "location <name>"')
  .transform((text): CodeTarget => {
    if (/^all$/i.test(text)) return { all: true };
    const location = /^location\s+(.+)$/i.exec(text);
    if (location?.[1]) return { location: location[1].trim() };
    return { macs: text.split(/[\s,;]+/).filter((mac) => mac !== '') };
  });

export const codesCommand = defineCommand({
  name: 'codes',
  aliases: ['code', 'issue'],
  summary: 'Issue verification codes (valid 24 h) for devices, a location, or all waiting on activation; technicians get the hand-off card.',
  usage: 'codes <MAC…|all|location <name>>',
  permission: ['admin'],
  args: target,
  async run(context, wanted) {
    const { services, tenantId } = context;
    if ('all' in wanted && !context.confirmed) {
      const waiting = await services.devices.queries.list(tenantId, { states: waitingOnActivation });
      if (waiting.length > confirmAbove) {
        return {
          card: confirmationCard(services.clock.now(), {
            title: `Issue codes for ${waiting.length} devices?`,
            text: `Every device waiting on activation gets a new code valid 24 hours; codes issued earlier stop working. The technicians channel receives the hand-off card.`,
            command: 'codes',
            args: 'all',
          }),
        };
      }
    }
    const report = await services.devices.codes.issue(actorOf(context), tenantId, wanted);
    const skipped = report.skipped.map((entry) => `- ${entry.mac}: ${entry.reason}`).join('\n');
    if (report.issued.length === 0) {
      return { text: `No code issued.${skipped ? `\n\n${skipped}` : ' No device is waiting on activation.'}` };
    }
    const profile = await services.tenants.profile(tenantId);
    const handoff = await services.devices.handoffs.get(tenantId, report.batchId);
    const technicians = await services.conversations.findAudience(tenantId, 'technicians');
    const where = technicians
      ? 'The technicians channel gets this hand-off card too.'
      : 'No technicians channel is set up yet: run "@Provisioning setup technicians" in their channel, or share this card.';
    return {
      card: renderCard('codeHandoff', codeHandoffView(handoff, profile.timeZone)),
      text: `${report.issued.length} codes issued. ${where}${skipped ? `\n\nSkipped:\n${skipped}` : ''}`,
      track: { kind: 'handoff', subject: report.batchId },
    };
  },
});
