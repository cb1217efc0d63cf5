// `accounts`: the shared accounts planned for devices. Alone (or with `location NAME`) it lists
// the devices with and without one; followed by a "MAC,Account" list (a header row first) it
// plans them for devices already registered. One account on two devices asks first.
import { z } from 'zod';
import { readAccountCsv, type AccountsReport, type PlannedAccountRow } from '../../services/devices/planned-accounts.ts';
import { stateLabels } from '../../services/devices/device-state.ts';
import { errorReply, view, type Reply } from '../views/reply.ts';
import type { Block } from '../views/view-data.ts';
import { actorOf } from './actor.ts';
import { defineCommand } from './command-spec.ts';
import { confirmationReply } from './confirmation.ts';

export type AccountsArgs = { kind: 'list'; location: string | null } | { kind: 'plan'; csv: string };

export const accountsArgs = z.string().transform((raw): AccountsArgs => {
  const text = raw.trim();
  if (text === '') return { kind: 'list', location: null };
  const location = /^location\s+(.+)$/is.exec(text);
  if (location && !/[\r\n]/.test(text)) return { kind: 'list', location: location[1]!.trim().replace(/^["“”']|["“”']$/g, '') };
  return { kind: 'plan', csv: text };
});

/** Rows listed on the card; the rest are counted. */
const shownRows = 40;

function listView(rows: readonly PlannedAccountRow[], location: string | null): Reply {
  const withAccount = rows.filter((row) => row.account !== null);
  const without = rows.filter((row) => row.account === null);
  const where = location ? ` at ${location}` : '';
  const table = (list: readonly PlannedAccountRow[], withColumn: boolean): Block => ({
    kind: 'table',
    columns: withColumn ? ['MAC', 'Location', 'Account', 'State'] : ['MAC', 'Location', 'State'],
    rows: list.slice(0, shownRows).map((row) => [row.mac, row.location ?? '—', ...(withColumn ? [row.account ?? ''] : []), stateLabels[row.state]]),
  });
  const more = (list: readonly PlannedAccountRow[]): Block[] => (list.length > shownRows ? [{ kind: 'text', text: `…and ${list.length - shownRows} more.`, subtle: true }] : []);
  const blocks: Block[] = [{ kind: 'facts', facts: [{ title: 'With a planned account', value: String(withAccount.length) }, { title: 'Without one', value: String(without.length) }] }];
  if (withAccount.length > 0) blocks.push({ kind: 'text', text: 'With a planned account (signed in as they come online):' }, table(withAccount, true), ...more(withAccount));
  if (without.length > 0) blocks.push({ kind: 'text', text: 'Without one (they wait for an admin to sign them in):' }, table(without, false), ...more(without));
  if (rows.length === 0) blocks.push({ kind: 'text', text: `No device is registered${where}.` });
  return {
    view: view('blocks', {
      title: `Planned accounts${where}`,
      summary: `${withAccount.length} devices${where} have a planned account, ${without.length} have none.`,
      blocks,
    }),
  };
}

function planView(report: AccountsReport): Reply {
  const blocks: Block[] = [
    { kind: 'facts', facts: [
      { title: 'Planned', value: String(report.planned.length) },
      { title: 'Already so', value: String(report.unchanged.length) },
      { title: 'Not registered', value: String(report.notRegistered.length) },
      { title: 'Refused', value: String(report.rejected.length) },
    ] },
  ];
  if (report.planned.length > 0) blocks.push({ kind: 'table', columns: ['MAC', 'Account', 'Before'], rows: report.planned.slice(0, shownRows).map((row) => [row.mac, row.account, row.previous ?? '—']) });
  if (report.notRegistered.length > 0) blocks.push({ kind: 'notice', style: 'attention', text: `Not registered here, so nothing was planned for them: ${report.notRegistered.slice(0, 20).join(', ')}${report.notRegistered.length > 20 ? ' …' : ''}. Register them first ("register MAC location account UPN"), or import them with an Account column.` });
  if (report.rejected.length > 0) blocks.push({ kind: 'notice', style: 'attention', text: `Refused lines: ${report.rejected.slice(0, 20).map((row) => `line ${row.line} (${row.value}): ${row.reason}`).join('; ')}. Fix them and send those lines again.` });
  if (report.sharedAccounts.length > 0) blocks.push({ kind: 'text', text: `Shared on purpose (confirmed): ${report.sharedAccounts.map((holder) => `${holder.account} on ${holder.macs.join(', ')}`).join('; ')}.` });
  return { view: view('blocks', { title: 'Planned accounts', summary: `${report.planned.length} planned, ${report.rejected.length} refused.`, blocks }) };
}

/** "lobby@contoso.com on 00-04-…-01 and 00-04-…-02": the accounts a confirmation asks about. */
export function sharedAccountsText(shared: readonly { account: string; macs: string[] }[]): string {
  return shared.slice(0, 10).map((holder) => `${holder.account} on ${holder.macs.join(', ')}`).join('; ') + (shared.length > 10 ? `; and ${shared.length - 10} more` : '');
}

export const accountsCommand = defineCommand({
  name: 'accounts',
  aliases: ['account'],
  summary: 'List the shared accounts planned for devices (with and without), or plan them: paste "MAC,Account" lines under a header.',
  usage: 'accounts [location NAME] | accounts + MAC,Account lines',
  operation: 'planAccounts',
  args: accountsArgs,
  async run(context, args) {
    const { services, tenantId } = context;
    if (args.kind === 'list') return listView(await services.devices.plannedAccounts.list(tenantId, args.location), args.location);
    const entries = readAccountCsv(args.csv);
    if (entries.length === 0) return errorReply('No device listed', 'Under the header row, give one device per line: 00-04-F2-81-24-B3,lobby-phone@contoso.com.', null);
    const report = await services.devices.plannedAccounts.plan(actorOf(context), tenantId, entries, { confirmed: context.confirmed ?? false });
    if (report.needsConfirmation.length > 0) {
      const profile = await services.tenants.profile(tenantId);
      return confirmationReply(services.clock.now(), {
        title: 'Plan one account on several devices?',
        text: `Shared accounts are usually one per device, and these would be on more than one: ${sharedAccountsText(report.needsConfirmation)}. Nothing was changed. Confirm to plan them anyway.`,
        command: 'accounts',
        args: args.csv,
      }, profile.timeZone);
    }
    return planView(report);
  },
});
