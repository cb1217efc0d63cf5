// Views of the remote sign-in cards: waiting for sign-in, then its progress.
import type { AwaitingSignInView, SignInProgressView } from './view-data.ts';
import type { Device } from '../../services/devices/device-repository.ts';
import { instant } from './reply.ts';

export const deviceLoginPortal = 'https://microsoft.com/devicelogin';

export function awaitingSignInView(device: Device, timeZone: string, suggestedAccount: string | null = null): AwaitingSignInView {
  return {
    mac: device.mac,
    location: device.location ?? 'no location',
    model: device.model,
    firmwareVersion: device.firmwareVersion,
    provisionedAt: instant(device.stateChangedAt, timeZone),
    suggestedAccount,
    // The Sign in button takes the account typed on the card; the dialog checks it first.
    actions: [{ label: 'Sign in with the dialog…', dialog: 'signin', data: { mac: device.mac, ...(suggestedAccount ? { account: suggestedAccount } : {}) } }],
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
    at: details.at ? instant(details.at, timeZone) : null,
  };
}
