// The admins' card when a technician reports a problem with a device of a hand-off: which
// device, where, who reported it and what they wrote, and the device's status a press away.
import { verbs } from '../actions/verbs.ts';
import type { BlocksView } from './view-data.ts';

export interface ReportedProblem {
  mac: string;
  location: string | null;
  technician: string;
  note: string | null;
}

export function problemReportedView(problem: ReportedProblem): BlocksView {
  const where = problem.location ?? 'no location';
  return {
    title: 'Problem reported',
    summary: `${problem.technician} reported a problem with ${problem.mac} (${where})${problem.note ? `: ${problem.note}` : '.'}`,
    blocks: [
      {
        kind: 'facts',
        facts: [
          { title: 'Device', value: problem.mac },
          { title: 'Location', value: where },
          { title: 'Reported by', value: problem.technician },
        ],
      },
      problem.note
        ? { kind: 'notice', style: 'attention', text: problem.note }
        : { kind: 'text', text: `No note was left: ask ${problem.technician} what went wrong.`, subtle: true },
    ],
    actions: [{ label: 'Status', verb: verbs.showStatus, data: { mac: problem.mac } }],
  };
}
