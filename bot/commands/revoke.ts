import { defineCommand } from './command-spec.ts';
import { nobodyNamed, peopleToChange, roleChangeArgs, roleChangeForm } from './grant.ts';

export const revokeCommand = defineCommand({
  name: 'revoke',
  aliases: [],
  summary: 'Take a role away from people in this organisation.',
  usage: 'revoke admin|technician|manager @person',
  operation: 'revoke',
  args: roleChangeArgs('revoke'),
  form: roleChangeForm('revoke'),
  async run(context, args) {
    const { roles } = context.services;
    const nobody = nobodyNamed(context, args.objectIds, 'revoke', `the person to revoke ${args.role}`, this.usage);
    if (nobody) return nobody;
    const people = await peopleToChange(context, args);
    // Admins from the bot's configuration cannot be revoked (the service refuses): ask about
    // them first, so a refusal comes before anyone else has lost a role.
    people.sort((a, b) => Number(roles.isBootstrapAdmin(b)) - Number(roles.isBootstrapAdmin(a)));
    const lines: string[] = [];
    for (const person of people) {
      const outcome = await roles.revoke(context.tenantId, { platform: person.platform, userId: person.userId }, args.role);
      lines.push(outcome === 'revoked' ? `Revoked ${args.role} from ${person.label}.` : `${person.label} does not hold ${args.role}.`);
    }
    return { text: lines.join('\n\n') };
  },
});
