import { z } from 'zod';
import { roles as allRoles, type Role } from '../../services/auth/role.ts';
import type { RoleHolder } from '../../services/auth/roles-service.ts';
import { can } from '../../services/auth/permissions.ts';
import { defineCommand, type CommandContext } from './command-spec.ts';

const headings: Record<Role, string> = { admin: 'Admins', technician: 'Technicians', manager: 'Managers' };

/** The name Teams gave with a stored personal chat (the reference's `user`), if any. */
function nameInReference(reference: unknown): string | null {
  const name = (reference as { user?: { name?: unknown } } | null)?.user?.name;
  return typeof name === 'string' && name.trim() !== '' ? name : null;
}

/**
 * Bootstrap admins are admins in every tenant, but their object ids belong to one: a tenant
 * sees by name only those who have talked to the bot from it (or hold a role there); the
 * others are only counted, so one organisation's user ids are not shown to another.
 */
async function bootstrapAdminsSeenHere(context: CommandContext, holders: readonly RoleHolder[]) {
  const names = new Map<string, string | null>();
  for (const holder of holders) {
    const id = holder.userAadObjectId.toLowerCase();
    if (!holder.bootstrap && (holder.userName || !names.has(id))) names.set(id, holder.userName);
  }
  const seen: { id: string; name: string | null }[] = [];
  let unseen = 0;
  for (const holder of holders.filter((candidate) => candidate.bootstrap)) {
    const id = holder.userAadObjectId.toLowerCase();
    if (context.principal.userId?.toLowerCase() === id) {
      seen.push({ id, name: context.principal.displayName });
      continue;
    }
    const chat = await context.services.conversations.findPersonalChat(context.tenantId, id);
    if (chat || names.has(id)) seen.push({ id, name: names.get(id) ?? nameInReference(chat?.reference) });
    else unseen += 1;
  }
  return { seen, unseen };
}

export const rolesCommand = defineCommand({
  name: 'roles',
  aliases: [],
  summary: 'List who holds which role in this organisation.',
  usage: 'roles',
  operation: 'listRoles',
  args: z.literal('', { error: 'roles takes nothing after it' }),
  async run(context) {
    const holders = await context.services.roles.list(context.tenantId);
    const { seen, unseen } = await bootstrapAdminsSeenHere(context, holders);

    const byRole = new Map<Role, string[]>(allRoles.map((role) => [role, []]));
    const fromConfig = new Set(seen.map((admin) => admin.id));
    for (const admin of seen) byRole.get('admin')?.push(`${admin.name ?? admin.id} (from the bot's configuration)`);
    for (const holder of holders) {
      if (holder.bootstrap || (holder.role === 'admin' && fromConfig.has(holder.userAadObjectId.toLowerCase()))) continue;
      byRole.get(holder.role)?.push(holder.userName ?? holder.userAadObjectId);
    }

    const lines = ['**Roles in this organisation**'];
    for (const role of allRoles) {
      const people = byRole.get(role) ?? [];
      lines.push(`**${headings[role]}:** ${people.length > 0 ? people.join(', ') : 'nobody yet'}`);
    }
    if (unseen > 0) {
      lines.push(`Also admin everywhere: ${unseen === 1 ? '1 person' : `${unseen} people`} listed in ADMIN_USER_IDS in the bot's configuration.`);
    }
    if (can(context.roles, 'grant')) lines.push('Change them with **grant <role> @person** and **revoke <role> @person**.');
    return { text: lines.join('\n\n') };
  },
});
