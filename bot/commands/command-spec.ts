// The shape of every chat command. One spec per file, listed in commands/index.ts; the
// router, `help` and (later) the Teams manifest's command list all read the same specs.
import type { z } from 'zod';
import type { Services } from '../../services/index.ts';

/** Who is talking and where, taken from the activity (never from the message text). */
export interface CommandContext {
  tenantId: string;
  user: { aadObjectId: string | null; name: string | null };
  conversation: { id: string; type: 'personal' | 'channel' | 'groupChat' | 'unknown' };
  services: Services;
  /** Every registered command, for commands that describe the others. */
  commands: readonly CommandSpec[];
}

export interface CommandReply {
  /** Markdown, as Teams renders it in a message. */
  text: string;
}

export interface CommandSpec<Args = unknown> {
  name: string;
  aliases: readonly string[];
  /** One line for `help` and the manifest's command list. */
  summary: string;
  /** How to type it, e.g. "help [command]". */
  usage: string;
  /** Validates the text after the command name (trimmed; "" when there is none). */
  args: z.ZodType<Args, string>;
  run(context: CommandContext, args: Args): Promise<CommandReply>;
}

/** Keeps each spec's argument type while listing specs of different types together. */
export function defineCommand<Args>(spec: CommandSpec<Args>): CommandSpec {
  return spec as unknown as CommandSpec;
}
