// The production build `npm start` runs (bot/production-build.mjs): what it imports and requires
// at run time, and its staleness check. A check that always says "stale" rebuilds the bundle on
// every start (seconds of esbuild); one that never does serves old code.
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildServer, isBuildStale, projectDir, serverBundle } from '../../../bot/production-build.mjs';

describe('the production build', () => {
  it('lists only real files as its inputs, so a fresh build is not stale', async () => {
    await buildServer();
    const inputs = JSON.parse(readFileSync(path.join(path.dirname(serverBundle), 'server.inputs.json'), 'utf8')) as string[];
    expect(inputs).toContain('bot/server.ts');
    for (const input of inputs) expect(statSync(path.join(projectDir, input), { throwIfNoEntry: false })?.isFile(), input).toBe(true);
    expect(isBuildStale()).toBe(false);
  });

  it('requires the CommonJS packages, imports the ES module ones, and opens SQLite through the SQLite-only libsql entry', () => {
    const bundle = readFileSync(serverBundle, 'utf8');
    const imported = [...bundle.matchAll(/^import [^;]*? from "([^".][^"]*)";$/gm)].map((match) => match[1]);
    const required = [...bundle.matchAll(/__require\("([^"]+)"\)/g)].map((match) => match[1]);
    expect(required).toEqual(expect.arrayContaining(['botbuilder', 'restify', 'pino']));
    expect(imported).toContain('@libsql/client/sqlite3');
    expect(imported).not.toContain('@libsql/client');
    for (const name of ['botbuilder', 'restify', 'pino', 'zod', '@prisma/adapter-libsql']) expect(imported, name).not.toContain(name);
  });
});
