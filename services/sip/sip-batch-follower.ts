// Following SIP batches to the end: a waiting batch is submitted when its region has room (at most
// 3 running), a running one polled with backoff until the gateway says Completed.
//
// Batches are rows of SipBatch, so any instance (or this one after a restart) continues them:
// a waiting batch is claimed by compare-and-set before it is submitted, and the gateway's batch
// id is stored the moment it answers; a batch left "submitting" by a crash, or one the gateway
// never confirmed, is never sent again by itself (only a person's "sip retry" does), so nothing
// is submitted twice.
import type { Database } from '../../prisma/store.ts';
import { enqueueEvent } from '../notifications/outbox.ts';
import type { Clock } from '../shared/clock.ts';
import { maxRunningBatchesPerRegion } from './batching.ts';
import { parseHardwareId } from './hardware-id.ts';
import { isCompleted, isFailed, isSuccess, SipGatewayError, type SipGateway } from './sip-gateway.ts';
import type { SipRegion } from './regions.ts';
import { reportCheck } from './sip-settings.ts';

/** First poll of a batch this long after submission; doubles while nothing changes, up to maxPollIntervalMs. */
export const firstPollAfterMs = 15_000;
export const maxPollIntervalMs = 5 * 60_000;
/** A running batch without progress this long is reported (once). */
export const stuckAfterMs = 30 * 60_000;
/** A batch still "submitting" this long was left by an instance that stopped mid-submission. */
export const abandonedSubmissionAfterMs = 10 * 60_000;

export interface SipAdvanceCounts {
  submitted: number;
  polled: number;
  completed: number;
  stuck: number;
  /** Batches an instance stopped while submitting: failed with what to check, never sent again by themselves. */
  abandoned: number;
}

