// The fleet tab's JSON API under /api/tab/v1/. Every request carries the SSO token the tab got
// from Teams; its tenant (tid) and user (oid) are the same principal as in chat, with the same
// roles, and every route names an operation of the one permission table. Reads and actions go
// through the same services as the chat's commands (codes, signin, export).
import type { Request, Response, Server } from 'restify';
import { z } from 'zod';
import { authorize, can, type Operation } from '../../services/auth/permissions.ts';
import { actorOf, type Principal } from '../../services/auth/principal.ts';
import type { Role } from '../../services/auth/role.ts';
import { deviceSortKeys } from '../../services/devices/device-page.ts';
import { deviceStates } from '../../services/devices/device-state.ts';
import { DomainError } from '../../services/shared/errors.ts';
import type { Services } from '../../services/index.ts';
import type { Logger } from '../logger.ts';
import { statusOf } from '../device-api/http-errors.ts';
import { buildExport } from '../exports/export-files.ts';
import { createTabTokenVerifier, TabKeysUnavailable, TabTokenRejected, type TabSsoSettings } from './tab-sso.ts';

export const tabApiPrefix = '/api/tab/v1';

export const tabOffMessage =
  'The fleet tab is off: set TAB_SSO_CLIENT_ID (or MicrosoftAppId) to the client id of the Entra app registration that exposes the access_as_user scope, then restart. The README section "The fleet tab" walks through it.';

export interface TabApiOptions {
  services: Services;
  /** clientId null: the API is off and every route says how to turn it on. */
  sso: { clientId: string | null; jwksUrl: string };
  log: (req: Request) => Logger;
  /** Delivers what an action just queued (the hand-off card) without waiting for the outbox's next tick. */
  kickOutbox: () => void;
}

interface Caller {
  principal: Principal;
  roles: ReadonlySet<Role>;
}

class HttpRefusal extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const deviceQuery = z.object({
  q: z.string().max(200, 'search for at most 200 characters').optional(),
  // `state=` (the "any state" choice) means no filter.
  state: z.preprocess((value) => (value === '' ? undefined : value), z.enum(deviceStates, { error: `expected a state: ${deviceStates.join(', ')}` }).optional()),
  location: z.string().max(200).optional(),
  sort: z.enum(deviceSortKeys, { error: `expected a sort key: ${deviceSortKeys.join(', ')}` }).optional(),
  direction: z.enum(['asc', 'desc'], { error: 'expected asc or desc' }).optional(),
  cursor: z.string().max(2000).optional(),
  limit: z.coerce.number({ error: 'expected a number of rows' }).int().min(1).max(200, 'at most 200 rows a page').optional(),
});

const codesBody = z.union(
  [
    z.object({ macs: z.array(z.string().min(1)).min(1, 'give at least one MAC').max(5000, 'at most 5,000 devices at once') }).strict(),
    z.object({ location: z.string().trim().min(1, 'say which location') }).strict(),
  ],
  { error: 'send {"macs": [MAC, …]} or {"location": NAME}' },
);

const signInBody = z.object({ account: z.string().trim().regex(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, 'write the account as its UPN, e.g. lobby-phone@contoso.com').nullable().optional() }).strict();

function invalid(error: z.ZodError): HttpRefusal {
  const reason = error.issues.map((issue) => (issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message)).join('; ');
  return new HttpRefusal(400, 'invalid_input', `${reason}. Nothing was changed.`);
}

function queryOf(req: Request): Record<string, string> {
  const url = new URL(req.url ?? '/', 'http://tab.invalid');
  return Object.fromEntries(url.searchParams);
}

