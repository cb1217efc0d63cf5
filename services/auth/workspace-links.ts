// Which tenant a chat workspace of another platform (a Slack workspace) belongs to. Teams
// conversations name their Entra tenant themselves; a Slack workspace does not, so:
//  - an unlinked workspace is a tenant of its own, "slack:<team id>": its people see only the
//    devices registered from it;
//  - an admin of a tenant asks for a one-time link code (`link slack`, 15 minutes, stored only
//    as a keyed hash) and an admin of the workspace enters it there (`link <code>`): from then
//    on the workspace is that tenant, and its devices are the same seen from Teams or Slack.
// Both steps are audited in the tenant the workspace joins.
import type { Database } from '../../prisma/store.ts';
import { ensureTenant } from '../conversations/conversation-repository.ts';
import { auditRow } from '../devices/audit-log.ts';
import { actorLabel, type Actor } from '../shared/actor.ts';
import type { Clock } from '../shared/clock.ts';
import { DomainError } from '../shared/errors.ts';
import type { KeyedHasher } from '../shared/keyed-hash.ts';
import { randomDigits } from '../shared/random.ts';

export type LinkedPlatform = 'slack';

export const linkCodeValidityMs = 15 * 60_000;
const linkCodeDigits = 8;

/** The tenant of a workspace nobody linked: its own, named after it. */
export function ownTenantOf(platform: LinkedPlatform, workspaceId: string): string {
  return `${platform}:${workspaceId}`;
}

export function createWorkspaceLinks(db: Database, clock: Clock, hasher: KeyedHasher) {
  return {
    /** The tenant the workspace acts in: the linked one, or its own. */
    async tenantOf(platform: LinkedPlatform, workspaceId: string): Promise<string> {
      const link = await db.workspaceLink.findUnique({ where: { platform_workspaceId: { platform, workspaceId } } });
      return link?.tenantId ?? ownTenantOf(platform, workspaceId);
    },

    /** A new one-time code that links a workspace of `platform` to `tenantId` (shown once, never stored in clear). */
    async issueCode(actor: Actor, tenantId: string, platform: LinkedPlatform): Promise<{ code: string; expiresAt: Date }> {
      const now = clock.now();
      const code = randomDigits(linkCodeDigits);
      const expiresAt = new Date(now.getTime() + linkCodeValidityMs);
      await ensureTenant(db, tenantId);
      await db.$transaction(async (tx) => {
        await tx.workspaceLinkCode.deleteMany({ where: { expiresAt: { lt: now } } });
        await tx.workspaceLinkCode.create({ data: { codeHash: hasher.hash(code), platform, tenantId, createdBy: actorLabel(actor), expiresAt, createdAt: now } });
        await tx.auditEvent.create({ data: auditRow({ tenantId, deviceId: null, actor, action: 'workspace.link_code_issued', data: { platform } }, now) });
      });
      return { code, expiresAt };
    },

    /**
     * Links the workspace to the tenant whose code this is; the code is used up. Refused (nothing
     * changes) when the code is unknown, expired, or of another platform.
     */
    async link(actor: Actor, platform: LinkedPlatform, workspaceId: string, code: string): Promise<{ tenantId: string; previousTenantId: string }> {
      const now = clock.now();
      const trimmed = code.replace(/[\s-]/g, '');
      if (!new RegExp(`^\\d{${linkCodeDigits}}$`).test(trimmed)) {
        throw new DomainError('invalid_input', `A link code is ${linkCodeDigits} digits. Ask an admin of your organisation to type "link ${platform}" in Teams and give you the code it shows.`);
      }
      return db.$transaction(async (tx) => {
        const row = await tx.workspaceLinkCode.findUnique({ where: { codeHash: hasher.hash(trimmed) } });
        if (!row || row.platform !== platform || row.expiresAt.getTime() <= now.getTime()) {
          throw new DomainError('not_found', `That link code is not valid (wrong, used or older than 15 minutes); nothing changed. Ask for a new one: "link ${platform}" in Teams.`);
        }
        await tx.workspaceLinkCode.delete({ where: { codeHash: row.codeHash } });
        const existing = await tx.workspaceLink.findUnique({ where: { platform_workspaceId: { platform, workspaceId } } });
        const previousTenantId = existing?.tenantId ?? ownTenantOf(platform, workspaceId);
        await tx.workspaceLink.upsert({
          where: { platform_workspaceId: { platform, workspaceId } },
          create: { platform, workspaceId, tenantId: row.tenantId, linkedBy: actorLabel(actor), linkedAt: now },
          update: { tenantId: row.tenantId, linkedBy: actorLabel(actor), linkedAt: now },
        });
        await tx.auditEvent.create({ data: auditRow({ tenantId: row.tenantId, deviceId: null, actor, action: 'workspace.linked', data: { platform, workspaceId, previousTenantId } }, now) });
        return { tenantId: row.tenantId, previousTenantId };
      });
    },
  };
}

export type WorkspaceLinks = ReturnType<typeof createWorkspaceLinks>;
