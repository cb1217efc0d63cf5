import { z } from 'zod';
import { renderCard } from '../../cards/render.ts';
import { unsafeCharacterIn } from '../../services/shared/plain-text.ts';
import { importResultView } from '../views/import-view.ts';
import { actorOf } from './actor.ts';
import { defineCommand } from './command-spec.ts';

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

export const registerCommand = defineCommand({
  name: 'register',
  aliases: ['add'],
  summary: 'Register device MAC addresses, each with an optional location (one device per line).',
  usage: 'register <MAC> [location]',
  permission: ['admin'],
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
  async run(context, text) {
    const report = await context.services.devices.registry.register(actorOf(context), context.tenantId, parseRegisterLines(text));
    return { card: renderCard('importResult', importResultView(report, `Registered ${report.added.length} of ${report.added.length + report.alreadyRegistered.length + report.updated.length + report.rejected.length + report.duplicates.length}`)) };
  },
});
