// Runs the outbox delivery engine (services/notifications/outbox-delivery.ts) in the
// background: one run at start (what an earlier process left; after firstRunDelayMs, default at
// once), then one every intervalMs, never two at once (the next waits for the current to finish).
// kick() asks for a run as soon as possible, e.g. right after something was enqueued.
// A run that claimed a full batch is followed by the next one at once (a backlog drains as fast
// as the channel takes it, not one batch per tick), until a run comes back short or stop().
// Every instance runs one: the leases in the outbox make them share the work, not repeat it.
import type { Logger } from '../logger.ts';
import type { OutboxDelivery } from '../../services/notifications/outbox-delivery.ts';
import { errorSummary } from '../../prisma/error-summary.ts';

export const defaultOutboxIntervalMs = 2_000;

export interface OutboxJob {
  /** Run soon (now if idle, right after the current run otherwise). */
  kick(): void;
  /** No more runs; resolves once the run in progress (if any) has finished. */
  stop(): Promise<void>;
}

export function startOutboxJob({ sender, intervalMs = defaultOutboxIntervalMs, firstRunDelayMs = 0, log }: { sender: OutboxDelivery; intervalMs?: number; firstRunDelayMs?: number; log: Logger }): OutboxJob {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let immediate: NodeJS.Immediate | undefined;
  let current: Promise<void> | undefined;
  let runAgain = false;

  function cancelPending(): void {
    clearTimeout(timer);
    timer = undefined;
    if (immediate) clearImmediate(immediate);
    immediate = undefined;
  }

  function schedule(delayMs: number): void {
    if (stopped) return;
    cancelPending();
    timer = setTimeout(() => void run(), delayMs);
  }

  // setImmediate, not a direct call: the HTTP requests waiting on the event loop go first, so
  // draining a backlog never starves the device API.
  function scheduleRightAfterIo(): void {
    if (stopped) return;
    cancelPending();
    immediate = setImmediate(() => void run());
  }

  async function run(): Promise<void> {
    timer = undefined;
    immediate = undefined;
    if (stopped || current) return;
    runAgain = false;
    let moreDue = false;
    current = (async () => {
      try {
        const result = await sender.runOnce();
        moreDue = result.moreDue === true;
        if (result.sent + result.retried + result.dead > 0) log.info(result, 'outbox run');
      } catch (error) {
        // The store is unreachable, most likely; the next run (on the interval) tries again.
        log.error({ reason: errorSummary(error) }, 'outbox run failed');
      }
    })();
    await current;
    current = undefined;
    if (moreDue) scheduleRightAfterIo();
    else schedule(runAgain ? 0 : intervalMs);
  }

  schedule(firstRunDelayMs);

  return {
    kick() {
      if (stopped) return;
      if (current) runAgain = true;
      else if (!immediate) schedule(0);
    },
    async stop() {
      stopped = true;
      cancelPending();
      await current;
    },
  };
}
