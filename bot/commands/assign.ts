// `assign LOCATION @technician`, `unassign LOCATION @technician`, `assignments`: technicians
// assigned to a location get its hand-off cards by direct message (their personal chat with
// the bot) instead of the technicians channel, so only they see those codes.
import { z } from 'zod';
import { actorOf } from './actor.ts';
import { defineCommand } from './command-spec.ts';
import { fillerWords, nobodyNamed, objectIdPattern, peopleToChange } from './grant.ts';

export interface AssignArgs {
  location: string;
  /** Entra object ids typed instead of mentions, in lower case. */
  objectIds: string[];
}

/** "LOCATION [object id…]" (mentions are taken out of the text by the door); a location may be quoted. */
const assignArgs = z.string().transform((text, ctx): AssignArgs => {
  const words = text.split(/\s+/).filter((word) => word !== '');
  const objectIds: string[] = [];
  while (words.length > 0) {
    const last = words.at(-1)!;
    const id = objectIdPattern.exec(last.replace(/,$/, ''))?.[1];
    if (id) objectIds.unshift(id.toLowerCase());
    else if (!fillerWords.has(last.toLowerCase())) break;
    words.pop();
  }
  const location = words.join(' ').replace(/^"(.*)"$/s, '$1').trim();
  if (location === '') {
    ctx.addIssue({ code: 'custom', message: 'say which location, then @mention the technician (or type their Entra object id)' });
    return z.NEVER;
  }
  return { location, objectIds };
});

const technicianAfterLocation = 'the technician after the location';

export const assignCommand = defineCommand({
  name: 'assign',
  aliases: [],
  summary: "Assign technicians to a location: its hand-off codes go to them by direct message, not the technicians channel.",
  usage: 'assign LOCATION @technician',
  operation: 'assignLocations',
  args: assignArgs,
  async run(context, args) {
    const nobody = nobodyNamed(context, args.objectIds, 'assign', technicianAfterLocation, this.usage);
    if (nobody) return nobody;
    const actor = actorOf(context);
    const people = await peopleToChange(context, { role: 'technician', objectIds: args.objectIds });
    const lines: string[] = [];
    for (const person of people) {
      const outcome = await context.services.assignments.assign(actor, context.tenantId, args.location, person);
      lines.push(outcome === 'assigned' ? `Assigned ${person.label} to ${args.location}: its hand-off codes go to them by direct message.` : `${person.label} already is assigned to ${args.location}.`);
      const held = await context.services.roles.rolesOf({ platform: person.platform, tenantId: context.tenantId, userId: person.userId });
      if (!held.has('technician')) lines.push(`${person.label} is not a technician here yet: "grant technician" lets them mark devices installed.`);
      const chat = await context.services.conversations.findPersonalChat(context.tenantId, { platform: person.platform, userId: person.userId });
      if (!chat) lines.push(`${person.label} has not talked to the bot yet: ask them to send it a message (e.g. "whoami"), or I can't send them codes.`);
    }
    return { text: lines.join('\n\n') };
  },
});

export const unassignCommand = defineCommand({
  name: 'unassign',
  aliases: [],
  summary: "Take a technician off a location: its hand-off codes go to the technicians channel again when nobody is left.",
  usage: 'unassign LOCATION @technician',
  operation: 'assignLocations',
  args: assignArgs,
  async run(context, args) {
    const nobody = nobodyNamed(context, args.objectIds, 'unassign', technicianAfterLocation, this.usage);
    if (nobody) return nobody;
    const people = await peopleToChange(context, { role: 'technician', objectIds: args.objectIds });
    const lines: string[] = [];
    for (const person of people) {
      const outcome = await context.services.assignments.unassign(context.tenantId, args.location, person);
      lines.push(outcome === 'unassigned' ? `${person.label} is no longer assigned to ${args.location}.` : `${person.label} was not assigned to ${args.location}.`);
    }
    return { text: lines.join('\n\n') };
  },
});

export const assignmentsCommand = defineCommand({
  name: 'assignments',
  aliases: [],
  summary: 'List which technicians are assigned to which locations.',
  usage: 'assignments',
  operation: 'assignLocations',
  args: z.literal('', { error: 'assignments takes nothing after it' }),
  async run(context) {
    const byLocation = await context.services.assignments.byLocation(context.tenantId);
    if (byLocation.size === 0) return { text: 'No technician is assigned to a location: every hand-off card goes to the technicians channel. Assign one with **assign LOCATION @technician**.' };
    const lines = ['**Assigned technicians** (their locations\' codes go to them by direct message)'];
    for (const rows of byLocation.values()) lines.push(`**${rows[0]!.location}:** ${rows.map((row) => row.userName ?? row.userId).join(', ')}`);
    lines.push('Every other location: the technicians channel.');
    return { text: lines.join('\n\n') };
  },
});
