// Applying every migration to an empty database: what a first start (or a new test
// database) pays before the bot can serve.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { applyMigrations } from '../../prisma/migrator.ts';
import { createScratchDatabase } from '../../prisma/schema-engine/index.ts';
import { repeat, stopwatch, type Benchmark, type BenchResult } from '../harness.ts';

export const migrationsBenchmark: Benchmark = {
  name: 'migrations',
  description: 'apply every migration to an empty database',
  async run({ quick, postgresUrl }) {
    const runs = quick ? 3 : 10;
    const results: BenchResult[] = [];
    const sqlite = await repeat(runs, async () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'bench-migrate-'));
      try {
        const elapsed = stopwatch();
        await applyMigrations(`file:${path.join(dir, 'bench.db')}`);
        return elapsed();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
    results.push({ name: 'migrations', database: 'sqlite', parameters: { runs }, unit: 'ms', samples: sqlite, targets: [] });
    if (postgresUrl) {
      const samples = await repeat(runs, async () => {
        const database = await createScratchDatabase('postgresql', postgresUrl, 'bench_migrate');
        try {
          const elapsed = stopwatch();
          await applyMigrations(database.url);
          return elapsed();
        } finally {
          await database.drop();
        }
      });
      results.push({ name: 'migrations', database: 'postgresql', parameters: { runs }, unit: 'ms', samples, targets: [] });
    }
    return results;
  },
};
