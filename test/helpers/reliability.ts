// What the reliability drills (test/integration/reliability/) share: distinct MACs by the
// thousand, counting, waiting on database state, and a probe that tells when another process
// holds SQLite's write lock (to kill -9 a bot in the middle of a write transaction).
import { createClient, type Client } from '@libsql/client';

/** The index-th MAC of a series: 02-<series>-00-00-00-00 plus the index, distinct for index < 2^24. */
export function macAt(series: number, index: number): string {
  if (series < 0 || series > 0xff || index < 0 || index >= 2 ** 24) throw new Error(`no MAC for series ${series}, index ${index}`);
  const bytes = [0x02, series, 0x00, (index >> 16) & 0xff, (index >> 8) & 0xff, index & 0xff];
  return bytes.map((byte) => byte.toString(16).padStart(2, '0').toUpperCase()).join('-');
}

export function macsOf(series: number, count: number): string[] {
  return Array.from({ length: count }, (_, index) => macAt(series, index));
}

/** How often each value occurs. */
export function tally<T>(values: Iterable<T>): Map<T, number> {
  const counts = new Map<T, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return counts;
}

/** The values that do not occur exactly once: expected ones seen 0 or 2+ times, and unexpected ones (shown in a failure, not just "false"). */
export function notExactlyOnce<T>(expected: Iterable<T>, seen: Iterable<T>): { value: T; times: number }[] {
  const counts = tally(seen);
  const wanted = new Set(expected);
  const wrong: { value: T; times: number }[] = [];
  for (const value of wanted) {
    const times = counts.get(value) ?? 0;
    if (times !== 1) wrong.push({ value, times });
  }
  for (const [value, times] of counts) if (!wanted.has(value)) wrong.push({ value, times });
  return wrong;
}

/** Polls until `condition` resolves true (for state no event signals, e.g. rows in the store). */
export async function eventually(condition: () => Promise<boolean> | boolean, what: string, timeoutMs = 20_000, everyMs = 50): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Tells, from outside the bot's process, whether someone holds the write lock of a SQLite
 * database: BEGIN IMMEDIATE with no busy timeout fails at once (SQLITE_BUSY) while another
 * connection is inside a write transaction. The probe's own transaction is rolled back at once
 * and writes nothing; the bot's connections wait for it with their busy timeout.
 */
export class SqliteWriteLockProbe {
  private constructor(private readonly client: Client) {}

  static async open(databaseFile: string): Promise<SqliteWriteLockProbe> {
    const client = createClient({ url: `file:${databaseFile}` });
    await client.execute('PRAGMA busy_timeout = 0');
    return new SqliteWriteLockProbe(client);
  }

  async writerActive(): Promise<boolean> {
    try {
      await this.client.execute('BEGIN IMMEDIATE');
    } catch (error) {
      if (/SQLITE_BUSY|database is locked/i.test(String((error as Error).message ?? error))) return true;
      throw error;
    }
    await this.client.execute('ROLLBACK');
    return false;
  }

  close(): void {
    this.client.close();
  }
}
