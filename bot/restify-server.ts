// restify's server and its body parser, each required from the file that defines it rather than
// from the package's index. The index also loads every other plugin (the authorization parser
// with http-signature, sshpk and its crypto libraries, gzip, static files, throttles, metrics,
// audit logging…): 183 modules that the bot never runs, about 35 ms of CPU at each start.
// createRestifyServer does what restify.createServer does with our options (a name, our logger,
// handleUncaughtExceptions off): a router of its own, then the server. Types still come from
// 'restify' (they load nothing), and a value imported from the index elsewhere is refused by
// the architecture rules (restify-values-from-here).
// The files are restify 11.1.0's, pinned in package.json; a move in a later version fails every
// test at load, not silently.
import type { Server, ServerOptions } from 'restify';
import restifyBodyParser from 'restify/lib/plugins/bodyParser.js';
import RestifyRouter from 'restify/lib/router.js';
import RestifyServer from 'restify/lib/server.js';

/** What the bot gives restify: no router (one is made here) and no uncaught-exception handler of restify's. */
export type RestifyServerOptions = Omit<ServerOptions, 'router' | 'handleUncaughtExceptions'> & { name: string; log: NonNullable<ServerOptions['log']> };

export function createRestifyServer(options: RestifyServerOptions): Server {
  const withDefaults = { ...options, handleUncaughtExceptions: false };
  return new RestifyServer({ ...withDefaults, router: new RestifyRouter(withDefaults) });
}

export const bodyParser = restifyBodyParser;
