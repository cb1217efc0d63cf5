// The sign-in deadlines of SIP devices (deadlines.ts): when each was onboarded, as the import's
// Onboarded column or the admin (`sip onboarded IMPORT now`) says, and the job that warns the
// admins at 48 h and 66 h and says "deadline expired" after 72 h (168 h after a sign-out), each
// once per device: the sent leads are recorded on the account before the event is queued.
import type { Database } from '../../prisma/store.ts';
import { enqueueEvent } from '../notifications/outbox.ts';
import type { Clock } from '../shared/clock.ts';
import { DomainError } from '../shared/errors.ts';
import { deadlineOf, dueWarnings } from './deadlines.ts';

export function createSipDeadlines(db: Database, clock: Clock) {
  return {
    /** Records the onboarding time of an import's devices not yet signed in; returns how many. */
    async setOnboarded(tenantId: string, importId: string, at: Date): Promise<number> {
      if (at.getTime() > clock.now().getTime() + 60_000) throw new DomainError('invalid_input', 'That time is in the future: say when the devices were onboarded (or "now").');
      const found = await db.sipImport.findFirst({ where: { tenantId, id: importId }, select: { id: true } });
      if (!found) throw new DomainError('not_found', `No SIP import ${importId} here. "sip status" shows the latest.`);
      const updated = await db.sipAccount.updateMany({ where: { tenantId, importId, status: { not: 'succeeded' } }, data: { onboardedAt: at, deadlineKind: 'onboarded', warnedLeads: '', expiredNoticeAt: null, updatedAt: clock.now() } });
      return updated.count;
    },

    /** The job: warnings due at `now` and deadlines just passed, one event per tenant, lead and deadline hour. */
    async warnDeadlines(now: Date = clock.now()): Promise<{ warned: number; expired: number }> {
      const open = await db.sipAccount.findMany({ where: { onboardedAt: { not: null }, status: { in: ['ready', 'queued', 'running', 'failed'] }, expiredNoticeAt: null } });
      const groups = new Map<string, { tenantId: string; leadHours: number | null; deadline: Date; accounts: { id: string; username: string; hardwareId: string; warnedLeads: string }[] }>();
      const add = (tenantId: string, leadHours: number | null, deadline: Date, account: { id: string; username: string; hardwareId: string; warnedLeads: string }) => {
        // Devices onboarded within the same hour share one message.
        const hour = new Date(Math.floor(deadline.getTime() / 3_600_000) * 3_600_000);
        const key = `${tenantId}|${leadHours}|${hour.toISOString()}`;
        const group = groups.get(key) ?? { tenantId, leadHours, deadline: hour, accounts: [] };
        group.accounts.push(account);
        groups.set(key, group);
      };
      for (const account of open) {
        const deadline = deadlineOf(account);
        if (!deadline) continue;
        if (now >= deadline) add(account.tenantId, null, deadline, account);
        else for (const lead of dueWarnings(account, now)) add(account.tenantId, lead, deadline, account);
      }
      let warned = 0;
      let expired = 0;
      for (const group of groups.values()) {
        const sent: typeof group.accounts = [];
        for (const account of group.accounts) {
          // Compare-and-set on what was sent: a neighbour instance running the same fire sends nothing twice.
          const changed = group.leadHours === null
            ? await db.sipAccount.updateMany({ where: { id: account.id, expiredNoticeAt: null }, data: { expiredNoticeAt: now } })
            : await db.sipAccount.updateMany({ where: { id: account.id, warnedLeads: account.warnedLeads }, data: { warnedLeads: [...account.warnedLeads.split(',').filter((lead) => lead !== ''), String(group.leadHours)].join(',') } });
          if (changed.count === 1) {
            sent.push(account);
            if (group.leadHours !== null) account.warnedLeads = [account.warnedLeads, String(group.leadHours)].filter((lead) => lead !== '').join(',');
          }
        }
        if (sent.length === 0) continue;
        if (group.leadHours === null) expired += sent.length;
        else warned += sent.length;
        await enqueueEvent(db, { kind: 'sip.deadline', tenantId: group.tenantId, leadHours: group.leadHours, deadline: group.deadline.toISOString(), accounts: sent.map(({ username, hardwareId }) => ({ username, hardwareId })) }, now);
      }
      return { warned, expired };
    },
  };
}

export type SipDeadlines = ReturnType<typeof createSipDeadlines>;
