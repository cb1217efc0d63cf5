// The SIP Gateway bulk sign-in views (`sip …` and the batch card), built from the generic
// building blocks, so every platform draws them without a template of its own.
import { sipChecks } from '../../services/sip/prerequisites.ts';
import type { SipImportReport, SipBatchSummary } from '../../services/sip/sip-sign-in.ts';
import type { SipErrorExplained } from '../../services/sip/error-catalog.ts';
import type { Block, BlocksView, ViewAction } from './view-data.ts';
import { formatTime } from './time.ts';

/** Rows listed on a card; the rest are counted ("and N more") and in the export. */
const listed = 20;

interface FailedRow {
  line: number;
  username: string;
  hardwareId: string;
  explained: SipErrorExplained;
}

const statusWords: Record<string, string> = { waiting: 'waiting its turn', submitting: 'being submitted', running: 'running', completed: 'completed', refused: 'refused' };

export const remediationOf = (explained: SipErrorExplained) => explained.remediation ?? 'Unknown error: shown as Microsoft wrote it. Check the device and account, then "sip retry".';

function failedTable(failed: readonly FailedRow[]): Block[] {
  if (failed.length === 0) return [];
  const rows = failed.slice(0, listed).map((row) => [row.username, row.hardwareId, row.explained.text, remediationOf(row.explained)]);
  const more = failed.length > listed ? [{ kind: 'text' as const, subtle: true, text: `and ${failed.length - listed} more failed: "sip export" lists every row.` }] : [];
  return [{ kind: 'table', columns: ['Username', 'HardwareId', 'Error', 'What to do'], rows }, ...more];
}

export function sipImportView(report: SipImportReport): BlocksView {
  const regions = Object.entries(report.byRegion).map(([region, count]) => `${region} ${count}`).join(', ');
  const problems = [...report.rejected.map((row) => [String(row.line), row.value, row.reason]), ...report.duplicates.map((row) => [String(row.line), row.value, `duplicate: ${row.reason}`])].sort((a, b) => Number(a[0]) - Number(b[0]));
  const summary = `${report.accepted} accepted, ${report.rejected.length} rejected, ${report.duplicates.length} duplicates.`;
  const blocks: Block[] = [
    { kind: 'facts', facts: [{ title: 'Import', value: report.importId }, { title: 'Accepted', value: `${report.accepted}${regions ? ` (${regions})` : ''}` }, { title: 'Rejected', value: String(report.rejected.length) }, { title: 'Duplicates', value: String(report.duplicates.length) }] },
  ];
  if (problems.length > 0) {
    blocks.push({ kind: 'table', columns: ['Row', 'Value', 'Why not'], rows: problems.slice(0, listed) });
    if (problems.length > listed) blocks.push({ kind: 'text', subtle: true, text: `and ${problems.length - listed} more rows not accepted.` });
  }
  blocks.push({ kind: 'text', text: report.accepted > 0 ? `Nothing is sent yet: "sip signin ${report.importId}" signs the accepted accounts in, batch by batch.` : 'No account was accepted: fix the rows above and import again.' });
  const actions: ViewAction[] = report.accepted > 0 ? [{ label: 'Sign in', command: `sip signin ${report.importId}`, style: 'positive' }] : [];
  return { title: 'SIP sign-in list imported', summary, blocks, actions };
}

export function sipSignInStartedView(result: { accounts: number; batches: SipBatchSummary[] }): BlocksView {
  const rows = result.batches.map((batch) => [batch.id, batch.region, String(batch.size), statusWords[batch.status] ?? batch.status]);
  return {
    title: 'SIP sign-in started',
    summary: `${result.accounts} accounts in ${result.batches.length} batches.`,
    blocks: [
      { kind: 'text', text: `${result.accounts} accounts in ${result.batches.length} ${result.batches.length === 1 ? 'batch' : 'batches'} of at most 100; at most 3 run at once per region, the rest wait their turn (a waiting batch goes within a minute of a free place). Each is followed to the end; "sip status" shows where they stand.` },
      { kind: 'table', columns: ['Batch', 'Region', 'Devices', 'State'], rows },
    ],
    actions: [{ label: 'Status', command: 'sip status' }],
  };
}

export interface SipStatusData {
  importId: string;
  total: number;
  counts: Record<'ready' | 'queued' | 'running' | 'succeeded' | 'failed', number>;
  failed: FailedRow[];
  batches: SipBatchSummary[];
}

