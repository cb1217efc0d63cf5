// The data of every view the core answers with. Each platform draws a view its own way: Teams
// from the Adaptive Card template of the same name in cards/ (bot/teams/render-view.ts), a
// view of building blocks (`blocks`) from the blocks themselves, so a new feature shows on
// every platform without code per platform. Times are Instants (a moment and its reader's
// zone); each renderer formats them.
export type ActionStyle = 'default' | 'positive' | 'destructive';

/**
 * A button, described without a platform. `verb` + `data` run a card action (bot/actions/);
 * `dialog` opens a command's form instead (prefilled with `data`); `command` runs a chat
 * command as if typed. Exactly one of the three.
 */
export type ViewAction = { label: string; style?: ActionStyle; data?: Record<string, string> } & (
  | { verb: string; dialog?: undefined; command?: undefined }
  | { dialog: string; verb?: undefined; command?: undefined }
  | { command: string; verb?: undefined; dialog?: undefined }
);

/** A moment and the zone its reader lives in: each renderer formats it its own way. */
export interface Instant {
  instant: string;
  timeZone: string;
}

/**
 * How a text is coloured, and a notice's box. No "warning": Teams draws it yellow on white in
 * its light theme, unreadable; say the caution in words (or with attention) instead.
 */
export type Style = 'default' | 'good' | 'attention' | 'accent';

export interface HelpView extends NextSteps {
  commands: { usage: string; summary: string; aliases: string; permission: string }[];
}

export interface CommandErrorView extends NextSteps {
  title: string;
  problem: string;
  /** What to type instead, if we know. */
  suggestion: string | null;
  usage: string | null;
}

