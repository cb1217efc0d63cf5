// A bulk sign-in works within 72 hours of a device's onboarding to the SIP Gateway, or 168 hours
// after it was signed out (Microsoft advises 1 to 70 hours after provisioning). The bot records
// when each device was onboarded (a column of the import, or the time the admin states), warns
// at 48 h and 66 h (once each, through the outbox) and says so once the deadline has passed.

const hourMs = 3_600_000;
export const onboardedWindowHours = 72;
export const signedOutWindowHours = 168;
/** Hours after onboarding at which the admins are warned (each once). */
export const defaultWarningHours: readonly number[] = [48, 66];
export const deadlineExpiredRemediation = 'deadline expired: factory reset and onboard again';

export function deadlineOf(account: { onboardedAt: Date | null; deadlineKind: string }): Date | null {
  if (!account.onboardedAt) return null;
  const hours = account.deadlineKind === 'signed_out' ? signedOutWindowHours : onboardedWindowHours;
  return new Date(account.onboardedAt.getTime() + hours * hourMs);
}

/** The warning leads (hours after onboarding) reached by `now` and not yet sent, oldest first. */
export function dueWarnings(account: { onboardedAt: Date | null; deadlineKind: string; warnedLeads: string }, now: Date, leads: readonly number[] = defaultWarningHours): number[] {
  const deadline = deadlineOf(account);
  if (!account.onboardedAt || !deadline || now >= deadline) return [];
  // A signed-out device's window is longer: its leads count back from the same distance to the deadline.
  const windowHours = (deadline.getTime() - account.onboardedAt.getTime()) / hourMs;
  const sent = new Set(account.warnedLeads.split(',').filter((lead) => lead !== '').map(Number));
  const shift = windowHours - onboardedWindowHours;
  return leads.filter((lead) => !sent.has(lead) && now.getTime() >= account.onboardedAt!.getTime() + (lead + shift) * hourMs);
}

/** The earliest deadline among accounts still to be signed in; null when none has one. */
export function oldestDeadline(accounts: readonly { onboardedAt: Date | null; deadlineKind: string; status: string }[]): Date | null {
  let oldest: Date | null = null;
  for (const account of accounts) {
    if (account.status === 'succeeded') continue;
    const deadline = deadlineOf(account);
    if (deadline && (!oldest || deadline < oldest)) oldest = deadline;
  }
  return oldest;
}
