import { z } from 'zod';
import type { CodeTarget } from '../../services/devices/verification-codes.ts';
import { waitingOnActivation } from '../../services/devices/device-state.ts';
import { handoffReply, withLines } from '../views/handoff-cards.ts';
import { devicesByLocation, fitsOneCard } from '../views/handoff-pages.ts';
import type { Handoff } from '../../services/devices/handoffs.ts';
import type { Services } from '../../services/index.ts';
import { locationKeyOf } from '../../services/time-zones.ts';
import { technicianName } from '../notifications/handoff-deliveries.ts';
import { formatDuration } from '../views/job-views.ts';
import { errorReply } from '../views/reply.ts';
import { confirmationReply } from './confirmation.ts';
import { actorOf } from './actor.ts';
import { defineCommand } from './command-spec.ts';
import { locationChoices } from './form-choices.ts';

/** Above this many devices, `codes all` asks for confirmation first. */
export const confirmAbove = 50;

const target = z
  .string()
  .min(1, 'say which devices: one or more MACs, "all", or "location NAME"')
  .transform((text): CodeTarget => {
    if (/^all$/i.test(text)) return { all: true };
    const location = /^location\s+(.+)$/i.exec(text);
    if (location?.[1]) return { location: location[1].trim() };
    return { macs: text.split(/[\s,;]+/).filter((mac) => mac !== '') };
  });

const targets = ['all', 'location', 'macs'] as const;

/** Where the codes went, as the admin needs to hear it: this card, or the technicians' pages. */
function whereCodesGo(techniciansChannel: boolean, oneCard: boolean): string {
  if (oneCard) {
    return techniciansChannel
      ? 'The technicians channel gets this hand-off card too.'
      : 'No technicians channel is set up yet: run "@Provisioning setup technicians" in their channel, or share this card.';
  }
  return techniciansChannel
    ? 'The technicians channel gets the codes: a card per location, 20 devices a card.'
    : 'No technicians channel is set up yet: run "@Provisioning setup technicians" in their channel (the codes go there then, on the next "codes"), or give them "export codes".';
}

/**
 * Where the codes of locations with assigned technicians go: by direct message to them, not
 * the channel; and who cannot get them because they never talked to the bot.
 */
async function assignedLines(services: Services, tenantId: string, handoff: Handoff): Promise<string[]> {
  const assigned = await services.assignments.byLocation(tenantId);
  if (assigned.size === 0) return [];
  const lines: string[] = [];
  for (const location of devicesByLocation(handoff).keys()) {
    const technicians = assigned.get(locationKeyOf(location));
    if (!technicians) continue;
    const reached: string[] = [];
    const unreached: string[] = [];
    for (const technician of technicians) {
      const chat = await services.conversations.findPersonalChat(tenantId, { platform: technician.platform, userId: technician.userId });
      (chat ? reached : unreached).push(technicianName(technician, chat));
    }
    const to = reached.length > 0 ? `by direct message to ${reached.join(', ')}` : 'to nobody';
    lines.push(`${location}: codes sent ${to}, not the technicians channel.`);
    if (unreached.length > 0) lines.push(`${location}: ${unreached.join(', ')} never talked to the bot, so I can't send them the codes: ask them to send the bot a message (e.g. "whoami"), then issue again, or give them "export codes".`);
  }
  return lines;
}

export const codesCommand = defineCommand({
  name: 'codes',
  aliases: ['code', 'issue'],
  summary: 'Issue verification codes for devices, a location, or all waiting on activation; technicians get the hand-off card.',
  usage: 'codes MAC…|all|location NAME',
  operation: 'issueCodes',
  args: target,
  form: {
    title: 'Issue codes',
    intro: 'New verification codes for devices waiting on activation. Codes issued earlier for the same devices stop working; the technicians channel gets the hand-off card.',
    submitLabel: 'Issue codes',
    fields: [
      {
        id: 'target',
        label: 'For',
        kind: 'choice',
        required: true,
        choices: [
          { value: 'all', label: 'Every device waiting on activation' },
          { value: 'location', label: 'The devices at one location' },
          { value: 'macs', label: 'These devices (MAC addresses)' },
        ],
      },
      { id: 'location', label: 'Location', kind: 'text', required: false, placeholder: 'e.g. Lobby', hint: 'When "For" is one location.' },
      { id: 'macs', label: 'MAC addresses', kind: 'multiline', required: false, placeholder: '00-04-F2-81-24-B3', hint: 'When "For" is these devices: one per line.' },
    ],
    suggest: locationChoices,
    check(values) {
      const chosen = values.target ?? '';
      if (!(targets as readonly string[]).includes(chosen)) return { target: 'Choose all, one location, or these devices.' };
      if (chosen === 'location' && (values.location ?? '').trim() === '') return { location: 'Say which location.' };
      if (chosen === 'macs' && (values.macs ?? '').trim() === '') return { macs: 'Give at least one MAC address.' };
      return {};
    },
    toArgs(values) {
      if (values.target === 'all') return 'all';
      if (values.target === 'location') return `location ${(values.location ?? '').trim()}`;
      return (values.macs ?? '').split(/[\s,;]+/).filter((mac) => mac !== '').join(' ');
    },
  },
  async run(context, wanted) {
    const { services, tenantId } = context;
    const validFor = formatDuration(services.settings.codeTtlMs);
    if ('all' in wanted && !context.confirmed) {
      const waiting = await services.devices.queries.list(tenantId, { states: waitingOnActivation });
      if (waiting.length > confirmAbove) {
        return confirmationReply(services.clock.now(), {
          title: `Issue codes for ${waiting.length} devices?`,
          text: `Every device waiting on activation gets a new code valid ${validFor}; codes issued earlier stop working. The technicians channel receives the hand-off card.`,
          command: 'codes',
          args: 'all',
        });
      }
    }
    const report = await services.devices.codes.issue(actorOf(context), tenantId, wanted);
    const skipped = report.skipped.map((entry) => `- ${entry.mac}: ${entry.reason}`).join('\n');
    if (report.issued.length === 0) {
      return errorReply(
        'No code issued',
        skipped ? `None of these devices can get a code:\n\n${skipped}` : 'No device is waiting on activation.',
        skipped ? null : 'register MAC [location]',
      );
    }
    const profile = await services.tenants.profile(tenantId);
    const handoff = await services.devices.handoffs.get(tenantId, report.batchId);
    const technicians = await services.conversations.findAudience(tenantId, 'technicians');
    const toAssigned = await assignedLines(services, tenantId, handoff);
    // With assigned technicians, the channel gets only the locations nobody is assigned to.
    const where =
      toAssigned.length === 0
        ? whereCodesGo(technicians !== null, fitsOneCard(handoff))
        : technicians
          ? 'Locations nobody is assigned to go to the technicians channel.'
          : 'Locations nobody is assigned to: no technicians channel is set up yet (run "@Provisioning setup technicians" there), or give them "export codes".';
    // A tracked card goes alone, its sentence inside it: some clients split text and card into
    // two messages, and the card's id (to redraw it) would be lost.
    const issued = `${report.issued.length} ${report.issued.length === 1 ? 'code' : 'codes'} issued. ${where}`;
    const skippedLines = report.skipped.map((entry) => `Skipped ${entry.mac}: ${entry.reason}`);
    return {
      ...withLines(handoffReply(handoff, profile.timeZone), [issued, ...toAssigned, ...skippedLines]),
    };
  },
});