export interface ImportResultView extends NextSteps {
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

export interface CodeHandoffView extends NextSteps {
  batchId: string;
  /** What this card shows, as tracked (bot/views/handoff-pages.ts): its buttons name it, to redraw just this card. */
  pageKey: string;
  /** "" for a whole batch; else the page in the title, e.g. "Lobby, page 2 of 4 (devices 21–40 of 65)". */
  page: string;
  issuedBy: string;
  expiresAt: Instant;
  /** Who can see this card: "the technicians channel", "Tom Tech (direct message)"; "" on the issuing admin's own copy. */
  sentTo: string;
  /** Sentences shown under the title, e.g. the codes reply's "12 codes issued…": a tracked card is sent alone, its words inside it. */
  lines: string[];
  onlineCount: number;
  totalCount: number;
  locations: { name: string; devices: HandoffDeviceView[] }[];
  /** MACs a technician can mark installed or report a problem for. */
  markable: { mac: string; label: string }[];
}

/**
 * What the bot itself recorded about how a device came to be provisioned. Sign-in cards show
 * it so that an admin trusts the bot's record, not the device's words (a rogue device can
 * report any model and any login code: device-code phishing).
 */
export interface SignInProvenance {
  location: string;
  /** Who issued the verification code the device used, e.g. "Alex Wilber"; "unknown" when its history does not say. */
  codeIssuedBy: string;
  codeIssuedAt: Instant | null;
  provisionedAt: Instant;
  /** The network address the provisioning request came from, as the bot saw it. */
  provisionedFrom: string;
  /** e.g. "provisioned 2 times, factory reset once". */
  historySummary: string;
  /** The last lines of the device's history, oldest first. */
  history: { at: Instant; text: string }[];
}

/** A fact the device reported about itself: shown as reported, never vouched for. */
export interface ReportedFact {
  title: string;
  value: string;
}

export interface AwaitingSignInView extends NextSteps {
  mac: string;
  location: string;
  model: string | null;
  firmwareVersion: string | null;
  provisionedAt: Instant;
  provenance: SignInProvenance;
  /** Model and firmware as the device reported them. */
  reported: ReportedFact[];
  /** Why reported text looks suspicious ("Model mixes scripts: Latin and Cyrillic"); empty when nothing does. */
  warnings: string[];
  /** Prefilled in the account input. */
  suggestedAccount: string | null;
}

export interface SignInProgressView extends NextSteps {
  mac: string;
  location: string;
  status: 'requested' | 'code_ready' | 'lapsed' | 'signed_in';
  /** Reported by the device (code_ready): shown with the bot's own record beside it. */
  loginCode: string | null;
  portalUrl: string;
  account: string | null;
  /** When the login code lapses (code_ready) or when the device signed in (signed_in). */
  at: Instant | null;
  /** The bot's record of the device, where the card asks an admin to act on a reported code. */
  provenance: SignInProvenance | null;
  warnings: string[];
}

export interface DeviceStatusView extends NextSteps {
  mac: string;
  location: string;
  model: string | null;
  firmwareVersion: string | null;
  state: string;
  stateSince: Instant;
  account: string | null;
  /** Oldest first: a sentence naming who did it ("Alex Wilber issued a code") and when. */
  timeline: { at: Instant; text: string }[];
}

export interface DeviceListView extends NextSteps {
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
  expiresAt: Instant;
  /** The same moment as the button sends it back (ISO): after it the confirmation is refused. */
  expiresAtIso: string;
}

/** A short message in place of a pressed card (e.g. "Cancelled"). */
export interface NoticeView extends NextSteps {
  title: string;
  text: string;
  style: Style;
}

export interface ViewData {
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
  digest: DigestView;
  expiryWarning: ExpiryWarningView;
  expirySummary: ExpirySummaryView;
  staleDevices: StaleDevicesView;
  blocks: BlocksView;
  form: FormView;
}

export type ViewName = keyof ViewData;

/** The managers' daily digest. Counts arrive as text, ready to show. */
export interface DigestView extends NextSteps {
  /** e.g. "Daily digest — Tue 24 Nov 2026" */
  title: string;
  /** e.g. "1,000 devices · as of Tue 24 Nov, 08:00 CET" */
  subtitle: string;
  /** The whole digest in a few sentences (notifications, screen readers). */
  summary: string;
  /** One row per state, in pipeline order: a bar of block characters ("█", "·" for none) as long as its count against the largest state's. */
  pipeline: { label: string; count: string; bar: string; color: Style }[];
  /** The locations with most devices (at most 10): "42 devices: 30 signed in, 8 waiting for sign-in, 4 registered". */
  locations: { name: string; counts: string }[];
  /** Locations not listed ("and N more"). */
  moreLocations: number;
  /** Good news: signed in since the last digest, median time to signed in. */
  progress: { title: string; value: string }[];
  /** The numbers that need attention: codes expiring, devices stuck, lockouts. */
  attention: { title: string; value: string }[];
  /** Devices stuck before sign-in longer than 24 h, oldest first (at most 10). */
  stuck: { mac: string; location: string; age: string }[];
  moreStuck: number;
  /** MACs locked out in the last 24 h (at most 10), as one line; "" when none. */
  lockedOut: string;
}

/** Codes of one hand-off and location about to expire, for technicians and the issuing admin. */
export interface ExpiryWarningView {
  /** e.g. "12 codes expire in 4 h" */
  title: string;
  /** e.g. "12 codes at Lobby expire at Tue 24 Nov, 09:00 CET (in 4 h)." */
  text: string;
  /** The first 20 MACs. */
  macs: string[];
  moreMacs: number;
  batchId: string;
  /** The location as the Regenerate button sends it back; "" for devices without one. */
  location: string;
  /** Show the Regenerate button (the issuing admin's copy); otherwise say who can. */
  canRegenerate: boolean;
  /** How long regenerated codes are valid (CODE_TTL_HOURS), e.g. "24 h". */
  newCodesValidFor: string;
}

/** Codes that just expired, for the admins. */
export interface ExpirySummaryView extends NextSteps {
  /** e.g. "12 codes expired" */
  title: string;
  /** e.g. "These devices are back to registered: nobody used their code in time." */
  text: string;
  /** The first 20 MACs. */
  macs: string[];
  moreMacs: number;
  /** What to type to issue new ones, e.g. codes AA-BB-CC-DD-EE-01 AA-BB-CC-DD-EE-02 */
  command: string;
}

/** Devices waiting for sign-in longer than 24 h, for the admins. */
export interface StaleDevicesView {
  title: string;
  text: string;
  /** The oldest first, at most 10, each with a Sign in button. */
  devices: { mac: string; location: string; waiting: string }[];
  more: number;
}

/** Next steps shown as buttons under a view (e.g. after a registration: Issue codes). */
export interface NextSteps {
  actions?: ViewAction[];
}

/** The building blocks every renderer knows. */
export type Block =
  | { kind: 'text'; text: string; subtle?: boolean }
  | { kind: 'facts'; facts: { title: string; value: string }[] }
  | { kind: 'table'; columns: string[]; rows: string[][] }
  | { kind: 'progress'; label: string; done: number; total: number }
  | { kind: 'notice'; text: string; style: Style }
  /** One entry of a list with its own button (a queue card's row and its "done"). */
  | { kind: 'item'; title: string; facts: { title: string; value: string }[]; action?: ViewAction };

/** A view without a template of its own: a title, blocks, buttons. */
export interface BlocksView extends NextSteps {
  title: string;
  /** The whole view in one sentence (notifications, screen readers, plain-text platforms). */
  summary: string;
  blocks: Block[];
}

export interface FormField {
  /** The id the submitted value arrives under (users' scripts rely on these). */
  id: string;
  label: string;
  kind: 'text' | 'multiline' | 'choice';
  /** For `choice`; for `text`, suggestions the person may pick or ignore. */
  choices?: { value: string; label: string }[];
  /**
   * How a text field shows its suggestions: listed under it (`hint`: their labels are what to
   * type), or as a list to pick from (`pick`: labels and values differ, e.g. people and their ids).
   */
  suggestAs?: 'hint' | 'pick';
  required: boolean;
  placeholder?: string;
  /** What to type, under the field. */
  hint?: string;
}

/** A command's form, as a dialog shows it (Teams dialog; Slack modal later). */
export interface FormView {
  /** The command the form runs when submitted. */
  dialog: string;
  title: string;
  /** One sentence above the fields. */
  intro: string;
  submitLabel: string;
  fields: FormField[];
  /** What is in the fields now (prefilled, or as the person left them). */
  values: Record<string, string>;
  /** What is wrong with a field, shown next to it. */
  errors: Record<string, string>;
  /** A problem with the whole form (e.g. the command refused it). */
  problem: string | null;
}
