// The connection SQLite transactions run on (prisma/sqlite-connection.ts) answers as
// @libsql/client does for what Prisma's adapter reads (rows by index, column names and declared
// types, rows changed, values and errors), while keeping each statement prepared.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createClient, type Client, type InStatement } from '@libsql/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KeptStatementsConnection } from '../../../prisma/sqlite-connection.ts';

describe('a SQLite connection that keeps its statements', () => {
  let dir: string;
  let file: string;
  let reference: Client;
  let kept: KeptStatementsConnection;

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'sqlite-connection-'));
    file = path.join(dir, 'bot.db');
    reference = createClient({ url: `file:${file}` });
    await reference.execute('CREATE TABLE item (id TEXT PRIMARY KEY, n INTEGER, r REAL, flag BOOLEAN, at DATETIME, data BLOB, note TEXT)');
    kept = new KeptStatementsConnection(file);
  });
  afterEach(() => {
    kept.close();
    reference.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** What Prisma's adapter reads of a result: rows by index. */
  const seen = (result: { columns: readonly string[]; columnTypes: readonly string[]; rows: ArrayLike<unknown>[]; rowsAffected: number }) => ({
    columns: [...result.columns],
    columnTypes: [...result.columnTypes],
    rows: result.rows.map((row) => Array.from({ length: row.length }, (_, index) => row[index])),
    rowsAffected: result.rowsAffected,
  });

  it('binds and reads values as @libsql/client does: integers, reals, booleans, dates, blobs, nulls', async () => {
    await reference.execute('CREATE TABLE item_ref AS SELECT * FROM item WHERE 0');
    const rows: unknown[][] = [
      ['a', 42, 1.5, true, new Date('2026-12-07T10:00:00Z'), new Uint8Array([1, 2, 3]).buffer, 'x'],
      ['b', 2n ** 40n, -0.25, false, '2026-12-07T10:00:00.000+00:00', null, null],
    ];
    // The same rows written by each: ours into item, @libsql/client's into item_ref.
    for (const args of rows) {
      const ours = await kept.execute({ sql: 'INSERT INTO item (id, n, r, flag, at, data, note) VALUES (?, ?, ?, ?, ?, ?, ?)', args } as InStatement);
      const theirs = await reference.execute({ sql: 'INSERT INTO item_ref (id, n, r, flag, at, data, note) VALUES (?, ?, ?, ?, ?, ?, ?)', args } as InStatement);
      expect(ours.rowsAffected).toBe(theirs.rowsAffected);
    }
    const read = (table: string) => `SELECT id, n, r, flag, at, data, note, n + 1 AS computed FROM ${table} ORDER BY id`;
    const ours = seen(await kept.execute(read('item')));
    expect(ours).toEqual(seen(await reference.execute(read('item'))));
    expect(ours.rows).toEqual(seen(await reference.execute(read('item_ref'))).rows);
    expect(ours.columnTypes).toEqual(['TEXT', 'INTEGER', 'REAL', 'BOOLEAN', 'DATETIME', 'BLOB', 'TEXT', '']);
    expect(ours.rows[0]).toEqual(['a', 42, 1.5, 1, new Date('2026-12-07T10:00:00Z').valueOf(), new Uint8Array([1, 2, 3]).buffer, 'x', 43]);
    expect(ours.rows[1]).toEqual(['b', 2 ** 40, -0.25, 0, '2026-12-07T10:00:00.000+00:00', null, null, 2 ** 40 + 1]);
  });

  it('refuses what @libsql/client refuses: undefined, Infinity, an integer beyond 2^53 read back', async () => {
    await expect(kept.execute({ sql: 'INSERT INTO item (id, note) VALUES (?, ?)', args: ['u', undefined as unknown as null] })).rejects.toThrow(TypeError);
    await expect(kept.execute({ sql: 'INSERT INTO item (id, r) VALUES (?, ?)', args: ['i', Infinity] })).rejects.toThrow(RangeError);
    await kept.execute({ sql: 'INSERT INTO item (id, n) VALUES (?, ?)', args: ['big', 2n ** 60n] });
    await expect(kept.execute('SELECT n FROM item WHERE id = \'big\'')).rejects.toThrow(RangeError);
    await expect(reference.execute('SELECT n FROM item WHERE id = \'big\'')).rejects.toThrow(RangeError);
    // Nothing was written by the refused ones.
    expect((await reference.execute('SELECT id FROM item ORDER BY id')).rows.map((row) => row.id)).toEqual(['big']);
  });

  it('gives the same error codes as @libsql/client (Prisma maps a unique violation from them)', async () => {
    const insert = { sql: 'INSERT INTO item (id) VALUES (?)', args: ['dup'] };
    await kept.execute(insert);
    const theirs = await reference.execute(insert).then(() => null, (error: unknown) => error as Record<string, unknown>);
    const ours = await kept.execute(insert).then(() => null, (error: unknown) => error as Record<string, unknown>);
    expect(ours).not.toBeNull();
    expect({ code: ours!.code, extendedCode: ours!.extendedCode, rawCode: ours!.rawCode, name: ours!.name }).toEqual({ code: theirs!.code, extendedCode: theirs!.extendedCode, rawCode: theirs!.rawCode, name: theirs!.name });
    expect(ours!.extendedCode).toBe('SQLITE_CONSTRAINT_PRIMARYKEY');
    const syntax = await kept.execute('SELEC 1').then(() => null, (error: unknown) => error as Record<string, unknown>);
    expect(syntax?.code).toBe('SQLITE_ERROR');
  });

  it('keeps statements prepared: the same text reused with new values, more texts than it keeps still run', async () => {
    for (let index = 0; index < 300; index++) await kept.execute({ sql: `INSERT INTO item (id, n) VALUES (?, ${index})`, args: [`k${index}`] });
    for (let index = 0; index < 50; index++) await kept.execute({ sql: 'UPDATE item SET n = n + ? WHERE id = ?', args: [1000, `k${index}`] });
    const rows = (await reference.execute('SELECT COUNT(*) AS total, SUM(n) AS sum FROM item')).rows[0]!;
    expect(Number(rows.total)).toBe(300);
    expect(Number(rows.sum)).toBe((299 * 300) / 2 + 50 * 1000);
  });

  it('statements written by a service: rows by column, rows changed', () => {
    expect(kept.run('INSERT INTO item (id, n) VALUES (?, ?), (?, ?)', ['s1', 1, 's2', 2])).toBe(2);
    expect(kept.all('SELECT id, n FROM item WHERE n >= ? ORDER BY id', [1])).toEqual({ columns: ['id', 'n'], rows: [['s1', 1], ['s2', 2]] });
  });

  it('refuses to run once closed', async () => {
    kept.close();
    expect(kept.closed).toBe(true);
    await expect(kept.execute('SELECT 1')).rejects.toThrow(/closed/);
  });
});
