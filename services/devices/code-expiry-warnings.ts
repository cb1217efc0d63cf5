// Warns before verification codes expire (by default 4 h and 1 h before), so an admin can
// hand out new codes before technicians arrive at a device whose code no longer works.
//
// "Warned at most once per code and lead" is the CodeWarning table's unique key, written in the
// same transaction as the outbox event: a second run, or a second instance at the same time,
// finds the rows (or loses the race on the key, rolls back and reads again) and sends nothing.
import { Prisma } from '../../generated/sqlite/client.ts';
import type { Database } from '../../prisma/store.ts';
import { enqueueEvent } from '../notifications/outbox.ts';
import { newId } from '../shared/random.ts';
import { retryOnUniqueViolation } from '../../prisma/unique-violation.ts';
import { chunks, digestOf, jobTransaction } from './code-expiry-support.ts';
import { groupBy } from '../shared/group-by.ts';

export interface WarnCounts {
  /** Codes a warning was sent for. */
  warned: number;
  /** `codes.expiring` events enqueued (one per hand-off, location and lead). */
  events: number;
  /** Earlier leads recorded as skipped because a nearer one went out instead. */
  skipped: number;
}

const minuteMs = 60_000;

/** Positive whole minutes, each once, nearest (smallest) first. */
export function normalizeLeads(leadsMinutes: readonly number[]): number[] {
  return [...new Set(leadsMinutes.filter((lead) => Number.isInteger(lead) && lead > 0))].sort((a, b) => a - b);
}

export interface PlannedCode {
  id: string;
  tenantId: string;
  batchId: string | null;
  issuedBy: string;
  expiresAt: Date;
  mac: string;
  location: string | null;
  /** The lead to warn for now, if one is due and not yet recorded. */
  send: number | null;
  /** Due leads further out than `send`, never sent: recorded so they are never sent later. */
  skip: number[];
}

/**
 * Which leads of one code are due at `now`, and which of them to send.
 *
 * Catch-up: a warning whose moment passed while the code was live is sent now (the bot may
 * have been down at that moment). But if a smaller lead is also due already (down through
 * both the 4 h and the 1 h moments), only the nearest (smallest) one is sent: the larger
 * ones say less and would arrive together. They are recorded as skipped, so that even with a
 * clock moved back they are never sent later. A moment before the code was issued (a code
 * valid for less than the lead) never applies: its first warning is the lead that fits.
 */
function planCode(expiresAt: Date, issuedAt: Date, now: Date, leads: readonly number[], recorded: ReadonlySet<number>) {
  const moment = (lead: number) => expiresAt.getTime() - lead * minuteMs;
  const due = leads.filter((lead) => moment(lead) > issuedAt.getTime() && moment(lead) <= now.getTime());
  const [nearest, ...further] = due;
  if (nearest === undefined) return { send: null, skip: [] };
  return { send: recorded.has(nearest) ? null : nearest, skip: further.filter((lead) => !recorded.has(lead)) };
}

const locationKey = (location: string | null) => (location ?? '').trim().toLowerCase();

/** A live code whose warning moment came for a lead not recorded yet, with its device. */
interface Candidate {
  id: string;
  tenantId: string;
  batchId: string | null;
  issuedBy: string;
  issuedAt: Date;
  expiresAt: Date;
  mac: string;
  location: string | null;
}

/**
 * The live codes that may need a warning now: expiring within a lead from `now` while that
 * lead is not recorded for them. In steady state almost every code in the window was warned by
 * an earlier run, so the database answers with the few whose moment came since (each recorded
 * lead is one probe of CodeWarning's unique key) instead of the whole window: with 20,000 live
 * codes, ~3,300 rows and their warnings read on every 5-minute run became ~200.
 *
 * Raw SQL because the anti-join is not expressible in Prisma's API (CodeWarning has no relation
 * to the code, and a relation filter would become `NOT IN (all warnings ever)`). Identifiers
 * are quoted for both providers; Date parameters are bound by Prisma as each provider stores
 * them, so the comparisons are the ones `findMany` would make.
 */
async function findCandidates(db: Database, now: Date, leads: readonly number[]): Promise<Candidate[]> {
  const before = (lead: number) => new Date(now.getTime() + lead * minuteMs);
  const unrecorded = leads.map(
    (lead) => Prisma.sql`(c."expiresAt" <= ${before(lead)} AND NOT EXISTS (SELECT 1 FROM "CodeWarning" w WHERE w."codeId" = c."id" AND w."leadMinutes" = ${lead}))`,
  );
  return db.$queryRaw<Candidate[]>(Prisma.sql`
    SELECT c."id", c."tenantId", c."batchId", c."issuedBy", c."issuedAt", c."expiresAt", d."mac", d."location"
    FROM "VerificationCode" c JOIN "Device" d ON d."id" = c."deviceId"
    WHERE c."status" = 'live' AND c."expiresAt" > ${now} AND c."expiresAt" <= ${before(leads.at(-1) ?? 0)}
      AND (${Prisma.join(unrecorded, ' OR ')})
    ORDER BY c."expiresAt", c."id"`);
}

