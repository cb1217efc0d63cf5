// The one table of device steps: for each step of a device's life, the states it may start
// from, the state it goes to, the audit action it writes and the domain event it emits.
// `canTransition` below is derived from it, and every move of a device
// (transition.ts: moveDevice, moveDevicesTogether) names one of these steps, so a step's
// audit row and its event can never drift apart.
//
// Names agree: a step that moves one device writes the audit action of the same name as its
// event kind ("device.provisioned" both). A step done for a whole batch at once (codes issued
// for a floor) writes one audit row per device ("code.issued") and emits one event for the
// batch, named with the plural ("codes.issued").
import type { DomainEventKind } from '../notifications/domain-events.ts';
import { deviceStates, type DeviceState } from './device-state.ts';

export interface DeviceStep {
  /** The states the step may start from. */
  from: readonly DeviceState[];
  to: DeviceState;
  /** The audit action written for each device moved, e.g. "device.provisioned". */
  audit: string;
  /** The domain event kind the step emits. */
  event: DomainEventKind;
  /** "device": one event per device, emitted by moveDevice; "batch": one event for the batch, emitted by the caller. */
  eventPer: 'device' | 'batch';
  /** The audit reason when the caller gives none. */
  reason?: string;
}

export const deviceSteps = {
  /** An admin issues a verification code for a registered device (one batch: a hand-off). */
  issue_code: { from: ['registered'], to: 'code_issued', audit: 'code.issued', event: 'codes.issued', eventPer: 'batch' },
  /** A code ran out unused: the expiry sweep takes its device back to registered. */
  expire_code: { from: ['code_issued'], to: 'registered', audit: 'code.expired', event: 'code.expired', eventPer: 'batch', reason: 'the verification code expired unused' },
  /** A technician typed the code on the device. */
  provision: { from: ['code_issued'], to: 'awaiting_sign_in', audit: 'device.provisioned', event: 'device.provisioned', eventPer: 'device' },
  /** The device reports the device-login code it got; a person types it at the portal. */
  report_login_code: { from: ['awaiting_sign_in'], to: 'signing_in', audit: 'sign_in.code_ready', event: 'sign_in.code_ready', eventPer: 'device' },
  /** The device-login code ran out before anyone used it. */
  lapse_login_code: { from: ['signing_in'], to: 'awaiting_sign_in', audit: 'sign_in.lapsed', event: 'sign_in.lapsed', eventPer: 'device', reason: 'the device-login code expired' },
  /** The device reports the shared account signed in. */
  sign_in: { from: ['signing_in'], to: 'signed_in', audit: 'device.signed_in', event: 'device.signed_in', eventPer: 'device' },
  /** A factory reset (by the device or an admin) takes any device back to the start. */
  reset: { from: deviceStates, to: 'registered', audit: 'device.reset', event: 'device.reset', eventPer: 'device', reason: 'factory reset' },
} as const satisfies Record<string, DeviceStep>;

export type DeviceStepName = keyof typeof deviceSteps;
export const deviceStepNames = Object.keys(deviceSteps) as DeviceStepName[];

/**
 * Audit actions about a device that do not move it (it stays in its state). Named here with
 * the steps, so the one list of device audit actions lives in one place.
 */
export const deviceRecords = {
  register: { audit: 'device.registered', event: 'devices.registered', eventPer: 'batch' },
  change_location: { audit: 'device.location_changed' },
  /** A new code for a device that already had one: it stays code_issued. Told in the batch's `codes.issued`, with issue_code. */
  reissue_code: { audit: 'code.reissued' },
  request_sign_in: { audit: 'sign_in.requested', event: 'sign_in.requested', eventPer: 'device' },
  /** A device reported an account other than the one asked for: refused, the device stays signing in. */
  refuse_sign_in: { audit: 'sign_in.account_mismatch', event: 'sign_in.account_mismatch', eventPer: 'device' },
  /** An admin planned (or changed) the shared account a device signs in with once it is online. */
  plan_account: { audit: 'device.account_planned' },
  /** An admin pressed "done" for a device on a sign-in queue card; the device's signed-in report confirms it. */
  mark_sign_in_done: { audit: 'sign_in.marked_done', event: 'sign_in.marked_done', eventPer: 'device' },
  mark_installed: { audit: 'handoff.installed', event: 'handoff.installed', eventPer: 'device' },
  mark_problem: { audit: 'handoff.problem', event: 'handoff.problem', eventPer: 'device' },
} as const satisfies Record<string, { audit: string; event?: DomainEventKind; eventPer?: 'device' | 'batch' }>;

/**
 * Audit actions that were written under another name before the names were made to agree.
 * Old rows keep their stored action; readers see the current name (audit-log.ts).
 */
export const renamedAuditActions: Readonly<Record<string, string>> = {
  'sign_in.code_reported': deviceSteps.report_login_code.audit,
};

/** The current name of a stored audit action (old rows may carry a former name). */
export function currentAuditAction(action: string): string {
  return renamedAuditActions[action] ?? action;
}

/** Every device audit action, current names. */
export const deviceAuditActions: readonly string[] = [...new Set([...Object.values(deviceSteps), ...Object.values(deviceRecords)].map((entry) => entry.audit))];

/** Whether a step may start from a state. */
export function stepAllowedFrom(step: DeviceStepName, from: DeviceState): boolean {
  return (deviceSteps[step].from as readonly DeviceState[]).includes(from);
}

/** Every (from, to) pair some step allows. */
export function allowedMoves(): { from: DeviceState; to: DeviceState; step: DeviceStepName }[] {
  return deviceStepNames.flatMap((step) => deviceSteps[step].from.map((from) => ({ from, to: deviceSteps[step].to, step })));
}

/** Whether some step takes a device from one state to the other. */
export function canTransition(from: DeviceState, to: DeviceState): boolean {
  return deviceStepNames.some((step) => deviceSteps[step].to === to && stepAllowedFrom(step, from));
}
