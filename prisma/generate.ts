// Generates the Prisma client for both providers. Runs on `npm ci` / `npm install`
// (postinstall) and `npm run db:generate`. `prisma generate` needs no schema engine,
// but the CLI insists on a path to one: any existing file will do, so we point it at
// this script and nothing is downloaded.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { projectDir, providers, schemaFor, sourceSchemaPath } from './schemas.ts';

const prismaCli = path.join(projectDir, 'node_modules', 'prisma', 'build', 'index.js');
const derivedDir = path.join(projectDir, 'generated', 'schemas');

for (const provider of providers) {
  let schemaPath = sourceSchemaPath;
  if (provider !== 'sqlite') {
    mkdirSync(derivedDir, { recursive: true });
    schemaPath = path.join(derivedDir, `${provider}.prisma`);
    writeFileSync(schemaPath, schemaFor(provider, derivedDir));
  }
  execFileSync(process.execPath, [prismaCli, 'generate', '--schema', schemaPath], {
    cwd: projectDir,
    stdio: 'inherit',
    env: {
      ...process.env,
      PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? fileURLToPath(import.meta.url),
      PRISMA_HIDE_UPDATE_MESSAGE: '1',
      CHECKPOINT_DISABLE: '1',
    },
  });
}