/**
 * The scan of the warning job: which live codes get a warning at `now`, for which lead, and
 * which further leads are recorded as skipped. Reads only; `warnExpiringCodes` writes.
 */
export async function planWarnings(db: Database, now: Date, leadsMinutes: readonly number[]): Promise<PlannedCode[]> {
  const leads = normalizeLeads(leadsMinutes);
  if (leads.length === 0) return [];
  const codes = await findCandidates(db, now, leads);
  const recorded = new Map<string, Set<number>>();
  for (const ids of chunks(codes.map((code) => code.id))) {
    for (const row of await db.codeWarning.findMany({ where: { codeId: { in: ids } }, select: { codeId: true, leadMinutes: true } })) {
      recorded.set(row.codeId, (recorded.get(row.codeId) ?? new Set()).add(row.leadMinutes));
    }
  }
  const planned: PlannedCode[] = [];
  for (const code of codes) {
    const { send, skip } = planCode(code.expiresAt, code.issuedAt, now, leads, recorded.get(code.id) ?? new Set());
    if (send === null && skip.length === 0) continue;
    const { id, tenantId, batchId, issuedBy, expiresAt, mac, location } = code;
    planned.push({ id, tenantId, batchId, issuedBy, expiresAt, mac, location: location?.trim() || null, send, skip });
  }
  return planned;
}

function warningRows(codes: readonly PlannedCode[], now: Date) {
  return codes.flatMap((code) => [...(code.send === null ? [] : [code.send]), ...code.skip].map((leadMinutes) => ({ id: newId(), codeId: code.id, leadMinutes, sentAt: now })));
}

async function warnPass(db: Database, now: Date, leads: readonly number[], totals: WarnCounts): Promise<void> {
  const planned = await planWarnings(db, now, leads);
  const toSend = planned.filter((code) => code.send !== null);
  const batchIds = [...new Set(toSend.map((code) => code.batchId).filter((id): id is string => id !== null))];
  const issuers = new Map<string, string>();
  for (const ids of chunks(batchIds)) {
    for (const batch of await db.handoffBatch.findMany({ where: { id: { in: ids } }, select: { id: true, issuedBy: true } })) issuers.set(batch.id, batch.issuedBy);
  }

  // One hand-off's codes share their expiry, so a (hand-off, location, lead) group is due all
  // at once; codes without a hand-off are grouped by their expiry instead.
  const batchKey = (code: PlannedCode) => code.batchId ?? `unbatched@${code.expiresAt.toISOString()}`;
  const groups = groupBy(toSend, (code) => JSON.stringify([code.tenantId, batchKey(code), locationKey(code.location), code.send]));
  for (const group of groups.values()) {
    const first = group[0];
    if (!first || first.send === null) continue;
    const lead = first.send;
    const sorted = [...group].sort((a, b) => a.mac.localeCompare(b.mac));
    const expiresAt = new Date(Math.min(...group.map((code) => code.expiresAt.getTime())));
    // Built from tenant, hand-off, location and lead, plus the codes themselves: the same codes
    // are never announced twice, while a device that joins the location after its group was
    // warned still gets its own warning instead of colliding with the first one's key.
    const dedupeKey = `codes.expiring:${first.tenantId}:${batchKey(first)}:${lead}:${digestOf([locationKey(first.location), ...group.map((code) => code.id)])}`;
    await db.$transaction(async (tx) => {
      for (const rows of chunks(warningRows(group, now))) await tx.codeWarning.createMany({ data: rows });
      await enqueueEvent(
        tx,
        {
          kind: 'codes.expiring',
          tenantId: first.tenantId,
          batchId: first.batchId ?? '',
          location: sorted[0]?.location ?? null,
          leadMinutes: lead,
          expiresAt: expiresAt.toISOString(),
          macs: sorted.map((code) => code.mac),
          issuedBy: (first.batchId ? issuers.get(first.batchId) : undefined) ?? first.issuedBy,
        },
        now,
        dedupeKey,
      );
    }, jobTransaction);
    totals.warned += group.length;
    totals.events += 1;
    totals.skipped += group.reduce((sum, code) => sum + code.skip.length, 0);
  }

  // Codes whose nearest lead went out before but a further one is unrecorded (e.g. a lead
  // added to the settings since): record it as skipped, nothing to send.
  const onlySkips = planned.filter((code) => code.send === null);
  if (onlySkips.length > 0) {
    await db.$transaction(async (tx) => {
      for (const rows of chunks(warningRows(onlySkips, now))) await tx.codeWarning.createMany({ data: rows });
    }, jobTransaction);
    totals.skipped += onlySkips.reduce((sum, code) => sum + code.skip.length, 0);
  }
}

/** Sends the warnings due at `now` for live codes, each (code, lead) at most once ever. */
export async function warnExpiringCodes(db: Database, now: Date, leadsMinutes: readonly number[]): Promise<WarnCounts> {
  const leads = normalizeLeads(leadsMinutes);
  const totals: WarnCounts = { warned: 0, events: 0, skipped: 0 };
  if (leads.length === 0) return totals;
  // Groups already committed stay counted; a lost race re-plans only what is still unwarned.
  await retryOnUniqueViolation(() => warnPass(db, now, leads, totals));
  return totals;
}
