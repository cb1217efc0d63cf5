import { z } from 'zod';
import { authorize } from '../../services/auth/permissions.ts';
import { buildExport } from '../exports/export-files.ts';
import { defineCommand } from './command-spec.ts';

/** Teams refuses messages much above 28 KB; leave room for the markdown around the CSV. */
export const maxExportChars = 24_000;

/** The CSV in a code block, for a door that serves no files. Every cell is quoted (escapeCsvCell), so no line can close the block. */
function asCodeBlock(csv: string, what: string, rows: number): string {
  const text = csv.replace(/^\uFEFF/, '');
  if (text.length <= maxExportChars) return `${what}: ${rows} rows. Copy into a .csv file or paste into Excel.\n\n\`\`\`\n${text}\`\`\``;
  const kept = text.slice(0, text.lastIndexOf('\n', maxExportChars) + 1);
  const keptRows = kept.split('\n').length - 2;
  return `${what}: the first ${keptRows} of ${rows} rows (a chat message cannot hold more; narrow it down with "list … location NAME").\n\n\`\`\`\n${kept}\`\`\``;
}

export const exportCommand = defineCommand({
  name: 'export',
  aliases: [],
  summary: 'Export devices, or the live codes of the hand-offs (for technicians), as CSV.',
  usage: 'export [devices|codes]',
  operation: 'exportDevices',
  args: z.enum(['', 'devices', 'codes'], { error: 'expected "devices" or "codes"' }),
  async run({ services, tenantId, roles, exportLink }, what) {
    const kind = what === 'codes' ? 'codes' : 'devices';
    // Codes are a narrower operation than the device list: the table says who.
    if (kind === 'codes') authorize(roles, 'exportCodes', 'Exporting codes');
    const file = await buildExport(services, tenantId, kind);
    if (kind === 'codes' && file.rows === 0) return { text: 'No live code to export. Admins issue codes with "codes MAC…|all|location NAME".' };
    const label = kind === 'codes' ? 'Live codes' : 'Devices';
    if (!exportLink) return { text: asCodeBlock(file.csv, label, file.rows) };
    // A file behind a link instead of text: no value can break the message, and the link lapses.
    const link = exportLink(kind);
    return {
      text:
        `${label}: ${file.rows} rows. Download [${file.fileName}](${link.url}) (a CSV for Excel). ` +
        'The link works for 15 minutes, for anyone who has it, and only for this organisation\'s data: do not forward it.',
    };
  },
});
