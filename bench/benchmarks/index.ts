// Every benchmark `npm run bench` knows, in the order they run.
import type { Benchmark } from '../harness.ts';
import { migrationsBenchmark } from './migrations.ts';

export const benchmarks: readonly Benchmark[] = [migrationsBenchmark];
