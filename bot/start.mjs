// `npm start`: runs the production build of the server (bot/production-build.mjs) with plain
// Node, rebuilding it first when a source file is newer than the bundle (a developer's edit, a
// `git pull`), so `npm start` never serves stale code and never needs a separate build step.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { mapBundleStackTraces } from './bundle-stack-traces.mjs';
import { buildServer, isBuildStale, serverBundle } from './production-build.mjs';

// Stack traces name the TypeScript sources (dist/*.mjs.map); a map is read only when a stack
// with a frame of the build is formatted.
mapBundleStackTraces(path.dirname(serverBundle));
if (isBuildStale()) await buildServer();
const { main } = await import(pathToFileURL(serverBundle).href);
await main();
