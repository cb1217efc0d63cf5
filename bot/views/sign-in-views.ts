// Views of the remote sign-in cards: awaiting sign-in, then its progress.
import type { AwaitingSignInView, SignInProgressView } from '../../cards/views.ts';
import type { Device } from '../../services/devices/device-repository.ts';
import { formatTime } from './time.ts';

export const deviceLoginPortal = 'https://microsoft.com/devicelogin';

export function awaitingSignInView(device: Device, timeZone: string, suggestedAccount: string | null = null): AwaitingSignInView {
  return {
    mac: device.mac,
    location: device.location ?? 'no location',
    model: device.model,
    firmwareVersion: device.firmwareVersion,
    provisionedAt: formatTime(device.stateChangedAt, timeZone),
    suggestedAccount,
  };
}

export function signInProgressView(
  device: Pick<Device, 'mac' | 'location'>,
  status: SignInProgressView['status'],
  details: { loginCode?: string | null; account?: string | null; at?: Date | null },
  timeZone: string,
): SignInProgressView {
  return {
    mac: device.mac,
    location: device.location ?? 'no location',
    status,
    loginCode: details.loginCode ?? null,
    portalUrl: deviceLoginPortal,
    account: details.account ?? null,
    at: details.at ? formatTime(details.at, timeZone) : null,
  };
}
