// The shape of every chat command. One spec per file, listed in commands/index.ts; the
// router, `help`, the dialogs and the Teams manifest's command list all read the same specs.
// A command answers with a platform-neutral Reply (bot/views/reply.ts), never a card.
import type { z } from 'zod';
import type { Role } from '../../services/auth/role.ts';
import type { Operation } from '../../services/auth/permissions.ts';
import type { Principal } from '../../services/auth/principal.ts';
import type { Services } from '../../services/index.ts';
import type { ExportKind } from '../exports/export-links.ts';
import type { Reply } from '../views/reply.ts';
import type { FormField } from '../views/view-data.ts';

export type { Reply, TrackedCard } from '../views/reply.ts';

/** A person named in the message (@mentioned), resolved by the door to their platform user id. */
export interface MentionedUser {
  name: string;
  /** Null when the door could not resolve them (not a member of the conversation, a tag…). */
  userId: string | null;
}

export interface AttachedFile {
  name: string;
  /** Pre-authenticated download URL the platform gives for a file sent to the bot. */
  downloadUrl: string;
  /** False when the URL's host is not one of the platform's file hosts (FILE_DOWNLOAD_HOSTS): never fetched. */
  fromAllowedHost: boolean;
  /** Whether a redirect target is on the same allowed hosts. */
  isAllowedUrl(url: string): boolean;
  /** The door fetches the file itself (Slack: with the bot token); the command then never fetches `downloadUrl`. */
  read?: () => Promise<Buffer>;
}

/** Who is talking and where, taken from the platform's request (never from the message text). */
export interface CommandContext {
  tenantId: string;
  /** Who is acting. */
  principal: Principal;
  /** The roles the principal holds in this tenant (bootstrap admins included). */
  roles: ReadonlySet<Role>;
  conversation: { channelId: string; id: string; type: 'personal' | 'channel' | 'groupChat' | 'unknown' };
  /** People @mentioned in the message, the bot itself excluded. */
  mentions: readonly MentionedUser[];
  /** Files attached to the message (CSV imports). */
  files: readonly AttachedFile[];
  /** The people of this conversation, where the door can list them (forms offer them as choices). */
  members?: () => Promise<{ name: string; userId: string }[]>;
  services: Services;
  /** True when the user confirmed this run on a confirmation card. */
  confirmed?: boolean;
  /** A short-lived download link for one of this tenant's exports, where the door serves them (GET /exports/<token>). */
  exportLink?: (kind: ExportKind) => { url: string; expiresAt: Date };
  /** Every registered command, for commands that describe the others. */
  commands: readonly CommandSpec[];
  /** The platform's workspace the request came from, where the tenant is not the platform's own (Slack: team id). */
  workspaceId?: string;
}

/** What a command answers. */
export type CommandReply = Reply;

/**
 * A command's form, opened as a dialog (Teams) or modal (Slack): its fields, and how the
 * submitted values become the command's argument text (so a submit runs exactly the typed
 * command, with the same validation). `check` finds field errors before anything runs.
 */
export interface CommandForm {
  title: string;
  intro: string;
  submitLabel: string;
  fields: readonly FormField[];
  /** Choices read from the store when the form opens (e.g. the tenant's locations). */
  suggest?(context: CommandContext): Promise<Partial<Record<string, { value: string; label: string }[]>>>;
  /** Field errors of the submitted values, by field id (empty: fine). */
  check?(values: Record<string, string>, context: CommandContext): Partial<Record<string, string>>;
  /** The submitted values as the text typed after the command name. */
  toArgs(values: Record<string, string>): string;
}

export interface CommandSpec<Args = unknown> {
  name: string;
  aliases: readonly string[];
  /** One line for `help` and the manifest's command list. */
  summary: string;
  /** How to type it, e.g. "help [command]". */
  usage: string;
  /** What it does, as the permission table (services/auth/permissions.ts) names it. */
  operation: Operation;
  /** Validates the text after the command name (trimmed; "" when there is none). */
  args: z.ZodType<Args, string>;
  /** The command's dialog, if it has one. */
  form?: CommandForm;
  run(context: CommandContext, args: Args): Promise<Reply>;
}

/** Keeps each spec's argument type while listing specs of different types together. */
export function defineCommand<Args>(spec: CommandSpec<Args>): CommandSpec {
  return spec as unknown as CommandSpec;
}
