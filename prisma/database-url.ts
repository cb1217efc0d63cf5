// DATABASE_URL decides the store: a `file:` URL is the embedded SQLite default,
// `postgres://` / `postgresql://` is a PostgreSQL server shared by several instances.
import { mkdirSync } from 'node:fs';
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

/** The `file:` URL the libsql driver gets: absolute, and with its folder created on first start. */
export function prepareSqliteUrl(databaseUrl: string): string {
  const file = sqliteFilePath(databaseUrl);
  mkdirSync(path.dirname(file), { recursive: true });
  return `file:${file}`;
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
