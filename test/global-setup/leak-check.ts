// Global setup of the test run: gives every test worker one leak-watch directory (through
// the environment, which the workers inherit), and at the end scans every log line the
// helpers captured for every secret the tests handled (test/helpers/leak-watch.ts). A leak
// fails the run. vitest ignores errors thrown by a teardown, so the exit code is set instead.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { leakWatchDirVariable, type CapturedLine, type HandledSecret } from '../helpers/leak-watch.ts';
import { findLeaks, type Leak } from './leak-scan.ts';

/**
 * Test files that always capture logs and handle secrets. When one of them ran, an empty
 * watch means the capture is broken and the scan would pass for nothing: that fails too.
 */
const armingFiles = /test\/integration\/security\//;

function readRecords<T>(dir: string): T[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) =>
    readFileSync(path.join(dir, name), 'utf8')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as T),
  );
}

function describeLeaks(leaks: readonly Leak[]): string {
  const shown = leaks.slice(0, 20).map((leak) => `  - ${leak.what} in a log line of ${leak.file} (${leak.source}):\n      ${leak.excerpt}`);
  const more = leaks.length > 20 ? [`  … and ${leaks.length - 20} more`] : [];
  return [`Secrets found in the logs of this test run (${leaks.length}):`, ...shown, ...more].join('\n');
}

export interface LeakWatchReport {
  lines: number;
  secrets: number;
  leaks: Leak[];
  /** What fails the run; empty when it passes. */
  problems: string[];
}

/** Scans a leak-watch directory. With expectCapture, an empty watch is a problem too. */
export function inspectLeakWatch(dir: string, expectCapture: boolean): LeakWatchReport {
  const lines = readRecords<CapturedLine>(path.join(dir, 'logs'));
  const secrets = readRecords<HandledSecret>(path.join(dir, 'secrets'));
  const leaks = findLeaks(lines, secrets);
  const problems: string[] = [];
  if (leaks.length > 0) problems.push(describeLeaks(leaks));
  if (expectCapture && (lines.length === 0 || secrets.length === 0)) {
    problems.push(
      `The leak watch saw ${lines.length} log lines and ${secrets.length} secrets although the security tests ran: ` +
        'the capture in test/helpers (test-bot.ts, bot-process.ts, card-text.ts, device-api.ts) is broken, so the scan proves nothing.',
    );
  }
  return { lines: lines.length, secrets: secrets.length, leaks, problems };
}

export default function setup(project: TestProject): () => void {
  const dir = mkdtempSync(path.join(tmpdir(), 'provisioning-bot-leak-watch-'));
  process.env[leakWatchDirVariable] = dir;

  return function teardown() {
    const ranArmingFile = project.vitest.state.getFiles().some((file) => armingFiles.test(file.filepath.split(path.sep).join('/')));
    const report = inspectLeakWatch(dir, ranArmingFile);
    if (report.problems.length > 0) {
      console.error(`\n${report.problems.join('\n\n')}\nThe captured logs are kept in ${dir}.\n`);
      process.exitCode = 1;
      return;
    }
    console.log(`Leak watch: ${report.lines} log lines scanned for ${report.secrets} secrets; no leak.`);
    rmSync(dir, { recursive: true, force: true });
  };
}
