// The rules of remote sign-in at scale, as pure functions (no store, no clock): which planned
// accounts are accepted, whether a device that just came online gets its sign-in requested at
// once, whether a lapsed login code is renewed, and which devices a "signin location" asks.
// The services (planned-accounts.ts, sign-in-queue.ts) read the facts and call these.
import { parseMac } from './mac-address.ts';
import type { DeviceState } from './device-state.ts';

/**
 * A shared account's sign-in name (UPN), e.g. lobby-phone@contoso.com: the characters of a user
 * principal name, no more (it is shown on admins' cards, where brackets would let it smuggle in
 * a markdown link).
 */
export const upnPattern = /^[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$/;
export const maxUpnLength = 254;
export const upnHint = 'expected a sign-in name such as lobby-phone@contoso.com';

/** Accounts compare as Entra compares sign-in names: without regard to case. */
export const accountKeyOf = (account: string): string => account.trim().toLowerCase();

/** Why a text is not a UPN, or null when it is one. */
export function upnProblem(account: string): string | null {
  const trimmed = account.trim();
  if (trimmed.length > maxUpnLength) return `longer than ${maxUpnLength} characters`;
  return upnPattern.test(trimmed) ? null : `"${trimmed.slice(0, 60)}" is not a sign-in name: ${upnHint}`;
}

/** Login codes renewed automatically while a device is in a queue; then the admin is waited for. */
export const maxAutomaticRenewals = 4;

/** "signin location/all" for more devices than this asks for confirmation first. */
export const confirmSignInAbove = 20;

export interface AccountEntry {
  /** CSV line, or 1-based position in a typed list. */
  line: number;
  mac: string;
  account: string;
}

export interface AccountPlan {
  /** Accepted: MAC canonical, account trimmed. */
  valid: { line: number; mac: string; account: string }[];
  rejected: { line: number; value: string; reason: string }[];
  /**
   * Accounts that would be planned on more than one device (in this list, or already on another
   * device of the tenant): refused unless the admin confirms (shared accounts are usually one per device).
   */
  sharedAccounts: { account: string; macs: string[] }[];
}

/**
 * Checks planned accounts: a MAC and a UPN each; the same MAC twice keeps the first line; the
 * same account on two devices is listed in `sharedAccounts`. `plannedElsewhere` are the
 * tenant's current planned accounts (MAC → account) of devices, those in the list included
 * (their current plan is replaced, so it does not count against them).
 */
export function planAccounts(entries: readonly AccountEntry[], plannedElsewhere: ReadonlyMap<string, string>): AccountPlan {
  const valid: AccountPlan['valid'] = [];
  const rejected: AccountPlan['rejected'] = [];
  const seenMacs = new Set<string>();
  for (const entry of entries) {
    const mac = parseMac(entry.mac);
    if (!mac.ok) {
      rejected.push({ line: entry.line, value: entry.mac, reason: mac.reason });
      continue;
    }
    const problem = upnProblem(entry.account);
    if (problem) {
      rejected.push({ line: entry.line, value: mac.mac, reason: problem });
      continue;
    }
    if (seenMacs.has(mac.mac)) {
      rejected.push({ line: entry.line, value: mac.mac, reason: 'this MAC is listed twice; the first line counts' });
      continue;
    }
    seenMacs.add(mac.mac);
    valid.push({ line: entry.line, mac: mac.mac, account: entry.account.trim() });
  }
  // Who would carry each account afterwards: the list's plans, and the others' that stay.
  const holders = new Map<string, { account: string; macs: string[] }>();
  const hold = (mac: string, account: string) => {
    const key = accountKeyOf(account);
    const holder = holders.get(key) ?? { account, macs: [] };
    holder.macs.push(mac);
    holders.set(key, holder);
  };
  for (const entry of valid) hold(entry.mac, entry.account);
  const listed = new Set(valid.map((entry) => accountKeyOf(entry.account)));
  for (const [mac, account] of plannedElsewhere) {
    if (!seenMacs.has(mac) && listed.has(accountKeyOf(account))) hold(mac, account);
  }
  const sharedAccounts = [...holders.values()].filter((holder) => holder.macs.length > 1);
  return { valid, rejected, sharedAccounts };
}

export type AutoSignInDecision =
  | { request: true; account: string }
  | { request: false; reason: 'no_planned_account' | 'auto_sign_in_off' | 'firmware_below_minimum' };

/**
 * A device just came online (provisioned): is its sign-in requested at once? Only with a planned
 * account, with the tenant's auto sign-in on, and with firmware at or above the minimum (a
 * device that must be updated first would sign in only to be reset by the update).
 */
export function planAutoSignIn(facts: { plannedAccount: string | null; autoSignIn: boolean; firmwareBelowMinimum: boolean }): AutoSignInDecision {
  if (!facts.plannedAccount) return { request: false, reason: 'no_planned_account' };
  if (!facts.autoSignIn) return { request: false, reason: 'auto_sign_in_off' };
  if (facts.firmwareBelowMinimum) return { request: false, reason: 'firmware_below_minimum' };
  return { request: true, account: facts.plannedAccount };
}

/** A queued device's login code lapsed: renew it (request a new one) while renewals are left. */
export function planRenewal(facts: { renewals: number }): { renew: boolean } {
  return { renew: facts.renewals < maxAutomaticRenewals };
}

export interface LocationDevice {
  mac: string;
  state: DeviceState;
  plannedAccount: string | null;
  /** Its sign-in was already requested and is open (a code requested or shown). */
  signInOpen: boolean;
}

/**
 * "signin location X" / "signin all": every device waiting for sign-in there with a planned
 * account is asked; those without one are listed (never guessed); those already asked are left.
 */
export function planLocationSignIn(devices: readonly LocationDevice[]): { request: { mac: string; account: string }[]; withoutAccount: string[]; alreadyAsked: string[] } {
  const request: { mac: string; account: string }[] = [];
  const withoutAccount: string[] = [];
  const alreadyAsked: string[] = [];
  for (const device of devices) {
    if (device.state !== 'awaiting_sign_in' && device.state !== 'signing_in') continue;
    if (device.state === 'signing_in' || device.signInOpen) alreadyAsked.push(device.mac);
    else if (device.plannedAccount) request.push({ mac: device.mac, account: device.plannedAccount });
    else withoutAccount.push(device.mac);
  }
  return { request, withoutAccount, alreadyAsked };
}
