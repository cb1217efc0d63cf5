// A/B of two builds of the bot under the chat benchmark's load, interleaved, for judging a change
// on a shared machine: `node --import tsx bench/tools/chat-ab.ts A.cjs B.cjs [rounds] [messages]`.
// Each argument is a bundle built like dist/server.cjs and kept in dist/ beside it (copy the
// old bundle to dist/server-before.cjs before rebuilding): the bundle finds its card templates and
// migrations relative to its own place, so it must live in dist/. Each build gets its own
// database, seeded as the chat benchmark seeds it, and its own process; the rounds alternate
// which build goes first. Prints CPU ms per message and messages/s per batch, and the medians.
// BENCH_CPU_PROFILE_DIR=<dir> writes a CPU profile of each bot process on exit (A-… and B-… dirs).
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { defaultTenantId } from '../../test/helpers/fake-channel.ts';
import { median } from '../harness.ts';
import { ChatLine, cleanBatch } from '../support/chat-load.ts';
import { freePort, processMemory, projectDir, type ChildServer } from '../support/child-server.ts';
import { benchCodeHashSecret, registerWithCodes, seedThroughServices } from '../support/fleet-seed.ts';
import { benchTechnicians, grantTechnicians, isStatusCard, measuredChatBatch, statusMessages } from '../support/status-chat.ts';

const [aBundle, bBundle, roundsArg, messagesArg] = process.argv.slice(2);
if (!aBundle || !bBundle) throw new Error('usage: chat-ab.ts A.cjs B.cjs [rounds] [messages]');
const rounds = Number(roundsArg ?? 6);
const messages = Number(messagesArg ?? 1000);
const concurrency = 50;
const devices = 2000;
const technicians = benchTechnicians(concurrency);
const dir = mkdtempSync(path.join(tmpdir(), 'chat-ab-'));

async function startBuild(label: string, bundle: string): Promise<ChildServer & { label: string }> {
  const databaseUrl = `file:${path.join(dir, `${label}.db`)}`;
  await seedThroughServices(databaseUrl, async (services) => {
    await registerWithCodes(services, defaultTenantId, 0, devices);
    await grantTechnicians(services, defaultTenantId, technicians);
  });
  const launcher = path.join(projectDir, 'dist', `ab-${label}.mjs`);
  writeFileSync(launcher, `import { createRequire } from 'node:module';\nprocess.setSourceMapsEnabled(true);\nconst { main } = createRequire(import.meta.url)(${JSON.stringify(`./${path.basename(bundle)}`)});\nawait main();\n`);
  const port = await freePort();
  const profileDir = process.env.BENCH_CPU_PROFILE_DIR ? path.join(process.env.BENCH_CPU_PROFILE_DIR, label) : null;
  if (profileDir) mkdirSync(profileDir, { recursive: true });
  const cwd = path.join(dir, label);
  mkdirSync(cwd);
  const child = spawn(process.execPath, [...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []), launcher], {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: String(port), DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn', CODE_HASH_SECRET: benchCodeHashSecret },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  const url = `http://127.0.0.1:${port}`;
  for (let tries = 0; ; tries++) {
    try {
      if ((await fetch(`${url}/readyz`)).status === 200) break;
    } catch {
      // not listening yet
    }
    if (tries > 600) throw new Error(`${label} did not get ready`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    label,
    child,
    pid: child.pid!,
    url,
    spawnedAt: 0,
    exited,
    output: () => '',
    answers200: async () => 0,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

const builds = [await startBuild('A', aBundle), await startBuild('B', bBundle)];
const lines = await Promise.all(builds.map((build) => ChatLine.open(build.url, concurrency)));
const work = statusMessages(technicians, messages, devices);
const figures = builds.map(() => ({ cpu: [] as number[], throughput: [] as number[], p99: [] as number[] }));
try {
  for (let index = 0; index < builds.length; index++) await lines[index]!.batch(statusMessages(technicians, 1000, devices), isStatusCard);
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? [0, 1] : [1, 0];
    for (const index of order) {
      const batch = await measuredChatBatch([builds[index]!], lines[index]!, work, isStatusCard);
      if (!cleanBatch(batch)) throw new Error(`${builds[index]!.label}: ${batch.outcomes.firstProblem ?? 'missing/duplicate/wrong replies'}`);
      const sorted = [...batch.latencies].sort((x, y) => x - y);
      const p99 = sorted[Math.floor(sorted.length * 0.99)] ?? 0;
      figures[index]!.cpu.push(batch.cpuMsPerMessage);
      figures[index]!.throughput.push(batch.throughput);
      figures[index]!.p99.push(p99);
      console.log(`round ${round} ${builds[index]!.label}: ${batch.cpuMsPerMessage.toFixed(2)} CPU ms/msg, ${batch.throughput.toFixed(0)} msg/s, p99 ${p99.toFixed(0)} ms`);
    }
  }
  for (const [index, build] of builds.entries()) {
    const f = figures[index]!;
    const range = (values: number[], digits: number) => `${median(values).toFixed(digits)} (${Math.min(...values).toFixed(digits)}–${Math.max(...values).toFixed(digits)})`;
    console.log(`${build.label}: CPU ms/msg ${range(f.cpu, 2)}; msg/s ${range(f.throughput, 0)}; p99 ms ${range(f.p99, 0)}; peak RSS ${processMemory(build.pid).peakRssMb.toFixed(0)} MB`);
  }
} finally {
  for (const line of lines) await line.close();
  for (const build of builds) await build.stop();
  rmSync(dir, { recursive: true, force: true });
}
