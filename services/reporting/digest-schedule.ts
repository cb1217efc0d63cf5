// Queues the managers' digest once per tenant and local day. The job calls this on every fire
// (and once on start): each tenant whose local time is at or past the digest time, and whose
// digest for today is not recorded yet, gets a DailyReport row and a digest.due event in one
// transaction. The row is unique per (tenant, kind, day), so however often this runs, on
// however many instances, a day's digest is queued once; and a digest missed while the bot
// was down is queued on the first run after it, the same day.
import type { Database } from '../../prisma/store.ts';
import { isUniqueViolation } from '../../prisma/unique-violation.ts';
import { enqueueEvent } from '../notifications/outbox.ts';
import { newId } from '../shared/random.ts';
import { checkTimeOfDay, checkTimeZone, isTimeZone, localMoment } from '../shared/local-time.ts';

export const digestReportKind = 'digest';

export interface DigestSchedule {
  /** Local time of day the digest is due, "HH:mm" (e.g. "08:00"). */
  digestTime: string;
  /**
   * The zone that time is read in for every tenant. Omitted: each tenant's own zone
   * (Tenant.timeZone, UTC unless set).
   */
  timeZone?: string;
}

export interface DigestQueueResult {
  /** Digests queued by this call. */
  queued: { tenantId: string; day: string }[];
  /** Tenants whose digest for today was queued before (by an earlier run or another instance). */
  alreadyQueued: number;
  /** Tenants for which it is not yet the digest time today. */
  notYetDue: number;
}

/** The outbox dedupe key of a tenant's digest for a day. */
export const digestDedupeKey = (tenantId: string, day: string) => `digest.due:${tenantId}:${day}`;

export async function queueDueDigests(db: Database, now: Date, schedule: DigestSchedule): Promise<DigestQueueResult> {
  const digestTime = checkTimeOfDay(schedule.digestTime);
  const fixedZone = schedule.timeZone === undefined ? undefined : checkTimeZone(schedule.timeZone);

  // The tenants with something to report, or someone to report to.
  const tenants = await db.tenant.findMany({
    where: { OR: [{ devices: { some: {} } }, { conversationReferences: { some: { audience: 'managers' } } }] },
    select: { id: true, timeZone: true },
    orderBy: { id: 'asc' },
  });

  const due: { tenantId: string; day: string }[] = [];
  let notYetDue = 0;
  for (const tenant of tenants) {
    // A tenant zone that Intl does not know falls back to UTC rather than stopping everyone's digest.
    const zone = fixedZone ?? (isTimeZone(tenant.timeZone) ? tenant.timeZone : 'UTC');
    const local = localMoment(now, zone);
    // "HH:mm" strings compare like the times they spell.
    if (local.time >= digestTime) due.push({ tenantId: tenant.id, day: local.day });
    else notYetDue++;
  }
  if (due.length === 0) return { queued: [], alreadyQueued: 0, notYetDue };

  const recorded = await db.dailyReport.findMany({
    where: { kind: digestReportKind, tenantId: { in: due.map((entry) => entry.tenantId) }, day: { in: [...new Set(due.map((entry) => entry.day))] } },
    select: { tenantId: true, day: true },
  });
  const done = new Set(recorded.map((report) => `${report.tenantId}\n${report.day}`));

  const queued: DigestQueueResult['queued'] = [];
  let alreadyQueued = 0;
  for (const entry of due) {
    if (done.has(`${entry.tenantId}\n${entry.day}`)) {
      alreadyQueued++;
      continue;
    }
    try {
      await db.$transaction(async (tx) => {
        await tx.dailyReport.create({ data: { id: newId(), tenantId: entry.tenantId, kind: digestReportKind, day: entry.day, createdAt: now } });
        await enqueueEvent(tx, { kind: 'digest.due', tenantId: entry.tenantId, day: entry.day }, now, digestDedupeKey(entry.tenantId, entry.day));
      });
      queued.push(entry);
    } catch (error) {
      // Another instance queued it between our read and our insert: theirs stands.
      if (!isUniqueViolation(error)) throw error;
      alreadyQueued++;
    }
  }
  return { queued, alreadyQueued, notYetDue };
}
