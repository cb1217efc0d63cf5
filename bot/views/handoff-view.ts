// The code hand-off card's view: devices grouped by location with their code and a live
// status, "N of M online" at the top.
import type { CodeHandoffView, HandoffDeviceView } from './view-data.ts';
import { activated, stateLabels } from '../../services/devices/device-state.ts';
import type { Handoff, HandoffDevice } from '../../services/devices/handoffs.ts';
import { instant } from './reply.ts';

function statusOf(device: HandoffDevice): Pick<HandoffDeviceView, 'status' | 'statusStyle'> {
  if (device.codeStatus === 'used' && activated.includes(device.state)) {
    return { status: `online: ${stateLabels[device.state]}`, statusStyle: device.state === 'signed_in' ? 'good' : 'accent' };
  }
  if (device.codeStatus === 'expired') return { status: 'code expired', statusStyle: 'attention' };
  if (device.codeStatus === 'revoked') return { status: 'replaced by a newer code', statusStyle: 'default' };
  if (device.codeStatus === 'used') return { status: 'was online, since reset', statusStyle: 'attention' };
  // A live code: the device is waiting on activation (code_issued), named as on every card.
  return { status: stateLabels.code_issued, statusStyle: 'default' };
}

function noteOf(device: HandoffDevice): string | null {
  if (!device.mark) return null;
  return device.mark.kind === 'installed' ? `installed${device.mark.note ? `: ${device.mark.note}` : ''}` : `problem: ${device.mark.note ?? ''}`;
}

export function isOnline(device: HandoffDevice): boolean {
  return device.codeStatus === 'used' && activated.includes(device.state);
}

export function codeHandoffView(handoff: Handoff, timeZone: string): CodeHandoffView {
  const byLocation = new Map<string, HandoffDeviceView[]>();
  const sorted = [...handoff.devices].sort((a, b) => (a.location ?? '~').localeCompare(b.location ?? '~') || a.mac.localeCompare(b.mac));
  for (const device of sorted) {
    const name = device.location ?? 'No location';
    const list = byLocation.get(name) ?? [];
    list.push({ mac: device.mac, code: device.code ?? 'expired', ...statusOf(device), note: noteOf(device) });
    byLocation.set(name, list);
  }
  return {
    batchId: handoff.batchId,
    issuedBy: handoff.issuedByName ?? 'an admin',
    expiresAt: instant(handoff.expiresAt, timeZone),
    onlineCount: handoff.devices.filter(isOnline).length,
    totalCount: handoff.devices.length,
    locations: [...byLocation].map(([name, devices]) => ({ name, devices })),
    markable: sorted.map((device) => ({ mac: device.mac, label: `${device.mac}${device.location ? ` (${device.location})` : ''}` })),
  };
}
