import { z } from 'zod';
import { roles, type Role } from '../../services/auth/role.ts';
import { DomainError } from '../../services/shared/errors.ts';
import { defineCommand, type CommandContext } from './command-spec.ts';

const objectIdPattern = /^\{?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\}?$/i;
// Words people type between the role and the person ("grant technician to @Tom and @Ann").
const fillerWords = new Set(['to', 'from', 'and', 'for']);

export interface RoleChangeArgs {
  role: Role;
  /** Entra object ids typed instead of mentions, in lower case as Teams sends them. */
  objectIds: string[];
  /** Whether the text held @mentions (the people come from the activity's mention entities). */
  mentioned: boolean;
}

/** "<role> @person… | <object id>…" — the people themselves come from the message's mentions. */
export function roleChangeArgs(verb: 'grant' | 'revoke') {
  return z.string().transform((text, ctx): RoleChangeArgs => {
    const [first = '', ...rest] = text.replace(/<at>[\s\S]*?<\/at>/gi, ' ').split(/[\s,]+/).filter((word) => word !== '');
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
        ? 'type @ and pick the person from the list, so Teams makes it a mention'
        : 'name people by @mention or by Entra object id';
      ctx.addIssue({ code: 'custom', message: `I can't tell who "${token}" is: ${hint}` });
      return z.NEVER;
    }
    const mentioned = /<at>/i.test(text);
    if (!mentioned && objectIds.length === 0) {
      ctx.addIssue({ code: 'custom', message: `@mention the person to ${verb} ${role} (in a channel or group chat), or type their Entra object id (they see it with **whoami**)` });
      return z.NEVER;
    }
    return { role, objectIds, mentioned };
  });
}

export interface Person {
  aadObjectId: string;
  /** What to call them in a reply: their name when known, else their object id. */
  label: string;
  name: string | null;
}

/**
 * The people a grant or revoke is about: the message's mentions (each resolved to an object id
 * through Teams) and the object ids typed. Every mention must be resolved before anything changes.
 */
export async function peopleToChange(context: CommandContext, args: RoleChangeArgs): Promise<Person[]> {
  const unresolved = context.mentions.filter((mention) => mention.aadObjectId === null).map((mention) => mention.name);
  if (unresolved.length > 0) {
    throw new DomainError(
      'not_found',
      `I couldn't find ${unresolved.join(', ')} among the members of this conversation. ` +
        'Mention a person who is a member of this team or chat, or type their Entra object id instead (they can see it with **whoami**).',
    );
  }
  if (args.mentioned && context.mentions.length === 0) {
    // The text held a mention, but the activity carried no mention entity for it.
    throw new DomainError('not_found', "I couldn't tell who you mentioned. Mention them again, or type their Entra object id (they can see it with **whoami**).");
  }

  // Names for typed ids: the speaker's own, or the one stored with a role they hold here.
  const known = new Map<string, string>();
  if (args.objectIds.length > 0) {
    for (const holder of await context.services.roles.list(context.tenantId)) {
      if (holder.userName) known.set(holder.userAadObjectId.toLowerCase(), holder.userName);
    }
    if (context.user.aadObjectId && context.user.name) known.set(context.user.aadObjectId.toLowerCase(), context.user.name);
  }

  const people = new Map<string, Person>();
  for (const mention of context.mentions) {
    const id = mention.aadObjectId as string;
    people.set(id.toLowerCase(), { aadObjectId: id, name: mention.name, label: mention.name });
  }
  for (const id of args.objectIds) {
    if (people.has(id)) continue;
    const name = known.get(id) ?? null;
    people.set(id, { aadObjectId: id, name, label: name ?? id });
  }
  return [...people.values()];
}

export function actingUser(context: CommandContext): { kind: 'user'; id: string } {
  // Roles come from the object id, so whoever passed the permission check has one.
  if (!context.user.aadObjectId) throw new DomainError('forbidden', 'This channel does not tell me who you are, so I cannot change roles for you.');
  return { kind: 'user', id: context.user.aadObjectId };
}

export const grantCommand = defineCommand({
  name: 'grant',
  aliases: [],
  summary: 'Give people a role in this organisation: admin, technician or manager.',
  usage: 'grant <admin|technician|manager> @person',
  permission: ['admin'],
  args: roleChangeArgs('grant'),
  async run(context, args) {
    const actor = actingUser(context);
    const people = await peopleToChange(context, args);
    const lines: string[] = [];
    for (const person of people) {
      const outcome = await context.services.roles.grant(actor, context.tenantId, { aadObjectId: person.aadObjectId, name: person.name }, args.role);
      lines.push(outcome === 'granted' ? `Granted ${args.role} to ${person.label}.` : `${person.label} already is ${args.role}.`);
    }
    return { text: lines.join('\n\n') };
  },
});
