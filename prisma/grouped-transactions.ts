// Group commit: small write transactions that arrive while one is running are run together,
// one after the other, inside the next transaction, each in a savepoint of its own.
//
// Why: SQLite has one writer. A burst of device provisions (a site's phones powering up)
// queued one transaction each, and every transaction paid for itself: a connection of its own
// (prisma/sqlite-transactions.ts), BEGIN, COMMIT and the write to the WAL. In a group they pay
// that once, and the queue drains faster the longer it is. A lone request does not wait for
// company: when nothing is running, its group starts on the next turn of the event loop.
//
// What each item keeps: it runs alone in its savepoint, in arrival order, and sees what the
// items before it wrote, exactly as if they had committed just before (the same answers as
// one transaction each, run in that order). An item that throws is rolled back to its
// savepoint and only it fails; the others commit. If the group's COMMIT itself fails, nothing
// of the group was written and every item fails with that error, as each would have alone.
//
// The items' statements written as SQL (queryRows, executeStatement) run on the open transaction
// itself, without Prisma's layers (direct-sqlite.ts's inTransactionDirectly).
//
// Only for SQLite: PostgreSQL runs transactions side by side, and items holding each other's
// row and advisory locks inside one long transaction could deadlock across groups.
import { Prisma } from '../generated/sqlite/client.ts';
import { executeStatement, inTransactionDirectly } from './direct-sqlite.ts';
import type { Database, Transaction } from './store.ts';

const savepoint = Prisma.sql`SAVEPOINT grouped_item`;
const rollbackToSavepoint = Prisma.sql`ROLLBACK TO SAVEPOINT grouped_item`;
const releaseSavepoint = Prisma.sql`RELEASE SAVEPOINT grouped_item`;

export interface GroupedTransactions {
  /** Runs `work` in a transaction shared with the other items of its group; resolves when the group committed. */
  run<T>(work: (tx: Transaction) => Promise<T>): Promise<T>;
}

interface Item {
  work: (tx: Transaction) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

type Settled = { ok: true; value: unknown } | { ok: false; error: unknown };

export interface GroupOptions {
  /** Items per transaction at most: bounds how long one transaction holds the writer (default 64). */
  maxItems?: number;
  /** Called as each group starts, with its size (the tests watch how items are grouped). */
  onGroup?: (items: number) => void;
}

export function groupedTransactions(db: Database, options: GroupOptions = {}): GroupedTransactions {
  const maxItems = options.maxItems ?? 64;
  const waiting: Item[] = [];
  let draining = false;
  let scheduled = false;

  async function runGroup(group: Item[]): Promise<void> {
    if (group.length === 1) {
      // Alone: its own transaction, no savepoint needed.
      const [item] = group as [Item];
      await db.$transaction((tx) => inTransactionDirectly(db, tx, item.work)).then(item.resolve, item.reject);
      return;
    }
    const settled: Settled[] = [];
    try {
      await db.$transaction((transaction) => inTransactionDirectly(db, transaction, async (tx) => {
        for (const item of group) {
          // The name is reused: ROLLBACK TO goes back to the newest savepoint of that name, this
          // item's. A savepoint that succeeded is not released (a statement less per item): it
          // stays open, and the group's COMMIT releases them all.
          await executeStatement(tx, savepoint);
          try {
            const value = await item.work(tx);
            settled.push({ ok: true, value });
          } catch (error) {
            await executeStatement(tx, rollbackToSavepoint);
            await executeStatement(tx, releaseSavepoint);
            settled.push({ ok: false, error });
          }
        }
      }));
    } catch (error) {
      // Nothing of the group was written (its COMMIT, or a savepoint statement, failed).
      for (const item of group) item.reject(error);
      return;
    }
    group.forEach((item, index) => {
      const outcome = settled[index]!;
      if (outcome.ok) item.resolve(outcome.value);
      else item.reject(outcome.error);
    });
  }

  async function drain(): Promise<void> {
    draining = true;
    try {
      while (waiting.length > 0) {
        const group = waiting.splice(0, maxItems);
        options.onGroup?.(group.length);
        await runGroup(group);
      }
    } finally {
      draining = false;
    }
  }

  return {
    run<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        waiting.push({ work, resolve: resolve as (value: unknown) => void, reject });
        if (!draining && !scheduled) {
          // Right after this turn of the event loop, not now: the driver's statements hardly ever
          // wait (libsql is synchronous underneath), so a transaction started at once would end
          // before the requests already read from the network got their turn, and every group
          // would be of one. A lone request waits one turn of the loop, microseconds.
          scheduled = true;
          setImmediate(() => {
            scheduled = false;
            void drain();
          });
        }
      });
    },
  };
}
