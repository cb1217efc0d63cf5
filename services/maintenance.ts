// The store's upkeep that the scheduled jobs run (bot/jobs/job-definitions.ts, housekeeping).
import { refreshPlannerStatistics } from '../prisma/planner-statistics.ts';
import type { Database } from '../prisma/store.ts';

export interface Maintenance {
  /** SQLite's query planner statistics, refreshed (prisma/planner-statistics.ts); false on PostgreSQL, which keeps its own. */
  refreshPlannerStatistics(): Promise<boolean>;
}

export function createMaintenance(db: Database): Maintenance {
  return { refreshPlannerStatistics: () => refreshPlannerStatistics(db) };
}
