// What a Teams phone does, step by step, and what it shows on its screen while doing it.
// Each function is one simulator command; the CLI only parses arguments and maps errors to
// exit codes.
import { setTimeout as sleep } from 'node:timers/promises';
import { DeviceClient, newLoginCode, type DeviceStateView } from './device-client.ts';
import type { DeviceMemory } from './device-memory.ts';

export const deviceLoginPortal = 'https://microsoft.com/devicelogin';
/** How long a device-login code lives at the identity provider (ARCHITECTURE.md: 15 minutes). */
export const loginCodeSeconds = 900;

/** Refusals of the simulator itself (nothing saved, nothing happened in time): exit 1. */
export class SimulatorError extends Error {
  override name = 'SimulatorError';
}

export interface PhoneContext {
  memory: DeviceMemory;
  /** --server if given; otherwise the server the device was provisioned against. */
  server: string | undefined;
  defaultServer: string;
  /** One line on the phone's screen (stdout). */
  show(line: string): void;
  /** Aborted on Ctrl+C. */
  signal?: AbortSignal;
}

export async function provision(ctx: PhoneContext, request: { mac: string; code: string; manufacturer?: string; model?: string; firmware?: string }): Promise<void> {
  const server = ctx.server ?? ctx.defaultServer;
  const client = new DeviceClient({ server });
  const result = await client.provision({
    mac: request.mac,
    verificationCode: request.code,
    ...(request.manufacturer ? { manufacturer: request.manufacturer } : {}),
    ...(request.model ? { model: request.model } : {}),
    ...(request.firmware ? { firmwareVersion: request.firmware } : {}),
  });
  const file = ctx.memory.save({ mac: request.mac, server, deviceId: result.deviceId, deviceToken: result.deviceToken, tenantName: result.tenantName, provisionedAt: new Date().toISOString() });
  ctx.show(`Provisioned for ${result.tenantName}; waiting for sign-in`);
  ctx.show(`Device token saved in ${file}`);
}

export function connect(ctx: PhoneContext, mac: string): DeviceClient {
  const saved = ctx.memory.load(mac);
  if (!saved) {
    throw new SimulatorError(`No device token saved for ${mac} in ${ctx.memory.dir}: provision it first (npm run device -- provision --mac ${mac} --code <code>).`);
  }
  return new DeviceClient({ server: ctx.server ?? saved.server, token: saved.deviceToken });
}

export async function status(ctx: PhoneContext, mac: string): Promise<DeviceStateView> {
  const view = await connect(ctx, mac).state();
  ctx.show(`State: ${view.state}`);
  ctx.show(`Sign-in requested: ${view.signInRequested ? 'yes' : 'no'}`);
  if (view.account) ctx.show(`Account: ${view.account}`);
  return view;
}

export async function reset(ctx: PhoneContext, mac: string): Promise<void> {
  const client = connect(ctx, mac);
  try {
    await client.reset();
  } catch (error) {
    // A phone wipes itself whatever the service says; a token the service no longer knows is useless anyway.
    if ((error as { status?: number }).status === 401) ctx.memory.forget(mac);
    throw error;
  }
  ctx.memory.forget(mac);
  ctx.show('Factory reset: the device is registered again and its token is deleted; provision it with a new code.');
}

export interface SignInOptions {
  mac: string;
  /** Complete the portal step as this account right after showing the code. */
  account?: string;
  pollSeconds: number;
  timeoutSeconds: number;
}

/**
 * Waits for an admin's sign-in request, shows a fresh device-login code and reports it. With
 * an account, completes the sign-in at once (the person at the portal); without, keeps
 * waiting: a login code that lapses sends it back to waiting for a new request.
 */
export async function signIn(ctx: PhoneContext, options: SignInOptions): Promise<void> {
  const client = connect(ctx, options.mac);
  const deadline = Date.now() + options.timeoutSeconds * 1000;
  let codeOnScreen = false;
  let first = true;
  ctx.show(`Waiting for a sign-in request (checking every ${options.pollSeconds} s, for up to ${options.timeoutSeconds} s)`);

  const complete = async (account: string) => {
    const view = await client.reportSignedIn(account);
    ctx.show(`Signed in as ${view.account ?? account}`);
  };

  for (;;) {
    const view = await client.state();
    if (view.state === 'signed_in') {
      ctx.show(first ? `Already signed in as ${view.account ?? 'an account'}` : `Signed in as ${view.account ?? 'an account'}`);
      return;
    }
    if (view.state === 'signing_in' && !codeOnScreen) {
      // A code an earlier run reported is still valid: the person can still use it.
      if (options.account) {
        ctx.show(`A login code is already on screen; completing the sign-in as ${options.account}`);
        return complete(options.account);
      }
      codeOnScreen = true;
      ctx.show('A login code from an earlier run is on screen; waiting for the sign-in to be completed at the portal (Ctrl+C to stop)');
    }
    if (view.signInRequested) {
      ctx.show(`Sign-in requested${view.account ? ` for ${view.account}` : ''}`);
      await showLoginCode(ctx, client);
      if (options.account) return complete(options.account);
      codeOnScreen = true;
      ctx.show('Waiting for the sign-in to be completed at the portal (Ctrl+C to stop)');
    } else if (codeOnScreen && view.state === 'awaiting_sign_in') {
      codeOnScreen = false;
      ctx.show('The login code lapsed; waiting for a new sign-in request');
    }
    first = false;
    if (Date.now() >= deadline) {
      throw new SimulatorError(codeOnScreen
        ? `The sign-in was not completed within ${options.timeoutSeconds} s; the device stays ${view.state}.`
        : `No sign-in was requested within ${options.timeoutSeconds} s; the device stays ${view.state}. Ask the admin to request one, then run signin again.`);
    }
    await sleep(Math.min(options.pollSeconds * 1000, Math.max(0, deadline - Date.now())), undefined, ctx.signal ? { signal: ctx.signal } : {});
  }
}

async function showLoginCode(ctx: PhoneContext, client: DeviceClient): Promise<void> {
  const loginCode = newLoginCode();
  await client.reportLoginCode(loginCode, loginCodeSeconds);
  const expiresAt = new Date(Date.now() + loginCodeSeconds * 1000);
  ctx.show(`To sign in, go to ${deviceLoginPortal} and enter the code ${loginCode}`);
  ctx.show(`The code expires in ${loginCodeSeconds / 60} minutes, at ${expiresAt.toTimeString().slice(0, 5)}`);
}
