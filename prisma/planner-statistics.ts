// SQLite's query planner chooses among indexes by the statistics ANALYZE keeps in sqlite_stat1.
// Without them it goes by rules of thumb, and for the digest it chose wrong: the expiring codes'
// join read each code's device row through the primary key's index instead of the covering
// (id, location) index, 38 → 15 ms at 100,000 devices; the whole digest went 122 → 97 ms.
// SQLite's advice for an application that keeps its connections is to refresh the statistics
// when it opens the database and then every few hours: the store does it as it opens, the hourly
// housekeeping job after that (bot/jobs/job-definitions.ts). Every connection bounds the work
// (PRAGMA analysis_limit, prisma/sqlite-client.ts): each index is sampled rather than read whole,
// about 2 ms at 100,000 devices. Empty tables get no statistics, so on a new database this
// changes nothing until there is data to go by. SQLite reads the statistics as a connection
// opens: the store's connections kept open reload them after a refresh (sqlite-client.ts).
//
// PostgreSQL keeps its own: autovacuum analyzes each table as it changes.
import type { PrismaClient } from '../generated/sqlite/client.ts';
import { executeSql } from './direct-sqlite.ts';
import { plannerStatistics } from './sqlite-client.ts';
import { onPostgres } from './client-provider.ts';

/** Refreshes SQLite's planner statistics; false on PostgreSQL, which needs nothing. `db`: the store's client (store.ts's Database, named here without importing the store, which imports this file). */
export async function refreshPlannerStatistics(db: PrismaClient): Promise<boolean> {
  if (onPostgres(db)) return false;
  await executeSql(db, 'ANALYZE', []);
  plannerStatistics.refreshes++;
  return true;
}
