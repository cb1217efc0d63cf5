import { z } from 'zod';
import { buildCodeSheet, escapeCsvCell } from '../../services/devices/code-sheet.ts';
import { stateLabels } from '../../services/devices/device-state.ts';
import { authorize } from '../../services/auth/permissions.ts';
import { localMoment } from '../../services/shared/local-time.ts';
import { defineCommand } from './command-spec.ts';

/** Teams refuses messages much above 28 KB; leave room for the markdown around the CSV. */
export const maxExportChars = 24_000;

function asCodeBlock(csv: string, what: string, rows: number): string {
  const text = csv.replace(/^\uFEFF/, '');
  if (text.length <= maxExportChars) return `${what}: ${rows} rows. Copy into a .csv file or paste into Excel.\n\n\`\`\`\n${text}\`\`\``;
  const kept = text.slice(0, text.lastIndexOf('\n', maxExportChars) + 1);
  const keptRows = kept.split('\n').length - 2;
  return `${what}: the first ${keptRows} of ${rows} rows (a chat message cannot hold more; narrow it down with "list … location NAME").\n\n\`\`\`\n${kept}\`\`\``;
}

/** `YYYY-MM-DD HH:mm` on the zone's wall clock, as the code sheet writes it. */
function localDateTime(date: Date, timeZone: string): string {
  const { day, time } = localMoment(date, timeZone);
  return `${day} ${time}`;
}

export const exportCommand = defineCommand({
  name: 'export',
  aliases: [],
  summary: 'Export devices, or the live codes of the hand-offs (for technicians), as CSV.',
  usage: 'export [devices|codes]',
  operation: 'exportDevices',
  args: z.enum(['', 'devices', 'codes'], { error: 'expected "devices" or "codes"' }),
  async run({ services, tenantId, roles }, what) {
    const profile = await services.tenants.profile(tenantId);
    if (what === 'codes') {
      // Codes are a narrower operation than the device list: the table says who.
      authorize(roles, 'exportCodes', 'Exporting codes');
      const codes = await services.devices.handoffs.liveCodes(tenantId);
      if (codes.length === 0) return { text: 'No live code to export. Admins issue codes with "codes MAC…|all|location NAME".' };
      return { text: asCodeBlock(buildCodeSheet(codes, profile.timeZone), 'Live codes', codes.length) };
    }
    const devices = await services.devices.queries.list(tenantId);
    // The tenant's zone (`timezone`), named in the header: a CSV has one zone, whoever opens it.
    const zone = profile.timeZone;
    const header = ['MAC', 'Location', 'Model', 'Firmware', 'State', 'Since (UTC)', `Since (${zone} local)`].map(escapeCsvCell).join(',') + '\r\n';
    const rows = devices.map((device) =>
      [device.mac, device.location ?? '', device.model ?? '', device.firmwareVersion ?? '', stateLabels[device.state], device.stateChangedAt.toISOString(), localDateTime(device.stateChangedAt, zone)]
        .map(escapeCsvCell)
        .join(','),
    );
    return { text: asCodeBlock(header + rows.map((row) => `${row}\r\n`).join(''), 'Devices', devices.length) };
  },
});
