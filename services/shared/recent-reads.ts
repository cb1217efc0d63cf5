// A small in-process memory of reads that every chat turn repeats (a person's roles, the tenant's
// profile, a conversation already stored), so that a burst of turns does not ask the store the
// same question each time. Each entry lives `ttlMs` at most: other instances on the same
// PostgreSQL change the rows too, and this instance cannot hear it, so what they change shows
// here within `ttlMs`. Changes made through this instance's services forget their entries at
// once (`forget`), so on one instance (SQLite, every test) a change is seen by the next read.
//
// Ages are measured on a monotonic timer, not the services' clock: a test's clock moved by days
// must not keep or drop entries, and the wall clock may step.
export interface RecentReadsOptions {
  ttlMs: number;
  /** Entries kept at most; the oldest goes first. */
  maxEntries: number;
  /** Monotonic milliseconds (tests move it by hand). */
  now?: () => number;
}

export class RecentReads<V> {
  private readonly entries = new Map<string, { value: V; at: number }>();
  /** Bumped by every forget: a read that began before a change must not store what it found. */
  private generation = 0;
  private readonly now: () => number;

  constructor(private readonly options: RecentReadsOptions) {
    this.now = options.now ?? (() => performance.now());
  }

  /** The value remembered for `key`, if it is younger than the time to live. */
  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (this.now() - entry.at >= this.options.ttlMs) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  set(key: string, value: V): void {
    this.entries.delete(key);
    if (this.entries.size >= this.options.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(key, { value, at: this.now() });
  }

  /**
   * The remembered value, or `read()`'s, remembered. A forget while `read` runs (a grant or
   * revoke on this instance) leaves the answer unremembered: it may predate the change.
   */
  async through(key: string, read: () => Promise<V>): Promise<V> {
    const known = this.get(key);
    if (known !== undefined) return known;
    const generation = this.generation;
    const value = await read();
    if (generation === this.generation) this.set(key, value);
    return value;
  }

  /** Forgets the entries `matches` accepts (all of them without it). */
  forget(matches?: (key: string, value: V) => boolean): void {
    this.generation++;
    if (!matches) {
      this.entries.clear();
      return;
    }
    for (const [key, entry] of this.entries) if (matches(key, entry.value)) this.entries.delete(key);
  }
}