export function registerTabApi(server: Server, options: TabApiOptions): void {
  const { services, sso } = options;
  const verify = sso.clientId ? createTabTokenVerifier({ clientId: sso.clientId, jwksUrl: sso.jwksUrl } satisfies TabSsoSettings) : null;

  async function callerOf(req: Request): Promise<Caller> {
    if (!verify) throw new HttpRefusal(503, 'tab_off', tabOffMessage);
    const header = req.header('authorization') ?? '';
    const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
    if (!token) throw new HttpRefusal(401, 'unauthorized', 'Sign in through Teams: open the Fleet tab in Teams (the tab sends a Teams sign-in token with every request).');
    try {
      const identity = await verify(token);
      const principal: Principal = { platform: 'teams', tenantId: identity.tenantId, userId: identity.userId, displayName: identity.displayName };
      return { principal, roles: await services.roles.rolesOf(principal) };
    } catch (error) {
      if (error instanceof TabKeysUnavailable) {
        options.log(req).warn({ reason: error.message, jwksUrl: sso.jwksUrl }, 'fleet tab: the sign-in keys cannot be read');
        throw new HttpRefusal(503, 'keys_unavailable', 'Sign-ins cannot be checked right now (the bot cannot read Microsoft\'s signing keys); try again in a minute. The bot\'s log says why.');
      }
      if (!(error instanceof TabTokenRejected)) throw error;
      options.log(req).info({ reason: error.message }, 'fleet tab token refused');
      throw new HttpRefusal(401, 'unauthorized', 'Your Teams sign-in token was not accepted; reload the tab in Teams.');
    }
  }

  /** One route: authenticate, authorise the operation, run, answer JSON; refusals change nothing. */
  function route(method: 'get' | 'post', path: string, operation: Operation, what: string, handler: (caller: Caller, req: Request, res: Response) => Promise<unknown>) {
    server[method](`${tabApiPrefix}${path}`, async (req: Request, res: Response) => {
      res.header('cache-control', 'no-store');
      try {
        const caller = await callerOf(req);
        authorize(caller.roles, operation, what);
        const body = await handler(caller, req, res);
        if (body !== undefined) res.send(200, body);
      } catch (error) {
        if (error instanceof HttpRefusal) {
          if (error.status === 401) res.header('www-authenticate', 'Bearer');
          if (error.status === 503) res.header('retry-after', '60');
          res.send(error.status, { code: error.code, message: error.message });
        } else if (error instanceof DomainError) {
          res.send(statusOf[error.code], { code: error.code, message: error.message });
        } else {
          throw error;
        }
      }
    });
  }

  route('get', '/me', 'whoami', 'Opening the fleet tab', async ({ principal, roles }) => ({
    tenantId: principal.tenantId,
    userId: principal.userId,
    displayName: principal.displayName,
    roles: [...roles],
    // What the tab offers: the same table the server checks on every action.
    allowed: {
      view: can(roles, 'listDevices'),
      issueCodes: can(roles, 'issueCodes'),
      signIn: can(roles, 'signIn'),
      exportDevices: can(roles, 'exportDevices'),
      firmware: can(roles, 'viewFirmware'),
    },
  }));

  route('get', '/pipeline', 'listDevices', 'Seeing the fleet', async ({ principal }) => {
    const profile = await services.tenants.profile(principal.tenantId);
    return services.reporting.fleetOverview(principal.tenantId, profile.timeZone);
  });

  // Firmware readiness per model family (the `firmware` command's figures), polled less often
  // than the pipeline: it reads every device with a model.
  route('get', '/firmware', 'viewFirmware', 'Seeing firmware readiness', async ({ principal }) => services.firmware.fleet(principal.tenantId));

  route('get', '/locations', 'listDevices', 'Seeing the fleet', async ({ principal }) => ({ locations: await services.devices.queries.locations(principal.tenantId, 1000) }));

  route('get', '/devices', 'listDevices', 'Listing devices', async ({ principal }, req) => {
    const parsed = deviceQuery.safeParse(queryOf(req));
    if (!parsed.success) throw invalid(parsed.error);
    return services.devices.queries.page(principal.tenantId, parsed.data);
  });

  route('get', '/devices/:id/timeline', 'viewDevice', "Seeing a device's history", async ({ principal }, req) => {
    const id = String(req.params?.id ?? '');
    const device = await services.devices.queries.byId(principal.tenantId, id);
    if (!device) throw new DomainError('not_found', 'No such device here; it may have been removed. Reload the table.');
    return { device, timeline: await services.devices.queries.timelineById(principal.tenantId, id) };
  });

  route('post', '/codes', 'issueCodes', 'Issuing codes', async (caller, req) => {
    const parsed = codesBody.safeParse(req.body ?? {});
    if (!parsed.success) throw invalid(parsed.error);
    const report = await services.devices.codes.issue(actorOf(caller.principal), caller.principal.tenantId, parsed.data);
    // The hand-off card goes out through the outbox, as after the chat's "codes".
    options.kickOutbox();
    return {
      batchId: report.issued.length > 0 ? report.batchId : null,
      issued: report.issued.map(({ mac, location, expiresAt }) => ({ mac, location, expiresAt })),
      skipped: report.skipped,
    };
  });

  route('post', '/devices/:id/sign-in', 'signIn', 'Signing in a device', async (caller, req) => {
    const parsed = signInBody.safeParse(req.body ?? {});
    if (!parsed.success) throw invalid(parsed.error);
    const tenantId = caller.principal.tenantId;
    const device = await services.devices.queries.byId(tenantId, String(req.params?.id ?? ''));
    if (!device) throw new DomainError('not_found', 'No such device here; it may have been removed. Reload the table.');
    const updated = await services.devices.signIn.request(actorOf(caller.principal), tenantId, device.mac, parsed.data.account ?? null);
    options.kickOutbox();
    return { device: updated };
  });

  route('get', '/export/devices.csv', 'exportDevices', 'Exporting devices', async ({ principal }, _req, res) => {
    const file = await buildExport(services, principal.tenantId, 'devices');
    res.writeHead(200, {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="${file.fileName}"`,
      'cache-control': 'no-store',
    });
    res.end(file.csv);
    return undefined;
  });
}
