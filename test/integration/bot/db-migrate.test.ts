// `npm run db:migrate`, as an operator runs it before (or instead of) starting the bot.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const projectDir = path.resolve('.');
const tsxLoader = pathToFileURL(path.join(projectDir, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function migrate(env: Record<string, string>, args: string[] = []) {
  const cwd = mkdtempSync(path.join(tmpdir(), 'db-migrate-'));
  dirs.push(cwd);
  return migrateIn(cwd, env, args);
}

function migrateIn(cwd: string, env: Record<string, string>, args: string[] = []) {
  const result = spawnSync(process.execPath, ['--import', tsxLoader, path.join(projectDir, 'bot', 'db-migrate.ts'), ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
  });
  return { status: result.status, out: result.stdout, err: result.stderr.split('\n').filter((line) => line && !/Deprecation|trace-deprecation/.test(line)) };
}

describe('npm run db:migrate', () => {
  it('applies every migration to a new SQLite file, then finds nothing to do', () => {
    const cwd = mkdtempSync(path.join(tmpdir(), 'db-migrate-'));
    dirs.push(cwd);
    const first = migrateIn(cwd, {});
    expect(first.status).toBe(0);
    expect(first.out).toMatch(/file:\.\/data\/provisioning\.db: \d+ applied: 20261122000000_init/);
    const second = migrateIn(cwd, {});
    expect(second.out).toMatch(/: 0 applied; \d+ already applied\./);
  });

  it('refuses an unknown argument or an unknown failed migration with what to type, exit 1', () => {
    const unknown = migrate({}, ['--force']);
    expect(unknown.status).toBe(1);
    expect(unknown.err).toEqual(['Unknown argument --force. Usage: npm run db:migrate [-- --rolled-back <migration name>]']);
    const notFailed = migrate({}, ['--rolled-back', '20261122000000_init']);
    expect(notFailed.status).toBe(1);
    expect(notFailed.err[0]).toMatch(/No failed migration named 20261122000000_init/);
  });

  it('a DATABASE_URL of an unknown kind is refused without a password in the message', () => {
    const result = migrate({ DATABASE_URL: 'mysql://root:hunter2@db/bot' });
    expect(result.status).toBe(1);
    expect(result.err.join('\n')).toContain('DATABASE_URL must start with "file:"');
    expect(result.err.join('\n')).not.toContain('hunter2');
  });
});
