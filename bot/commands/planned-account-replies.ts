// What register and import say about planned accounts: how many were planned, and the question
// asked before one account is planned on several devices.
import type { RegistrationReport } from '../../services/devices/registry.ts';
import type { Reply } from '../views/reply.ts';
import { sharedAccountsText } from './accounts.ts';
import type { CommandContext } from './command-spec.ts';
import { confirmationReply } from './confirmation.ts';

/** The line beside the import result: "Planned accounts for 3 devices: …". */
export function plannedAccountsText(report: RegistrationReport): { text?: string } {
  const planned = report.accountsPlanned ?? [];
  if (planned.length === 0) return {};
  return { text: `Planned accounts for ${planned.length} ${planned.length === 1 ? 'device' : 'devices'}: each signs in as its account as soon as it comes online ("accounts" lists them).` };
}

export async function sharedAccountsConfirmation(context: CommandContext, shared: NonNullable<RegistrationReport['needsConfirmation']>, command: string, args: string): Promise<Reply> {
  const profile = await context.services.tenants.profile(context.tenantId);
  return confirmationReply(context.services.clock.now(), {
    title: 'Plan one account on several devices?',
    text: `Shared accounts are usually one per device, and these would be on more than one: ${sharedAccountsText(shared)}. Nothing was registered. Confirm to go ahead anyway.`,
    command,
    args,
  }, profile.timeZone);
}
