// The planning rules of remote sign-in at scale, as tables: planned accounts (UPN form, a MAC
// twice, one account on several devices), whether a device coming online is signed in at once
// (planned account, auto sign-in, the firmware gate), renewals of lapsed codes, and which devices
// "signin location" asks.
import { describe, expect, it } from 'vitest';
import { maxAutomaticRenewals, planAccounts, planAutoSignIn, planLocationSignIn, planRenewal, upnProblem } from '../../../../services/devices/sign-in-plan.ts';

const mac1 = '00-04-F2-81-24-B1';
const mac2 = '00-04-F2-81-24-B2';
const mac3 = '00-04-F2-81-24-B3';

describe('a planned account', () => {
  it.each([
    ['lobby-phone@contoso.com', true],
    ["o'brien.room+2@sub.contoso.co.uk", true],
    ['LOBBY@CONTOSO.COM', true],
    ['  lobby@contoso.com  ', true],
    ['lobby', false],
    ['lobby@contoso', false],
    ['lobby phone@contoso.com', false],
    ['[click](https://evil.example)@contoso.com', false],
    ['lobby@@contoso.com', false],
    [`${'a'.repeat(250)}@contoso.com`, false],
    ['', false],
  ])('"%s" is a UPN: %s', (account, ok) => {
    expect(upnProblem(account) === null).toBe(ok);
  });
});

describe('planAccounts', () => {
  const line = (n: number, mac: string, account: string) => ({ line: n, mac, account });

  it.each([
    {
      name: 'distinct accounts are all accepted, MACs made canonical',
      entries: [line(2, '00:04:f2:81:24:b1', 'a@contoso.com'), line(3, mac2, 'b@contoso.com')],
      elsewhere: [],
      valid: [mac1, mac2],
      rejected: [],
      shared: [],
    },
    {
      name: 'a bad UPN is refused with its line, the rest go on',
      entries: [line(2, mac1, 'not-an-account'), line(3, mac2, 'b@contoso.com')],
      elsewhere: [],
      valid: [mac2],
      rejected: [2],
      shared: [],
    },
    {
      name: 'a bad MAC is refused',
      entries: [line(2, 'zz-zz', 'a@contoso.com')],
      elsewhere: [],
      valid: [],
      rejected: [2],
      shared: [],
    },
    {
      name: 'the same MAC twice keeps the first line',
      entries: [line(2, mac1, 'a@contoso.com'), line(3, mac1, 'b@contoso.com')],
      elsewhere: [],
      valid: [mac1],
      rejected: [3],
      shared: [],
    },
    {
      name: 'one account on two devices of the list (any case) is shared',
      entries: [line(2, mac1, 'a@contoso.com'), line(3, mac2, 'A@Contoso.com')],
      elsewhere: [],
      valid: [mac1, mac2],
      rejected: [],
      shared: [[mac1, mac2]],
    },
    {
      name: 'an account already planned on another device is shared',
      entries: [line(2, mac1, 'a@contoso.com')],
      elsewhere: [[mac3, 'a@contoso.com']],
      valid: [mac1],
      rejected: [],
      shared: [[mac1, mac3]],
    },
    {
      name: "a device's own earlier plan does not count against it",
      entries: [line(2, mac1, 'a@contoso.com')],
      elsewhere: [[mac1, 'a@contoso.com']],
      valid: [mac1],
      rejected: [],
      shared: [],
    },
    {
      name: 'moving an account from one device to another in one list is not shared',
      entries: [line(2, mac1, 'b@contoso.com'), line(3, mac2, 'a@contoso.com')],
      elsewhere: [[mac1, 'a@contoso.com']],
      valid: [mac1, mac2],
      rejected: [],
      shared: [],
    },
  ])('$name', ({ entries, elsewhere, valid, rejected, shared }) => {
    const plan = planAccounts(entries, new Map(elsewhere as [string, string][]));
    expect(plan.valid.map((entry) => entry.mac)).toEqual(valid);
    expect(plan.rejected.map((entry) => entry.line)).toEqual(rejected);
    expect(plan.sharedAccounts.map((holder) => [...holder.macs].sort())).toEqual(shared);
  });
});

describe('planAutoSignIn: a device just came online', () => {
  it.each([
    { plannedAccount: 'a@contoso.com', autoSignIn: true, firmwareBelowMinimum: false, expected: { request: true, account: 'a@contoso.com' } },
    { plannedAccount: null, autoSignIn: true, firmwareBelowMinimum: false, expected: { request: false, reason: 'no_planned_account' } },
    { plannedAccount: 'a@contoso.com', autoSignIn: false, firmwareBelowMinimum: false, expected: { request: false, reason: 'auto_sign_in_off' } },
    { plannedAccount: 'a@contoso.com', autoSignIn: true, firmwareBelowMinimum: true, expected: { request: false, reason: 'firmware_below_minimum' } },
    { plannedAccount: 'a@contoso.com', autoSignIn: false, firmwareBelowMinimum: true, expected: { request: false, reason: 'auto_sign_in_off' } },
    { plannedAccount: null, autoSignIn: false, firmwareBelowMinimum: true, expected: { request: false, reason: 'no_planned_account' } },
  ])('planned $plannedAccount, auto sign-in $autoSignIn, firmware below minimum $firmwareBelowMinimum', ({ expected, ...facts }) => {
    expect(planAutoSignIn(facts)).toEqual(expected);
  });
});

describe('planRenewal: a queued login code lapsed', () => {
  it.each([
    [0, true],
    [3, true],
    [maxAutomaticRenewals, false],
    [9, false],
  ])('after %i renewals it is renewed: %s', (renewals, renew) => {
    expect(planRenewal({ renewals })).toEqual({ renew });
  });
});

describe('planLocationSignIn', () => {
  it('asks the waiting devices with a planned account, lists those without, leaves the ones already asked or elsewhere in their life', () => {
    const plan = planLocationSignIn([
      { mac: mac1, state: 'awaiting_sign_in', plannedAccount: 'a@contoso.com', signInOpen: false },
      { mac: mac2, state: 'awaiting_sign_in', plannedAccount: null, signInOpen: false },
      { mac: mac3, state: 'awaiting_sign_in', plannedAccount: 'c@contoso.com', signInOpen: true },
      { mac: '00-04-F2-81-24-B4', state: 'signing_in', plannedAccount: 'd@contoso.com', signInOpen: true },
      { mac: '00-04-F2-81-24-B5', state: 'code_issued', plannedAccount: 'e@contoso.com', signInOpen: false },
      { mac: '00-04-F2-81-24-B6', state: 'signed_in', plannedAccount: 'f@contoso.com', signInOpen: false },
    ]);
    expect(plan).toEqual({ request: [{ mac: mac1, account: 'a@contoso.com' }], withoutAccount: [mac2], alreadyAsked: [mac3, '00-04-F2-81-24-B4'] });
  });
});
