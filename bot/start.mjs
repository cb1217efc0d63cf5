// `npm start`: runs the production build of the server (bot/production-build.mjs) with plain
// Node, rebuilding it first when a source file is newer than the bundle (a developer's edit, a
// `git pull`), so `npm start` never serves stale code and never needs a separate build step.
import path from 'node:path';
import v8 from 'node:v8';
import { mapBundleStackTraces } from './bundle-stack-traces.mjs';
import { runWithCodeCache } from './code-cache.mjs';
import { buildServer, isBuildStale, serverBundle } from './production-build.mjs';

// Memory. After each full garbage collection V8 lets the old generation grow to up to 4× what
// survived before it collects again (on a machine with this much RAM). A busy bot makes garbage
// fast (about 0.9 MB per chat turn, much of it outliving young collections because 50 turns are
// in flight at once), so under the chat benchmark the heap filled with 250 MB of garbage over
// 80 MB of live data: a 408 MB peak. Growing by 30 % instead keeps the peak near 240 MB; full
// collections then come every few seconds under that load (they mark concurrently), at no CPU
// per message we could measure. It is not a cap: the heap still grows as far as live data needs.
// Set here because `npm start` and `node bot/start.mjs` both run this file (see README,
// Performance), and only once the bot is serving: start-up allocates its modules' code and data
// in one go, and growing by 30 % through that meant a collection every few megabytes (start-up
// CPU to the first /readyz 520 → 470-490 ms). V8 reads the flag at each collection, so it
// holds from the first one after start-up (chat peak RSS 219 MB; 421 MB without the flag).

// Stack traces name the TypeScript sources (dist/server.cjs.map); the map is read only when a
// stack with a frame of the build is formatted.
mapBundleStackTraces(path.dirname(serverBundle));
if (isBuildStale()) await buildServer();
// With V8's code cache of an earlier start (bot/code-cache.mjs).
const server = runWithCodeCache(serverBundle);
await server.exports.main();
// Serving: keep what V8 compiled for the next start (when it had no cache), before the flag
// below changes V8's flags, which would make V8 refuse that cache on the next start.
server.saveCodeCache();
// Memory (above): from the first collection after start-up.
v8.setFlagsFromString('--heap-growing-percent=30');
