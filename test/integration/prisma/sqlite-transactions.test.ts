// The bot's Prisma transactions on SQLite (prisma/sqlite-transactions.ts): on a connection of
// their own (not libsql's, which it never closes), kept from one transaction to the next while
// the file is writable, dropped after a failure; commits and rollbacks still mean
// what they say, and no lock is left behind.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createClient, type Client } from '@libsql/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { withTransactionConnection } from '../../../prisma/sqlite-transactions.ts';
import { openStore, type Store } from '../../../prisma/store.ts';

/** A connection factory that counts the connections it opened and those closed since. */
function watchedConnections() {
  const counts = { opened: 0, closed: 0 };
  const connect = (url: string): Client => {
    const connection = createClient({ url });
    counts.opened++;
    const close = connection.close.bind(connection);
    connection.close = () => {
      counts.closed++;
      close();
    };
    return connection;
  };
  return { counts, connect };
}

describe('transactions on SQLite', () => {
  let dir: string;
  let url: string;

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'sqlite-transactions-'));
    url = `file:${path.join(dir, 'bot.db')}`;
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  /** Runs `use` on a client with closing transactions over the tables note (text) and parent ← child. */
  async function withClient(use: (client: Client, counts: { opened: number; closed: number }) => Promise<void>) {
    const { counts, connect } = watchedConnections();
    const plain = createClient({ url });
    await plain.execute('PRAGMA journal_mode = WAL');
    await plain.execute('CREATE TABLE IF NOT EXISTS note (text TEXT NOT NULL)');
    await plain.execute('CREATE TABLE IF NOT EXISTS parent (id INTEGER PRIMARY KEY)');
    await plain.execute('CREATE TABLE IF NOT EXISTS child (parent INTEGER REFERENCES parent(id))');
    const client = withTransactionConnection(plain, url, connect);
    try {
      await use(client, counts);
    } finally {
      client.close();
    }
  }
  const notes = async (client: Client) => (await client.execute('SELECT text FROM note ORDER BY rowid')).rows.map((row) => row.text);

  it('transactions run one after another on one kept connection, closed with the client; commits and rollbacks mean what they say', async () => {
    let watched = { opened: 0, closed: 0 };
    await withClient(async (client, counts) => {
      watched = counts;
      for (let i = 0; i < 20; i++) {
        const transaction = await client.transaction('deferred');
        await transaction.execute({ sql: 'INSERT INTO note VALUES (?)', args: [`n${i}`] });
        if (i % 3 === 0) await transaction.commit();
        else if (i % 3 === 1) await transaction.rollback();
        else {
          transaction.close();
          // close() rolls back in the background; the next transaction must find it ended.
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
        expect(transaction.closed).toBe(true);
      }
      expect(counts).toEqual({ opened: 1, closed: 0 });
      // Committed: 0, 3, 6, …; rolled back or closed unfinished: the others.
      expect(await notes(client)).toEqual(['n0', 'n3', 'n6', 'n9', 'n12', 'n15', 'n18']);
    });
    expect(watched).toEqual({ opened: 1, closed: 1 });
  });

  it('a transaction that overlaps another gets a connection of its own, closed when it ends; one connection is kept', async () => {
    await withClient(async (client, counts) => {
      const first = await client.transaction('deferred');
      const second = await client.transaction('deferred');
      await first.execute("INSERT INTO note VALUES ('first')");
      await first.commit();
      await second.execute('SELECT count(*) FROM note');
      await second.commit();
      expect(counts).toEqual({ opened: 2, closed: 1 });
      const third = await client.transaction('write');
      await third.execute("INSERT INTO note VALUES ('third')");
      await third.commit();
      expect(counts).toEqual({ opened: 2, closed: 1 });
      expect(await notes(client)).toEqual(['first', 'third']);
    });
  });

  it('a commit that fails rolls back, releases the lock and closes the connection (a failed one is not kept)', async () => {
    await withClient(async (client, counts) => {
      const transaction = await client.transaction('write');
      await transaction.execute("INSERT INTO note VALUES ('kept?')");
      // A deferred foreign-key violation makes COMMIT itself fail.
      await transaction.execute('PRAGMA defer_foreign_keys = ON');
      await transaction.execute('INSERT INTO child VALUES (999)');
      await expect(transaction.commit()).rejects.toThrow(/FOREIGN KEY/);
      expect(counts.closed).toBe(counts.opened);
      expect(await notes(client)).toEqual([]);
      // Nothing holds the write lock: another connection writes at once (no busy wait).
      const other = createClient({ url });
      try {
        await other.execute("INSERT INTO note VALUES ('other')");
      } finally {
        other.close();
      }
      expect(await notes(client)).toEqual(['other']);
      // The next transaction opens a fresh connection.
      const next = await client.transaction('write');
      await next.execute("INSERT INTO note VALUES ('next')");
      await next.commit();
      expect(counts).toEqual({ opened: 2, closed: 1 });
    });
  });

  it('refuses statements after the end, and executeMultiple inside (libsql would roll it back), with a clear error', async () => {
    await withClient(async (client) => {
      const transaction = await client.transaction('write');
      await expect(transaction.executeMultiple("INSERT INTO note VALUES ('a'); INSERT INTO note VALUES ('b');")).rejects.toThrow(/not available inside this transaction/);
      await transaction.execute("INSERT INTO note VALUES ('c')");
      await transaction.commit();
      await expect(transaction.execute('SELECT 1')).rejects.toThrow(/closed/);
      expect(await notes(client)).toEqual(['c']);
    });
  });
});

describe("the bot's store on SQLite", () => {
  let dir: string;
  let store: Store;

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'sqlite-store-transactions-'));
    store = await openStore(`file:${path.join(dir, 'bot.db')}`);
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps what a Prisma transaction committed and nothing of one that threw, on WAL with synchronous NORMAL', async () => {
    await store.db.$transaction(async (tx) => {
      await tx.tenant.create({ data: { id: 'kept' } });
    });
    await expect(
      store.db.$transaction(async (tx) => {
        await tx.tenant.create({ data: { id: 'rolled-back' } });
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    expect((await store.db.tenant.findMany()).map((tenant) => tenant.id)).toEqual(['kept']);
    const pragmas = await store.db.$queryRawUnsafe<{ journal_mode?: string; synchronous?: number | bigint }[]>('PRAGMA journal_mode');
    expect(pragmas[0]?.journal_mode).toBe('wal');
    const synchronous = await store.db.$queryRawUnsafe<{ synchronous: number | bigint }[]>('PRAGMA synchronous');
    expect(Number(synchronous[0]?.synchronous)).toBe(1); // NORMAL
  });
});
