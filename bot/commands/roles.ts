import { z } from 'zod';
import { roles as allRoles, type Role } from '../../services/auth/role.ts';
import type { RoleHolder } from '../../services/auth/roles-service.ts';
import { can } from '../../services/auth/permissions.ts';
import { defineCommand, type CommandContext } from './command-spec.ts';

const headings: Record<Role, string> = { admin: 'Admins', technician: 'Technicians', manager: 'Managers' };

/** The name a stored personal chat's address gives its user (a Teams reference's `user`), if any. */
function nameInAddress(address: unknown): string | null {
  const name = (address as { user?: { name?: unknown } } | null)?.user?.name;
  return typeof name === 'string' && name.trim() !== '' ? name : null;
}

/** One key per principal: the same id on two platforms is two people. */
const principalKey = (holder: { platform: string; userId: string }) => `${holder.platform}:${holder.userId.toLowerCase()}`;

/**
 * Bootstrap admins are admins in every tenant, but their user ids belong to one: a tenant
 * sees by name only those who have talked to the bot from it (or hold a role there); the
 * others are only counted, so one organisation's user ids are not shown to another.
 */
async function bootstrapAdminsSeenHere(context: CommandContext, holders: readonly RoleHolder[]) {
  const names = new Map<string, string | null>();
  for (const holder of holders) {
    const key = principalKey(holder);
    if (!holder.bootstrap && (holder.userName || !names.has(key))) names.set(key, holder.userName);
  }
  const seen: { key: string; id: string; name: string | null }[] = [];
  let unseen = 0;
  const { principal } = context;
  for (const holder of holders.filter((candidate) => candidate.bootstrap)) {
    const key = principalKey(holder);
    const id = holder.userId.toLowerCase();
    if (principal.userId && principal.platform === holder.platform && principal.userId.toLowerCase() === id) {
      seen.push({ key, id, name: principal.displayName });
      continue;
    }
    const chat = await context.services.conversations.findPersonalChat(context.tenantId, { platform: holder.platform, userId: holder.userId });
    if (chat || names.has(key)) seen.push({ key, id, name: names.get(key) ?? nameInAddress(chat?.address) });
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
    const fromConfig = new Set(seen.map((admin) => admin.key));
    for (const admin of seen) byRole.get('admin')?.push(`${admin.name ?? admin.id} (from the bot's configuration)`);
    for (const holder of holders) {
      if (holder.bootstrap || (holder.role === 'admin' && fromConfig.has(principalKey(holder)))) continue;
      byRole.get(holder.role)?.push(holder.userName ?? holder.userId);
    }

    const lines = ['**Roles in this organisation**'];
    for (const role of allRoles) {
      const people = byRole.get(role) ?? [];
      lines.push(`**${headings[role]}:** ${people.length > 0 ? people.join(', ') : 'nobody yet'}`);
    }
    if (unseen > 0) {
      lines.push(`Also admin everywhere: ${unseen === 1 ? '1 person' : `${unseen} people`} listed in ADMIN_USER_IDS in the bot's configuration.`);
    }
    if (can(context.roles, 'grant')) lines.push('Change them with **grant ROLE @person** and **revoke ROLE @person**.');
    return { text: lines.join('\n\n') };
  },
});
