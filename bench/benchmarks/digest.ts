// The managers' digest of a big tenant: 100,000 devices in 50 locations, a month of history
// (audit trail, sign-ins, lockouts), 20,000 live codes.
//
// Measured: what the `digest` command does to answer, without the chat around it: the tenant's
// profile (its time zone), `buildDigest` (services/reporting/digest.ts: counts per state and
// location, expiring codes per location, stuck devices, sign-ins and the median time to signed
// in, lockouts) and the card drawn from it (digestView + renderCard). The scheduled digest does
// the same. The service part and the card part are also reported on their own in the details.
//
// Baseline (issue 17): the same figures computed by hand-written SQL through the raw driver
// (bench/support/raw-digest.ts), the same card drawn from them, in the same runs (interleaved
// with the service's). The benchmark checks once that both digests are equal.
import { digestView } from '../../bot/views/digest-view.ts';
import { renderCard } from '../../cards/render.ts';
import type { Provider } from '../../prisma/schemas.ts';
import { createServices } from '../../services/index.ts';
import { deepStrictEqual } from 'node:assert';
import { atMost, median, percentile, stopwatch, type Benchmark, type BenchResult } from '../harness.ts';
import { cpuStopwatch } from '../support/cpu-time.ts';
import { rawDigest, rawTimeZone } from '../support/raw-digest.ts';
import { openRawDatabase, rawDriverName } from '../support/raw-driver.ts';
import { fleetCodeHashSecret } from '../fixtures/large-fleet.ts';
import { withFleetDatabase } from '../fixtures/scratch-fleet.ts';

async function digestOn(provider: Provider, postgresUrl: string | null, quick: boolean): Promise<BenchResult> {
  const size = quick ? { devices: 10_000, liveCodes: 2_000 } : { devices: 100_000, liveCodes: 20_000 };
  const runs = quick ? 5 : 15;
  const warmUps = 2;
  const fleetOptions = { ...size, locations: 50, now: new Date('2026-11-23T09:00:00.000Z') };
  return withFleetDatabase(provider, postgresUrl, 'bench_digest', fleetOptions, async ({ url, fleet, store }) => {
    const raw = await openRawDatabase(url);
    try {
      const services = createServices({
        db: store.db,
        clock: { now: () => fleet.now },
        settings: { codeTtlMs: 24 * 3_600_000, codeHashSecret: fleetCodeHashSecret, bootstrapAdmins: [] },
      });
      const samples: number[] = [];
      const buildMs: number[] = [];
      const cardMs: number[] = [];
      const cpu: number[] = [];
      const baseline: number[] = [];
      const baselineCpu: number[] = [];
      let figures = { total: 0, locations: 0, expiring: 0, stuck: 0, signedInWeek: 0 };
      for (let run = 0; run < warmUps + runs; run++) {
        const elapsed = stopwatch();
        const cpuUsed = cpuStopwatch();
        const profile = await services.tenants.profile(fleet.tenantId);
        const digest = await services.reporting.buildDigest(fleet.tenantId, undefined, { timeZone: profile.timeZone });
        const built = elapsed();
        const card = renderCard('digest', digestView(digest, profile.timeZone));
        const total = elapsed();
        const totalCpu = cpuUsed();
        if (!card.fallbackText.includes(`${size.devices.toLocaleString('en-GB')} devices`)) throw new Error(`the digest card does not count ${size.devices} devices`);

        // The baseline, the same figures and card by hand-written SQL, right after (interleaved).
        const theirs = stopwatch();
        const theirsCpu = cpuStopwatch();
        const zone = await rawTimeZone(raw, fleet.tenantId);
        const byHand = await rawDigest(raw, fleet.tenantId, fleet.now, zone);
        const theirCard = renderCard('digest', digestView(byHand, zone));
        const theirTotal = theirs();
        const theirTotalCpu = theirsCpu();
        if (run === 0) {
          // Outside the clock, once: the baseline computes the very digest the service does.
          deepStrictEqual(byHand, digest, 'the raw-SQL baseline and the service disagree on the digest');
          deepStrictEqual(theirCard, card, 'the raw-SQL baseline draws another card');
        }
        if (run < warmUps) continue;
        samples.push(total);
        buildMs.push(built);
        cardMs.push(total - built);
        cpu.push(totalCpu);
        baseline.push(theirTotal);
        baselineCpu.push(theirTotalCpu);
        figures = { total: digest.total, locations: digest.locations.length, expiring: digest.expiring.count, stuck: digest.stuck.length, signedInWeek: digest.timeToSignedIn.devices };
      }
      if (figures.total !== size.devices) throw new Error(`the digest counted ${figures.total} devices of ${size.devices}`);
      const full = !quick;
      return {
        name: 'digest',
        database: provider,
        parameters: { ...size, locations: 50, history: '30 days', runs },
        unit: 'ms',
        samples,
        baseline: { description: `${rawDriverName[provider].split(',')[0]}: the same figures by hand-written SQL (one statement each, as the service), the same card`, samples: baseline },
        details: {
          p95: percentile(samples, 95),
          'CPU ms': median(cpu),
          'baseline CPU ms': median(baselineCpu),
          buildDigestMs: median(buildMs),
          cardMs: median(cardMs),
          expiringCodes: figures.expiring,
          stuckDevices: figures.stuck,
          signedInLast7Days: figures.signedInWeek,
          seedMs: fleet.elapsedMs,
          ...(full ? {} : { note: 'quick: a tenth of the fleet; the target is judged on the full run' }),
        },
        // Issue 6's target is for SQLite at 100,000 devices; PostgreSQL is reported for comparison.
        targets: full && provider === 'sqlite' ? [atMost(median(samples), 150, 'ms')] : [],
      };
    } finally {
      await raw.close();
    }
  });
}

export const digestBenchmark: Benchmark = {
  name: 'digest',
  description: 'the digest view (profile, buildDigest, card) for 100,000 devices in 50 locations',
  async run({ quick, postgresUrl }) {
    const results = [await digestOn('sqlite', null, quick)];
    if (postgresUrl) results.push(await digestOn('postgresql', postgresUrl, quick));
    return results;
  },
};
