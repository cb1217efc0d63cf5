import { z } from 'zod';
import type { JobRunRecord } from '../../services/scheduling/job-runs.ts';
import { jobBoardOf } from '../jobs/scheduler.ts';
import { formatTime } from '../views/time.ts';
import { defineCommand } from './command-spec.ts';

// What each job's counters mean, in words an admin reads ("closed 3 expired codes"), never
// the counter's own camelCase name. A counter missing here (a new job) is still shown, its
// name split into words.
const counted = (singular: string, plural: string) => (n: number) => (n === 1 ? singular : plural).replace('#', String(n));
const counterPhrases: Record<string, (n: number) => string> = {
  // expire-codes
  expired: counted('closed # expired code', 'closed # expired codes'),
  devicesReset: counted('put # device back to registered', 'put # devices back to registered'),
  tenants: counted("sent one organisation's admins a summary", "sent # organisations' admins a summary"),
  // warn-expiring-codes
  warned: counted('warned about # code expiring soon', 'warned about # codes expiring soon'),
  events: counted('sent # warning', 'sent # warnings'),
  skipped: counted('skipped # earlier warning (a nearer one went out)', 'skipped # earlier warnings (a nearer one went out)'),
  // lapse-login-codes
  lapsed: counted('put # device back to waiting for sign-in', 'put # devices back to waiting for sign-in'),
  // stale-devices
  reported: counted("told one organisation's admins about devices waiting too long", "told # organisations' admins about devices waiting too long"),
  devices: counted('listed # device waiting too long for sign-in', 'listed # devices waiting too long for sign-in'),
  // queue-digests
  queued: counted("queued one organisation's digest", "queued # organisations' digests"),
  alreadyQueued: counted('found one digest already queued today', 'found # digests already queued today'),
  notYetDue: counted("left one organisation's digest for later today", "left # organisations' digests for later today"),
  // housekeeping
  handoffsPurged: counted('deleted the codes of # finished hand-off', 'deleted the codes of # finished hand-offs'),
  runsInterrupted: counted('marked # job run whose bot instance stopped as interrupted', 'marked # job runs whose bot instance stopped as interrupted'),
  leasesPurged: counted('forgot # expired job lease', 'forgot # expired job leases'),
  runsPurged: counted('forgot # job run older than 30 days', 'forgot # job runs older than 30 days'),
  activitiesForgotten: counted('forgot # Teams message id older than a day', 'forgot # Teams message ids older than a day'),
};

/** "notYetDue" → "not yet due". */
function inWords(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/[-_]+/g, ' ').toLowerCase();
}

/** What a run did, as a sentence part: "closed 3 expired codes and put 3 devices back to registered". */
export function describeCounts(counts: Record<string, number> | null): string {
  const done = Object.entries(counts ?? {})
    .filter(([, count]) => count !== 0)
    .map(([name, count]) => (Object.hasOwn(counterPhrases, name) ? counterPhrases[name]!(count) : `${inWords(name)}: ${count}`));
  if (done.length === 0) return 'nothing needed doing';
  return done.length === 1 ? done[0]! : `${done.slice(0, -1).join(', ')} and ${done.at(-1)}`;
}

function describeRun(run: JobRunRecord | undefined): string {
  if (!run) return 'Has not run yet.';
  const when = formatTime(run.startedAt);
  switch (run.outcome) {
    case 'succeeded':
      return `Last ran ${when}: ${describeCounts(run.counts)}.`;
    case 'failed':
      // The error's message stays in the logs and the database: it may name internals.
      return `Last ran ${when} and **failed**. The bot's logs say why (look for job "${run.job}"); the next run goes ahead as usual.`;
    case 'interrupted':
      return `Last ran ${when} and was **interrupted**: the bot stopped before it finished. The next run goes ahead as usual.`;
    case 'running':
      return `Running now, since ${when}.`;
  }
}

export const jobsCommand = defineCommand({
  name: 'jobs',
  aliases: [],
  summary: 'List the scheduled jobs, their schedules and how each last ran.',
  usage: 'jobs',
  operation: 'jobs',
  args: z.literal('', { error: 'jobs takes nothing after it' }),
  async run({ services }) {
    const board = jobBoardOf(services);
    if (!board || board.jobs.length === 0) return { text: 'No scheduled jobs are set up in this bot.' };
    const last = await board.lastRuns();
    const lines = ['**Scheduled jobs**: what the bot does on its own, and what each did last time.'];
    for (const job of board.jobs) {
      lines.push(`**${job.name}** — ${job.summary}\n\n${describeRun(last.get(job.name))}`);
    }
    if (board.mode === 'off') lines.push('This copy of the bot runs no jobs itself (its scheduler is off); the runs above were done by the others.');
    return { text: lines.join('\n\n') };
  },
});
