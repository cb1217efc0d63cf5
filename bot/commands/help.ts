import { z } from 'zod';
import { renderCard } from '../../cards/render.ts';
import { describePermission } from '../../services/auth/role.ts';
import { defineCommand, type CommandSpec } from './command-spec.ts';
import { findCommand } from './find-command.ts';

function describe(command: CommandSpec): string {
  const aliases = command.aliases.length > 0 ? ` (also: ${command.aliases.join(', ')})` : '';
  return `**${command.usage}** — ${command.summary}${aliases} Who: ${describePermission(command.permission)}.`;
}

export const helpCommand = defineCommand({
  name: 'help',
  aliases: ['?', 'commands'],
  summary: 'List what I can do, or explain one command.',
  usage: 'help [command]',
  permission: 'anyone',
  args: z.string().max(50, 'name one command, e.g. "help whoami"'),
  async run({ commands }, topic) {
    if (topic !== '') {
      const command = findCommand(commands, topic.split(/\s+/)[0] ?? '');
      if (!command) return { text: `There is no command "${topic}". Type **help** to see them all.` };
      return { text: describe(command) };
    }
    return {
      card: renderCard('help', {
        commands: commands.map((command) => ({
          usage: command.usage,
          summary: command.summary,
          aliases: command.aliases.join(', '),
          permission: describePermission(command.permission),
        })),
      }),
    };
  },
});
