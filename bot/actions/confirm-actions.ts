// The two buttons of a confirmation card. "Yes" runs the command it was asked for, as the
// person who presses it (their roles are checked again), unless the confirmation expired.
import { z } from 'zod';
import { renderCard } from '../../cards/render.ts';
import { verbs } from '../../cards/verbs.ts';
import { describePermission, isAllowed } from '../../services/auth/role.ts';
import { DomainError } from '../../services/shared/errors.ts';
import { findCommand } from '../commands/find-command.ts';
import { defineAction } from './action-spec.ts';

export const confirmAction = defineAction({
  verb: verbs.confirm,
  permission: 'anyone',
  data: z.object({ command: z.string(), args: z.string(), expiresAt: z.string() }),
  async run(context, { command: name, args, expiresAt }) {
    const expiry = Date.parse(expiresAt);
    if (!Number.isFinite(expiry) || expiry <= context.services.clock.now().getTime()) {
      throw new DomainError('conflict', `This confirmation expired; nothing was done. Type "${name} ${args}" again.`);
    }
    const command = findCommand(context.commands, name);
    if (!command) throw new DomainError('not_found', `There is no command "${name}" any more. Type "help".`);
    if (!isAllowed(context.roles, command.permission)) {
      throw new DomainError('forbidden', `"${name}" needs ${describePermission(command.permission)}.`);
    }
    const parsed = command.args.safeParse(args);
    if (!parsed.success) throw new DomainError('invalid_input', `This confirmation no longer fits "${name}". Type the command again.`);
    const reply = await command.run({ ...context, mentions: [], files: [], confirmed: true }, parsed.data);
    const card = reply.card ?? renderCard('notice', { title: 'Done', text: reply.text ?? '', style: 'good' });
    return { card, ...(reply.track ? { track: reply.track } : {}) };
  },
});

export const cancelAction = defineAction({
  verb: verbs.cancel,
  permission: 'anyone',
  data: z.object({ command: z.string() }),
  async run(_context, { command }) {
    return { card: renderCard('notice', { title: 'Cancelled', text: `Nothing was done; "${command}" did not run.`, style: 'default' }) };
  },
});
