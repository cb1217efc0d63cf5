// What every benchmark shares: how it is described, how its runs are timed and summarised,
// and the shape of bench/results/latest.json. Nothing here asserts a time: a benchmark reports
// its figures and whether each target of issue 6 was met; reviewers read the table.
//
// Baselines run in the same process, side by side with the measured work, because absolute
// times on shared 2-core machines drift between runs: the ratio is the stable figure.
import { performance } from 'node:perf_hooks';

export interface BenchOptions {
  /** `npm run bench -- --quick`: fewer runs and smaller inputs where a full run would take minutes. */
  quick: boolean;
  /** A PostgreSQL server URL (DATABASE_URL when it points at one): store-bound benchmarks run there too. */
  postgresUrl: string | null;
}

export type Unit = 'ms' | 'ops/s' | 'MB' | 'KB';

export interface Target {
  /** e.g. "≤ 1000 ms" or "≤ 4× baseline". */
  description: string;
  met: boolean;
}

/** One measured figure of a benchmark, e.g. "import on SQLite". */
export interface BenchResult {
  name: string;
  database?: 'sqlite' | 'postgresql';
  /** What was measured: row counts, concurrency, runs. */
  parameters: Record<string, number | string>;
  unit: Unit;
  /** One value per run of the measured work. */
  samples: number[];
  baseline?: { description: string; samples: number[] };
  /** Further figures of the same runs (latency percentiles, peak RSS, …). */
  details?: Record<string, number | string>;
  targets: Target[];
}

export interface Benchmark {
  name: string;
  /** One line for the table's heading: what the work is. */
  description: string;
  run(options: BenchOptions): Promise<BenchResult[]>;
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  // Nearest rank: the smallest value with at least p% of the values at or below it.
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export const median = (values: readonly number[]) => percentile(values, 50);

/** Starts a stopwatch; calling the result gives the milliseconds since. */
export function stopwatch(): () => number {
  const started = performance.now();
  return () => performance.now() - started;
}

/**
 * Runs `once` `runs` times and collects what each returns (the milliseconds of its measured
 * part, so that per-run setup such as seeding a fresh database stays out of the figure).
 */
export async function repeat(runs: number, once: (run: number) => Promise<number>): Promise<number[]> {
  const samples: number[] = [];
  for (let run = 0; run < runs; run++) samples.push(await once(run));
  return samples;
}

/** ours ÷ baseline, on medians: > 1 means slower (for times) or faster (for throughputs). */
export function ratioToBaseline(result: BenchResult): number | null {
  if (!result.baseline || result.baseline.samples.length === 0) return null;
  return median(result.samples) / median(result.baseline.samples);
}

export function atMost(value: number, limit: number, unit: string): Target {
  return { description: `≤ ${limit} ${unit}`, met: value <= limit };
}

export function atLeast(value: number, limit: number, unit: string): Target {
  return { description: `≥ ${limit} ${unit}`, met: value >= limit };
}

/** The file's entry for one result: medians and p95s rather than raw samples, plus the samples for reanalysis. */
export function resultRecord(result: BenchResult) {
  const ratio = ratioToBaseline(result);
  return {
    name: result.name,
    database: result.database ?? null,
    parameters: result.parameters,
    unit: result.unit,
    runs: result.samples.length,
    median: round(median(result.samples)),
    p95: round(percentile(result.samples, 95)),
    samples: result.samples.map(round),
    baseline: result.baseline
      ? { description: result.baseline.description, median: round(median(result.baseline.samples)), p95: round(percentile(result.baseline.samples, 95)), samples: result.baseline.samples.map(round) }
      : null,
    ratio: ratio === null ? null : round(ratio, 2),
    details: Object.fromEntries(Object.entries(result.details ?? {}).map(([key, value]) => [key, typeof value === 'number' ? round(value) : value])),
    targets: result.targets,
  };
}

export function round(value: number, digits = 1): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
