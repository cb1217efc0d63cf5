// Card views about devices, built from what the device services return.
import type { DeviceListView, DeviceStatusView, Style } from './view-data.ts';
import type { DeviceDetails } from '../../services/devices/device-queries.ts';
import type { Device } from '../../services/devices/device-repository.ts';
import { deviceStates, stateLabels, type DeviceState } from '../../services/devices/device-state.ts';
import type { Role } from '../../services/auth/role.ts';
import { can } from '../../services/auth/permissions.ts';
import { verbs } from '../actions/verbs.ts';
import { instant, type ViewAction } from './reply.ts';

export const stateStyles: Record<DeviceState, Style> = {
  registered: 'default',
  code_issued: 'warning',
  awaiting_sign_in: 'accent',
  signing_in: 'accent',
  signed_in: 'good',
};

const actionLabels: Record<string, string> = {
  'device.registered': 'registered',
  'device.location_changed': 'location changed',
  'code.issued': 'code issued',
  'code.reissued': 'new code issued',
  'code.expired': 'code expired',
  'device.provisioned': 'provisioned by a technician',
  'sign_in.requested': 'sign-in requested',
  'sign_in.code_ready': 'login code shown on the device',
  'sign_in.code_reported': 'login code shown on the device', // its name before 2026-11 (services/devices/device-steps.ts)
  'sign_in.lapsed': 'login code expired',
  'device.signed_in': 'signed in',
  'device.reset': 'factory reset',
  'handoff.installed': 'marked installed',
  'handoff.problem': 'problem reported',
};

function who(actor: string): string {
  if (actor.startsWith('device:')) return 'the device';
  if (actor.startsWith('job:') || actor === 'system') return 'the bot';
  return 'an admin or technician';
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
      who: who(entry.actor),
      what: (actionLabels[entry.action] ?? entry.action) + (typeof entry.data?.note === 'string' ? `: ${entry.data.note}` : ''),
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
