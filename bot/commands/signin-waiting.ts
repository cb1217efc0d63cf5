// `signin location NAME` and `signin all`: the sign-in of every device waiting for one there is
// requested, each with its planned account, and they join their location's sign-in queue card.
// Devices without a planned account are listed, never guessed. Above 20 devices it asks first.
import { confirmSignInAbove } from '../../services/devices/sign-in-plan.ts';
import { errorReply, view, type Reply } from '../views/reply.ts';
import type { Block } from '../views/view-data.ts';
import { actorOf } from './actor.ts';
import type { CommandContext } from './command-spec.ts';
import { confirmationReply } from './confirmation.ts';

const listed = (macs: readonly string[]) => `${macs.slice(0, 30).join(', ')}${macs.length > 30 ? ` and ${macs.length - 30} more` : ''}`;

export async function signInWaiting(context: CommandContext, location: string | null): Promise<Reply> {
  const { services, tenantId } = context;
  const queue = services.devices.signInQueue;
  const where = location === null ? '' : ` at ${location}`;
  const args = location === null ? 'all' : `location ${location}`;
  if (!context.confirmed) {
    const planned = await queue.requestWaiting(actorOf(context), tenantId, location, { dryRun: true });
    if (planned.request.length > confirmSignInAbove) {
      const profile = await services.tenants.profile(tenantId);
      return confirmationReply(services.clock.now(), {
        title: `Sign in ${planned.request.length} devices${where}?`,
        text: `Each device waiting for sign-in${where} with a planned account shows a login code; the codes appear on the location's sign-in queue card, where someone enters them at the device-login portal.`,
        command: 'signin',
        args,
      }, profile.timeZone);
    }
  }
  const plan = await queue.requestWaiting(actorOf(context), tenantId, location);
  if (plan.request.length === 0 && plan.withoutAccount.length === 0 && plan.alreadyAsked.length === 0) {
    return errorReply('Nothing to sign in', `No device${where} is waiting for sign-in.`, 'list');
  }
  const blocks: Block[] = [
    { kind: 'facts', facts: [
      { title: 'Sign-in requested', value: String(plan.request.length) },
      { title: 'Without a planned account', value: String(plan.withoutAccount.length) },
      { title: 'Already asked', value: String(plan.alreadyAsked.length) },
    ] },
  ];
  if (plan.request.length > 0) blocks.push({ kind: 'text', text: 'Their login codes appear on the sign-in queue card of their location as the devices report them.' });
  if (plan.withoutAccount.length > 0) {
    blocks.push({ kind: 'notice', style: 'attention', text: `No planned account, so not asked (no account is guessed): ${listed(plan.withoutAccount)}. Plan one with "accounts" (MAC,Account lines), or sign each in with "signin MAC account".` });
  }
  return { view: view('blocks', { title: `Sign-in${where}`, summary: `Sign-in requested for ${plan.request.length} devices${where}; ${plan.withoutAccount.length} without a planned account.`, blocks }) };
}