export function sipStatusView(status: SipStatusData, openElsewhere: readonly SipBatchSummary[] = []): BlocksView {
  const { counts } = status;
  const summary = `${counts.succeeded} succeeded, ${counts.failed} failed, ${counts.running} running, ${counts.queued} waiting, ${counts.ready} not sent, of ${status.total}.`;
  const blocks: Block[] = [
    { kind: 'progress', label: 'Finished', done: counts.succeeded + counts.failed, total: status.total },
    { kind: 'facts', facts: [
      { title: 'Succeeded', value: String(counts.succeeded) },
      { title: 'Failed', value: String(counts.failed) },
      { title: 'Running', value: String(counts.running) },
      { title: 'Waiting', value: String(counts.queued) },
      { title: 'Not sent', value: String(counts.ready) },
    ] },
  ];
  if (status.batches.length > 0) {
    blocks.push({ kind: 'table', columns: ['Batch', 'Region', 'State', 'Succeeded', 'Failed', 'Devices'], rows: status.batches.map((batch) => [batch.id, batch.region, statusWords[batch.status] ?? batch.status, String(batch.succeeded), String(batch.failed), String(batch.size)]) });
  }
  blocks.push(...failedTable(status.failed));
  if (openElsewhere.length > 0) {
    blocks.push({ kind: 'text', text: `Still open in other imports ("sip status BATCH" for one):` });
    blocks.push({ kind: 'table', columns: ['Batch', 'Region', 'State', 'Succeeded', 'Failed', 'Devices'], rows: openElsewhere.map((batch) => [batch.id, batch.region, statusWords[batch.status] ?? batch.status, String(batch.succeeded), String(batch.failed), String(batch.size)]) });
  }
  const actions: ViewAction[] = [{ label: 'Export', command: `sip export ${status.importId}` }];
  if (counts.failed > 0) actions.push({ label: 'Retry the failed', command: `sip retry ${status.importId}` });
  return { title: `SIP sign-in ${status.importId}`, summary, blocks, actions };
}

export interface SipBatchCardData extends SipBatchSummary {
  importIds: string[];
  failedAccounts: FailedRow[];
  oldestDeadline: Date | null;
  refusal: string | null;
}

/** The batch card in the admins channel, redrawn in place as items finish. */
export function sipBatchCardView(batch: SipBatchCardData, now: Date, timeZone: string): BlocksView {
  const finished = batch.succeeded + batch.failed;
  const summary = `Batch ${batch.id} (${batch.region}): ${batch.succeeded} succeeded, ${batch.failed} failed of ${batch.size}.`;
  const blocks: Block[] = [
    { kind: 'progress', label: `${batch.region}: ${statusWords[batch.status] ?? batch.status}`, done: finished, total: batch.size },
    { kind: 'facts', facts: [
      { title: 'Succeeded', value: String(batch.succeeded) },
      { title: 'Failed', value: String(batch.failed) },
      { title: 'Still running', value: String(batch.size - finished) },
      ...(batch.oldestDeadline ? [{ title: 'Oldest deadline', value: batch.oldestDeadline <= now ? `passed (${formatTime(batch.oldestDeadline, timeZone)}): factory reset and onboard again` : formatTime(batch.oldestDeadline, timeZone) }] : []),
    ] },
  ];
  if (batch.refusal && batch.status === 'refused') blocks.push({ kind: 'notice', style: 'attention', text: `The gateway refused the batch: ${batch.refusal}` });
  blocks.push(...failedTable(batch.failedAccounts));
  const importId = batch.importIds[0] ?? '';
  const actions: ViewAction[] = importId ? [{ label: 'Export', command: `sip export ${importId}` }] : [];
  if (batch.failed > 0 && importId) actions.push({ label: 'Retry the failed', command: `sip retry ${importId}` });
  if (batch.failedAccounts.some((row) => row.explained.code === 'onprem_ad_throttled') && importId) actions.push({ label: 'Retry in batches of 20', command: `sip retry ${importId} size 20` });
  return { title: `SIP batch ${batch.id}`, summary, blocks, actions };
}

export function sipCompletedView(batch: SipBatchCardData): BlocksView {
  const text = `Batch ${batch.id} (${batch.region}, ${batch.size} devices) completed: ${batch.succeeded} signed in, ${batch.failed} failed.`;
  return { title: 'SIP batch completed', summary: text, blocks: [{ kind: 'notice', style: batch.failed > 0 ? 'attention' : 'good', text }, ...failedTable(batch.failedAccounts)], actions: sipBatchCardView(batch, new Date(0), 'UTC').actions ?? [] };
}

