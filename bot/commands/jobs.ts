import { z } from 'zod';
import type { JobRunRecord } from '../../services/scheduling/job-runs.ts';
import { jobBoardOf } from '../jobs/scheduler.ts';
import { formatTime } from '../views/time.ts';
import { defineCommand } from './command-spec.ts';

function describeCounts(counts: Record<string, number> | null): string {
  const entries = Object.entries(counts ?? {});
  return entries.length === 0 ? 'nothing to report' : entries.map(([name, count]) => `${name} ${count}`).join(', ');
}

function describeRun(run: JobRunRecord | undefined): string {
  if (!run) return 'Last run: none yet.';
  const when = `fired ${formatTime(run.fireTime)}`;
  switch (run.outcome) {
    case 'succeeded':
      return `Last run: ${when}, **succeeded** on ${run.instance}: ${describeCounts(run.counts)}.`;
    case 'failed':
      // The error's message stays in the logs and the database: it may name internals.
      return `Last run: ${when}, **failed** on ${run.instance}. The bot's logs say why (job "${run.job}"); the next fire runs as usual.`;
    case 'interrupted':
      return `Last run: ${when}, **interrupted**: ${run.instance} stopped mid-run (no end recorded). The next fire runs as usual.`;
    case 'running':
      return `Last run: ${when}, **running** on ${run.instance} since ${formatTime(run.startedAt)}.`;
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
    const lines = ['**Scheduled jobs** (schedules in cron notation, UTC; each fire runs once, on one instance)'];
    for (const job of board.jobs) {
      lines.push(`**${job.name}** \`${job.cron}\` — ${job.summary}\n\n${describeRun(last.get(job.name))}`);
    }
    if (board.mode === 'off') lines.push('This instance runs no jobs itself; the runs above are the other instances\'.');
    return { text: lines.join('\n\n') };
  },
});
