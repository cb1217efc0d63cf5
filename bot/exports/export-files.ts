// The CSV files `export` gives: the devices, or the live codes of the hand-offs. One builder for
// the message (text in a code block) and the signed download link (bot/exports/export-routes.ts).
import { buildCodeSheet, escapeCsvCell } from '../../services/devices/code-sheet.ts';
import { stateLabels } from '../../services/devices/device-state.ts';
import { localMoment } from '../../services/shared/local-time.ts';
import type { Services } from '../../services/index.ts';
import type { ExportKind } from './export-links.ts';
import { buildSipExport } from './sip-export.ts';

export interface ExportFile {
  /** e.g. devices-2026-11-22.csv */
  fileName: string;
  /** With a UTF-8 BOM and CRLF line ends, as Excel reads them. */
  csv: string;
  rows: number;
}

/** `YYYY-MM-DD HH:mm` on the zone's wall clock, as the code sheet writes it. */
function localDateTime(date: Date, timeZone: string): string {
  const { day, time } = localMoment(date, timeZone);
  return `${day} ${time}`;
}

export async function buildExport(services: Services, tenantId: string, kind: ExportKind): Promise<ExportFile> {
  if (kind.startsWith('sip:')) return buildSipExport(services, tenantId, kind.slice('sip:'.length));
  const profile = await services.tenants.profile(tenantId);
  const zone = profile.timeZone;
  const today = localMoment(services.clock.now(), zone).day;
  if (kind === 'codes') {
    const codes = await services.devices.handoffs.liveCodes(tenantId);
    return { fileName: `codes-${today}.csv`, csv: buildCodeSheet(codes, zone), rows: codes.length };
  }
  const devices = await services.devices.queries.list(tenantId);
  // The tenant's zone (`timezone`), named in the header: a CSV has one zone, whoever opens it.
  const header = ['MAC', 'Location', 'Model', 'Firmware', 'State', 'Since (UTC)', `Since (${zone} local)`];
  const rows = devices.map((device) => [
    device.mac,
    device.location ?? '',
    device.model ?? '',
    device.firmwareVersion ?? '',
    stateLabels[device.state],
    device.stateChangedAt.toISOString(),
    localDateTime(device.stateChangedAt, zone),
  ]);
  const csv = '\uFEFF' + [header, ...rows].map((cells) => `${cells.map(escapeCsvCell).join(',')}\r\n`).join('');
  return { fileName: `devices-${today}.csv`, csv, rows: devices.length };
}
