import { describe, expect, it } from 'vitest';
import { describeCounts } from '../../../../bot/commands/jobs.ts';

describe('`jobs` says what a run did in words', () => {
  it.each([
    [{ expired: 3, devicesReset: 3, tenants: 1 }, "closed 3 expired codes, put 3 devices back to registered and sent one organisation's admins a summary"],
    [{ expired: 1, devicesReset: 1, tenants: 0 }, 'closed 1 expired code and put 1 device back to registered'],
    [{ warned: 0, events: 0, skipped: 0 }, 'nothing needed doing'],
    [{ queued: 2, alreadyQueued: 0, notYetDue: 5 }, "queued 2 organisations' digests and left 5 organisations' digests for later today"],
    [{ handoffsPurged: 0, runsInterrupted: 0, leasesPurged: 12, runsPurged: 0, activitiesForgotten: 40 }, 'forgot 12 expired job leases and forgot 40 Teams message ids older than a day'],
    [{ someNewCounter: 2 }, 'some new counter: 2'],
    [null, 'nothing needed doing'],
  ])('%o → %j', (counts, words) => {
    expect(describeCounts(counts)).toBe(words);
  });

  it('no counter of the product\'s jobs comes out as its camelCase name', () => {
    const all = { expired: 2, devicesReset: 2, tenants: 2, warned: 2, events: 2, skipped: 2, lapsed: 2, reported: 2, devices: 2, queued: 2, alreadyQueued: 2, notYetDue: 2, handoffsPurged: 2, runsInterrupted: 2, leasesPurged: 2, runsPurged: 2, activitiesForgotten: 2 };
    const words = describeCounts(all);
    for (const name of Object.keys(all).filter((key) => /[A-Z]/.test(key))) expect(words).not.toContain(name);
    expect(words).not.toMatch(/: 2/);
  });
});
