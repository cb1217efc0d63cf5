import type { ImportResultView } from '../../cards/views.ts';
import type { RegistrationReport } from '../../services/devices/registry.ts';

export const rejectedShown = 20;

export function importResultView(report: RegistrationReport, title: string): ImportResultView {
  return {
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
