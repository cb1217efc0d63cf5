// Which database a Prisma client (or one of its transactions) talks to. Both generated clients
// share one API; the few statements that differ per provider (locking, bulk writes, date
// arithmetic, planner statistics) ask here. Prisma keeps the provider on the client as
// `_activeProvider`, and a transaction client carries it too.

/** True when `db` is a client (or transaction) of the PostgreSQL store, false for SQLite. */
export function onPostgres(db: object): boolean {
  return (db as { _activeProvider?: string })._activeProvider === 'postgresql';
}
