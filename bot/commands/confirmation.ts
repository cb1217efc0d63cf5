// Commands with wide side effects ask first, on a view whose "yes" expires.
import { instant, view, type Reply } from '../views/reply.ts';

export const confirmationValidityMs = 10 * 60_000;

export function confirmationReply(now: Date, what: { title: string; text: string; command: string; args: string }, timeZone = 'UTC'): Reply {
  const expiresAt = new Date(now.getTime() + confirmationValidityMs);
  return { view: view('confirm', { ...what, expiresAt: instant(expiresAt, timeZone), expiresAtIso: expiresAt.toISOString() }) };
}
