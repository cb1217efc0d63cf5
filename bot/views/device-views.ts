// Card views about devices, built from what the device services return.
import type { DeviceListView, DeviceStatusView, Style } from './view-data.ts';
import type { DeviceDetails } from '../../services/devices/device-queries.ts';
import type { AuditRecord } from '../../services/devices/audit-log.ts';
import type { Device } from '../../services/devices/device-repository.ts';
import { deviceStates, stateLabels, type DeviceState } from '../../services/devices/device-state.ts';
import type { Role } from '../../services/auth/role.ts';
import { can } from '../../services/auth/permissions.ts';
import { verbs } from '../actions/verbs.ts';
import { instant, type ViewAction } from './reply.ts';

export const stateStyles: Record<DeviceState, Style> = {
  registered: 'default',
  code_issued: 'default',
  awaiting_sign_in: 'accent',
  signing_in: 'accent',
  signed_in: 'good',
};

/** Who did it, as the first words of a history line: the person's name, "The device", "The bot". */
function who(entry: AuditRecord): string {
  if (entry.actor.startsWith('device:')) return 'The device';
  if (entry.actor.startsWith('job:') || entry.actor === 'system') return 'The bot';
  return entry.actorName ?? 'Someone';
}

const text = (value: unknown): string | null => (typeof value === 'string' && value.trim() !== '' ? value : null);
const locationName = (value: unknown): string => text(value) ?? 'no location';
const withNote = (sentence: string, note: unknown) => (text(note) ? `${sentence}: ${text(note)}` : sentence);

/**
 * One line of a device's history, a sentence whose subject is who did it: "Alex Wilber issued
 * a code", "The device signed in as lobby@contoso.com". Keyed by audit action (current and
 * former names, services/devices/device-steps.ts).
 */
const historyLines: Record<string, (entry: AuditRecord, actor: string, byDevice: boolean) => string> = {
  'device.registered': (_, actor) => `${actor} registered the device`,
  'device.location_changed': (entry, actor) => `${actor} moved the device from ${locationName(entry.data?.from)} to ${locationName(entry.data?.to)}`,
  'code.issued': (_, actor) => `${actor} issued a code`,
  'code.reissued': (_, actor) => `${actor} issued a new code`,
  'code.expired': () => 'The code expired unused',
  'device.provisioned': (_, actor, byDevice) => (byDevice ? 'The device took its code: a technician activated it' : `${actor} activated the device`),
  'sign_in.requested': (entry, actor) => `${actor} asked the device to sign in${text(entry.data?.account) ? ` as ${text(entry.data?.account)}` : ''}`,
  'sign_in.code_ready': () => 'The device showed a login code',
  'sign_in.lapsed': () => 'The login code expired unused',
  'sign_in.account_mismatch': (entry) => `The device reported ${text(entry.data?.reported) ?? 'another account'} signed in instead of ${text(entry.data?.expected) ?? 'the account asked for'}: refused`,
  'device.signed_in': (entry) => `The device signed in${text(entry.data?.account) ? ` as ${text(entry.data?.account)}` : ''}`,
  'device.reset': (_, actor, byDevice) => (byDevice ? 'The device was factory reset' : `${actor} factory reset the device`),
  'device.account_planned': (entry, actor) => `${actor} planned the account ${text(entry.data?.to) ?? '(none)'} for the device`,
  'sign_in.marked_done': (_, actor) => `${actor} marked the sign-in done on the queue card`,
  'handoff.installed': (entry, actor) => withNote(`${actor} marked the device installed`, entry.data?.note),
  'handoff.problem': (entry, actor) => withNote(`${actor} reported a problem`, entry.data?.note),
};
historyLines['sign_in.code_reported'] = historyLines['sign_in.code_ready']!; // its name before 2026-11 (services/devices/device-steps.ts)

/** A device's history line for one audit row. */
export function historyLine(entry: AuditRecord): string {
  const actor = who(entry);
  const line = historyLines[entry.action];
  return line ? line(entry, actor, entry.actor.startsWith('device:')) : `${actor}: ${entry.action}`;
}

/** The next step for a device, as a button, for someone allowed to take it. */
function nextSteps(device: Device, roles: ReadonlySet<Role>): ViewAction[] {
  if ((device.state === 'registered' || device.state === 'code_issued') && can(roles, 'issueCodes')) {
    return [{ label: device.state === 'registered' ? 'Issue a code' : 'Issue a new code', dialog: 'codes', data: { target: 'macs', macs: device.mac } }];
  }
  if (device.state === 'awaiting_sign_in' && can(roles, 'signIn')) {
    return [{ label: 'Sign in', verb: verbs.signIn, style: 'positive', data: { mac: device.mac } }, { label: 'Sign in with an account…', dialog: 'signin', data: { mac: device.mac } }];
  }
  return [];
}

export function deviceStatusView(details: DeviceDetails, timeZone: string, roles: ReadonlySet<Role> = new Set()): DeviceStatusView {
  const { device, timeline } = details;
  return {
    actions: nextSteps(device, roles),
    mac: device.mac,
    location: device.location ?? 'no location',
    model: device.model,
    firmwareVersion: device.firmwareVersion,
    state: stateLabels[device.state],
    stateSince: instant(device.stateChangedAt, timeZone),
    account: device.signedInAccount,
    timeline: timeline.slice(-15).map((entry) => ({
      at: instant(entry.at, timeZone),
      text: historyLine(entry),
    })),
  };
}

export const listLimit = 50;

export function deviceListView(devices: readonly Device[], title: string): DeviceListView {
  return {
    title,
    counts: deviceStates
      .map((state) => ({ label: stateLabels[state], count: devices.filter((device) => device.state === state).length }))
      .filter((entry) => entry.count > 0),
    devices: devices.slice(0, listLimit).map((device) => ({
      mac: device.mac,
      location: device.location ?? '—',
      state: stateLabels[device.state],
      stateStyle: stateStyles[device.state],
    })),
    more: Math.max(0, devices.length - listLimit),
  };
}
