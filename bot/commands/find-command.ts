// Looks a typed word up among the commands, and suggests the closest names for a typo.
import type { CommandSpec } from './command-spec.ts';

export function findCommand(commands: readonly CommandSpec[], word: string): CommandSpec | undefined {
  const wanted = word.toLowerCase();
  return commands.find((command) => command.name === wanted || command.aliases.includes(wanted));
}

/** Edit distance between two short words (insertions, deletions, substitutions). */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** Command names within two edits of the word (one for very short words), closest first. */
export function suggestCommands(commands: readonly CommandSpec[], word: string): string[] {
  const wanted = word.toLowerCase();
  const limit = wanted.length <= 3 ? 1 : 2;
  return commands
    .flatMap((command) => [command.name, ...command.aliases].map((name) => ({ command: command.name, distance: editDistance(wanted, name) })))
    .filter((candidate) => candidate.distance <= limit)
    .sort((a, b) => a.distance - b.distance)
    .map((candidate) => candidate.command)
    .filter((name, index, names) => names.indexOf(name) === index);
}
