// The expiry-warning scan on a big store: 100,000 devices in 50 locations, 20,000 of them with
// a live code, expiries spread over the next 24 hours.
//
// Measured: `planWarnings` (services/devices/code-expiry-warnings.ts), the read side of the
// warn-expiring-codes job: the query for the live codes whose warning moment came for a lead
// not recorded yet, their recorded leads, and the decision per code (send which lead, skip
// which). Not measured: the writes that follow (warning rows and outbox events, in one
// transaction per group) and card delivery (the outbox sender, later). One full job run with its
// writes is timed once afterwards and reported in the details.
//
// The store is in steady state: the job ran 5 minutes before (its interval), so the warnings
// due until then are recorded and the scan finds the codes whose moment came since.
//
// Baseline: the raw driver (@libsql/client, pg) running one indexed SELECT of the live codes in
// the warning window (expiring within the furthest lead) joined to their devices: the rows a
// scan has to consider, read without Prisma or any logic.
import { planWarnings, warnExpiringCodes } from '../../services/devices/code-expiry-warnings.ts';
import type { Provider } from '../../prisma/schemas.ts';
import { atMost, median, percentile, stopwatch, type Benchmark, type BenchResult } from '../harness.ts';
import { openRawReader } from '../fixtures/raw-tables.ts';
import { withFleetDatabase } from '../fixtures/scratch-fleet.ts';

const leads = [240, 60];
const minuteMs = 60_000;

const windowSql = `SELECT c."id", c."tenantId", c."batchId", c."issuedBy", c."issuedAt", c."expiresAt", d."mac", d."location"
  FROM "VerificationCode" c JOIN "Device" d ON d."id" = c."deviceId"
  WHERE c."status" = 'live' AND c."expiresAt" > ? AND c."expiresAt" <= ?
  ORDER BY c."expiresAt", c."id"`;

async function scanOn(provider: Provider, postgresUrl: string | null, quick: boolean): Promise<BenchResult> {
  const size = quick ? { devices: 20_000, liveCodes: 4_000 } : { devices: 100_000, liveCodes: 20_000 };
  const runs = quick ? 5 : 15;
  const warmUps = 2;
  // Only the tables the scan reads matter; the audit trail would only slow the seeding.
  const fleetOptions = { ...size, locations: 50, history: false, now: new Date('2026-11-23T09:00:00.000Z') };
  return withFleetDatabase(provider, postgresUrl, 'bench_scan', fleetOptions, async ({ url, fleet, store }) => {
    const now = fleet.now;
    const windowEnd = new Date(now.getTime() + Math.max(...leads) * minuteMs);
    const raw = await openRawReader(url);
    try {
      const ours: number[] = [];
      const baseline: number[] = [];
      let planned = 0;
      let windowRows = 0;
      const measureOurs = async () => {
        const elapsed = stopwatch();
        planned = (await planWarnings(store.db, now, leads)).length;
        return elapsed();
      };
      const measureBaseline = async () => {
        const elapsed = stopwatch();
        windowRows = (await raw.query(windowSql, [now, windowEnd])).length;
        return elapsed();
      };
      for (let run = 0; run < warmUps + runs; run++) {
        // Alternate which goes first, so neither always finds the caches warmed by the other.
        const [first, second] = run % 2 === 0 ? [measureOurs, measureBaseline] : [measureBaseline, measureOurs];
        const a = await first();
        const b = await second();
        if (run < warmUps) continue;
        ours.push(run % 2 === 0 ? a : b);
        baseline.push(run % 2 === 0 ? b : a);
      }
      // The whole job once, writes included: what a 5-minute fire costs in steady state.
      const job = stopwatch();
      const counts = await warnExpiringCodes(store.db, now, leads);
      const jobMs = job();
      if (counts.warned !== planned) throw new Error(`scan planned ${planned} warnings but the job sent ${counts.warned}`);
      const full = !quick;
      return {
        name: 'scan',
        database: provider,
        parameters: { ...size, locations: 50, leads: leads.join(','), lastRun: '5 min before', runs },
        unit: 'ms',
        samples: ours,
        baseline: { description: 'raw driver: one indexed SELECT of the live codes in the warning window, joined to devices', samples: baseline },
        details: {
          p95: percentile(ours, 95),
          codesInWindow: windowRows,
          codesToWarn: planned,
          jobRunMs: jobMs,
          seedMs: fleet.elapsedMs,
          ...(full ? {} : { note: 'quick: a fifth of the fleet; the target is judged on the full run' }),
        },
        // Issue 6's target is for SQLite at 100,000 devices; PostgreSQL is reported for comparison.
        targets: full && provider === 'sqlite' ? [atMost(median(ours), 100, 'ms')] : [],
      };
    } finally {
      await raw.close();
    }
  });
}

export const scanBenchmark: Benchmark = {
  name: 'scan',
  description: 'expiry-warning scan (planWarnings) on 100,000 devices with 20,000 live codes',
  async run({ quick, postgresUrl }) {
    const results = [await scanOn('sqlite', null, quick)];
    if (postgresUrl) results.push(await scanOn('postgresql', postgresUrl, quick));
    return results;
  },
};
