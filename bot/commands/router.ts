// Turns one message into one command run: find the command, validate its arguments, run
// it. It is the one place that turns a DomainError into words for the user; anything else
// thrown is a bug and goes to the chat adapter's error handler (apology + reference).
import { renderCard } from '../../cards/render.ts';
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
    const didYouMean = suggestions.length > 0 ? `Did you mean ${suggestions.join(' or ')}?` : null;
    return commandError(null, 'Unknown command', `I don't know the command "${word}".`, didYouMean ?? 'Type "help" to see what I can do.', null);
  }

  if (!isAllowed(context.roles, command.permission)) {
    const problem = `"${command.name}" needs ${describePermission(command.permission)}, which you don't have here.`;
    return commandError(command.name, 'Not allowed', problem, 'Ask an admin to grant it: "grant <role> @you".', null);
  }

  const args = command.args.safeParse(rest);
  if (!args.success) {
    const reason = args.error.issues.map((issue) => issue.message).join('; ');
    return commandError(command.name, `That doesn't fit "${command.name}"`, `${reason}.`, null, command.usage);
  }

  try {
    return { command: command.name, ...(await command.run(context, args.data)) };
  } catch (error) {
    if (error instanceof DomainError) {
      return commandError(command.name, 'That did not work', error.message, null, null);
    }
    throw error;
  }
}

/** A command error, as a card: what went wrong and what to type instead. */
function commandError(command: string | null, title: string, problem: string, suggestion: string | null, usage: string | null) {
  return { command, card: renderCard('commandError', { title, problem, suggestion, usage }) };
}
