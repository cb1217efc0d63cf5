// Types of the restify 11 files bot/restify-server.ts requires one by one; @types/restify
// describes only the package's index, whose types these reuse.
declare module 'restify/lib/server.js' {
  import type { Router, Server, ServerOptions } from 'restify';
  const RestifyServer: new (options: ServerOptions & { router: Router }) => Server;
  export default RestifyServer;
}

declare module 'restify/lib/router.js' {
  import type { Router, ServerOptions } from 'restify';
  const RestifyRouter: new (options: ServerOptions) => Router;
  export default RestifyRouter;
}

declare module 'restify/lib/plugins/bodyParser.js' {
  import type { plugins } from 'restify';
  const bodyParser: typeof plugins.bodyParser;
  export default bodyParser;
}
