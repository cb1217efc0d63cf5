// The scheduled jobs of the product: a name, a UTC cron schedule, one line for `jobs`, and a
// body that calls a service with `now` and returns what it did, counted. Bodies are thin;
// the work lives in services/. Every instance schedules the same list and the leases make
// each fire run once in total, and once more at start-up (catch-up, one instance), so a body
// must be safe to run again and must tolerate the previous fire still running elsewhere: the
// services below record what they did under unique keys, never in memory.
//
// Adding a job is adding one entry: { name, cron, summary, run: (now) => service(now) }.
// A body returns Promise<Record<string, number>>; what it throws is logged and recorded as a
// failed run, and the next fire runs as usual.
import type { Services } from '../../services/index.ts';
import type { DigestSchedule } from '../../services/reporting/index.ts';
import type { JobLeases } from '../../services/scheduling/job-leases.ts';
import type { JobRuns } from '../../services/scheduling/job-runs.ts';
import type { JobDefinition } from './scheduler.ts';

export interface JobDependencies {
  services: Services;
  leases: Pick<JobLeases, 'purgeExpired'>;
  runs: Pick<JobRuns, 'purgeStartedBefore' | 'markInterruptedBefore'>;
  /** When the managers' digest is due (local time of each tenant unless a zone is given). */
  digestSchedule?: DigestSchedule;
}

/** The digest's time of day until the configuration says otherwise. */
export const defaultDigestSchedule: DigestSchedule = { digestTime: '08:00' };

const dayMs = 24 * 3_600_000;
/** Job runs are history for operators: a month of it answers "did it run last week?". */
export const jobRunRetentionMs = 30 * dayMs;
/**
 * The longest any job legitimately runs is minutes (a sweep of a large fleet); a run still
 * "running" after an hour lost its instance, and is shown as interrupted rather than forever running.
 */
export const abandonedRunAfterMs = 3_600_000;
/** Teams redelivers an activity within minutes; a day of claims is plenty. */
export const handledActivityRetentionMs = dayMs;

export function jobDefinitions({ services, leases, runs, digestSchedule = defaultDigestSchedule }: JobDependencies): JobDefinition[] {
  const expiry = services.devices.expiry;
  return [
    {
      name: 'expire-codes',
      cron: '*/5 * * * *',
      summary: 'Every 5 minutes: verification codes past their expiry are closed and their devices go back to registered; admins get one summary.',
      run: async (now) => ({ ...(await expiry.expireCodes(now)) }),
    },
    {
      name: 'warn-expiring-codes',
      cron: '*/5 * * * *',
      summary: 'Every 5 minutes: technicians are warned about unused codes that expire soon (at each warning lead, 4 h and 1 h by default).',
      run: async (now) => ({ ...(await expiry.warnExpiringCodes(now)) }),
    },
    {
      name: 'lapse-login-codes',
      cron: '* * * * *',
      summary: 'Every minute: devices whose device-login code ran out go back to waiting for sign-in.',
      run: async (now) => ({ ...(await expiry.lapseLoginCodes(now)) }),
    },
    {
      name: 'stale-devices',
      cron: '0 * * * *',
      summary: 'Hourly: once a day per organisation, lists the devices waiting for sign-in too long (over 24 h by default).',
      run: async (now) => ({ ...(await expiry.listStaleDevices(now)) }),
    },
    {
      name: 'queue-digests',
      cron: '*/5 * * * *',
      summary: 'Every 5 minutes: queues the managers\' daily digest of each organisation whose digest time has come today.',
      async run(now) {
        const result = await services.reporting.queueDueDigests(now, digestSchedule);
        return { queued: result.queued.length, alreadyQueued: result.alreadyQueued, notYetDue: result.notYetDue };
      },
    },
    {
      name: 'sip-follow-batches',
      cron: '* * * * *',
      summary: 'Every minute: SIP Gateway bulk sign-in batches that are due are polled (backoff from 15 s to 5 min while nothing changes), and waiting batches submitted where a region has room (3 at a time).',
      run: async (now) => ({ ...(await services.sip.signIn.advance(now)) }),
    },
    {
      name: 'sip-deadlines',
      cron: '*/5 * * * *',
      summary: 'Every 5 minutes: admins are warned about SIP devices not signed in 48 h and 66 h after onboarding, and told once the 72 h deadline has passed.',
      run: async (now) => ({ ...(await services.sip.deadlines.warnDeadlines(now)) }),
    },
    {
      name: 'plan-updates',
      cron: '*/15 * * * *',
      summary: 'Every 15 minutes: plans the automatic firmware and Teams app updates that are due (verified releases, by phase, in each device\'s maintenance window), unless updates are paused.',
      run: async (now) => ({ ...(await services.firmware.planner.planDue(now)) }),
    },
    {
      name: 'housekeeping',
      cron: '7 * * * *',
      summary:
        'Hourly: marks job runs whose instance stopped mid-run as interrupted, forgets expired job leases, job runs older than 30 days and Teams activity ids older than a day, purges the sealed codes of hand-offs none of whose codes can still be used, forgets wrong-code attempts past the 15-minute lockout window, and refreshes the query planner\'s statistics (SQLite).',
      async run(now) {
        return {
          handoffsPurged: await services.devices.handoffs.purgeSealedCodes(now),
          attemptsPurged: await services.devices.provisioning.purgeAttempts(now),
          runsInterrupted: await runs.markInterruptedBefore(new Date(now.getTime() - abandonedRunAfterMs), now),
          leasesPurged: await leases.purgeExpired(now),
          runsPurged: await runs.purgeStartedBefore(new Date(now.getTime() - jobRunRetentionMs)),
          activitiesForgotten: await services.handledActivities.forgetBefore(new Date(now.getTime() - handledActivityRetentionMs)),
          // Last: the statistics then count what the purges above left.
          statisticsRefreshed: (await services.maintenance.refreshPlannerStatistics()) ? 1 : 0,
        };
      },
    },
  ];
}
