// The shape of every chat command. One spec per file, listed in commands/index.ts; the
// router, `help` and the Teams manifest's command list all read the same specs.
import type { z } from 'zod';
import type { Role, Permission } from '../../services/auth/role.ts';
import type { Services } from '../../services/index.ts';
import type { AdaptiveCard } from '../../cards/views.ts';

export interface MentionedUser {
  name: string;
  /** Resolved through Teams (the mention itself carries only the Teams user id). */
  aadObjectId: string | null;
}

export interface AttachedFile {
  name: string;
  /** Pre-authenticated download URL Teams gives for files sent in personal chat. */
  downloadUrl: string;
}

/** Who is talking and where, taken from the activity (never from the message text). */
export interface CommandContext {
  tenantId: string;
  user: { aadObjectId: string | null; name: string | null };
  /** The roles the user holds in this tenant (bootstrap admins included). */
  roles: ReadonlySet<Role>;
  conversation: { channelId: string; id: string; type: 'personal' | 'channel' | 'groupChat' | 'unknown' };
  /** People @mentioned in the message, the bot itself excluded. */
  mentions: readonly MentionedUser[];
  /** Files attached to the message (CSV imports from personal chat). */
  files: readonly AttachedFile[];
  services: Services;
  /** True when the user confirmed this run on a confirmation card. */
  confirmed?: boolean;
  /** Every registered command, for commands that describe the others. */
  commands: readonly CommandSpec[];
}

/** A card to redraw later as its subject changes (the chat layer records where it was posted). */
export interface TrackedCard {
  kind: 'handoff' | 'sign_in';
  subject: string;
}

/** What a command answers: markdown text, or a card with its own fallback text. */
export type CommandReply = ({ text: string; card?: undefined } | { card: AdaptiveCard; text?: string }) & { track?: TrackedCard };

export interface CommandSpec<Args = unknown> {
  name: string;
  aliases: readonly string[];
  /** One line for `help` and the manifest's command list. */
  summary: string;
  /** How to type it, e.g. "help [command]". */
  usage: string;
  /** Who may run it. Admins always may. */
  permission: Permission;
  /** Validates the text after the command name (trimmed; "" when there is none). */
  args: z.ZodType<Args, string>;
  run(context: CommandContext, args: Args): Promise<CommandReply>;
}

/** Keeps each spec's argument type while listing specs of different types together. */
export function defineCommand<Args>(spec: CommandSpec<Args>): CommandSpec {
  return spec as unknown as CommandSpec;
}
