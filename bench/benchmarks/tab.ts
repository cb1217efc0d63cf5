// The fleet tab on a big tenant: 100,000 devices in 50 locations with a month of history
// (the digest's fixture). Measured through the real HTTP API, as the tab calls it, with an
// SSO token checked on every request (a key pair made here, its JWKS on loopback):
// - GET /api/tab/v1/pipeline: the dashboard (counts per state and location, expiring codes,
//   stuck devices, lockouts, medians over 7 and 30 days and per day);
// - GET /api/tab/v1/devices: the table's first page (50 rows, sorted by MAC).
// Also the tab's bundle: its gzip size (the browser downloads that).
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { parseConfig } from '../../bot/config.ts';
import { createLogger } from '../../bot/logger.ts';
import { startServer } from '../../bot/server.ts';
import { buildTab, tabBundlePath } from '../../tab-app/build.ts';
import { atMost, median, percentile, stopwatch, type Benchmark, type BenchResult } from '../harness.ts';
import { fleetCodeHashSecret } from '../fixtures/large-fleet.ts';
import { withFleetDatabase } from '../fixtures/scratch-fleet.ts';
import { cpuStopwatch } from '../support/cpu-time.ts';
import { startFakeEntra, tabClientId } from '../../test/helpers/tab-sso.ts';

const tenantId = '33333333-3333-4333-8333-333333333333';
const adminId = 'dddddddd-0000-4000-8000-00000000000d';

async function tabApiOnSqlite(quick: boolean): Promise<BenchResult[]> {
  const size = quick ? { devices: 10_000, liveCodes: 2_000 } : { devices: 100_000, liveCodes: 20_000 };
  const runs = quick ? 5 : 15;
  const warmUps = 2;
  const fleetOptions = { ...size, locations: 50, tenantId, now: new Date('2026-11-23T09:00:00.000Z') };
  const entra = await startFakeEntra();
  try {
    return await withFleetDatabase('sqlite', null, 'bench_tab', fleetOptions, async ({ url, fleet }) => {
      const config = parseConfig({
        PORT: '0',
        HOST: '127.0.0.1',
        DATABASE_URL: url,
        CODE_HASH_SECRET: fleetCodeHashSecret,
        ADMIN_USER_IDS: adminId,
        TAB_SSO_CLIENT_ID: tabClientId,
        TAB_SSO_JWKS_URL: entra.jwksUrl,
        LOG_LEVEL: 'warn',
      });
      const server = await startServer(config, { clock: { now: () => fleet.now }, scheduler: 'off', logger: createLogger('warn', undefined, 'json') });
      try {
        const token = await entra.token({ tid: tenantId, oid: adminId });
        const timed = async (route: string, check: (body: unknown) => string | null) => {
          const samples: number[] = [];
          const cpuMs: number[] = [];
          let bytes = 0;
          for (let run = 0; run < warmUps + runs; run++) {
            const elapsed = stopwatch();
            const cpu = cpuStopwatch();
            const response = await fetch(`${server.url}${route}`, { headers: { authorization: `Bearer ${token}` } });
            const text = await response.text();
            const ms = elapsed();
            const cpuUsed = cpu();
            if (response.status !== 200) throw new Error(`${route} answered ${response.status}: ${text.slice(0, 200)}`);
            const problem = check(JSON.parse(text));
            if (problem) throw new Error(`${route}: ${problem}`);
            bytes = text.length;
            if (run >= warmUps) {
              samples.push(ms);
              cpuMs.push(cpuUsed);
            }
          }
          return { samples, bytes, cpuMs };
        };
        // Baseline, run in turn with the pipeline so both see the same load: the managers' digest
        // (buildDigest) of the same fleet, what the pipeline would cost if it were built from it.
        const digestSamples: number[] = [];
        for (let run = 0; run < warmUps + runs; run++) {
          const elapsed = stopwatch();
          await server.services.reporting.buildDigest(tenantId, undefined, { timeZone: 'UTC' });
          if (run >= warmUps) digestSamples.push(elapsed());
        }
        const pipeline = await timed('/api/tab/v1/pipeline', (body) => ((body as { total?: number }).total === size.devices ? null : `counted ${(body as { total?: number }).total} devices`));
        const firstPage = await timed('/api/tab/v1/devices?q=&state=&location=&cursor=', (body) => ((body as { devices?: unknown[] }).devices?.length === 50 ? null : 'not 50 rows'));
        const full = !quick;
        const result = (name: string, measured: { samples: number[]; bytes: number; cpuMs: number[] }, baseline?: BenchResult['baseline']): BenchResult => ({
          name,
          database: 'sqlite',
          parameters: { ...size, locations: 50, history: '30 days', runs },
          unit: 'ms',
          samples: measured.samples,
          ...(baseline ? { baseline } : {}),
          // CPU time of this process (server, SQLite and the client's fetch): what the work costs
          // whatever else the shared machine runs; wall time stretches with the load.
          details: { p95: percentile(measured.samples, 95), cpuMs: median(measured.cpuMs), responseBytes: measured.bytes, ...(full ? {} : { note: 'quick: a tenth of the fleet; the target is judged on the full run' }) },
          targets: full ? [atMost(median(measured.samples), 150, 'ms')] : [],
        });
        return [result('tab pipeline', pipeline, { description: 'buildDigest of the same fleet, in the same process', samples: digestSamples }), result('tab first page', firstPage)];
      } finally {
        await server.close();
      }
    });
  } finally {
    await entra.close();
  }
}

async function bundleSize(): Promise<BenchResult> {
  const { bytes } = await buildTab();
  const gzipKb = gzipSync(readFileSync(tabBundlePath), { level: 9 }).byteLength / 1024;
  return {
    name: 'tab bundle',
    parameters: { minified: 'esbuild', contents: 'React 19, Fluent UI v9, teams-js 2.58' },
    unit: 'KB',
    samples: [gzipKb],
    details: { minifiedKb: Math.round(bytes / 1024) },
    targets: [atMost(gzipKb, 350, 'KB')],
  };
}

export const tabBenchmark: Benchmark = {
  name: 'tab',
  description: "the fleet tab's API (pipeline, first table page) on 100,000 devices, and its bundle's gzip size",
  async run({ quick }) {
    return [...(await tabApiOnSqlite(quick)), await bundleSize()];
  },
};
