// The data each card is drawn from. A card is data in, JSON out: the chat layer builds one
// of these views from what a service returned, and cards/render.ts fills the template.
// Times are already formatted for people (e.g. "Mon 23 Nov 2026, 09:00 UTC").

/** An Adaptive Card (schema 1.5) as Teams receives it. */
export type AdaptiveCard = { type: 'AdaptiveCard'; version: '1.5'; fallbackText: string } & Record<string, unknown>;

export type Style = 'default' | 'good' | 'attention' | 'warning' | 'accent';

export interface HelpView {
  commands: { usage: string; summary: string; aliases: string; permission: string }[];
}

export interface CommandErrorView {
  title: string;
  problem: string;
  /** What to type instead, if we know. */
  suggestion: string | null;
  usage: string | null;
}

export interface ImportResultView {
  title: string;
  added: number;
  alreadyRegistered: number;
  updated: number;
  rejectedCount: number;
  duplicatesCount: number;
  /** The first 20 rejected rows. */
  rejected: { line: number; value: string; reason: string }[];
  /** How many rejected rows are not listed ("and N more"). */
  moreRejected: number;
}

export interface HandoffDeviceView {
  mac: string;
  code: string;
  status: string;
  statusStyle: Style;
  note: string | null;
}

export interface CodeHandoffView {
  batchId: string;
  issuedBy: string;
  expiresAt: string;
  onlineCount: number;
  totalCount: number;
  locations: { name: string; devices: HandoffDeviceView[] }[];
  /** MACs a technician can mark installed or report a problem for. */
  markable: { mac: string; label: string }[];
}

export interface AwaitingSignInView {
  mac: string;
  location: string;
  model: string | null;
  firmwareVersion: string | null;
  provisionedAt: string;
  /** Prefilled in the account input. */
  suggestedAccount: string | null;
}

export interface SignInProgressView {
  mac: string;
  location: string;
  status: 'requested' | 'code_ready' | 'lapsed' | 'signed_in';
  loginCode: string | null;
  portalUrl: string;
  account: string | null;
  /** When the login code lapses (code_ready) or when the device signed in (signed_in). */
  at: string | null;
}

export interface DeviceStatusView {
  mac: string;
  location: string;
  model: string | null;
  firmwareVersion: string | null;
  state: string;
  stateSince: string;
  account: string | null;
  timeline: { at: string; who: string; what: string }[];
}

export interface DeviceListView {
  title: string;
  counts: { label: string; count: number }[];
  /** The first 50 devices. */
  devices: { mac: string; location: string; state: string; stateStyle: Style }[];
  more: number;
}

export interface ConfirmView {
  title: string;
  text: string;
  /** What the confirm button sends back (verb confirm.yes). */
  command: string;
  args: string;
  expiresAt: string;
  /** ISO time after which the confirmation is refused. */
  expiresAtIso: string;
}

/** A short message in place of a pressed card (e.g. "Cancelled"). */
export interface NoticeView {
  title: string;
  text: string;
  style: Style;
}

export interface CardViews {
  help: HelpView;
  commandError: CommandErrorView;
  importResult: ImportResultView;
  codeHandoff: CodeHandoffView;
  awaitingSignIn: AwaitingSignInView;
  signInProgress: SignInProgressView;
  deviceStatus: DeviceStatusView;
  deviceList: DeviceListView;
  confirm: ConfirmView;
  notice: NoticeView;
}

export type CardName = keyof CardViews;
