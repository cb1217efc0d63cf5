import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { migrationsDirFor, prismaDir, projectDir, schemaFor, sourceSchemaPath } from '../../../prisma/schemas.ts';

const source = readFileSync(sourceSchemaPath, 'utf8');

/** The lines where two texts of the same line count differ, as [before, after]. */
function changedLines(before: string, after: string): [string, string][] {
  const a = before.split('\n');
  const b = after.split('\n');
  expect(b).toHaveLength(a.length);
  return a.flatMap((line, index) => (line === b[index] ? [] : [[line, b[index] ?? '']]));
}

describe('schemaFor', () => {
  it('for sqlite is schema.prisma as written', () => {
    expect(schemaFor('sqlite')).toBe(source);
  });

  it('for postgresql changes exactly the datasource provider and the client output folder', () => {
    expect(changedLines(source, schemaFor('postgresql'))).toEqual([
      [expect.stringMatching(/^\s*output\s*=\s*"\.\.\/generated\/sqlite"$/), expect.stringMatching(/^\s*output\s*=\s*"\.\.\/generated\/postgresql"$/)],
      [expect.stringMatching(/^\s*provider\s*=\s*"sqlite"$/), expect.stringMatching(/^\s*provider\s*=\s*"postgresql"$/)],
    ]);
  });

  it('written to another folder, points the output at the same generated client from there', () => {
    const elsewhere = path.join(projectDir, 'tmp', 'schemas');
    expect(schemaFor('postgresql', elsewhere)).toMatch(/^\s*output\s*=\s*"\.\.\/\.\.\/generated\/postgresql"$/m);
  });
});

describe('migrationsDirFor', () => {
  it.each([
    ['sqlite', path.join(prismaDir, 'migrations')],
    ['postgresql', path.join(prismaDir, 'postgresql', 'migrations')],
  ] as const)('%s migrations live in %s, and their lock file names that provider', (provider, dir) => {
    expect(migrationsDirFor(provider)).toBe(dir);
    expect(readFileSync(path.join(dir, 'migration_lock.toml'), 'utf8')).toMatch(new RegExp(`^provider = "${provider}"$`, 'm'));
  });
});
