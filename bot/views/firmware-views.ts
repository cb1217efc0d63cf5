// Views of firmware readiness and remote updates: `firmware`, `firmware MAC`, `updates`, the
// update card of a batch (a location or a model), and the admins' notices. All are built from
// the generic blocks (bot/views/view-data.ts): no template of their own.
import type { DeviceFirmware, FleetReadiness } from '../../services/firmware/firmware-service.ts';
import type { FirmwareReadiness } from '../../services/firmware/readiness.ts';
import type { ScheduledReport } from '../../services/firmware/updates.ts';
import type { Block, BlocksView } from './view-data.ts';
import { formatTime } from './time.ts';

const plural = (count: number, one: string, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;

/** The warning the admins' awaiting-sign-in card carries for a device below its minimum. */
export function firmwareWarnings(readiness: FirmwareReadiness, mac: string): string[] {
  if (readiness.state !== 'below_minimum') return [];
  return [`Firmware below the minimum for remote provisioning: ${readiness.reason}. Sign-in may fail; update it to ${readiness.minimum} or later ("firmware ${mac}" shows the releases, "update ${mac} firmware now" applies one).`];
}

export function fleetFirmwareView(fleet: FleetReadiness): BlocksView {
  const blocks: Block[] = [
    { kind: 'facts', facts: [
      { title: 'Devices', value: String(fleet.devices) },
      { title: 'Below the minimum', value: String(fleet.belowMinimum) },
      { title: 'Unknown versions', value: String(fleet.unknownVersion) },
      { title: 'Updates available', value: String(fleet.updatesAvailable) },
    ] },
  ];
  if (fleet.families.length > 0) {
    blocks.push({
      kind: 'table',
      columns: ['Model', 'Devices', 'Below minimum', 'Unknown version', 'Update available', 'Minimum', 'Newest verified'],
      rows: fleet.families.map((row) => [row.family, String(row.devices), String(row.belowMinimum), String(row.unknownVersion), String(row.updatesAvailable), row.minimum ?? '–', row.newestVerified ?? '–']),
    });
  }
  if (fleet.unknownModels.length > 0) {
    blocks.push({ kind: 'text', text: `Models the catalog does not know (never guessed): ${fleet.unknownModels.slice(0, 10).map((row) => `${row.model} (${row.devices}: ${row.why})`).join('; ')}.` });
  }
  blocks.push({ kind: 'text', subtle: true, text: '"Unknown version": a version the catalog has no release for; such devices are updated only when an admin asks. "firmware MAC" shows one device; "firmware release MODEL firmware VERSION verified" adds a release.' });
  return {
    title: 'Firmware readiness',
    summary: `${plural(fleet.devices, 'device')}: ${fleet.belowMinimum} below the minimum for remote provisioning, ${fleet.unknownVersion} on unknown versions, ${fleet.updatesAvailable} with an update available.`,
    blocks,
  };
}

export function deviceFirmwareView(details: DeviceFirmware, updates: { version: string; status: string; notBefore: Date; detail: string | null }[], timeZone: string): BlocksView {
  const { device, readiness } = details;
  const style = readiness.state === 'ok' ? 'good' : readiness.state === 'below_minimum' ? 'attention' : 'accent';
  const blocks: Block[] = [
    { kind: 'notice', style, text: readiness.state === 'ok' ? `Ready for remote provisioning: ${readiness.reason}.` : readiness.state === 'below_minimum' ? `Below the minimum: ${readiness.reason}.` : `Readiness unknown: ${readiness.reason}.` },
    { kind: 'facts', facts: [
      { title: 'Manufacturer', value: details.manufacturer ?? 'not reported' },
      { title: 'Model', value: device.model ?? 'not reported' },
      { title: 'Catalog', value: details.match },
      { title: 'Firmware', value: `${device.firmwareVersion ?? 'not reported'}${device.firmwareVersion && !details.versionKnown ? ' (unknown to the catalog)' : ''}` },
      { title: 'Teams app', value: details.teamsVersion ?? 'not reported' },
      ...(readiness.minimum ? [{ title: 'Minimum for remote provisioning', value: readiness.minimum }] : []),
    ] },
  ];
  if (details.newer.length > 0) {
    blocks.push({ kind: 'table', columns: ['Component', 'Version', 'Label', 'Released'], rows: details.newer.map((release) => [release.component, release.version, release.label, release.released]) });
  } else {
    blocks.push({ kind: 'text', subtle: true, text: 'No newer release in the catalog.' });
  }
  if (updates.length > 0) {
    blocks.push({ kind: 'table', columns: ['Update', 'Status', 'From'], rows: updates.map((update) => [update.version, `${update.status}${update.detail ? ` (${update.detail})` : ''}`, formatTime(update.notBefore, timeZone)]) });
  }
  return {
    title: `Firmware of ${device.mac}`,
    summary: `${device.mac}: ${readiness.reason}.`,
    blocks,
    actions: [{ label: 'Status', command: `status ${device.mac}` }],
  };
}

export function scheduledView(report: ScheduledReport, timeZone: string): BlocksView {
  const blocks: Block[] = [];
  if (report.scheduled.length > 0) {
    blocks.push({ kind: 'table', columns: ['Device', 'Version', 'From'], rows: report.scheduled.slice(0, 40).map((row) => [row.mac, `${row.version}${row.step ? ' (a required step first)' : ''}`, formatTime(row.notBefore, timeZone)]) });
    if (report.scheduled.length > 40) blocks.push({ kind: 'text', subtle: true, text: `…and ${report.scheduled.length - 40} more ("updates" lists them).` });
  }
  for (const capped of report.capped.slice(0, 10)) {
    blocks.push({ kind: 'notice', style: 'accent', text: `${capped.mac}: ${formatTime(capped.asked, timeZone)} is later than its phase allows for this firmware; it is scheduled for ${formatTime(capped.at, timeZone)} instead (the maximum delay).` });
  }
  if (report.skipped.length > 0) {
    blocks.push({ kind: 'text', text: `Not scheduled: ${report.skipped.slice(0, 20).map((row) => `${row.mac}: ${row.reason}`).join('; ')}.` });
  }
  return {
    title: report.scheduled.length > 0 ? 'Updates scheduled' : 'No update scheduled',
    summary: `${plural(report.scheduled.length, 'update')} scheduled${report.capped.length ? `, ${report.capped.length} moved to the phase's maximum delay` : ''}${report.skipped.length ? `, ${report.skipped.length} not` : ''}.`,
    blocks,
    ...(report.scheduled.length > 0 ? { actions: [{ label: 'Updates', command: 'updates' }] } : {}),
  };
}

export interface BatchProgress {
  label: string;
  total: number;
  succeeded: number;
  failed: { mac: string; reason: string }[];
  running: number;
  waiting: number;
  cancelled: number;
  /** "Sunday 01:00–04:00 local" when devices wait for their window. */
  windowText: string | null;
}

/** The update card of one batch, redrawn in place: "12 of 40 updated, 1 failed (reason), 27 waiting for Sunday 01:00–04:00 local". */
export function updateBatchView(batch: BatchProgress): BlocksView {
  const active = batch.total - batch.cancelled;
  const failed = batch.failed.length;
  const parts = [`${batch.succeeded} of ${active} updated`];
  if (failed > 0) parts.push(`${failed} failed (${batch.failed.slice(0, 3).map((row) => `${row.mac}: ${row.reason}`).join('; ')}${failed > 3 ? '; …' : ''})`);
  if (batch.running > 0) parts.push(`${batch.running} updating now`);
  if (batch.waiting > 0) parts.push(`${batch.waiting} waiting${batch.windowText ? ` for ${batch.windowText}` : ''}`);
  const sentence = parts.join(', ');
  return {
    title: `Updates: ${batch.label}`,
    summary: `${batch.label}: ${sentence}.`,
    blocks: [
      { kind: 'progress', label: `${batch.succeeded} of ${active} updated`, done: batch.succeeded, total: Math.max(1, active) },
      { kind: 'text', text: `${sentence}.` },
      ...(batch.cancelled > 0 ? [{ kind: 'text' as const, subtle: true, text: `${batch.cancelled} cancelled.` }] : []),
    ],
    actions: [{ label: 'Updates', command: 'updates' }],
  };
}

export function updateFailedView(event: { mac: string; version: string; attempt: number; detail: string | null }): BlocksView {
  return {
    title: 'Update failed',
    summary: `The update of ${event.mac} to ${event.version} failed${event.detail ? `: ${event.detail}` : ''}.`,
    blocks: [
      { kind: 'notice', style: 'attention', text: `The update of ${event.mac} to ${event.version} failed${event.detail ? `: ${event.detail}` : ''} (attempt ${event.attempt}).` },
      { kind: 'text', text: `Check the device, then try again with "update ${event.mac} firmware to ${event.version} now", or leave it to the next window.` },
    ],
    actions: [{ label: 'Firmware', command: `firmware ${event.mac}` }],
  };
}

export function provisionRefusedView(event: { mac: string; location: string | null; model: string | null; firmwareVersion: string | null; minimum: string; family: string }): BlocksView {
  const where = event.location ? ` (${event.location})` : '';
  return {
    title: 'Provisioning refused: firmware too old',
    summary: `${event.mac}${where} was refused: firmware ${event.firmwareVersion ?? 'unknown'} is below ${event.minimum}, the minimum for ${event.family}.`,
    blocks: [
      { kind: 'notice', style: 'attention', text: `${event.mac}${where}, a ${event.model ?? event.family}, tried to provision with firmware ${event.firmwareVersion ?? 'unknown'}, below ${event.minimum}, the minimum for remote provisioning of ${event.family}. It was refused (FIRMWARE_BELOW_MINIMUM=block); its code stays valid.` },
      { kind: 'text', text: 'Update the firmware on the device (locally, or from the vendor\'s device management), then the technician enters the same code again.' },
    ],
    actions: [{ label: 'Firmware', command: `firmware ${event.mac}` }],
  };
}

/** The technicians' copy: what to do at the device. */
export function provisionRefusedTechnicianView(event: { mac: string; location: string | null; firmwareVersion: string | null; minimum: string; family: string }): BlocksView {
  const where = event.location ? ` (${event.location})` : '';
  return {
    title: `${event.mac}: update the firmware first`,
    summary: `${event.mac}${where} needs firmware ${event.minimum} or later before it can be provisioned.`,
    blocks: [
      { kind: 'notice', style: 'attention', text: `${event.mac}${where} runs firmware ${event.firmwareVersion ?? 'unknown'}; ${event.family} needs ${event.minimum} or later for remote provisioning, so the code was not accepted.` },
      { kind: 'text', text: `Update the device's firmware to ${event.minimum} or later (from the phone's settings or the vendor's tool), then enter the same verification code again: it is still valid.` },
    ],
  };
}
