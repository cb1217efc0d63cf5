// The provisioning service that devices talk to: JSON over HTTP under /api/device/v1.
// This is a contract with devices in the field: keep paths, fields and codes stable.
//
//   POST /provision   { mac, verificationCode, model?, firmwareVersion? } → { deviceId, deviceToken, tenantName }
//   GET  /state       → { state, signInRequested, account? }                (Bearer deviceToken)
//   POST /login-code  { loginCode, expiresInSeconds? } → state              (Bearer deviceToken)
//   POST /signed-in   { account } → state                                   (Bearer deviceToken)
//   POST /reset       → { state: "registered" }                             (Bearer deviceToken)
//   GET  /state also answers `update`: null or { id, component, version, notBefore, notAfter }
//   POST /inventory   { manufacturer?, model?, firmwareVersion?, teamsVersion?, components? } (Bearer deviceToken)
//   POST /update-status { updateId, status: downloading|installing|succeeded|failed|busy, detail? } (Bearer deviceToken)
import type { Request, Response, Server } from 'restify';
import { z } from 'zod';
import type { DeviceServices } from '../../services/devices/index.ts';
import type { Services } from '../../services/index.ts';
import { DomainError } from '../../services/shared/errors.ts';
import { newErrorReference } from '../../services/shared/random.ts';
import { describeStorageFailure, storageFailureOf } from '../../prisma/storage-errors.ts';
import type { Logger } from '../logger.ts';
import { clientAddressOf } from './client-address.ts';
import { statusOf, storageUnavailableAnswer } from './http-errors.ts';

export const deviceApiBase = '/api/device/v1';

const provisionBody = z.object({
  mac: z.string().max(64),
  verificationCode: z.string().max(32),
  manufacturer: z.string().max(100).nullish(),
  model: z.string().max(100).nullish(),
  firmwareVersion: z.string().max(100).nullish(),
});

function bodyOf(req: Request): Record<string, unknown> {
  const body: unknown = req.body;
  if (body === undefined || body === null || body === '') return {};
  if (typeof body !== 'object' || Array.isArray(body)) {
    throw new DomainError('invalid_input', 'Send a JSON object with Content-Type: application/json.');
  }
  return body as Record<string, unknown>;
}

function parseBody<T>(schema: z.ZodType<T>, req: Request): T {
  const result = schema.safeParse(bodyOf(req));
  if (!result.success) {
    const fields = result.error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`).join('; ');
    throw new DomainError('invalid_input', `Malformed request: ${fields}.`);
  }
  return result.data;
}

function sendError(res: Response, error: DomainError): void {
  if ((error.code === 'locked_out' || error.code === 'rate_limited') && typeof error.details.retryAfterSeconds === 'number') {
    res.header('Retry-After', String(error.details.retryAfterSeconds));
  }
  res.send(statusOf[error.code], { code: error.code, message: error.message, ...error.details });
}

export function registerDeviceRoutes(
  server: Server,
  devices: DeviceServices,
  logFor: (req: Request) => Logger,
  options: { trustProxy?: boolean; firmware?: Services['firmware']; kickOutbox?: () => void } = {},
): void {
  /**
   * Runs a handler; domain errors become their HTTP answer, an unavailable store a 503 the
   * device retries after Retry-After, anything else goes to the server's error handler.
   */
  const route = (handler: (req: Request) => Promise<object>) => async (req: Request, res: Response) => {
    // Answers carry device tokens and sign-in state: no cache may keep them, no browser guess their type.
    res.header('Cache-Control', 'no-store');
    res.header('X-Content-Type-Options', 'nosniff');
    try {
      res.send(200, await handler(req));
      // What the request changed is told at once (the awaiting-sign-in card, the hand-off card),
      // not at the outbox's next tick: a kick during a run only asks for another run after it.
      options.kickOutbox?.();
    } catch (error) {
      if (error instanceof DomainError) {
        logFor(req).info({ path: req.path(), errorCode: error.code }, 'device request refused');
        sendError(res, error);
        // A refusal may have told the admins too (a lockout, a firmware refusal).
        options.kickOutbox?.();
        return;
      }
      const failure = storageFailureOf(error);
      if (!failure) throw error;
      const answer = storageUnavailableAnswer(newErrorReference());
      logFor(req).error({ path: req.path(), errorReference: answer.body.reference, storage: failure.kind, reason: describeStorageFailure(failure) }, 'device request failed: storage unavailable');
      res.header('Retry-After', String(answer.retryAfterSeconds));
      res.send(answer.status, answer.body);
    }
  };

  const authenticated = (req: Request) => devices.access.authenticate(req.header('authorization'));

  server.post(`${deviceApiBase}/provision`, route(async (req) => devices.provisioning.provision(parseBody(provisionBody, req), { source: clientAddressOf(req, options.trustProxy ?? false) })));

  server.get(`${deviceApiBase}/state`, route(async (req) => {
    const device = await authenticated(req);
    const state = await devices.signIn.stateOf(device);
    return options.firmware ? { ...state, update: await options.firmware.updates.currentFor(device) } : state;
  }));

  const firmware = options.firmware;
  if (firmware) {
    server.post(`${deviceApiBase}/inventory`, route(async (req) => firmware.reportInventory(await authenticated(req), bodyOf(req))));
    server.post(`${deviceApiBase}/update-status`, route(async (req) => firmware.updates.reportStatus(await authenticated(req), bodyOf(req))));
  }

  server.post(`${deviceApiBase}/login-code`, route(async (req) => {
    const device = await authenticated(req);
    return devices.signIn.reportLoginCode(device, bodyOf(req));
  }));

  server.post(`${deviceApiBase}/signed-in`, route(async (req) => {
    const device = await authenticated(req);
    return devices.signIn.reportSignedIn(device, bodyOf(req));
  }));

  server.post(`${deviceApiBase}/reset`, route(async (req) => {
    const reset = await devices.access.resetByDevice(await authenticated(req));
    return { state: reset.state };
  }));
}
