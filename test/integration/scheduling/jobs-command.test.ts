// The jobs as operators see them: the `jobs` command in chat and /readyz, on the real server
// with a real SQLite file and the fake channel. With a test clock the scheduler is driven by
// hand (no timers); without one it runs each job once at start-up.
import { afterEach, describe, expect, it } from 'vitest';
import type { JobDefinition } from '../../../bot/jobs/scheduler.ts';
import { shownText } from '../../helpers/card-text.ts';
import type { ActivityOptions } from '../../helpers/fake-channel.ts';
import { ManualClock, minutes } from '../../helpers/manual-clock.ts';
import { startTestBot, type TestBot } from '../../helpers/test-bot.ts';
import { countingJob } from './scheduling-fixtures.ts';

const admin = { id: '29:bea', name: 'Bea Boot', aadObjectId: '0b0b0b0b-0000-4000-8000-00000000000b' };
const stranger = { id: '29:sam', name: 'Sam Stranger', aadObjectId: '5e5e5e5e-0000-4000-8000-00000000005e' };
const as = (person: typeof admin): ActivityOptions => ({ from: person, conversationId: `a:personal-${person.aadObjectId}` });

const flaky = (): JobDefinition => {
  let calls = 0;
  return {
    name: 'flaky',
    cron: '0 * * * *',
    summary: 'Fails the first time (test).',
    async run() {
      calls++;
      if (calls === 1) throw new Error('connection to /srv/secret/db refused');
      return { fixed: 1 };
    },
  };
};

let bot: TestBot | undefined;
afterEach(async () => {
  await bot?.close();
  bot = undefined;
});

async function say(text: string, person = admin): Promise<string> {
  const before = bot!.channel.received.length;
  await bot!.channel.message(text, as(person));
  const replies = await bot!.channel.waitFor(before + 1);
  return shownText(replies[before]);
}

