import { z } from 'zod';
import { parseMac } from '../../services/devices/mac-address.ts';
import { unsafeCharacterIn } from '../../services/shared/plain-text.ts';
import { view } from '../views/reply.ts';
import { importResultView } from '../views/import-view.ts';
import { actorOf } from './actor.ts';
import { defineCommand } from './command-spec.ts';
import { locationChoices } from './form-choices.ts';
import { upnProblem } from '../../services/devices/sign-in-plan.ts';
import { plannedAccountsText, sharedAccountsConfirmation } from './planned-account-replies.ts';

/** "00-04-F2-81-24-B3 Lobby, floor 2 account lobby@contoso.com" → MAC, location and planned account; one device per line. */
export function parseRegisterLines(text: string) {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .map((line) => {
      // The planned account comes last, after the word "account" (a location may hold any other word).
      const planned = /^(.*?)(?:^|\s+)account\s+(\S+)$/i.exec(line);
      const [mac = '', ...rest] = (planned ? planned[1]! : line).split(/\s+/);
      return { mac, location: rest.join(' ') || null, ...(planned ? { account: planned[2]! } : {}) };
    });
}

/** The register form's MACs, one per line (any MAC form; commas and semicolons separate too). */
function macsInField(text: string): string[] {
  return text.split(/[\r\n,;]+/).map((mac) => mac.trim()).filter((mac) => mac !== '');
}

export const registerCommand = defineCommand({
  name: 'register',
  aliases: ['add'],
  summary: 'Register device MAC addresses, each with an optional location (one device per line).',
  usage: 'register MAC [location] [account UPN]',
  operation: 'register',
  args: z
    .string()
    .min(1, 'give at least one MAC address, e.g. "register 00-04-F2-81-24-B3 Lobby"')
    .superRefine((text, ctx) => {
      // A location is stored as typed: refuse what no store keeps (services/shared/plain-text.ts).
      const lines = text.split(/\r?\n/);
      const index = lines.findIndex((line) => unsafeCharacterIn(line) !== null);
      if (index !== -1) {
        const where = lines.length > 1 ? `line ${index + 1}` : 'the text';
        ctx.addIssue({ code: 'custom', message: `${where} contains ${unsafeCharacterIn(lines[index] ?? '')}; retype it` });
      }
    }),
  form: {
    title: 'Register devices',
    intro: 'Paste the MAC addresses of the devices, one per line, and where they go.',
    submitLabel: 'Register',
    fields: [
      { id: 'macs', label: 'MAC addresses', kind: 'multiline', required: true, placeholder: '00-04-F2-81-24-B3', hint: 'Any form: 00-04-F2-81-24-B3, 00:04:f2:81:24:b3, 0004.F281.24B3. One per line.' },
      { id: 'location', label: 'Location', kind: 'text', required: false, placeholder: 'e.g. Lobby', hint: 'Type a location (one in use, or a new one); leave it empty for none.' },
      { id: 'account', label: 'Shared account (optional)', kind: 'text', required: false, placeholder: 'lobby-phone@contoso.com', hint: 'The UPN the device signs in with: its sign-in is requested as soon as it comes online.' },
    ],
    suggest: locationChoices,
    check(values) {
      const macs = macsInField(values.macs ?? '');
      const wrong = macs.flatMap((mac) => {
        const parsed = parseMac(mac);
        return parsed.ok ? [] : [`"${mac.slice(0, 40)}" ${parsed.reason}`];
      });
      const errors: Record<string, string> = {};
      if (wrong.length > 0) errors.macs = `Not a MAC address: ${wrong.slice(0, 5).join('; ')}${wrong.length > 5 ? `; and ${wrong.length - 5} more` : ''}. Nothing was registered.`;
      const location = values.location ?? '';
      const unsafe = unsafeCharacterIn(location);
      if (unsafe) errors.location = `The location contains ${unsafe}; retype it.`;
      if (/[\r\n]/.test(location)) errors.location = 'The location is one line.';
      const account = (values.account ?? '').trim();
      const accountProblem = account === '' ? null : upnProblem(account);
      if (accountProblem) errors.account = `Write the account as its UPN, e.g. lobby-phone@contoso.com (${accountProblem}).`;
      return errors;
    },
    toArgs(values) {
      const location = (values.location ?? '').trim();
      const account = (values.account ?? '').trim();
      return macsInField(values.macs ?? '')
        .map((mac) => [mac, location, account ? `account ${account}` : ''].filter((part) => part !== '').join(' '))
        .join('\n');
    },
  },
  async run(context, text) {
    const report = await context.services.devices.registry.register(actorOf(context), context.tenantId, parseRegisterLines(text), { confirmedSharedAccounts: context.confirmed ?? false });
    if (report.needsConfirmation) return sharedAccountsConfirmation(context, report.needsConfirmation, 'register', text);
    const total = report.added.length + report.alreadyRegistered.length + report.updated.length + report.rejected.length + report.duplicates.length;
    return { view: view('importResult', importResultView(report, `Registered ${report.added.length} of ${total}`)), ...plannedAccountsText(report) };
  },
});
