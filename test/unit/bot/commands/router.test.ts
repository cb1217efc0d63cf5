import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { defineCommand, type CommandContext } from '../../../../bot/commands/command-spec.ts';
import { parseMessage, routeMessage } from '../../../../bot/commands/router.ts';
import type { Services } from '../../../../services/index.ts';
import { DomainError } from '../../../../services/shared/errors.ts';
import { cardTexts, teamsCardOf } from '../../../helpers/card-text.ts';

describe('parseMessage', () => {
  it.each([
    ['help', { word: 'help', rest: '' }],
    ['  Register   00-11-22-33-44-55  ', { word: 'register', rest: '00-11-22-33-44-55' }],
    ['HELP WhoAmI', { word: 'help', rest: 'WhoAmI' }],
    ['register\n00-11-22-33-44-55\n00-11-22-33-44-66', { word: 'register', rest: '00-11-22-33-44-55\n00-11-22-33-44-66' }],
    ['import\tlobby  phones\n', { word: 'import', rest: 'lobby  phones' }],
    ['', { word: '', rest: '' }],
    [' \n\t ', { word: '', rest: '' }],
  ])('%j is %o', (text, expected) => {
    expect(parseMessage(text)).toEqual(expected);
  });
});

describe('routeMessage', () => {
  const echo = defineCommand({
    name: 'echo',
    aliases: ['say'],
    summary: 'Say it back.',
    usage: 'echo <text>',
    operation: 'help',
    args: z.string().min(1, 'say what to echo'),
    run: async (_context, text) => ({ text: `echo: ${text}` }),
  });
  const lookup = defineCommand({
    name: 'lookup',
    aliases: [],
    summary: 'Fails as the domain does.',
    usage: 'lookup',
    operation: 'help',
    args: z.string(),
    run: async () => {
      throw new DomainError('not_found', 'No device AA-BB-CC-DD-EE-FF in this tenant. Register it first.');
    },
  });
  const crash = defineCommand({
    name: 'crash',
    aliases: [],
    summary: 'Has a bug.',
    usage: 'crash',
    operation: 'help',
    args: z.string(),
    run: async () => {
      throw new TypeError('cannot read properties of undefined');
    },
  });
  // None of these commands uses services.
  const context: CommandContext = {
    tenantId: 'tenant-1',
    principal: { platform: 'teams', tenantId: 'tenant-1', userId: 'user-1', displayName: 'Ada' },
    roles: new Set(),
    conversation: { channelId: 'msteams', id: 'conversation-1', type: 'personal' },
    mentions: [],
    files: [],
    services: {} as Services,
    commands: [echo, lookup, crash],
  };

  it.each([
    ['', null, 'Hi! Type **help** to see what I can do.'],
    ['   ', null, 'Hi! Type **help** to see what I can do.'],
    ['echo hello there', 'echo', 'echo: hello there'],
    ['SAY hello', 'echo', 'echo: hello'],
    ['echo line one\nline two', 'echo', 'echo: line one\nline two'],
  ])('%j answers from %s: %j', async (text, command, reply) => {
    expect(await routeMessage(text, context)).toEqual({ command, text: reply });
  });

  it.each([
    ['ecko hi', null, ['Unknown command', 'I don\'t know the command "ecko". Did you mean echo?', 'echo hi']],
    ['xyzzy', null, ['Unknown command', 'I don\'t know the command "xyzzy".', 'Type "help" to see what I can do.']],
    ['echo', 'echo', ['That doesn\'t fit "echo"', 'say what to echo.', 'echo <text>']],
    ['lookup AA-BB', 'lookup', ['That did not work', 'No device AA-BB-CC-DD-EE-FF in this tenant. Register it first.']],
  ])('%j answers from %s with an error card showing %j', async (text, command, shown) => {
    const reply = await routeMessage(text, context);
    expect(reply.command).toBe(command);
    const texts = cardTexts(teamsCardOf(reply));
    for (const part of shown) expect(texts).toContain(part);
  });

  it('"did you mean" is a button per close name that runs it with the same arguments, as if typed', async () => {
    const status = defineCommand({ name: 'status', aliases: [], summary: 's', usage: 'status MAC', operation: 'help', args: z.string(), run: async (_c, mac) => ({ text: `status of ${mac}` }) });
    const stats = defineCommand({ name: 'stats', aliases: [], summary: 's', usage: 'stats', operation: 'help', args: z.string(), run: async () => ({ text: 'stats' }) });
    const commands = [status, stats];
    const reply = await routeMessage('stauts 00-04-F2-81-24-B3', { ...context, commands });
    expect(reply.command).toBeNull();
    expect(reply.view?.name).toBe('commandError');
    expect(reply.view?.data).toMatchObject({
      problem: 'I don\'t know the command "stauts". Did you mean stats or status?',
      actions: [
        { label: 'stats 00-04-F2-81-24-B3', command: 'stats 00-04-F2-81-24-B3' },
        { label: 'status 00-04-F2-81-24-B3', command: 'status 00-04-F2-81-24-B3' },
      ],
    });
    // In Teams each is an imBack: pressing it sends the command text, which the router then runs.
    const buttons = (teamsCardOf(reply)?.actions ?? []) as { type: string; title: string; data: { msteams: { type: string; value: string } } }[];
    expect(buttons.map((b) => [b.type, b.title, b.data.msteams])).toEqual([
      ['Action.Submit', 'stats 00-04-F2-81-24-B3', { type: 'imBack', value: 'stats 00-04-F2-81-24-B3' }],
      ['Action.Submit', 'status 00-04-F2-81-24-B3', { type: 'imBack', value: 'status 00-04-F2-81-24-B3' }],
    ]);
    expect(await routeMessage(buttons[1]!.data.msteams.value, { ...context, commands })).toEqual({ command: 'status', text: 'status of 00-04-F2-81-24-B3' });
  });

  it('a did-you-mean button keeps every line of the arguments; its label shows the start', async () => {
    const register = defineCommand({ name: 'register', aliases: [], summary: 'r', usage: 'register MAC', operation: 'help', args: z.string(), run: async (_c, text) => ({ text }) });
    const typed = 'regster 00-04-F2-81-24-B3 Lobby and the long name of the building\n00-04-F2-81-24-B4 Lobby';
    const reply = await routeMessage(typed, { ...context, commands: [register] });
    const [button] = (reply.view?.data as { actions: { label: string; command: string }[] }).actions;
    expect(button).toEqual({ label: 'register 00-04-F2-81-24-B3 Lobby and the long na…', command: 'register 00-04-F2-81-24-B3 Lobby and the long name of the building\n00-04-F2-81-24-B4 Lobby', style: 'positive' });
  });

  it('a word close to nothing gets no button, only the way to the command list', async () => {
    const reply = await routeMessage('xyzzy 1', context);
    expect(reply.view?.data).not.toHaveProperty('actions');
  });

  it('a command the user has no role for is refused with the role it needs, and does not run', async () => {
    const adminOnly = defineCommand({ name: 'wipe', aliases: [], summary: 'wipe', usage: 'wipe', operation: 'register', args: z.string(), run: async () => { throw new Error('must not run'); } });
    const reply = await routeMessage('wipe', { ...context, commands: [adminOnly], roles: new Set(['technician']) });
    expect(cardTexts(teamsCardOf(reply)).join(' ')).toContain('"wipe" needs the admin role');
    const allowed = await routeMessage('wipe', { ...context, commands: [adminOnly], roles: new Set(['admin']) }).catch((error: Error) => error.message);
    expect(allowed).toBe('must not run');
  });

  it('an error that is not a DomainError reaches the caller unchanged', async () => {
    await expect(routeMessage('crash', context)).rejects.toThrow(new TypeError('cannot read properties of undefined'));
  });
});
