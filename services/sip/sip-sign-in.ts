// SIP Gateway bulk sign-in, as the admin lives it: import a list, sign the accounts in batch by
// batch, follow each batch to the end, see every failure explained, export, retry.
//
// Batches are rows of SipBatch, so any instance (or this one after a restart) continues them:
// a waiting batch is claimed by compare-and-set before it is submitted, and the gateway's batch
// id is stored the moment it answers; a batch left "submitting" by a crash is never sent again
// (it is reported instead), so nothing is submitted twice.
import type { Database } from '../../prisma/store.ts';
import { enqueueEvent } from '../notifications/outbox.ts';
import type { Clock } from '../shared/clock.ts';
import { DomainError } from '../shared/errors.ts';
import { newId } from '../shared/random.ts';
import { maxBatchSize, maxRunningBatchesPerRegion, splitIntoBatches } from './batching.ts';
import { oldestDeadline } from './deadlines.ts';
import { explainSipError } from './error-catalog.ts';
import { parseSipCsv, type SipCsvProblem } from './sip-csv.ts';
import { isCompleted, isFailed, isSuccess, SipGatewayError, type SipGateway } from './sip-gateway.ts';
import { locationKey, readSettings, toAccount, type SipAccountRecord, type SipAccountStatus } from './sip-store.ts';
import type { SipRegion } from './regions.ts';

/** First poll of a batch this long after submission; doubles while nothing changes, up to maxPollIntervalMs. */
export const firstPollAfterMs = 15_000;
export const maxPollIntervalMs = 5 * 60_000;
/** A running batch without progress this long is reported (once). */
export const stuckAfterMs = 30 * 60_000;

export interface SipImportReport {
  importId: string;
  accepted: number;
  byRegion: Partial<Record<SipRegion, number>>;
  rejected: SipCsvProblem[];
  duplicates: (SipCsvProblem & { firstLine: number })[];
}

export interface SipSelection {
  importId?: string;
  region?: SipRegion;
  /** Batch size for this sign-in (a smaller one after on-premises AD throttling). */
  batchSize?: number;
}

export interface SipBatchSummary {
  id: string;
  region: SipRegion;
  status: string;
  size: number;
  succeeded: number;
  failed: number;
  submittedAt: Date | null;
  completedAt: Date | null;
}

export interface SipAdvanceCounts {
  submitted: number;
  polled: number;
  completed: number;
  stuck: number;
}

