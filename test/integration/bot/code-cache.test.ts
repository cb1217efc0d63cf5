// The V8 code cache `npm start` runs the bundle with (bot/code-cache.mjs), each start a process
// of its own as in production: the first start writes the cache, the next uses it, and a cache
// never runs another build's code, even when the new build has the same length (V8 itself only
// compares lengths) or V8 runs with other flags.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { codeCacheFile } from '../../../bot/code-cache.mjs';
import { projectDir } from '../../../bot/production-build.mjs';

const dir = mkdtempSync(path.join(tmpdir(), 'code-cache-'));
const bundle = path.join(dir, 'bundle.cjs');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Start {
  cache: 'none' | 'used' | 'rejected';
  answer: number;
  saved: boolean;
}

/** Runs `bundle` the way bot/start.mjs runs the server's, in a new Node process (`flags` for V8). */
function start(flags: string[] = []): Start {
  const script = `
    import { runWithCodeCache } from ${JSON.stringify(path.join(projectDir, 'bot', 'code-cache.mjs'))};
    const run = runWithCodeCache(${JSON.stringify(bundle)});
    const answer = run.exports.answer();
    console.log(JSON.stringify({ cache: run.cache, answer, saved: run.saveCodeCache() }));`;
  return JSON.parse(execFileSync(process.execPath, [...flags, '--input-type=module', '-e', script], { encoding: 'utf8' })) as Start;
}

/** A CommonJS module whose answer() returns `answer` (two digits, so every build has the same length). */
function build(answer: number, modifiedAt: Date): void {
  writeFileSync(bundle, `'use strict';\nfunction answer() { return ${answer}; }\nmodule.exports = { answer, required: typeof require };\n`);
  utimesSync(bundle, modifiedAt, modifiedAt);
}

describe('the code cache', () => {
  it('is written by the first start and used by the next, which runs the same code', () => {
    build(42, new Date('2026-12-07T10:00:00Z'));
    expect(start()).toEqual({ cache: 'none', answer: 42, saved: true });
    expect(readFileSync(codeCacheFile(bundle), 'utf8').split('\n')[0]).toMatch(/^\d+:\d+/);
    expect(start()).toEqual({ cache: 'used', answer: 42, saved: false });
  });

  it('is ignored for a rebuilt bundle of the same length, which runs its own code and writes its own cache', () => {
    build(43, new Date('2026-12-07T11:00:00Z'));
    expect(start()).toEqual({ cache: 'none', answer: 43, saved: true });
    expect(start()).toEqual({ cache: 'used', answer: 43, saved: false });
  });

  it('is refused by V8 under other flags, and then written again', () => {
    expect(start(['--heap-growing-percent=30'])).toEqual({ cache: 'rejected', answer: 43, saved: true });
    expect(start(['--heap-growing-percent=30'])).toEqual({ cache: 'used', answer: 43, saved: false });
  });

  it('is ignored when it is not a cache file (cut short, or something else)', () => {
    writeFileSync(codeCacheFile(bundle), 'not a cache');
    expect(start()).toEqual({ cache: 'none', answer: 43, saved: true });
  });

  it("gives the bundle Node's CommonJS module variables", () => {
    const script = `
      import { runWithCodeCache } from ${JSON.stringify(path.join(projectDir, 'bot', 'code-cache.mjs'))};
      console.log(runWithCodeCache(${JSON.stringify(bundle)}).exports.required);`;
    expect(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }).trim()).toBe('function');
  });
});
