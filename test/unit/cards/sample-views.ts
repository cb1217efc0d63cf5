// Realistic views for every card, including each variant and the empty and "and N more"
// shapes, shared by the card tests.
import type { CardName, CardViews } from '../../../cards/template-data.ts';
import { handoffPageSamples } from './handoff-sample-views.ts';
import { allJobSamples } from './job-sample-views.ts';

export interface Sample<K extends CardName = CardName> {
  name: K;
  label: string;
  view: CardViews[K];
}

const sample = <K extends CardName>(name: K, label: string, view: CardViews[K]): Sample<K> => ({ name, label, view });

export const help = sample('help', 'the command list', {
  commands: [
    { usage: 'help', summary: 'Show what I can do.', aliases: '?, commands', permission: 'anyone' },
    { usage: 'import CSV-FILE', summary: 'Register the devices listed in a CSV file.', aliases: '', permission: 'admins' },
    { usage: 'codes LOCATION', summary: 'Issue verification codes for the devices at a location.', aliases: 'issue', permission: 'admins, technicians' },
    { usage: 'status MAC', summary: "Show a device's state and history.", aliases: 'show', permission: 'anyone' },
  ],
});

export const helpEmpty = sample('help', 'no commands', { commands: [] });

export const commandError = sample('commandError', 'with suggestion and usage', {
  title: "I don't know that MAC address",
  problem: '"AA-BB-CC-DD-EE-F" is not a MAC address: it has 11 hex digits, a MAC has 12.',
  suggestion: 'status AA-BB-CC-DD-EE-FF',
  usage: 'status MAC',
});

export const commandErrorBare = sample('commandError', 'without suggestion or usage', {
  title: 'Not allowed',
  problem: 'Only admins can import devices. Ask an admin of this team.',
  suggestion: null,
  usage: null,
});

export const importResult = sample('importResult', 'with rejected rows and more', {
  title: 'Imported devices.csv',
  added: 42,
  alreadyRegistered: 7,
  updated: 3,
  rejectedCount: 23,
  duplicatesCount: 2,
  rejected: [
    { line: 4, value: 'AA-BB-CC-DD-EE', reason: 'Not a MAC address: 10 hex digits, a MAC has 12.' },
    { line: 9, value: '', reason: 'The MAC column is empty.' },
    { line: 17, value: '00-1A-2B-3C-4D-5E;Lobby;*bold*', reason: 'Too many columns (3, expected 2).' },
  ],
  moreRejected: 20,
});

export const importResultClean = sample('importResult', 'nothing rejected', {
  title: 'Imported lobby-phones.csv',
  added: 12,
  alreadyRegistered: 0,
  updated: 0,
  rejectedCount: 0,
  duplicatesCount: 0,
  rejected: [],
  moreRejected: 0,
});

export const codeHandoff = sample('codeHandoff', 'two locations, some markable', {
  batchId: 'batch_01JD3Q4W5E6R7T8Y9U0I',
  pageKey: 'batch_01JD3Q4W5E6R7T8Y9U0I',
  page: '',
  issuedBy: 'Megan Bowen',
  sentTo: '',
  expiresAt: 'Tue 24 Nov 2026, 09:00 UTC',
  lines: ['12 codes issued. The technicians channel gets this hand-off card too.', 'Skipped AA-BB-CC-DD-EE-09: already signed in'],
  onlineCount: 7,
  totalCount: 12,
  locations: [
    {
      name: 'Building 4 — Lobby',
      devices: [
        { mac: 'AA-BB-CC-DD-EE-01', code: '482913', status: 'Online', statusStyle: 'good', note: null },
        { mac: 'AA-BB-CC-DD-EE-02', code: '105577', status: 'Offline', statusStyle: 'attention', note: 'Last seen 2 days ago' },
        { mac: 'AA-BB-CC-DD-EE-03', code: '993012', status: 'Installed', statusStyle: 'accent', note: 'Installed by Alex' },
      ],
    },
    {
      name: 'Building 4 — Room 4.12',
      devices: [{ mac: 'AA-BB-CC-DD-EE-04', code: '330021', status: 'waiting on activation', statusStyle: 'default', note: null }],
    },
  ],
  markable: [
    { mac: 'AA-BB-CC-DD-EE-01', label: 'AA-BB-CC-DD-EE-01 (Lobby)' },
    { mac: 'AA-BB-CC-DD-EE-02', label: 'AA-BB-CC-DD-EE-02 (Lobby)' },
    { mac: 'AA-BB-CC-DD-EE-04', label: 'AA-BB-CC-DD-EE-04 (Room 4.12)' },
  ],
});