export function createSipBatchFollower(db: Database, clock: Clock, gateway: SipGateway) {
  /** Submits waiting batches of a tenant (oldest first) while its regions have room. */
  async function submitWaiting(tenantId: string): Promise<number> {
    // Ids are time-ordered (UUIDv7): batches made in the same millisecond still go in the order they were made.
    const waiting = await db.sipBatch.findMany({ where: { tenantId, status: 'waiting' }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
    let submitted = 0;
    for (const batch of waiting) {
      const running = await db.sipBatch.count({ where: { tenantId, region: batch.region, status: { in: ['submitting', 'running'] } } });
      if (running >= maxRunningBatchesPerRegion) continue;
      if (await submit(batch.id)) submitted++;
    }
    return submitted;
  }

  async function submit(batchId: string): Promise<boolean> {
    const now = clock.now();
    const claimed = await db.sipBatch.updateMany({ where: { id: batchId, status: 'waiting' }, data: { status: 'submitting', submittedAt: now } });
    if (claimed.count === 0) return false; // another instance took it
    const batch = await db.sipBatch.findUniqueOrThrow({ where: { id: batchId } });
    const accounts = await db.sipAccount.findMany({ where: { batchId }, orderBy: { line: 'asc' } });
    try {
      const { batchId: gatewayBatchId } = await gateway.submit(batch.tenantId, batch.region as SipRegion, accounts.map(({ username, hardwareId }) => ({ username, hardwareId })));
      await db.sipBatch.update({ where: { id: batchId }, data: { status: 'running', gatewayBatchId, nextPollAt: new Date(now.getTime() + firstPollAfterMs), progressAt: now } });
      await db.sipAccount.updateMany({ where: { batchId }, data: { status: 'running', updatedAt: now } });
      // An accepted batch proves the runner's role: `sip check` shows it as reported by the gateway.
      await reportCheck(db, batch.tenantId, 'runner-role', now);
      return true;
    } catch (error) {
      if (!(error instanceof SipGatewayError)) throw error;
      if (error.kind === 'too_many_batches' || error.kind === 'unavailable') {
        // Nothing was accepted: the batch waits for its turn again.
        await db.sipBatch.update({ where: { id: batchId }, data: { status: 'waiting', submittedAt: null, refusal: error.message } });
        return false;
      }
      // Refused for good (throttling, access denied, too large), or not confirmed: its accounts fail
      // with the reason, and only a person's "sip retry" sends them again.
      const reason = error.kind === 'outcome_unknown'
        ? `${error.message} The gateway may have accepted the batch: check Get-CsSdgBulkSignInRequestsSummary before "sip retry", or the devices are sent twice.`
        : error.message;
      await db.sipBatch.update({ where: { id: batchId }, data: { status: 'refused', refusal: reason, completedAt: now } });
      await db.sipAccount.updateMany({ where: { batchId }, data: { status: 'failed', error: reason, updatedAt: now } });
      return false;
    }
  }

  /** One look at a running batch: finished items recorded, completion or stillness noted. */
  async function poll(batchId: string): Promise<'completed' | 'running' | 'stuck'> {
    const batch = await db.sipBatch.findUniqueOrThrow({ where: { id: batchId } });
    const now = clock.now();
    const status = await gateway.status(batch.tenantId, batch.gatewayBatchId ?? '');
    const accounts = await db.sipAccount.findMany({ where: { batchId } });
    const byHardwareId = new Map(accounts.map((account) => [account.hardwareId, account]));
    let finished = 0;
    await db.$transaction(async (tx) => {
      for (const item of status.items) {
        const done = isSuccess(item.status) ? 'succeeded' : isFailed(item.status) ? 'failed' : null;
        if (!done) continue;
        finished++;
        // The gateway may write the id in another form (colons, lower case): matched as the import stored it.
        const parsed = parseHardwareId(item.hardwareId);
        const account = byHardwareId.get(parsed.ok ? parsed.hardwareId : item.hardwareId.trim().toUpperCase());
        if (!account || account.status === done) continue;
        await tx.sipAccount.update({ where: { id: account.id }, data: { status: done, error: done === 'failed' ? (item.error ?? 'failed (the gateway gave no reason)') : null, updatedAt: now } });
      }
    });
    const completed = isCompleted(status.status);
    const progressed = finished > batch.finished;
    const quietPolls = progressed ? 0 : batch.polls + 1;
    const progressAt = progressed ? now : (batch.progressAt ?? now);
    const stuck = !completed && batch.stuckReportedAt === null && now.getTime() - progressAt.getTime() >= stuckAfterMs;
    await db.sipBatch.update({
      where: { id: batchId },
      data: {
        status: completed ? 'completed' : 'running',
        completedAt: completed ? now : null,
        finished,
        polls: quietPolls,
        progressAt,
        nextPollAt: completed ? null : new Date(now.getTime() + Math.min(firstPollAfterMs * 2 ** quietPolls, maxPollIntervalMs)),
        ...(stuck ? { stuckReportedAt: now } : {}),
      },
    });
    if (completed) {
      // Accounts the gateway did not list in a completed batch failed: never left "running".
      await db.sipAccount.updateMany({ where: { batchId, status: 'running' }, data: { status: 'failed', error: 'The gateway completed the batch without a result for this device.', updatedAt: now } });
      await enqueueEvent(db, { kind: 'sip.batch_completed', tenantId: batch.tenantId, batchId }, now, `sip.batch_completed:${batchId}`);
    } else if (progressed) {
      await enqueueEvent(db, { kind: 'sip.batch_progress', tenantId: batch.tenantId, batchId }, now);
    }
    if (stuck) await enqueueEvent(db, { kind: 'sip.batch_stuck', tenantId: batch.tenantId, batchId, since: progressAt.toISOString() }, now, `sip.batch_stuck:${batchId}`);
    return completed ? 'completed' : stuck ? 'stuck' : 'running';
  }

  /**
   * A batch left "submitting" by an instance that stopped: the gateway may or may not have it, so
   * it is not sent again; its accounts fail with what to check, and its place in the region is freed.
   */
  async function failAbandonedSubmissions(now: Date): Promise<number> {
    const reason = 'The bot stopped while submitting this batch, so the gateway may have accepted it: check Get-CsSdgBulkSignInRequestsSummary before "sip retry", or the devices are sent twice.';
    const abandoned = await db.sipBatch.findMany({ where: { status: 'submitting', submittedAt: { lte: new Date(now.getTime() - abandonedSubmissionAfterMs) } } });
    let failed = 0;
    for (const batch of abandoned) {
      const moved = await db.sipBatch.updateMany({ where: { id: batch.id, status: 'submitting' }, data: { status: 'refused', refusal: reason, completedAt: now } });
      if (moved.count === 0) continue;
      failed++;
      await db.sipAccount.updateMany({ where: { batchId: batch.id, status: 'queued' }, data: { status: 'failed', error: reason, updatedAt: now } });
      await enqueueEvent(db, { kind: 'sip.batch_progress', tenantId: batch.tenantId, batchId: batch.id }, now);
    }
    return failed;
  }

  /** The job: polls batches that are due, then fills free places with waiting batches. */
  async function advance(now: Date = clock.now()): Promise<SipAdvanceCounts> {
    const counts: SipAdvanceCounts = { submitted: 0, polled: 0, completed: 0, stuck: 0, abandoned: 0 };
    const due = await db.sipBatch.findMany({ where: { status: 'running', nextPollAt: { lte: now } }, orderBy: { nextPollAt: 'asc' }, select: { id: true } });
    for (const { id } of due) {
      counts.polled++;
      try {
        const outcome = await poll(id);
        if (outcome === 'completed') counts.completed++;
        if (outcome === 'stuck') counts.stuck++;
      } catch (error) {
        if (!(error instanceof SipGatewayError)) throw error;
        // The gateway did not answer this time: look again later, with the same backoff.
        await db.sipBatch.update({ where: { id }, data: { nextPollAt: new Date(now.getTime() + maxPollIntervalMs) } });
      }
    }
    counts.abandoned = await failAbandonedSubmissions(now);
    const tenants = await db.sipBatch.findMany({ where: { status: 'waiting' }, distinct: ['tenantId'], select: { tenantId: true } });
    for (const { tenantId } of tenants) counts.submitted += await submitWaiting(tenantId);
    return counts;
  }

  return { submitWaiting, poll, advance };
}
