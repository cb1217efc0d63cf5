// The one place that recognises Prisma's "unique constraint failed" (P2002): another request,
// run or instance inserted the same key first. Claims (job leases, handled activities, daily
// reports), racing upserts and the expiry jobs all ask here, so they agree on what it looks like.

/** P2002: a unique key is taken, i.e. another run (or instance) got there first. */
export function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'P2002';
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
