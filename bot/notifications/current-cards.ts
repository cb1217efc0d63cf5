// Views drawn from the current state of things (not from the event that triggered the
// redraw), so that late or repeated deliveries never show an older state.
import type { Services } from '../../services/index.ts';
import { deviceStatusView } from '../views/device-views.ts';
import { view, type View } from '../views/reply.ts';
import { awaitingSignInView, provenanceOf, signInProgressView } from '../views/sign-in-views.ts';
import { firmwareWarnings } from '../views/firmware-views.ts';
import { firmwareReadiness } from '../../services/firmware/readiness.ts';
import type { DeviceFacts } from '../../services/notifications/planning-reads.ts';

/**
 * A device's status card as redrawn after the device moved on: its current state and history,
 * without next-step buttons (who looks at a redrawn card is not known; "status" gives them again).
 */
export async function currentStatusView(services: Services, tenantId: string, mac: string): Promise<View> {
  const [details, profile] = await Promise.all([services.devices.queries.details(tenantId, mac), services.tenants.profile(tenantId)]);
  return view('deviceStatus', deviceStatusView(details, profile.timeZone));
}

/** `facts`: the device as its delivery run read it (./run-reads.ts); without them it is read here. */
export async function currentSignInView(services: Services, tenantId: string, mac: string, facts?: DeviceFacts | null): Promise<View> {
  const [{ device, timeline }, profile] = await Promise.all([facts ? facts.details : services.devices.queries.details(tenantId, mac), services.tenants.profile(tenantId)]);
  const zone = profile.timeZone;
  const session = facts ? facts.latestSession : await services.devices.signIn.latestSession(tenantId, device.id);
  if (device.state === 'signed_in') {
    return view('signInProgress', signInProgressView(device, 'signed_in', { account: device.signedInAccount, at: device.stateChangedAt }, zone));
  }
  if (device.state === 'signing_in' && session?.loginCode) {
    return view('signInProgress', signInProgressView(device, 'code_ready', { loginCode: session.loginCode, account: session.account, at: session.loginCodeExpiresAt, provenance: provenanceOf(device, timeline, zone) }, zone));
  }
  if (device.state === 'awaiting_sign_in' && session?.status === 'requested') {
    return view('signInProgress', signInProgressView(device, 'requested', { account: session.account }, zone));
  }
  if (device.state === 'awaiting_sign_in' && session?.status === 'lapsed') {
    return view('signInProgress', signInProgressView(device, 'lapsed', { account: session.account }, zone));
  }
  if (device.state === 'registered' || device.state === 'code_issued') {
    return view('notice', { title: `${device.mac} was reset`, text: 'The device was factory reset: it needs a new verification code before it can be signed in.', style: 'attention' });
  }
  // The account asked for before, or else the one planned for the device: the dialog opens with it.
  const awaiting = awaitingSignInView(device, timeline, zone, session?.account ?? (facts ? facts.plannedAccount : await services.devices.plannedAccounts.of(tenantId, device.id)));
  // A device below its model's minimum firmware may fail remote sign-in: the card says so, with the minimum.
  // (With facts: services.firmware.readinessOf's judgement on the manufacturer the run read.)
  const readiness = facts ? firmwareReadiness({ manufacturer: facts.manufacturer, model: device.model, firmwareVersion: device.firmwareVersion }) : await services.firmware.readinessOf(device);
  const firmware = firmwareWarnings(readiness, device.mac);
  return view('awaitingSignIn', { ...awaiting, warnings: [...awaiting.warnings, ...firmware] });
}
