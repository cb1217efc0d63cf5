import { z } from 'zod';
import { parseMac } from '../../services/devices/mac-address.ts';
import { unsafeCharacterIn } from '../../services/shared/plain-text.ts';
import { view } from '../views/reply.ts';
import { importResultView } from '../views/import-view.ts';
import { actorOf } from './actor.ts';
import { defineCommand } from './command-spec.ts';
import { locationChoices } from './form-choices.ts';

/** "00-04-F2-81-24-B3 Lobby, floor 2" → MAC and location; one device per line. */
export function parseRegisterLines(text: string) {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .map((line) => {
      const [mac = '', ...rest] = line.split(/\s+/);
      return { mac, location: rest.join(' ') || null };
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
  usage: 'register MAC [location]',
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
      return errors;
    },
    toArgs(values) {
      const location = (values.location ?? '').trim();
      return macsInField(values.macs ?? '')
        .map((mac) => (location ? `${mac} ${location}` : mac))
        .join('\n');
    },
  },
  async run(context, text) {
    const report = await context.services.devices.registry.register(actorOf(context), context.tenantId, parseRegisterLines(text));
    const total = report.added.length + report.alreadyRegistered.length + report.updated.length + report.rejected.length + report.duplicates.length;
    return { view: view('importResult', importResultView(report, `Registered ${report.added.length} of ${total}`)) };
  },
});
