// The in-process memory of repeated reads (roles, tenant profiles, stored conversations): an
// answer serves for its time to live and no longer, a change made here forgets it at once, and
// a read that began before such a change is never remembered.
import { describe, expect, it } from 'vitest';
import { RecentReads } from '../../../../services/shared/recent-reads.ts';

function memory(ttlMs = 1_000, maxEntries = 10) {
  const time = { now: 0 };
  const reads = new RecentReads<string>({ ttlMs, maxEntries, now: () => time.now });
  return { reads, time };
}

describe('recent reads', () => {
  it('answers from memory until the time to live has passed, then reads again', async () => {
    const { reads, time } = memory(1_000);
    let calls = 0;
    const read = async () => `answer ${++calls}`;
    expect(await reads.through('k', read)).toBe('answer 1');
    time.now = 999;
    expect(await reads.through('k', read)).toBe('answer 1');
    time.now = 1_000;
    expect(await reads.through('k', read)).toBe('answer 2');
    expect(calls).toBe(2);
  });

  it('forgets one key or all at once', async () => {
    const { reads } = memory();
    reads.set('a', '1');
    reads.set('b', '2');
    reads.forget((key) => key === 'a');
    expect([reads.get('a'), reads.get('b')]).toEqual([undefined, '2']);
    reads.forget();
    expect(reads.get('b')).toBeUndefined();
  });

  it('does not remember an answer read while a change was made (it may predate the change)', async () => {
    const { reads } = memory();
    let release!: () => void;
    const slow = reads.through('roles', () => new Promise<string>((resolve) => (release = () => resolve('technician'))));
    reads.forget((key) => key === 'other');
    release();
    expect(await slow).toBe('technician');
    expect(reads.get('roles')).toBeUndefined();
    expect(await reads.through('roles', async () => 'none')).toBe('none');
    expect(reads.get('roles')).toBe('none');
  });

  it('keeps at most maxEntries, dropping the oldest first', () => {
    const { reads } = memory(1_000, 2);
    reads.set('a', '1');
    reads.set('b', '2');
    reads.set('c', '3');
    expect([reads.get('a'), reads.get('b'), reads.get('c')]).toEqual([undefined, '2', '3']);
  });

  it('does not remember a failed read', async () => {
    const { reads } = memory();
    await expect(reads.through('k', () => Promise.reject(new Error('store down')))).rejects.toThrow('store down');
    expect(reads.get('k')).toBeUndefined();
  });
});