export const codeHandoffDone = sample('codeHandoff', 'one device, nothing left to mark', {
  batchId: 'batch_02',
  pageKey: 'batch_02',
  page: '',
  issuedBy: 'Megan Bowen',
  sentTo: 'the technicians channel',
  expiresAt: 'Tue 24 Nov 2026, 09:00 UTC',
  lines: [],
  onlineCount: 1,
  totalCount: 1,
  locations: [
    { name: 'Room 2.01', devices: [{ mac: 'AA-BB-CC-DD-EE-05', code: '000417', status: 'Installed', statusStyle: 'default', note: null }] },
  ],
  markable: [],
});

export const codeHandoffEmpty = sample('codeHandoff', 'no devices', {
  batchId: 'batch_03',
  pageKey: 'batch_03',
  page: '',
  issuedBy: 'Megan Bowen',
  sentTo: 'Tom Tech (direct message)',
  expiresAt: 'Tue 24 Nov 2026, 09:00 UTC',
  lines: [],
  onlineCount: 0,
  totalCount: 0,
  locations: [],
  markable: [],
});

export const awaitingSignIn = sample('awaitingSignIn', 'with model, firmware and a suggested account', {
  mac: 'AA-BB-CC-DD-EE-01',
  location: 'Building 4 — Lobby',
  model: 'Poly CCX 505',
  firmwareVersion: '8.1.3.1300',
  provisionedAt: 'Mon 23 Nov 2026, 09:12 UTC',
  provenance: {
    location: 'Building 4 — Lobby',
    codeIssuedBy: 'Megan Bowen',
    codeIssuedAt: 'Mon 23 Nov 2026, 08:02 UTC',
    provisionedAt: 'Mon 23 Nov 2026, 09:12 UTC',
    provisionedFrom: '10.20.30.40',
    historySummary: 'provisioned once',
    history: [
      { at: 'Mon 23 Nov 2026, 08:00 UTC', text: 'Megan Bowen registered the device' },
      { at: 'Mon 23 Nov 2026, 09:12 UTC', text: 'The device took its code: a technician activated it' },
    ],
  },
  reported: [
    { title: 'Model', value: 'Poly CCX 505' },
    { title: 'Firmware', value: '8.1.3.1300' },
  ],
  warnings: [],
  suggestedAccount: 'lobby-phone@contoso.com',
});

export const awaitingSignInBare = sample('awaitingSignIn', 'nothing reported yet', {
  mac: 'AA-BB-CC-DD-EE-02',
  location: 'Room 4.12',
  model: null,
  firmwareVersion: null,
  provisionedAt: 'Mon 23 Nov 2026, 09:14 UTC',
  provenance: {
    location: 'Room 4.12',
    codeIssuedBy: 'unknown',
    codeIssuedAt: null,
    provisionedAt: 'Mon 23 Nov 2026, 09:14 UTC',
    provisionedFrom: 'not recorded',
    historySummary: 'provisioned once',
    history: [],
  },
  reported: [],
  warnings: [],
  suggestedAccount: null,
});

const signIn = { mac: 'AA-BB-CC-DD-EE-01', location: 'Building 4 — Lobby', portalUrl: 'https://microsoft.com/devicelogin', provenance: null, warnings: [] };

export const signInRequested = sample('signInProgress', 'requested', {
  ...signIn,
  status: 'requested',
  loginCode: null,
  account: 'lobby-phone@contoso.com',
  at: null,
});

export const signInCodeReady = sample('signInProgress', 'code_ready', {
  ...signIn,
  status: 'code_ready',
  loginCode: 'HKQ7-MX2P',
  account: 'lobby-phone@contoso.com',
  at: 'Mon 23 Nov 2026, 09:30 UTC',
  provenance: {
    location: 'Building 4 — Lobby',
    codeIssuedBy: 'Megan Bowen',
    codeIssuedAt: 'Mon 23 Nov 2026, 08:02 UTC',
    provisionedAt: 'Mon 23 Nov 2026, 09:12 UTC',
    provisionedFrom: '10.20.30.40',
    historySummary: 'provisioned twice, factory reset once',
    history: [],
  },
  warnings: ['Login code looks suspicious: it mixes scripts (Latin and Cyrillic), as look-alike names do.'],
});

export const signInCodeReadyNoAccount = sample('signInProgress', 'code_ready without an account', {
  ...signIn,
  status: 'code_ready',
  loginCode: 'HKQ7-MX2P',
  account: null,
  at: 'Mon 23 Nov 2026, 09:30 UTC',
});

export const signInLapsed = sample('signInProgress', 'lapsed', {
  ...signIn,
  status: 'lapsed',
  loginCode: null,
  account: 'lobby-phone@contoso.com',
  at: null,
});

