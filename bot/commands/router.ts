// Turns one request into one command run, whatever door it came through (a typed message, a
// confirmation button, a dialog submit): find the command, authorise it against the one
// permission table, validate its arguments, run it. It is the one place that turns a
// DomainError into words for the user; anything else thrown is a bug and goes to the door's
// error handler (apology + reference).
import { can, whoMay } from '../../services/auth/permissions.ts';
import { DomainError } from '../../services/shared/errors.ts';
import { errorReply, type Reply } from '../views/reply.ts';
import type { CommandContext, CommandSpec } from './command-spec.ts';
import { findCommand, suggestCommands } from './find-command.ts';
import { MAX_DEVICE_CSV_BYTES } from '../../services/devices/csv-device-list.ts';

/**
 * The longest chat message read, checked before any parsing: a 1 MB one-word message kept the
 * event loop busy for about a second (and its echo made a 3 MB reply). A pasted import may be as
 * long as an attached CSV may be large.
 */
export const maxChatTextChars = 100_000;
/** Longer "command" words are no typo of a command: neither compared with each name nor echoed whole. */
const maxSuggestedWordChars = 40;

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

export type RoutedReply = Reply & { command: string | null };

export async function routeMessage(text: string, context: CommandContext): Promise<RoutedReply> {
  if (text.length > maxChatTextChars) {
    const first = (/^\s*(\S{1,20})/.exec(text.slice(0, 64))?.[1] ?? '').toLowerCase();
    const command = findCommand(context.commands, first);
    const limit = command?.name === 'import' ? MAX_DEVICE_CSV_BYTES : maxChatTextChars;
    if (text.length > limit) {
      const kb = (chars: number) => `${Math.round(chars / 1000).toLocaleString('en')} KB`;
      return {
        command: command?.name ?? null,
        ...errorReply(
          'Message too long',
          `That message is ${kb(text.length)} long; I read messages of at most ${kb(limit)}, so nothing was done.`,
          command?.name === 'import' ? 'Split the CSV into smaller parts.' : 'For many devices, attach a CSV to "import" in personal chat with me.',
        ),
      };
    }
  }
  const { word, rest } = parseMessage(text);
  if (word === '') {
    return { command: null, text: 'Hi! Type **help** to see what I can do.' };
  }
  const command = findCommand(context.commands, word);
  if (!command) return { command: null, ...unknownCommand(word, rest, context.commands) };
  return { command: command.name, ...(await runCommand(command, rest, context)) };
}

/** How much of the arguments a button's label and the suggestion line show (the button keeps them all). */
const argsShown = 40;

/** "a long first line…": the start of what was typed after the command, for a label. */
function preview(rest: string): string {
  const firstLine = rest.split('\n')[0]?.trim() ?? '';
  const cut = [...firstLine].length > argsShown ? `${[...firstLine].slice(0, argsShown - 1).join('').trimEnd()}…` : firstLine;
  return firstLine !== rest.trim() && !cut.endsWith('…') ? `${cut} …` : cut;
}

/**
 * A command that does not exist. Each close name is offered as a button that runs it with
 * the same arguments ("stauts 00-04-…" → **status 00-04-…**), as if typed.
 */
export function unknownCommand(word: string, rest: string, commands: readonly CommandSpec[], prefix = ''): Reply {
  if (word.length > maxSuggestedWordChars) {
    return errorReply('Unknown command', `I don't know the command "${[...word].slice(0, maxSuggestedWordChars - 1).join('')}…".`, 'Type "help" to see what I can do.');
  }
  const suggestions = suggestCommands(commands, word).slice(0, 3);
  const problem = `I don't know the command "${word}".`;
  if (suggestions.length === 0) return errorReply('Unknown command', problem, 'Type "help" to see what I can do.');
  const typed = (name: string) => `${prefix}${name}${rest === '' ? '' : ` ${rest}`}`;
  const shown = (name: string) => `${prefix}${name}${rest === '' ? '' : ` ${preview(rest)}`}`;
  return errorReply(
    'Unknown command',
    `${problem} Did you mean ${suggestions.join(' or ')}?`,
    suggestions.map(shown).join(' or '),
    null,
    suggestions.map((name) => ({ label: shown(name), command: typed(name), style: 'positive' as const })),
  );
}

/** The refusal of a command the principal's roles do not allow; null when allowed. */
export function refusalOf(command: CommandSpec, context: Pick<CommandContext, 'roles'>): Reply | null {
  if (can(context.roles, command.operation)) return null;
  return errorReply('Not allowed', `"${command.name}" needs ${whoMay(command.operation)}, which you don't have here.`, 'Ask an admin to grant it: "grant ROLE @you".');
}

/** Authorise, validate, run: the same steps for every door. Refusals change nothing. */
export async function runCommand(command: CommandSpec, rest: string, context: CommandContext): Promise<Reply> {
  const refusal = refusalOf(command, context);
  if (refusal) return refusal;
  const args = command.args.safeParse(rest);
  if (!args.success) {
    const reason = args.error.issues.map((issue) => issue.message).join('; ');
    return errorReply(`That doesn't fit "${command.name}"`, `${reason}.`, null, command.usage);
  }
  try {
    return await command.run(context, args.data);
  } catch (error) {
    if (error instanceof DomainError) return errorReply('That did not work', error.message);
    throw error;
  }
}
