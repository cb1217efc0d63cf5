import { z } from 'zod';
import type { Platform } from '../../services/auth/principal.ts';
import { roles, type Role } from '../../services/auth/role.ts';
import { DomainError } from '../../services/shared/errors.ts';
import { errorReply, type Reply } from '../views/reply.ts';
import { actorOf } from './actor.ts';
import { defineCommand, type CommandContext, type CommandForm } from './command-spec.ts';

export const objectIdPattern = /^\{?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\}?$/i;
// Words people type between the role and the person ("grant technician to @Tom and @Ann").
export const fillerWords = new Set(['to', 'from', 'and', 'for']);

export interface RoleChangeArgs {
  role: Role;
  /** Entra object ids (or other platforms' user ids) typed instead of mentions, in lower case. */
  objectIds: string[];
}

/**
 * "<role> @person… | <object id>…". The people mentioned come from the door (context.mentions),
 * which takes their mentions out of the text; what is left after the role is typed ids.
 */
export function roleChangeArgs(verb: 'grant' | 'revoke') {
  return z.string().transform((text, ctx): RoleChangeArgs => {
    const [first = '', ...rest] = text.split(/[\s,]+/).filter((word) => word !== '');
    const word = first.toLowerCase();
    const role = roles.find((name) => word === name || word === `${name}s`);
    if (!role) {
      const said = word === '' ? 'say which role' : `"${first}" is not a role; say which role`;
      ctx.addIssue({ code: 'custom', message: `${said}: ${roles.join(', ')}` });
      return z.NEVER;
    }
    const objectIds: string[] = [];
    for (const token of rest) {
      if (fillerWords.has(token.toLowerCase())) continue;
      const id = objectIdPattern.exec(token)?.[1];
      if (id) {
        objectIds.push(id.toLowerCase());
        continue;
      }
      const hint = token.startsWith('@')
        ? 'type @ and pick the person from the list, so it becomes a mention'
        : 'name people by @mention or by Entra object id';
      ctx.addIssue({ code: 'custom', message: `I can't tell who "${token}" is: ${hint}` });
      return z.NEVER;
    }
    void verb;
    return { role, objectIds };
  });
}

/** A person to change a role of: a principal of the platform the command came from. */
export interface Person {
  platform: Platform;
  /** Their platform user id (Teams: Entra object id). */
  userId: string;
  /** What to call them in a reply: their name when known, else their object id. */
  label: string;
  name: string | null;
}

/**
 * The people a grant or revoke is about: the message's mentions (each resolved by the door to a
 * user id of its platform) and the ids typed. Both name users of the speaker's platform: a
 * Teams admin grants Teams users, a Slack admin Slack users. Every mention must be resolved
 * before anything changes.
 */
export async function peopleToChange(context: CommandContext, args: RoleChangeArgs): Promise<Person[]> {
  const unresolved = context.mentions.filter((mention) => mention.userId === null).map((mention) => mention.name);
  if (unresolved.length > 0) {
    throw new DomainError(
      'not_found',
      `I couldn't find ${unresolved.join(', ')} among the members of this conversation. ` +
        'Mention a person who is a member of this team or chat, or type their Entra object id instead (they can see it with "whoami").',
    );
  }

  // Names for typed ids: the speaker's own, or the one stored with a role they hold here.
  const { platform } = context.principal;
  const known = new Map<string, string>();
  if (args.objectIds.length > 0) {
    for (const holder of await context.services.roles.list(context.tenantId)) {
      if (holder.userName && holder.platform === platform) known.set(holder.userId.toLowerCase(), holder.userName);
    }
    const { userId, displayName } = context.principal;
    if (userId && displayName) known.set(userId.toLowerCase(), displayName);
  }

  const people = new Map<string, Person>();
  for (const mention of context.mentions) {
    const id = mention.userId as string;
    people.set(id.toLowerCase(), { platform, userId: id, name: mention.name, label: mention.name });
  }
  for (const id of args.objectIds) {
    if (people.has(id)) continue;
    const name = known.get(id) ?? null;
    people.set(id, { platform, userId: id, name, label: name ?? id });
  }
  return [...people.values()];
}

/**
 * When nobody is named (no mention, no typed id): the usage, as for any argument that does not
 * fit; null when someone is. `whom` says who to mention, e.g. "the person to grant technician".
 */
export function nobodyNamed(context: CommandContext, objectIds: readonly string[], verb: string, whom: string, usage: string): Reply | null {
  if (context.mentions.length > 0 || objectIds.length > 0) return null;
  const problem = `@mention ${whom} (in a channel or group chat), or type their Entra object id (they see it with "whoami").`;
  return errorReply(`That doesn't fit "${verb}"`, problem, null, usage);
}

/** The grant and revoke dialogs: a role, and a person of the conversation or a typed id. */
export function roleChangeForm(verb: 'grant' | 'revoke'): CommandForm {
  return {
    title: verb === 'grant' ? 'Grant a role' : 'Revoke a role',
    intro: verb === 'grant' ? 'Give a person a role in this organisation.' : 'Take a role away from a person in this organisation.',
    submitLabel: verb === 'grant' ? 'Grant' : 'Revoke',
    fields: [
      { id: 'role', label: 'Role', kind: 'choice', required: true, choices: roles.map((role) => ({ value: role, label: role })) },
      // In a team or group chat, its members to pick from; in personal chat, a typed id.
      { id: 'user', label: 'Person', kind: 'text', suggestAs: 'pick', required: true, placeholder: 'Entra object id', hint: 'A member of this conversation, or their Entra object id (they see it with whoami).' },
    ],
    async suggest(context) {
      // Not the person asking: nobody grants themselves a role here.
      const members = ((await context.members?.()) ?? []).filter((member) => member.userId !== context.principal.userId?.toLowerCase());
      return members.length > 0 ? { user: members.map((member) => ({ value: member.userId, label: member.name })) } : {};
    },
    check(values) {
      const errors: Record<string, string> = {};
      if (!roles.includes(values.role as Role)) errors.role = `Choose one of ${roles.join(', ')}.`;
      if (!objectIdPattern.test((values.user ?? '').trim())) errors.user = 'Pick a person, or type an Entra object id (a GUID such as 8f3c2a4e-…).';
      return errors;
    },
    toArgs: (values) => `${values.role ?? ''} ${(values.user ?? '').trim()}`,
  };
}

export const grantCommand = defineCommand({
  name: 'grant',
  aliases: [],
  summary: 'Give people a role in this organisation: admin, technician or manager.',
  usage: 'grant admin|technician|manager @person',
  operation: 'grant',
  args: roleChangeArgs('grant'),
  form: roleChangeForm('grant'),
  async run(context, args) {
    const nobody = nobodyNamed(context, args.objectIds, 'grant', `the person to grant ${args.role}`, this.usage);
    if (nobody) return nobody;
    const actor = actorOf(context);
    const people = await peopleToChange(context, args);
    const lines: string[] = [];
    for (const person of people) {
      const outcome = await context.services.roles.grant(actor, context.tenantId, { platform: person.platform, userId: person.userId, name: person.name }, args.role);
      lines.push(outcome === 'granted' ? `Granted ${args.role} to ${person.label}.` : `${person.label} already is ${args.role}.`);
    }
    return { text: lines.join('\n\n') };
  },
});