export const signInSignedIn = sample('signInProgress', 'signed_in', {
  ...signIn,
  status: 'signed_in',
  loginCode: null,
  account: 'lobby-phone@contoso.com',
  at: 'Mon 23 Nov 2026, 09:21 UTC',
});

export const deviceStatus = sample('deviceStatus', 'signed in, with history', {
  mac: 'AA-BB-CC-DD-EE-01',
  location: 'Building 4 — Lobby',
  model: 'Poly CCX 505',
  firmwareVersion: '8.1.3.1300',
  state: 'Signed in',
  stateSince: 'Mon 23 Nov 2026, 09:21 UTC',
  account: 'lobby-phone@contoso.com',
  timeline: [
    { at: 'Sun 22 Nov 2026, 16:02 UTC', text: 'Megan Bowen registered the device' },
    { at: 'Sun 22 Nov 2026, 16:03 UTC', text: 'Megan Bowen moved the device from Building 4 to Building 4 — Lobby' },
    { at: 'Sun 22 Nov 2026, 16:05 UTC', text: 'Megan Bowen issued a code' },
    { at: 'Mon 23 Nov 2026, 09:12 UTC', text: 'The device took its code: a technician activated it' },
    { at: 'Mon 23 Nov 2026, 09:15 UTC', text: 'Alex Wilber asked the device to sign in as lobby-phone@contoso.com' },
    { at: 'Mon 23 Nov 2026, 09:16 UTC', text: 'The device showed a login code' },
    { at: 'Mon 23 Nov 2026, 09:21 UTC', text: 'The device signed in as lobby-phone@contoso.com' },
  ],
});

export const deviceStatusNew = sample('deviceStatus', 'just registered, no history', {
  mac: 'AA-BB-CC-DD-EE-09',
  location: 'Room 4.12',
  model: null,
  firmwareVersion: null,
  state: 'Registered',
  stateSince: 'Sun 22 Nov 2026, 16:02 UTC',
  account: null,
  timeline: [],
});

export const deviceList = sample('deviceList', 'with more', {
  title: 'Devices in Building 4',
  counts: [
    { label: 'Registered', count: 40 },
    { label: 'Waiting for sign-in', count: 8 },
    { label: 'Signed in', count: 5 },
  ],
  devices: [
    { mac: 'AA-BB-CC-DD-EE-01', location: 'Lobby', state: 'Signed in', stateStyle: 'good' },
    { mac: 'AA-BB-CC-DD-EE-02', location: 'Room 4.12', state: 'Waiting for sign-in', stateStyle: 'accent' },
    { mac: 'AA-BB-CC-DD-EE-03', location: 'Room 4.14', state: 'Registered', stateStyle: 'default' },
  ],
  more: 50,
});

export const deviceListEmpty = sample('deviceList', 'empty', {
  title: 'Devices at Room 9.99',
  counts: [],
  devices: [],
  more: 0,
});

export const confirm = sample('confirm', 'factory reset', {
  title: 'Reset AA-BB-CC-DD-EE-01?',
  text: 'The device forgets its sign-in and goes back to Registered. Its verification code stops working.',
  command: 'reset',
  args: 'AA-BB-CC-DD-EE-01',
  expiresAt: 'Mon 23 Nov 2026, 09:35 UTC',
  expiresAtIso: '2026-11-23T09:35:00.000Z',
});

export const confirmNoArgs = sample('confirm', 'without arguments', {
  title: 'Revoke every open code?',
  text: 'All 12 unused verification codes stop working now.',
  command: 'revoke-all',
  args: '',
  expiresAt: 'Mon 23 Nov 2026, 09:35 UTC',
  expiresAtIso: '2026-11-23T09:35:00.000Z',
});

export const noticeCancelled = sample('notice', 'cancelled', {
  title: 'Cancelled',
  text: 'Nothing was changed.',
  style: 'default',
});

export const noticeDone = sample('notice', 'done, title only', {
  title: 'AA-BB-CC-DD-EE-01 marked installed',
  text: '',
  style: 'good',
});

export const allSamples: Sample[] = [
  help,
  helpEmpty,
  commandError,
  commandErrorBare,
  importResult,
  importResultClean,
  codeHandoff,
  codeHandoffDone,
  codeHandoffEmpty,
  ...handoffPageSamples,
  awaitingSignIn,
  awaitingSignInBare,
  signInRequested,
  signInCodeReady,
  signInCodeReadyNoAccount,
  signInLapsed,
  signInSignedIn,
  deviceStatus,
  deviceStatusNew,
  deviceList,
  deviceListEmpty,
  confirm,
  confirmNoArgs,
  noticeCancelled,
  noticeDone,
  ...allJobSamples,
];
