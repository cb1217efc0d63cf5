// The bodies of the expiry jobs: warn before verification codes expire, expire them, lapse
// device-login codes, and list devices stuck waiting for sign-in. bot/jobs calls these on its
// schedule; each is a function of `now` (the caller's clock by default), so a run after the bot
// was down catches up on whatever became due meanwhile, and each is safe to run twice or on two
// instances at once: what was done is recorded in the store under a unique key, never in memory.
import type { Database } from '../../prisma/store.ts';
import { systemClock, type Clock } from '../shared/clock.ts';
import { expireCodes, lapseLoginCodes, type ExpireCounts, type LapseCounts } from './code-expiry-sweep.ts';
import { warnExpiringCodes, type WarnCounts } from './code-expiry-warnings.ts';
import { listStaleDevices, type StaleCounts } from './stale-devices.ts';

export type { ExpireCounts, LapseCounts, StaleCounts, WarnCounts };
export { normalizeLeads } from './code-expiry-warnings.ts';

export interface CodeExpirySettings {
  /** Minutes before expiry to warn at (CODE_WARNING_LEADS, e.g. 4h,1h → [240, 60]). */
  codeWarningLeadsMinutes?: readonly number[];
  /** How long a device may wait for sign-in before it is listed as stale (STALE_AFTER). */
  staleAfterMs?: number;
}

export const defaultCodeWarningLeadsMinutes: readonly number[] = [240, 60];
export const defaultStaleAfterMs = 24 * 3_600_000;

export interface CodeExpiry {
  /** `codes.expiring` for codes whose warning moment came, once per code and lead (nearest lead only when catching up). */
  warnExpiringCodes(now?: Date, options?: { leadsMinutes?: readonly number[] }): Promise<WarnCounts>;
  /** Live codes past their expiry → expired; their code_issued devices → registered; `code.expired` each, one `codes.expired` per tenant. */
  expireCodes(now?: Date): Promise<ExpireCounts>;
  /** signing_in devices whose device-login code ran out → awaiting_sign_in (`sign_in.lapsed`). */
  lapseLoginCodes(now?: Date): Promise<LapseCounts>;
  /** One `devices.stale` per tenant and local day, for devices waiting for sign-in longer than staleAfter. */
  listStaleDevices(now?: Date, options?: { staleAfterMs?: number; timeZone?: string }): Promise<StaleCounts>;
}

export function createCodeExpiry(db: Database, clock: Clock = systemClock, settings: CodeExpirySettings = {}): CodeExpiry {
  const leads = settings.codeWarningLeadsMinutes ?? defaultCodeWarningLeadsMinutes;
  const staleAfterMs = settings.staleAfterMs ?? defaultStaleAfterMs;
  return {
    warnExpiringCodes: (now = clock.now(), options = {}) => warnExpiringCodes(db, now, options.leadsMinutes ?? leads),
    expireCodes: (now = clock.now()) => expireCodes(db, now),
    lapseLoginCodes: (now = clock.now()) => lapseLoginCodes(db, now),
    listStaleDevices: (now = clock.now(), options = {}) =>
      listStaleDevices(db, now, { staleAfterMs: options.staleAfterMs ?? staleAfterMs, ...(options.timeZone !== undefined ? { timeZone: options.timeZone } : {}) }),
  };
}