export function sipStuckView(batch: SipBatchSummary, since: Date, timeZone: string): BlocksView {
  const text = `Batch ${batch.id} (${batch.region}) has made no progress since ${formatTime(since, timeZone)}. The bot keeps asking the gateway; if it stays still, check the gateway's status (Get-CsSdgBulkSignInRequestStatus -Batchid …) and the devices.`;
  return { title: 'SIP batch stuck', summary: text, blocks: [{ kind: 'notice', style: 'attention', text }] };
}

export function sipDeadlineView(event: { leadHours: number | null; deadline: string; accounts: { username: string; hardwareId: string }[] }, timeZone: string): BlocksView {
  const expired = event.leadHours === null;
  const deadline = formatTime(new Date(event.deadline), timeZone);
  const text = expired
    ? `${event.accounts.length} SIP devices passed their sign-in deadline (${deadline}) without signing in: deadline expired: factory reset and onboard again.`
    : `${event.accounts.length} SIP devices must be signed in by ${deadline} (${event.leadHours} h after onboarding now): run "sip signin" before then.`;
  const rows = event.accounts.slice(0, listed).map((account) => [account.username, account.hardwareId]);
  return { title: expired ? 'SIP sign-in deadline expired' : 'SIP sign-in deadline near', summary: text, blocks: [{ kind: 'notice', style: 'attention', text }, { kind: 'table', columns: ['Username', 'HardwareId'], rows }] };
}

export function sipUrlsView(tenantId: string): BlocksView {
  const base = (region: string) => `http://${region}.ipp.sdg.teams.microsoft.com/tenantid/${tenantId}`;
  const rows = ['noam', 'emea', 'apac'].map((region) => [
    region.toUpperCase(), base(region), `${base(region)}/$PSN.xml`, `${base(region)}/mac.ini`, `${base(region)}/mac.cfg`, `${base(region)}/$mac.cfg`,
  ]);
  return {
    title: 'SIP Gateway provisioning URLs',
    summary: `Provisioning URLs for tenant ${tenantId}, per region and device kind.`,
    blocks: [
      { kind: 'text', text: 'Set these in DHCP option 66 or 160, or in each phone\'s admin page. The /tenantid/ part tags the device for bulk sign-in.' },
      { kind: 'table', columns: ['Region', 'Phones (Poly, Yealink, AudioCodes)', 'Cisco phones', 'AudioCodes ATAs', 'Cisco ATAs', 'Poly ATAs'], rows },
    ],
  };
}

/** Trusted IPs take up to a day to apply: a tick younger than that is not yet enough. */
const trustedIpsSettleMs = 24 * 3_600_000;

function tickedText(checkId: string, ticked: Date, now: Date, timeZone: string): string {
  const settled = new Date(ticked.getTime() + trustedIpsSettleMs);
  if (checkId === 'trusted-ips' && settled > now) return `ticked ${formatTime(ticked, timeZone)}; wait until ${formatTime(settled, timeZone)} before signing in (they take up to 24 h to apply)`;
  return `ticked ${formatTime(ticked, timeZone)}`;
}

export function sipCheckView(checklist: Record<string, string>, gateway: string, timeZone: string, now: Date = new Date()): BlocksView {
  const rows = sipChecks.map((check) => {
    const ticked = checklist[check.id];
    if (ticked?.startsWith('gateway:')) return ['✔', check.title, check.id, `reported by the gateway ${formatTime(new Date(ticked.slice('gateway:'.length)), timeZone)}`];
    return [ticked ? '✔' : '✘', check.title, check.id, ticked ? tickedText(check.id, new Date(ticked), now, timeZone) : check.how];
  });
  const done = sipChecks.filter((check) => checklist[check.id]).length;
  return {
    title: 'SIP bulk sign-in prerequisites',
    summary: `${done} of ${sipChecks.length} prerequisites ticked; gateway adapter: ${gateway}.`,
    blocks: [
      { kind: 'progress', label: 'Ticked', done, total: sipChecks.length },
      { kind: 'table', columns: ['', 'Prerequisite', 'Id', 'How / when'], rows },
      { kind: 'text', subtle: true, text: `Tick one once it is true: "sip check done trusted-ips" ("sip check undo ID" to untick). Gateway adapter: ${gateway}.` },
    ],
  };
}
