// The production build `npm start` runs (bot/production-build.mjs): what it requires at run
// time, and its staleness check. A check that always says "stale" rebuilds the bundle on
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

  it("requires every package but zod and the libsql adapter, botbuilder and restify by their files, SQLite through libsql's SQLite-only entry, and has no import()", () => {
    const bundle = readFileSync(serverBundle, 'utf8');
    const required = [...bundle.matchAll(/require\("([^"]+)"\)/g)].map((match) => match[1]);
    expect(required).toEqual(expect.arrayContaining(['botbuilder/lib/cloudAdapter.js', 'restify/lib/server.js', 'restify/lib/plugins/bodyParser.js', 'pino', '@libsql/client/sqlite3']));
    // botbuilder's and restify's indexes load what the bot never runs (bot/teams/botbuilder.ts, bot/restify-server.ts).
    for (const name of ['botbuilder', 'restify', '@libsql/client', 'zod', '@prisma/adapter-libsql']) expect(required, name).not.toContain(name);
    // bot/code-cache.mjs runs the bundle as a script, which cannot import() on Node 20.
    expect(bundle).not.toMatch(/\bimport\((?!\))/);
  });
});