async function readyz(): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${bot!.url}/readyz`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('with a test clock (jobs driven by hand)', () => {
  it('before any run, `jobs` lists each job with its schedule and /readyz reports no fire yet', async () => {
    const tick = countingJob('tick', '*/5 * * * *');
    bot = await startTestBot({ ADMIN_USER_IDS: admin.aadObjectId }, { clock: new ManualClock(), jobs: [tick.job, flaky()] });
    expect(bot.server.jobs.mode).toBe('manual');

    const reply = await say('jobs');
    expect(reply).toContain('**tick** — tick (test)');
    expect(reply).toContain('**flaky** — Fails the first time (test).');
    expect(reply.match(/Has not run yet\./g)).toHaveLength(2);

    expect(await readyz()).toEqual({
      status: 200,
      body: { status: 'ready', database: 'sqlite', jobs: { tick: { lastFire: null, outcome: null }, flaky: { lastFire: null, outcome: null } } },
    });
    // No timer and no start-up run against a test clock.
    expect(tick.runs).toEqual([]);
  });

  it('after fires, `jobs` shows when each ran, how it ended, its counts and where; /readyz stays ready with a failed job', async () => {
    const clock = new ManualClock(new Date('2026-11-22T10:00:00Z'));
    const tick = countingJob('tick', '*/5 * * * *');
    bot = await startTestBot({ ADMIN_USER_IDS: admin.aadObjectId }, { clock, jobs: [tick.job, flaky()] });
    const scheduler = bot.server.jobs.scheduler!;
    const instance = bot.server.jobs.instanceId;
    expect(instance).toMatch(new RegExp(`/${process.pid}/[0-9a-f]{8}$`));

    await scheduler.runDue(clock.now());
    let reply = await say('jobs');
    expect(reply).toContain('Last ran Sun 22 Nov, 10:00 UTC: done: 1.');
    expect(reply).toContain('Last ran Sun 22 Nov, 10:00 UTC and **failed**. The bot\'s logs say why (look for job "flaky")');
    // An admin reads what happened, not which process did it.
    expect(reply).not.toContain(instance);
    // The error's own words name internals: they go to the log, never to chat.
    expect(reply).not.toContain('/srv/secret/db');
    expect(bot.logText()).toContain('connection to /srv/secret/db refused');

    expect(await readyz()).toEqual({
      status: 200,
      body: {
        status: 'ready',
        database: 'sqlite',
        jobs: { tick: { lastFire: '2026-11-22T10:00:00.000Z', outcome: 'succeeded' }, flaky: { lastFire: '2026-11-22T10:00:00.000Z', outcome: 'failed' } },
      },
    });

    clock.advance(minutes(60));
    await scheduler.runDue(clock.now());
    reply = await say('jobs');
    expect(reply).toContain('Last ran Sun 22 Nov, 11:00 UTC: fixed: 1.');
    expect((await readyz()).body.jobs).toEqual({
      tick: { lastFire: '2026-11-22T11:00:00.000Z', outcome: 'succeeded' },
      flaky: { lastFire: '2026-11-22T11:00:00.000Z', outcome: 'succeeded' },
    });
  });

  it('a run whose instance died mid-run (no end recorded) shows as interrupted once housekeeping has run, not running forever', async () => {
    const clock = new ManualClock(new Date('2026-11-22T10:00:00Z'));
    bot = await startTestBot({ ADMIN_USER_IDS: admin.aadObjectId }, { clock });
    // What a kill -9 leaves behind: a run started by another instance, never finished.
    await bot.server.store.db.jobRun.create({
      data: { id: 'run-of-dead-instance', job: 'expire-codes', fireTime: new Date('2026-11-22T09:55:00Z'), instance: 'host-b/4242/deadbeef', startedAt: new Date('2026-11-22T09:55:01Z'), outcome: 'running' },
    });
    expect(await say('jobs')).toContain('Running now, since Sun 22 Nov, 09:55 UTC.');

    await bot.server.jobs.scheduler!.runNow('housekeeping');
    expect(await say('jobs')).toContain('Running now, since Sun 22 Nov, 09:55 UTC.'); // within the hour: may still be running

    clock.advance(minutes(61));
    const housekeeping = await bot.server.jobs.scheduler!.runNow('housekeeping');
    expect(housekeeping).toMatchObject({ outcome: 'succeeded', counts: expect.objectContaining({ runsInterrupted: 1 }) });
    const after = await say('jobs');
    expect(after).toContain('Last ran Sun 22 Nov, 09:55 UTC and was **interrupted**: the bot stopped before it finished.');
    expect(after).not.toContain('host-b/4242/deadbeef');
    // What housekeeping did, in words: no counter names.
    expect(after).toContain('marked 1 job run whose bot instance stopped as interrupted');
    expect(after).not.toMatch(/runsInterrupted|leasesPurged|activitiesForgotten|handoffsPurged/);
  });

  it('`jobs` needs the admin or manager role', async () => {
    bot = await startTestBot({ ADMIN_USER_IDS: admin.aadObjectId }, { clock: new ManualClock(), jobs: [countingJob('tick', '* * * * *').job] });
    const reply = await say('jobs', stranger);
    expect(reply).toContain('"jobs" needs one of the roles admin, manager');
  });
});

describe('on the system clock (node-cron timers on)', () => {
  it('each job runs once at start-up, and close() waits for a run in progress', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let finished = false;
    const slow: JobDefinition = {
      name: 'slow',
      cron: '0 3 * * *',
      summary: 'Waits for the test (test).',
      async run() {
        await released;
        finished = true;
        return { waited: 1 };
      },
    };
    const tick = countingJob('tick', '*/5 * * * *');
    bot = await startTestBot({}, { jobs: [tick.job, slow] });
    expect(bot.server.jobs.mode).toBe('auto');
    await bot.channel.waitUntil(() => tick.runs.length === 1, 'the start-up run of tick');
    await expect.poll(async () => ((await readyz()).body.jobs as Record<string, unknown>).tick).toMatchObject({ outcome: 'succeeded' });
    // The start-up runs go one after another: slow's run is recorded a moment after tick's.
    await expect.poll(async () => ((await readyz()).body.jobs as Record<string, unknown>).slow, { timeout: 10_000 }).toMatchObject({ outcome: 'running' });

    let closed = false;
    const closing = bot.close().then(() => (closed = true));
    bot = undefined;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(closed).toBe(false);
    release();
    await closing;
    expect(finished).toBe(true);
  });

  it('the scheduler can be turned off: no runs here, the jobs still listed', async () => {
    const tick = countingJob('tick', '* * * * *');
    bot = await startTestBot({ ADMIN_USER_IDS: admin.aadObjectId }, { jobs: [tick.job], scheduler: 'off' });
    expect(bot.server.jobs.scheduler).toBeNull();
    const reply = await say('jobs');
    expect(reply).toContain('**tick**');
    expect(reply).toContain('This copy of the bot runs no jobs itself');
    expect(tick.runs).toEqual([]);
  });

  it("the product's jobs all run cleanly at start-up on a fresh database", async () => {
    bot = await startTestBot();
    const names = bot.server.jobs.jobs.map((job) => job.name);
    expect(names).toEqual(['expire-codes', 'warn-expiring-codes', 'lapse-login-codes', 'stale-devices', 'queue-digests', 'sip-follow-batches', 'sip-deadlines', 'plan-updates', 'housekeeping']);
    await expect
      .poll(async () => Object.values((await readyz()).body.jobs as Record<string, { outcome: string | null }>).map((job) => job.outcome), { timeout: 10_000 })
      .toEqual(names.map(() => 'succeeded'));
  });
});
