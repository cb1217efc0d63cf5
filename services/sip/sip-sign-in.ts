// SIP Gateway bulk sign-in, as the admin lives it: import a list, sign the accounts in batch by
// batch (submitted and followed by sip-batch-follower.ts), see every failure explained, export, retry.
import type { Database } from '../../prisma/store.ts';
import type { Clock } from '../shared/clock.ts';
import { DomainError } from '../shared/errors.ts';
import { newId } from '../shared/random.ts';
import { maxBatchSize, splitIntoBatches } from './batching.ts';
import { oldestDeadline } from './deadlines.ts';
import { explainSipError } from './error-catalog.ts';
import { parseSipCsv, type SipCsvProblem } from './sip-csv.ts';
import { createSipBatchFollower } from './sip-batch-follower.ts';
import type { SipGateway } from './sip-gateway.ts';
import { locationKey, readSettings, toAccount, type SipAccountRecord, type SipAccountStatus } from './sip-store.ts';
import type { SipRegion } from './regions.ts';

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

export function createSipSignIn(db: Database, clock: Clock, gateway: SipGateway) {
  const { submitWaiting, poll, advance } = createSipBatchFollower(db, clock, gateway);

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
    const latest = await db.sipImport.findFirst({ where: { tenantId }, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], select: { id: true } });
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

  async function batchSummaries(tenantId: string, ids?: string[]): Promise<SipBatchSummary[]> {
    const batches = await db.sipBatch.findMany({ where: { tenantId, ...(ids ? { id: { in: ids } } : {}) }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
    const counts = await db.sipAccount.groupBy({ by: ['batchId', 'status'], where: { tenantId, batchId: { in: batches.map((batch) => batch.id) } }, _count: { _all: true } });
    const countOf = (batchId: string, status: string) => counts.find((row) => row.batchId === batchId && row.status === status)?._count._all ?? 0;
    return batches.map((batch) => ({
      id: batch.id, region: batch.region as SipRegion, status: batch.status, size: batch.size,
      succeeded: countOf(batch.id, 'succeeded'), failed: countOf(batch.id, 'failed'), submittedAt: batch.submittedAt, completedAt: batch.completedAt,
    }));
  }

  /** Every batch of the tenant not yet finished, whatever its import. */
  async function openBatches(tenantId: string): Promise<SipBatchSummary[]> {
    const open = await db.sipBatch.findMany({ where: { tenantId, status: { in: ['waiting', 'submitting', 'running'] } }, select: { id: true } });
    return open.length === 0 ? [] : batchSummaries(tenantId, open.map((batch) => batch.id));
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

  return { importCsv, isImport, countToSend, signIn, retry, advance, poll, status, batch, batchSummaries, openBatches, latestImportId };
}

export type SipSignIn = ReturnType<typeof createSipSignIn>;
