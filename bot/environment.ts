// The raw environment: variables of the process, with a `.env` file in the working
// directory filling in what the process does not set (the process always wins).
import { existsSync, readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';

export type Environment = Record<string, string | undefined>;

export function loadEnvironment(envFile = '.env', processEnv: Environment = process.env): Environment {
  const fromFile = existsSync(envFile) ? parseEnv(readFileSync(envFile, 'utf8')) : {};
  return { ...fromFile, ...processEnv };
}
