// Views of the remote sign-in cards: waiting for sign-in, then its progress. What the device
// reported (model, firmware, login code, account) is kept apart from what the bot recorded
// itself (location, who issued the code, when and from where the device provisioned), so
// that an admin can tell a device's claims from facts before typing a code at the portal.
import type { AwaitingSignInView, ReportedFact, SignInProgressView, SignInProvenance } from './view-data.ts';
import type { Device } from '../../services/devices/device-repository.ts';
import type { AuditRecord } from '../../services/devices/audit-log.ts';
import { mixedScripts } from '../../services/shared/mixed-script.ts';
import { historyLine } from './device-views.ts';
import { instant } from './reply.ts';

export const deviceLoginPortal = 'https://microsoft.com/devicelogin';

const historyShown = 5;
const issueActions = new Set(['code.issued', 'code.reissued']);

function times(count: number, what: string): string {
  return `${what} ${count === 1 ? 'once' : count === 2 ? 'twice' : `${count} times`}`;
}

/** The bot's own record of how the device was provisioned, from its audit trail. */
export function provenanceOf(device: Device, timeline: readonly AuditRecord[], timeZone: string): SignInProvenance {
  const provisions = timeline.filter((entry) => entry.action === 'device.provisioned');
  const lastProvision = provisions.at(-1);
  // The code it used: the last one issued before it provisioned.
  const issued = timeline.filter((entry) => issueActions.has(entry.action) && (!lastProvision || entry.at.getTime() <= lastProvision.at.getTime())).at(-1);
  const resets = timeline.filter((entry) => entry.action === 'device.reset').length;
  const address = lastProvision?.data?.clientAddress;
  return {
    location: device.location ?? 'no location',
    codeIssuedBy: issued ? (issued.actorName ?? (issued.actor.startsWith('user:') ? 'an admin' : 'the bot')) : 'unknown',
    codeIssuedAt: issued ? instant(issued.at, timeZone) : null,
    provisionedAt: instant(lastProvision?.at ?? device.stateChangedAt, timeZone),
    provisionedFrom: typeof address === 'string' && address !== '' ? address : 'not recorded',
    historySummary: [times(provisions.length, 'provisioned'), ...(resets > 0 ? [times(resets, 'factory reset')] : [])].join(', '),
    history: timeline.slice(-historyShown).map((entry) => ({ at: instant(entry.at, timeZone), text: historyLine(entry) })),
  };
}

/** "Model mixes scripts (Latin and Cyrillic): it may imitate another name." for each such text. */
export function suspiciousTexts(facts: readonly ReportedFact[]): string[] {
  return facts.flatMap((fact) => {
    const scripts = mixedScripts(fact.value);
    return scripts ? [`${fact.title} looks suspicious: it mixes scripts (${scripts.join(' and ')}), as look-alike names do.`] : [];
  });
}

export function awaitingSignInView(device: Device, timeline: readonly AuditRecord[], timeZone: string, suggestedAccount: string | null = null): AwaitingSignInView {
  const reported: ReportedFact[] = [
    ...(device.model ? [{ title: 'Model', value: device.model }] : []),
    ...(device.firmwareVersion ? [{ title: 'Firmware', value: device.firmwareVersion }] : []),
  ];
  const provenance = provenanceOf(device, timeline, timeZone);
  return {
    mac: device.mac,
    location: provenance.location,
    model: device.model,
    firmwareVersion: device.firmwareVersion,
    provisionedAt: provenance.provisionedAt,
    provenance,
    reported,
    warnings: suspiciousTexts(reported),
    suggestedAccount,
    // The Sign in button takes the account typed on the card; the dialog checks it first.
    actions: [{ label: 'Sign in with the dialog…', dialog: 'signin', data: { mac: device.mac, ...(suggestedAccount ? { account: suggestedAccount } : {}) } }],
  };
}

export function signInProgressView(
  device: Pick<Device, 'mac' | 'location'>,
  status: SignInProgressView['status'],
  details: { loginCode?: string | null; account?: string | null; at?: Date | null; provenance?: SignInProvenance | null },
  timeZone: string,
): SignInProgressView {
  const reported: ReportedFact[] = [
    ...(details.loginCode ? [{ title: 'Login code', value: details.loginCode }] : []),
    ...(status === 'signed_in' && details.account ? [{ title: 'Signed-in account', value: details.account }] : []),
  ];
  return {
    mac: device.mac,
    location: device.location ?? 'no location',
    status,
    loginCode: details.loginCode ?? null,
    portalUrl: deviceLoginPortal,
    account: details.account ?? null,
    at: details.at ? instant(details.at, timeZone) : null,
    provenance: details.provenance ?? null,
    warnings: suspiciousTexts(reported),
  };
}

/** The admins' warning when a device reports an account other than the one they chose. */
export function accountMismatchView(event: { mac: string; expected: string; reported: string }) {
  return {
    title: 'Sign-in refused: another account',
    summary: `Device ${event.mac} reported ${event.reported} signed in, but ${event.expected} was asked for; the bot refused it.`,
    blocks: [
      { kind: 'notice' as const, style: 'attention' as const, text: `Device ${event.mac} reported that ${event.reported} is signed in, but the sign-in asked for ${event.expected}. The bot refused it: the device still shows as signing in.` },
      { kind: 'text' as const, text: 'Someone may have entered a login code for another account, or the device is not what it claims. Check the device on site before signing it in again; a factory reset starts over.' },
      { kind: 'facts' as const, facts: [{ title: 'Asked for', value: event.expected }, { title: 'Reported by the device', value: event.reported }] },
    ],
    actions: [{ label: 'Status', command: `status ${event.mac}` }],
  };
}
