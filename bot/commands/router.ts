// Turns one message into one command run: find the command, validate its arguments, run
// it. It is the one place that turns a DomainError into words for the user; anything else
// thrown is a bug and goes to the chat adapter's error handler (apology + reference).
import { describePermission, isAllowed } from '../../services/auth/role.ts';
import { DomainError } from '../../services/shared/errors.ts';
import type { CommandContext, CommandReply } from './command-spec.ts';
import { findCommand, suggestCommands } from './find-command.ts';

export interface ParsedMessage {
  word: string;
  rest: string;
}

/** "Register  00-11…" → { word: "register", rest: "00-11…" }; lines after the first stay in `rest`. */
export function parseMessage(text: string): ParsedMessage {
  const trimmed = text.trim();
  const match = /^(\S+)\s*([\s\S]*)$/.exec(trimmed);
  return match ? { word: (match[1] ?? '').toLowerCase(), rest: (match[2] ?? '').trim() } : { word: '', rest: '' };
}

export async function routeMessage(text: string, context: CommandContext): Promise<CommandReply & { command: string | null }> {
  const { word, rest } = parseMessage(text);
  if (word === '') {
    return { command: null, text: 'Hi! Type **help** to see what I can do.' };
  }

  const command = findCommand(context.commands, word);
  if (!command) {
    const suggestions = suggestCommands(context.commands, word);
    const didYouMean = suggestions.length > 0 ? ` Did you mean **${suggestions.join('** or **')}**?` : '';
    return { command: null, text: `I don't know the command "${word}".${didYouMean} Type **help** to see what I can do.` };
  }

  if (!isAllowed(context.roles, command.permission)) {
    return {
      command: command.name,
      text: `**${command.name}** needs ${describePermission(command.permission)}, which you don't have here. Ask an admin to grant it ("grant <role> @you").`,
    };
  }

  const args = command.args.safeParse(rest);
  if (!args.success) {
    const reason = args.error.issues.map((issue) => issue.message).join('; ');
    return { command: command.name, text: `That doesn't fit **${command.name}**: ${reason}. Usage: **${command.usage}**` };
  }

  try {
    return { command: command.name, ...(await command.run(context, args.data)) };
  } catch (error) {
    if (error instanceof DomainError) {
      return { command: command.name, text: `${error.message} (${error.code})` };
    }
    throw error;
  }
}
