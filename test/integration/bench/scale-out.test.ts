// The scale-out benchmark is registered with `npm run bench`, and without a PostgreSQL server it
// says why it does not run instead of failing or reporting nothing silently. (Its figures are
// read by people from `npm run bench`; no test asserts a time.)
import { afterEach, describe, expect, it, vi } from 'vitest';
import { benchmarks } from '../../../bench/benchmarks/index.ts';
import { scaleOutBenchmark } from '../../../bench/benchmarks/scale-out.ts';

afterEach(() => vi.restoreAllMocks());

describe('the scale-out benchmark', () => {
  it('is registered once, under its name, among benchmarks of distinct names', () => {
    expect(benchmarks.filter((benchmark) => benchmark.name === 'scale-out')).toEqual([scaleOutBenchmark]);
    expect(new Set(benchmarks.map((benchmark) => benchmark.name)).size).toBe(benchmarks.length);
  });

  it('without a PostgreSQL URL, is skipped with a line that says what to set', async () => {
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((line: unknown) => void lines.push(String(line)));
    expect(await scaleOutBenchmark.run({ quick: true, postgresUrl: null })).toEqual([]);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/scale-out .*skipped: it needs PostgreSQL \(set BENCH_POSTGRES_URL or DATABASE_URL/);
  });
});
