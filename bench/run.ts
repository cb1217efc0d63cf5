// `npm run bench [-- --quick] [-- --only import,codes]`: runs the benchmarks one after another,
// prints a table, and writes bench/results/latest.json (or --out <file>).
//
// PostgreSQL: when DATABASE_URL (or BENCH_POSTGRES_URL) is a postgres:// URL of a server the
// bench may create scratch databases on, the store-bound benchmarks run there too.
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchmarks } from './benchmarks/index.ts';
import { median, percentile, ratioToBaseline, resultRecord, stopwatch, type BenchOptions, type BenchResult } from './harness.ts';

interface Arguments {
  quick: boolean;
  only: string[] | null;
  out: string;
}

const benchDir = path.dirname(fileURLToPath(import.meta.url));

function parseArguments(argv: readonly string[]): Arguments {
  const parsed: Arguments = { quick: false, only: null, out: path.join(benchDir, 'results', 'latest.json') };
  for (let index = 0; index < argv.length; index++) {
    const argument = argv[index];
    if (argument === '--quick') parsed.quick = true;
    else if (argument === '--only') parsed.only = (argv[++index] ?? '').split(',').filter(Boolean);
    else if (argument === '--out') parsed.out = path.resolve(argv[++index] ?? '');
    else throw new Error(`Unknown argument "${argument}". Use --quick, --only <name,name> or --out <file>.`);
  }
  const known = new Set(benchmarks.map((benchmark) => benchmark.name));
  const unknown = parsed.only?.filter((name) => !known.has(name)) ?? [];
  if (unknown.length > 0) throw new Error(`Unknown benchmark ${unknown.join(', ')}. Known: ${[...known].join(', ')}.`);
  return parsed;
}

function postgresUrlFromEnvironment(): string | null {
  const candidate = process.env.BENCH_POSTGRES_URL ?? process.env.DATABASE_URL ?? '';
  return /^postgres(ql)?:\/\//.test(candidate) ? candidate : null;
}

const formatNumber = (value: number) => (Number.isNaN(value) ? '—' : value >= 100 ? value.toFixed(0) : value.toFixed(1));

function tableRow(result: BenchResult): string {
  const ratio = ratioToBaseline(result);
  const label = `${result.name}${result.database ? ` (${result.database})` : ''}`;
  const targets = result.targets.map((target) => `${target.met ? 'ok' : 'MISSED'} ${target.description}`).join('; ');
  const details = Object.entries(result.details ?? {})
    .map(([key, value]) => `${key} ${typeof value === 'number' ? formatNumber(value) : value}`)
    .join(', ');
  return [
    label.padEnd(26),
    `${formatNumber(median(result.samples))} ${result.unit}`.padStart(14),
    `${formatNumber(percentile(result.samples, 95))}`.padStart(9),
    (result.baseline ? formatNumber(median(result.baseline.samples)) : '—').padStart(10),
    (ratio === null ? '—' : `${ratio.toFixed(2)}×`).padStart(8),
    `  ${targets || '—'}`,
    details ? `\n${''.padEnd(28)}${details}` : '',
  ].join('');
}

async function main(): Promise<void> {
  const args = parseArguments(process.argv.slice(2));
  const options: BenchOptions = { quick: args.quick, postgresUrl: postgresUrlFromEnvironment() };
  // The bot's own logs would drown the table; benchmarks start servers with LOG_LEVEL=warn.
  const selected = benchmarks.filter((benchmark) => !args.only || args.only.includes(benchmark.name));
  const total = stopwatch();
  const results: BenchResult[] = [];
  console.log(`provisioning-bot benchmarks${args.quick ? ' (quick)' : ''} on ${os.cpus().length} cores, Node ${process.version}${options.postgresUrl ? ', with PostgreSQL' : ''}`);
  console.log(`${'benchmark'.padEnd(26)}${'median'.padStart(14)}${'p95'.padStart(9)}${'baseline'.padStart(10)}${'ratio'.padStart(8)}  targets`);
  for (const benchmark of selected) {
    const elapsed = stopwatch();
    const produced = await benchmark.run(options);
    for (const result of produced) console.log(tableRow(result));
    console.log(`${''.padEnd(28)}(${benchmark.description}; ${(elapsed() / 1000).toFixed(1)} s)`);
    results.push(...produced);
  }
  const missed = results.flatMap((result) => result.targets.filter((target) => !target.met).map((target) => `${result.name}${result.database ? ` (${result.database})` : ''}: ${target.description}`));
  console.log(`\n${results.length} figures in ${(total() / 1000).toFixed(1)} s; ${missed.length === 0 ? 'every target met' : `targets missed: ${missed.join('; ')}`}`);
  mkdirSync(path.dirname(args.out), { recursive: true });
  const document = {
    createdAt: new Date().toISOString(),
    quick: args.quick,
    machine: { cores: os.cpus().length, cpu: os.cpus()[0]?.model ?? 'unknown', memoryMb: Math.round(os.totalmem() / 2 ** 20), node: process.version, platform: `${os.platform()} ${os.release()}` },
    durationSeconds: Math.round(total() / 100) / 10,
    results: results.map(resultRecord),
  };
  writeFileSync(args.out, `${JSON.stringify(document, null, 2)}\n`);
  console.log(`results written to ${path.relative(process.cwd(), args.out)}`);
}

await main();
