// The two buttons of a confirmation card. "Yes" runs the command it was asked for, as the
// person who presses it (their roles are checked again), unless the confirmation expired.
import { z } from 'zod';
import { verbs } from './verbs.ts';
import { DomainError } from '../../services/shared/errors.ts';
import { confirmationValidityMs } from '../commands/confirmation.ts';
import { findCommand } from '../commands/find-command.ts';
import { runCommand } from '../commands/router.ts';
import { view } from '../views/reply.ts';
import { defineAction } from './action-spec.ts';
import { quoted } from './card-data.ts';

// What the confirmation card carries: a command name, the text typed after it, when it expires.
const commandName = z.string({ error: 'this card names no command; type the command again' }).min(1, 'this card names no command; type the command again').max(50, 'not a command name');

export const confirmAction = defineAction({
  verb: verbs.confirm,
  operation: 'answerConfirmation',
  data: z.object({
    command: commandName,
    args: z.string({ error: 'this card carries no arguments; type the command again' }).max(10_000, 'the arguments are longer than any command takes'),
    expiresAt: z.string({ error: 'this card carries no expiry; type the command again' }).max(40, 'not a time'),
  }),
  async run(context, { command: name, args, expiresAt }) {
    const expiry = Date.parse(expiresAt);
    const now = context.services.clock.now().getTime();
    if (!Number.isFinite(expiry) || expiry <= now) {
      throw new DomainError('conflict', `This confirmation expired; nothing was done. Type "${quoted(`${name} ${args}`)}" again.`);
    }
    // The card's expiry is data the client sends back: one further ahead than any confirmation
    // this bot issues was not written by it (a minute of leeway for clocks between instances).
    if (expiry > now + confirmationValidityMs + 60_000) {
      throw new DomainError('invalid_input', `This confirmation was not issued by me (it claims to be valid until ${new Date(expiry).toISOString()}); nothing was done. Type the command again.`);
    }
    const command = findCommand(context.commands, name);
    if (!command) throw new DomainError('not_found', `There is no command "${quoted(name)}" any more. Type "help".`);
    if (!command.args.safeParse(args).success) throw new DomainError('invalid_input', `This confirmation no longer fits "${command.name}". Type the command again.`);
    // The confirmed command runs as the person who pressed "yes": the permission table is asked again.
    const reply = await runCommand(command, args, { ...context, mentions: [], files: [], confirmed: true });
    if (reply.view?.name === 'commandError') {
      // Refused (not allowed, nothing to do…): the confirmation stays, for someone who may, until it expires.
      const { title, problem, suggestion } = reply.view.data;
      return { refused: { code: 'command_refused', title, message: `${title}: ${problem}${suggestion ? ` ${suggestion}` : ''}` } };
    }
    const shown = reply.view ?? view('notice', { title: 'Done', text: reply.text ?? '', style: 'good' });
    return { view: shown, ...(reply.track ? { track: reply.track } : {}) };
  },
});

export const cancelAction = defineAction({
  verb: verbs.cancel,
  operation: 'answerConfirmation',
  data: z.object({ command: commandName }),
  async run(_context, { command }) {
    return { view: view('notice', { title: 'Cancelled', text: `Nothing was done; "${command}" did not run.`, style: 'default' }) };
  },
});