export function createSipSignIn(db: Database, clock: Clock, gateway: SipGateway) {
  async function importCsv(actor: string, tenantId: string, csv: string | Buffer): Promise<SipImportReport> {
    const parsed = parseSipCsv(csv);
    const settings = await readSettings(db, tenantId);
    const now = clock.now();
    const importId = newId();
    const rejected = [...parsed.rejected];
    const accepted: { line: number; username: string; hardwareId: string; region: SipRegion; onboardedAt: Date | null; signedOut: boolean }[] = [];
    for (const row of parsed.rows) {
      const region = row.region ?? (row.location ? settings.locationRegions[locationKey(row.location)] : undefined) ?? settings.defaultRegion;
      if (!region) {
        rejected.push({ line: row.line, value: row.hardwareId, reason: 'no region: add a Region column (NOAM, EMEA or APAC), or set the default with "sip region default EMEA"' });
        continue;
      }
      accepted.push({ ...row, region });
    }
    rejected.sort((a, b) => a.line - b.line);
    await db.$transaction(async (tx) => {
      await tx.sipImport.create({ data: { id: importId, tenantId, createdBy: actor, createdAt: now, accepted: accepted.length, report: JSON.stringify({ rejected, duplicates: parsed.duplicates }) } });
      await tx.sipAccount.createMany({
        data: accepted.map((row) => ({
          id: newId(), tenantId, importId, line: row.line, username: row.username, hardwareId: row.hardwareId, region: row.region, status: 'ready',
          onboardedAt: row.onboardedAt, deadlineKind: row.signedOut ? 'signed_out' : 'onboarded', updatedAt: now,
        })),
      });
    });
    const byRegion: Partial<Record<SipRegion, number>> = {};
    for (const row of accepted) byRegion[row.region] = (byRegion[row.region] ?? 0) + 1;
    return { importId, accepted: accepted.length, byRegion, rejected, duplicates: parsed.duplicates };
  }

  async function latestImportId(tenantId: string): Promise<string> {
    const latest = await db.sipImport.findFirst({ where: { tenantId }, orderBy: { createdAt: 'desc' }, select: { id: true } });
    if (!latest) throw new DomainError('not_found', 'No SIP list imported yet. Import one first: "sip import" with a CSV of Username,HardwareId.');
    return latest.id;
  }

  async function isImport(tenantId: string, id: string): Promise<boolean> {
    return (await db.sipImport.count({ where: { tenantId, id } })) > 0;
  }

  async function checkImport(tenantId: string, importId: string): Promise<void> {
    const found = await db.sipImport.findFirst({ where: { tenantId, id: importId }, select: { id: true } });
    if (!found) throw new DomainError('not_found', `No SIP import ${importId} here. "sip status" lists the imports.`);
  }

  async function accountsIn(tenantId: string, statuses: SipAccountStatus[], selection: SipSelection): Promise<SipAccountRecord[]> {
    if (selection.importId) await checkImport(tenantId, selection.importId);
    const rows = await db.sipAccount.findMany({
      where: { tenantId, status: { in: statuses }, ...(selection.importId ? { importId: selection.importId } : {}), ...(selection.region ? { region: selection.region } : {}) },
      orderBy: [{ importId: 'asc' }, { line: 'asc' }],
    });
    return rows.map(toAccount);
  }

  /** How many accounts a sign-in (or a retry: the failed ones) of this selection would send; the command asks above 100. */
  async function countToSend(tenantId: string, selection: SipSelection, retry = false): Promise<number> {
    return (await accountsIn(tenantId, [retry ? 'failed' : 'ready'], selection)).length;
  }

  /** Splits the ready accounts into batches and starts as many as each region allows. */
  async function signIn(tenantId: string, selection: SipSelection): Promise<{ accounts: number; batches: SipBatchSummary[] }> {
    const ready = await accountsIn(tenantId, ['ready'], selection);
    if (ready.length === 0) {
      throw new DomainError('not_found', `No account waits to be signed in${selection.region ? ` in ${selection.region}` : ''}. Import a list with "sip import", or retry failed ones with "sip retry".`);
    }
    const size = Math.min(selection.batchSize ?? maxBatchSize, maxBatchSize);
    const now = clock.now();
    const batchIds: string[] = [];
    for (const batch of splitIntoBatches(ready, size)) {
      const id = newId();
      batchIds.push(id);
      await db.$transaction(async (tx) => {
        await tx.sipBatch.create({ data: { id, tenantId, region: batch.region, status: 'waiting', size: batch.accounts.length, createdAt: now } });
        await tx.sipAccount.updateMany({ where: { id: { in: batch.accounts.map((account) => account.id) }, status: 'ready' }, data: { status: 'queued', batchId: id, error: null, updatedAt: now } });
      });
    }
    if (gateway.answersQuickly) await submitWaiting(tenantId);
    return { accounts: ready.length, batches: await batchSummaries(tenantId, batchIds) };
  }

  /** Failed accounts back to ready, then signed in again (optionally in smaller batches). */
  async function retry(tenantId: string, selection: SipSelection) {
    const failed = await accountsIn(tenantId, ['failed'], selection);
    if (failed.length === 0) throw new DomainError('not_found', 'No failed account to retry. "sip status" shows how the batches went.');
    await db.sipAccount.updateMany({ where: { id: { in: failed.map((account) => account.id) }, status: 'failed' }, data: { status: 'ready', updatedAt: clock.now() } });
    return signIn(tenantId, selection);
  }

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
    const byHardwareId = new Map(accounts.map((account) => [account.hardwareId.toUpperCase(), account]));
    let finished = 0;
    await db.$transaction(async (tx) => {
      for (const item of status.items) {
        const done = isSuccess(item.status) ? 'succeeded' : isFailed(item.status) ? 'failed' : null;
        if (!done) continue;
        finished++;
        const account = byHardwareId.get(item.hardwareId.trim().toUpperCase());
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

  /** The job: polls batches that are due, then fills free places with waiting batches. */
  async function advance(now: Date = clock.now()): Promise<SipAdvanceCounts> {
    const counts: SipAdvanceCounts = { submitted: 0, polled: 0, completed: 0, stuck: 0 };
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
    const tenants = await db.sipBatch.findMany({ where: { status: 'waiting' }, distinct: ['tenantId'], select: { tenantId: true } });
    for (const { tenantId } of tenants) counts.submitted += await submitWaiting(tenantId);
    return counts;
  }

  async function batchSummaries(tenantId: string, ids?: string[]): Promise<SipBatchSummary[]> {
    const batches = await db.sipBatch.findMany({ where: { tenantId, ...(ids ? { id: { in: ids } } : {}) }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
    const counts = await db.sipAccount.groupBy({ by: ['batchId', 'status'], where: { tenantId, batchId: { in: batches.map((batch) => batch.id) } }, _count: { _all: true } });
    const countOf = (batchId: string, status: string) => counts.find((row) => row.batchId === batchId && row.status === status)?._count._all ?? 0;
    return batches.map((batch) => ({
      id: batch.id, region: batch.region as SipRegion, status: batch.status, size: batch.size,
      succeeded: countOf(batch.id, 'succeeded'), failed: countOf(batch.id, 'failed'), submittedAt: batch.submittedAt, completedAt: batch.completedAt,
    }));
  }

  /** Where an import (default: the latest) stands: counts per status, the failed rows explained, its batches. */
  async function status(tenantId: string, importId?: string) {
    const id = importId ?? (await latestImportId(tenantId));
    await checkImport(tenantId, id);
    const accounts = (await db.sipAccount.findMany({ where: { tenantId, importId: id }, orderBy: { line: 'asc' } })).map(toAccount);
    const counts: Record<SipAccountStatus, number> = { ready: 0, queued: 0, running: 0, succeeded: 0, failed: 0 };
    for (const account of accounts) counts[account.status]++;
    const failed = accounts.filter((account) => account.status === 'failed').map((account) => ({ ...account, explained: explainSipError(account.error ?? '') }));
    const batchIds = [...new Set(accounts.map((account) => account.batchId).filter((batchId): batchId is string => batchId !== null))];
    return { importId: id, total: accounts.length, counts, failed, batches: await batchSummaries(tenantId, batchIds), accounts };
  }

  /** One batch as its card shows it: counts, the failed rows explained, the oldest deadline still open. */
  async function batch(tenantId: string, batchId: string) {
    const [summary] = await batchSummaries(tenantId, [batchId]);
    if (!summary) throw new DomainError('not_found', `No SIP import or batch ${batchId} here. "sip status" shows the latest import and its batches.`);
    const accounts = (await db.sipAccount.findMany({ where: { tenantId, batchId }, orderBy: { line: 'asc' } })).map(toAccount);
    const failed = accounts.filter((account) => account.status === 'failed').map((account) => ({ ...account, explained: explainSipError(account.error ?? '') }));
    const refusal = (await db.sipBatch.findUnique({ where: { id: batchId }, select: { refusal: true } }))?.refusal ?? null;
    return { ...summary, importIds: [...new Set(accounts.map((account) => account.importId))], failedAccounts: failed, oldestDeadline: oldestDeadline(accounts), refusal };
  }

  return { importCsv, isImport, countToSend, signIn, retry, advance, poll, status, batch, batchSummaries, latestImportId };
}

export type SipSignIn = ReturnType<typeof createSipSignIn>;
