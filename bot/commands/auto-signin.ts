// `auto signin on|off`: whether a device with a planned account gets its sign-in requested as
// soon as it comes online (default on). Off: such devices wait for an admin, as others do.
import { z } from 'zod';
import { noticeReply } from '../views/reply.ts';
import { actorOf } from './actor.ts';
import { defineCommand } from './command-spec.ts';

export const autoSignInArgs = z
  .string()
  .transform((text) => text.trim().toLowerCase().replace(/\s+/g, ' '))
  .pipe(z.enum(['signin', 'signin on', 'signin off', 'sign-in', 'sign-in on', 'sign-in off'], { error: 'write "auto signin on" or "auto signin off" ("auto signin" alone shows which it is)' }))
  .transform((text) => (text.endsWith(' on') ? 'on' : text.endsWith(' off') ? 'off' : 'show') as 'on' | 'off' | 'show');

export const autoSignInCommand = defineCommand({
  name: 'auto',
  aliases: [],
  summary: 'Turn auto sign-in on or off: devices with a planned account get their sign-in requested as they come online (default on).',
  usage: 'auto signin [on|off]',
  operation: 'setAutoSignIn',
  args: autoSignInArgs,
  async run(context, wanted) {
    const { services, tenantId } = context;
    if (wanted !== 'show') await services.devices.signInQueue.setAutoSignIn(actorOf(context), tenantId, wanted === 'on');
    const on = await services.devices.signInQueue.autoSignIn(tenantId);
    return noticeReply(
      `Auto sign-in is ${on ? 'on' : 'off'}`,
      on
        ? 'A device with a planned account gets its sign-in requested as soon as it provisions; its login code appears on its location\'s sign-in queue card. "auto signin off" stops that.'
        : 'Devices wait for an admin to sign them in, planned account or not ("signin location NAME" asks a whole location at once). "auto signin on" turns it back on.',
    );
  },
});
