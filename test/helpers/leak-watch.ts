// The test run's leak watch: every log line a test helper captures from the bot, and every
// secret a test handles (codes read off cards, device tokens, app passwords, hash secrets,
// JWTs), appended to files in one directory for the whole run. At the end of the run,
// test/global-setup/leak-check.ts fails the run if any secret shows up in any log line.
//
// The directory comes from the environment (set by the global setup), so these functions do
// nothing outside vitest, e.g. when a benchmark reuses a helper. No vitest import here for the
// same reason.
import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';

/** The environment variable that names the run's leak-watch directory. */
export const leakWatchDirVariable = 'PROVISIONING_TEST_LEAK_WATCH_DIR';

/** One captured log line, as stored (one JSON object per line). */
export interface CapturedLine {
  /** The test file that started the bot that wrote it. */
  file: string;
  /** Which capture: the in-process bot's logger, or a bot process's stdout/stderr. */
  source: string;
  line: string;
}

/** One secret a test handled, as stored. */
export interface HandledSecret {
  file: string;
  /** What it is (verification code, device token, …), for the report. */
  kind: string;
  value: string;
}

function watchDir(): string | null {
  return process.env[leakWatchDirVariable] || null;
}

/** The test file running in this worker (vitest's worker state; "unknown" elsewhere). */
export function currentTestFile(): string {
  const worker = (globalThis as { __vitest_worker__?: { filepath?: string } }).__vitest_worker__;
  return worker?.filepath ? path.relative(process.cwd(), worker.filepath) : 'unknown';
}

function append(kind: 'logs' | 'secrets', records: readonly object[]): void {
  const dir = watchDir();
  if (!dir || records.length === 0) return;
  const folder = path.join(dir, kind);
  mkdirSync(folder, { recursive: true });
  // One file per worker process: appends from one process never interleave mid-line.
  appendFileSync(path.join(folder, `${process.pid}.jsonl`), records.map((record) => `${JSON.stringify(record)}\n`).join(''));
}

/** Appends log lines the bot wrote (empty lines dropped). */
export function captureLogLines(source: string, lines: readonly string[], file = currentTestFile()): void {
  append(
    'logs',
    lines.filter((line) => line.trim() !== '').map((line): CapturedLine => ({ file, source, line })),
  );
}

const noted = new Set<string>();

/**
 * A value that must never reach a log. Verification codes (6 digits) are matched as whole
 * numbers; anything else needs 8 characters or more, so that the scan never chases common words.
 */
export function noteSecret(kind: string, value: string | null | undefined): void {
  if (typeof value !== 'string') return;
  const secret = value.trim();
  if (!/^\d{6}$/.test(secret) && secret.length < 8) return;
  if (noted.has(secret)) return;
  noted.add(secret);
  append('secrets', [{ file: currentTestFile(), kind, value: secret } satisfies HandledSecret]);
}

/** Splits a stream's chunks into whole lines; flush() returns the last, unterminated one. */
export function lineSplitter(onLines: (lines: string[]) => void): { push(chunk: string): void; flush(): void } {
  let pending = '';
  return {
    push(chunk) {
      const parts = (pending + chunk).split('\n');
      pending = parts.pop() ?? '';
      if (parts.length > 0) onLines(parts);
    },
    flush() {
      if (pending !== '') onLines([pending]);
      pending = '';
    },
  };
}
