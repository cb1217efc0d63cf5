// The secret that verification codes and device tokens are hashed with. PostgreSQL
// deployments set CODE_HASH_SECRET (every instance must share it). The embedded default
// generates one on first start and keeps it beside the SQLite file, readable by the owner
// only, so a copy of the database alone does not reveal it.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { restrictToOwner, sqliteFilePath } from '../prisma/database-url.ts';
import { newSecretKey } from '../services/shared/random.ts';
import type { Config } from './config.ts';

export function secretFilePath(databaseUrl: string): string {
  return path.join(path.dirname(sqliteFilePath(databaseUrl)), 'code-hash.secret');
}

export function resolveCodeHashSecret(config: Pick<Config, 'codeHashSecret' | 'databaseUrl' | 'databaseProvider'>): string {
  if (config.codeHashSecret) return config.codeHashSecret;
  if (config.databaseProvider !== 'sqlite') throw new Error('CODE_HASH_SECRET is required with PostgreSQL');
  const file = secretFilePath(config.databaseUrl);
  if (!existsSync(file)) {
    // "wx": never overwrite a secret another process just wrote.
    try {
      writeFileSync(file, `${newSecretKey()}\n`, { mode: 0o600, flag: 'wx' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  // A secret written by an earlier version (or copied in) may be readable by others.
  restrictToOwner(file);
  const secret = readFileSync(file, 'utf8').trim();
  if (secret.length < 32) {
    throw new Error(`${file} holds no usable secret (under 32 characters). Restore it from a backup; replacing it invalidates every live code and device token.`);
  }
  return secret;
}
