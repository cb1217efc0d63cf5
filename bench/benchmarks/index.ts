// Every benchmark `npm run bench` knows, in the order they run.
import type { Benchmark } from '../harness.ts';
import { chatBenchmark } from './chat.ts';
import { codesBenchmark } from './codes.ts';
import { deviceApiBenchmark } from './device-api.ts';
import { digestBenchmark } from './digest.ts';
import { importBenchmark } from './import.ts';
import { migrationsBenchmark } from './migrations.ts';
import { scaleOutBenchmark } from './scale-out.ts';
import { scanBenchmark } from './scan.ts';
import { signInQueueBenchmark } from './sign-in-queue.ts';
import { startupBenchmark } from './startup.ts';
import { tabBenchmark } from './tab.ts';
import { sipCsvBenchmark } from './sip-csv.ts';
import { slackBenchmark } from './slack.ts';
import { updatesBenchmark } from './updates.ts';

export const benchmarks: readonly Benchmark[] = [
  migrationsBenchmark,
  startupBenchmark,
  importBenchmark,
  codesBenchmark,
  scanBenchmark,
  digestBenchmark,
  chatBenchmark,
  deviceApiBenchmark,
  signInQueueBenchmark,
  tabBenchmark,
  sipCsvBenchmark,
  slackBenchmark,
  updatesBenchmark,
  scaleOutBenchmark,
];
