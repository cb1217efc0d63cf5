// Routes that read their request body themselves, as raw bytes: the body guard and restify's
// body parser must leave them alone. Slack's signature is an HMAC of the exact bytes sent, so
// Bolt (bot/slack/) reads the stream itself; had the parser consumed it, every request would
// fail the check (401).
import type { Next, Request, RequestHandler, Response } from 'restify';
import { slackEventsPath } from './slack/slack-events-path.ts';

export const rawBodyRoutes: ReadonlySet<string> = new Set([slackEventsPath]);

type Handlers = RequestHandler | RequestHandler[];

/** The handlers (a middleware or a plugin's chain), skipped for the raw-body routes. */
export function exceptRawBodyRoutes(handlers: Handlers): RequestHandler {
  const chain = (Array.isArray(handlers) ? handlers : [handlers]).flat() as ((req: Request, res: Response, next: Next) => unknown)[];
  return function exceptRawBody(req: Request, res: Response, next: Next) {
    if (rawBodyRoutes.has(req.path())) return next();
    let index = 0;
    const step = (error?: unknown) => {
      // next(false): the handler answered (413, 415…); the request stops here.
      if (error === false) return next(false);
      if (error !== undefined && error !== null) return (next as (error: unknown) => void)(error);
      const handler = chain[index++];
      if (!handler) return next();
      handler(req, res, step as Next);
    };
    step();
  } as RequestHandler;
}
