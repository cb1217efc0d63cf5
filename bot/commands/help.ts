import { z } from 'zod';
import { can, whoMay } from '../../services/auth/permissions.ts';
import type { ViewAction } from '../views/reply.ts';
import { view } from '../views/reply.ts';
import { defineCommand, type CommandContext, type CommandSpec } from './command-spec.ts';
import { findCommand } from './find-command.ts';
import { unknownCommand } from './router.ts';

function describe(command: CommandSpec): string {
  const aliases = command.aliases.length > 0 ? ` (also: ${command.aliases.join(', ')})` : '';
  return `**${command.usage}** — ${command.summary}${aliases} Who: ${whoMay(command.operation)}.`;
}

/** A button per command form the person may use: the way in without remembering any syntax. */
export function dialogButtons(context: Pick<CommandContext, 'commands' | 'roles'>): ViewAction[] {
  return context.commands
    .filter((command) => command.form && can(context.roles, command.operation))
    .map((command) => ({ label: command.form?.title ?? command.name, dialog: command.name }));
}

export const helpCommand = defineCommand({
  name: 'help',
  aliases: ['?', 'commands'],
  summary: 'List what I can do, or explain one command.',
  usage: 'help [command]',
  operation: 'help',
  args: z.string().max(50, 'name one command, e.g. "help whoami"'),
  async run(context, topic) {
    const { commands } = context;
    if (topic !== '') {
      const word = (topic.split(/\s+/)[0] ?? '').toLowerCase();
      const command = findCommand(commands, word);
      if (!command) return unknownCommand(word, '', commands, 'help ');
      return { text: describe(command) };
    }
    return {
      view: view('help', {
        commands: commands.map((command) => ({
          usage: command.usage,
          summary: command.summary,
          aliases: command.aliases.join(', '),
          permission: whoMay(command.operation),
        })),
        actions: dialogButtons(context),
      }),
    };
  },
});
