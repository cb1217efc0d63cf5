// The one place that recognises Prisma's "unique constraint failed" (P2002): another request,
// run or instance inserted the same key first. Claims (job leases, handled activities, daily
// reports), racing upserts and the expiry jobs all ask here, so they agree on what it looks like.

/** A unique key is taken (Prisma's P2002), i.e. another run (or instance) got there first. */
export function isUniqueViolation(error: unknown): boolean {
  const { code, extendedCode, meta } = (error ?? {}) as { code?: unknown; extendedCode?: unknown; meta?: { driverAdapterError?: { cause?: { kind?: unknown } } } };
  if (code === 'P2002') return true;
  // A statement written as SQL (bulk-write.ts, direct-sqlite.ts): through Prisma, P2010 "raw
  // query failed" with the driver adapter's kind; on SQLite's driver itself, SQLite's own code.
  if (code === 'P2010') return meta?.driverAdapterError?.cause?.kind === 'UniqueConstraintViolation';
  // libsql's SqliteError names the extended code `code`; @libsql/client's LibsqlError, `extendedCode`.
  return [code, extendedCode].some((sqliteCode) => sqliteCode === 'SQLITE_CONSTRAINT_UNIQUE' || sqliteCode === 'SQLITE_CONSTRAINT_PRIMARYKEY');
}

/**
 * Runs `pass` again when it lost a race on a unique key. On PostgreSQL a unique violation
 * aborts the whole transaction, so it cannot be skipped row by row: the transaction rolls
 * back, and the next pass reads again and finds the other instance's committed rows. Each
 * lost race means the other side made progress, so a few attempts always suffice.
 */
export async function retryOnUniqueViolation<T>(pass: () => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await pass();
    } catch (error) {
      if (!isUniqueViolation(error) || attempt >= attempts) throw error;
    }
  }
}
