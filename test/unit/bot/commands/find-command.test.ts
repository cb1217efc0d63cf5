import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { defineCommand, type CommandSpec } from '../../../../bot/commands/command-spec.ts';
import { editDistance, findCommand, suggestCommands } from '../../../../bot/commands/find-command.ts';

const spec = (name: string, ...aliases: string[]): CommandSpec =>
  defineCommand({ name, aliases, summary: name, usage: name, operation: 'help', args: z.string(), run: async () => ({ text: name }) });

const commands = [spec('help', '?', 'commands'), spec('whoami', 'me'), spec('reboot'), spec('revoke'), spec('status', 'stat')];

describe('findCommand', () => {
  it.each([
    ['help', 'help'],
    ['HELP', 'help'],
    ['?', 'help'],
    ['Commands', 'help'],
    ['me', 'whoami'],
    ['ME', 'whoami'],
    ['stat', 'status'],
    ['hel', undefined],
    ['', undefined],
  ])('"%s" finds %s', (word, expected) => {
    expect(findCommand(commands, word)?.name).toBe(expected);
  });
});

describe('editDistance', () => {
  it.each([
    ['', '', 0],
    ['', 'abc', 3],
    ['abc', '', 3],
    ['help', 'help', 0],
    ['help', 'hel', 1],
    ['help', 'hxlp', 1],
    ['help', 'hlep', 2],
    ['kitten', 'sitting', 3],
    ['flaw', 'lawn', 2],
  ])('from "%s" to "%s" is %i', (a, b, expected) => {
    expect(editDistance(a, b)).toBe(expected);
    expect(editDistance(b, a)).toBe(expected);
  });
});

describe('suggestCommands', () => {
  it.each([
    ['hlep', ['help'], 'two edits away in a longer word'],
    ['HLEP', ['help'], 'whatever the case'],
    ['hep', ['help'], 'one edit away in a short word'],
    ['hl', [], 'not two edits away in a short word'],
    ['whoam', ['whoami'], 'a missing last letter'],
    ['mee', ['whoami'], 'close to an alias, by the command name'],
    ['rebok', ['reboot', 'revoke'], 'the closest first'],
    ['stats', ['status'], 'once, when close to both its name and its alias'],
    ['provision', [], 'nothing when nothing is close'],
  ])('"%s" suggests %o: %s', (word, expected) => {
    expect(suggestCommands(commands, word)).toEqual(expected);
  });
});
