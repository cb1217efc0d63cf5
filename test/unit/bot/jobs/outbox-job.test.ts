import { afterEach, describe, expect, it } from 'vitest';
import { startOutboxJob, type OutboxJob } from '../../../../bot/jobs/outbox-job.ts';
import { createLogger } from '../../../../bot/logger.ts';
import type { OutboxDelivery, OutboxRunResult } from '../../../../services/notifications/outbox-delivery.ts';

const log = createLogger('silent');
const nothing: OutboxRunResult = { sent: 0, retried: 0, dead: 0 };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A sender whose runs take `runMs` and that records how many overlap. */
function slowSender(runMs: number) {
  const stats = { runs: 0, running: 0, maxRunning: 0, finished: 0 };
  const sender: OutboxDelivery = {
    async runOnce() {
      stats.runs++;
      stats.running++;
      stats.maxRunning = Math.max(stats.maxRunning, stats.running);
      await sleep(runMs);
      stats.running--;
      stats.finished++;
      return nothing;
    },
  };
  return { sender, stats };
}

let job: OutboxJob | undefined;
afterEach(async () => {
  await job?.stop();
  job = undefined;
});

describe('the outbox job', () => {
  it('runs at once on start, then on its interval, never two runs at a time', async () => {
    const { sender, stats } = slowSender(30);
    job = startOutboxJob({ sender, intervalMs: 5, log });
    await sleep(200);
    expect(stats.runs).toBeGreaterThanOrEqual(3);
    expect(stats.maxRunning).toBe(1);
  });

  it('stop() waits for the run in progress and no run starts after it', async () => {
    const { sender, stats } = slowSender(80);
    job = startOutboxJob({ sender, intervalMs: 5, log });
    await sleep(20);
    expect(stats.running).toBe(1);
    await job.stop();
    expect(stats.running).toBe(0);
    expect(stats.finished).toBe(1);
    await sleep(50);
    expect(stats.runs).toBe(1);
  });

  it('kick() runs soon instead of waiting for the interval, and after the current run if one is going', async () => {
    const { sender, stats } = slowSender(40);
    job = startOutboxJob({ sender, intervalMs: 60_000, log });
    await sleep(10);
    job.kick(); // during the first run
    await sleep(120);
    expect(stats.runs).toBe(2);
    job.kick(); // idle now
    await sleep(60);
    expect(stats.runs).toBe(3);
    expect(stats.maxRunning).toBe(1);
  });

  it('keeps running after a run fails', async () => {
    let calls = 0;
    const sender: OutboxDelivery = {
      async runOnce() {
        calls++;
        if (calls === 1) throw new Error('database unreachable');
        return nothing;
      },
    };
    job = startOutboxJob({ sender, intervalMs: 5, log });
    await sleep(60);
    expect(calls).toBeGreaterThan(1);
  });
});
