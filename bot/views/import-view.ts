import type { ImportResultView } from './view-data.ts';
import type { RegistrationReport } from '../../services/devices/registry.ts';
import type { ViewAction } from './reply.ts';

export const rejectedShown = 20;

/** A few MACs ride on the button; for more, the form offers every device waiting on activation. */
export const macsOnButton = 20;

/** After devices were added: issue their codes, the next step of the workflow. */
function issueCodesFor(report: RegistrationReport): ViewAction[] {
  const macs = report.added.map((entry) => entry.mac);
  if (macs.length === 0) return [];
  if (macs.length <= macsOnButton) return [{ label: 'Issue codes', style: 'positive', dialog: 'codes', data: { target: 'macs', macs: macs.join('\n') } }];
  return [{ label: 'Issue codes', style: 'positive', dialog: 'codes', data: { target: 'all' } }];
}

export function importResultView(report: RegistrationReport, title: string): ImportResultView {
  return {
    actions: issueCodesFor(report),
    title,
    added: report.added.length,
    alreadyRegistered: report.alreadyRegistered.length,
    updated: report.updated.length,
    rejectedCount: report.rejected.length,
    duplicatesCount: report.duplicates.length,
    rejected: report.rejected.slice(0, rejectedShown),
    moreRejected: Math.max(0, report.rejected.length - rejectedShown),
  };
}
