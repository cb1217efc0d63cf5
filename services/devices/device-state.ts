// The life of a device, as ARCHITECTURE.md draws it:
//   registered → code_issued → awaiting_sign_in → signing_in → signed_in
// with code_issued → registered (code expired or revoked), signing_in → awaiting_sign_in
// (login code lapsed), and any state → registered on a factory reset.
export const deviceStates = ['registered', 'code_issued', 'awaiting_sign_in', 'signing_in', 'signed_in'] as const;
export type DeviceState = (typeof deviceStates)[number];

// Which moves are allowed, and by which step, is the step table's: device-steps.ts.

export function isDeviceState(value: string): value is DeviceState {
  return (deviceStates as readonly string[]).includes(value);
}

/** Devices that are still waiting on activation: a code can be issued (again) for them. */
export const waitingOnActivation: readonly DeviceState[] = ['registered', 'code_issued'];

/** Devices a technician already activated: a code can no longer be used on them. */
export const activated: readonly DeviceState[] = ['awaiting_sign_in', 'signing_in', 'signed_in'];

export const stateLabels: Record<DeviceState, string> = {
  registered: 'registered',
  code_issued: 'waiting on activation',
  awaiting_sign_in: 'waiting for sign-in',
  signing_in: 'signing in',
  signed_in: 'signed in',
};
