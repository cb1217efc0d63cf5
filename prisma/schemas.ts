// The data model is written once, in prisma/schema.prisma (SQLite, the embedded default).
// PostgreSQL needs its own generated client and its own migrations, so its schema is
// derived here: only the datasource provider and the client's output folder differ.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export type Provider = 'sqlite' | 'postgresql';
export const providers: readonly Provider[] = ['sqlite', 'postgresql'];

export const prismaDir = path.dirname(fileURLToPath(import.meta.url));
export const projectDir = path.resolve(prismaDir, '..');
export const sourceSchemaPath = path.join(prismaDir, 'schema.prisma');

/** Where each provider's migrations live (Prisma's standard layout: one folder per migration). */
export function migrationsDirFor(provider: Provider): string {
  return provider === 'sqlite'
    ? path.join(prismaDir, 'migrations')
    : path.join(prismaDir, 'postgresql', 'migrations');
}

/** Where the generated client of each provider is written (gitignored, made by postinstall). */
export function generatedClientDirFor(provider: Provider): string {
  return path.join(projectDir, 'generated', provider);
}

function replaceOnce(text: string, pattern: RegExp, replacement: string): string {
  const matches = text.match(new RegExp(pattern.source, 'gm'));
  if (matches?.length !== 1) {
    throw new Error(`prisma/schema.prisma: expected exactly one match of ${pattern} to derive the PostgreSQL schema, found ${matches?.length ?? 0}`);
  }
  return text.replace(new RegExp(pattern.source, 'm'), replacement);
}

/**
 * The schema text for a provider. `outputDir` is where the generated client goes when the
 * text is written to a file that Prisma reads: Prisma resolves `output` relative to the file.
 */
export function schemaFor(provider: Provider, schemaFileDir: string = prismaDir): string {
  const source = readFileSync(sourceSchemaPath, 'utf8');
  const output = path.relative(schemaFileDir, generatedClientDirFor(provider)).split(path.sep).join('/');
  let text = replaceOnce(source, /^(\s*output\s*=\s*)"[^"]*"/, `$1"${output}"`);
  text = replaceOnce(text, /^(\s*provider\s*=\s*)"sqlite"/, `$1"${provider}"`);
  return text;
}
