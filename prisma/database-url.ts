// DATABASE_URL decides the store: a `file:` URL is the embedded SQLite default,
// `postgres://` / `postgresql://` is a PostgreSQL server shared by several instances.
import { chmodSync, closeSync, mkdirSync, openSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Provider } from './schemas.ts';

export const defaultDatabaseUrl = 'file:./data/provisioning.db';

export function providerOf(databaseUrl: string): Provider {
  if (databaseUrl.startsWith('file:')) return 'sqlite';
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) return 'postgresql';
  throw new Error(`DATABASE_URL must start with "file:" (embedded SQLite) or "postgres://" (PostgreSQL); got "${redactDatabaseUrl(databaseUrl)}"`);
}

/** The absolute path of a `file:` URL's database, relative paths taken from the working directory. */
export function sqliteFilePath(databaseUrl: string): string {
  const withoutScheme = databaseUrl.slice('file:'.length).replace(/^\/\//, '');
  const withoutQuery = withoutScheme.split('?')[0] ?? '';
  if (withoutQuery === '') throw new Error('DATABASE_URL "file:" names no file; use e.g. file:./data/provisioning.db');
  return path.resolve(withoutQuery);
}

/**
 * The `file:` URL the libsql driver gets: absolute, with its folder created on first start. The
 * database holds code hashes, device tokens' hashes and device-login codes: it is created
 * readable by its owner only (0600, its folder 0700), and a file of an earlier version that
 * others could read is narrowed to its owner (SQLite gives its -wal and -shm files the
 * database's mode).
 */
export function prepareSqliteUrl(databaseUrl: string): string {
  const file = sqliteFilePath(databaseUrl);
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  try {
    // An empty file is a valid new SQLite database; "wx" never touches an existing one.
    closeSync(openSync(file, 'wx', 0o600));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  for (const each of [file, `${file}-wal`, `${file}-shm`]) restrictToOwner(each);
  return `file:${file}`;
}

/** Drops the group's and others' permission bits, keeping the owner's (a read-only file stays read-only). */
export function restrictToOwner(file: string): void {
  try {
    const mode = statSync(file).mode & 0o777;
    if ((mode & 0o077) !== 0) chmodSync(file, mode & 0o700);
  } catch {
    // Missing (no -wal yet) or not ours to change: nothing to narrow here.
  }
}

/** The URL with any password replaced, safe to log or to show in an error. */
export function redactDatabaseUrl(databaseUrl: string): string {
  if (URL.canParse(databaseUrl)) {
    const url = new URL(databaseUrl);
    const hasPasswordField = /^[^/]*\/\/[^/@]*:[^/]*@/.test(databaseUrl);
    if (!hasPasswordField) return databaseUrl;
    url.password = '***';
    return url.toString().replace('%2A%2A%2A', '***');
  }
  // Not a URL: hide everything between "//" and the last "@" before the path.
  return databaseUrl.replace(/\/\/[^/]*@/, '//***@');
}
