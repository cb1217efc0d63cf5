// Every benchmark `npm run bench` knows, in the order they run.
import type { Benchmark } from '../harness.ts';
import { codesBenchmark } from './codes.ts';
import { digestBenchmark } from './digest.ts';
import { importBenchmark } from './import.ts';
import { migrationsBenchmark } from './migrations.ts';
import { scanBenchmark } from './scan.ts';

export const benchmarks: readonly Benchmark[] = [migrationsBenchmark, importBenchmark, codesBenchmark, scanBenchmark, digestBenchmark];
