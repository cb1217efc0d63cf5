// A typed client for the device API (/api/device/v1), as a Teams phone speaks it. The
// simulator is built on it; it imports nothing from services/ on purpose: a device only
// knows the wire format, so this file is also a check that the contract stands on its own.
import { randomInt } from 'node:crypto';

export const deviceApiPath = '/api/device/v1';

export type DeviceState = 'registered' | 'code_issued' | 'awaiting_sign_in' | 'signing_in' | 'signed_in';

export interface ProvisionRequest {
  mac: string;
  verificationCode: string;
  manufacturer?: string;
  model?: string;
  firmwareVersion?: string;
}

export interface ProvisionResult {
  deviceId: string;
  deviceToken: string;
  tenantName: string;
}

/** The one update the device should apply now (GET /state `update`). */
export interface PendingUpdate {
  id: string;
  component: string;
  version: string;
  notBefore: string;
  notAfter: string | null;
}

export interface DeviceStateView {
  state: DeviceState;
  signInRequested: boolean;
  account?: string;
  update?: PendingUpdate | null;
}

export type UpdateStatusReport = 'downloading' | 'installing' | 'succeeded' | 'failed' | 'busy';

export interface Inventory {
  manufacturer?: string;
  model?: string;
  firmwareVersion?: string;
  teamsVersion?: string;
  components?: Record<string, string>;
}

/** The service answered, and refused: `code` and `message` are the API's own. */
export class DeviceApiError extends Error {
  override name = 'DeviceApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Everything else the error body held, e.g. { attemptsLeft: 4 }. */
    readonly details: Record<string, unknown> = {},
    /** From the body's retryAfterSeconds or the Retry-After header (429). */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

/** The service did not answer at all (not listening, DNS, connection reset). */
export class DeviceConnectionError extends Error {
  override name = 'DeviceConnectionError';
}

/** Turns a non-2xx answer into a DeviceApiError; tolerates bodies that are not the API's JSON (a proxy's HTML page). */
export function apiErrorFrom(status: number, retryAfterHeader: string | null, text: string): DeviceApiError {
  let body: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) body = parsed as Record<string, unknown>;
  } catch {
    // not JSON: fall through with an empty body
  }
  const { code, message, ...details } = body;
  const fromBody = typeof details.retryAfterSeconds === 'number' ? details.retryAfterSeconds : undefined;
  const fromHeader = retryAfterHeader !== null && /^\d+$/.test(retryAfterHeader.trim()) ? Number(retryAfterHeader) : undefined;
  const snippet = text.replace(/\s+/g, ' ').trim().slice(0, 120);
  return new DeviceApiError(
    status,
    typeof code === 'string' ? code : `http_${status}`,
    typeof message === 'string' ? message : `The service answered HTTP ${status}${snippet ? `: ${snippet}` : ''}.`,
    details,
    fromBody ?? fromHeader,
  );
}

export class DeviceClient {
  readonly server: string;
  token: string | undefined;

  constructor(options: { server: string; token?: string }) {
    this.server = options.server.replace(/\/+$/, '');
    this.token = options.token;
  }

  /** Activates the device with the technician's verification code; keeps the token for later calls. */
  async provision(request: ProvisionRequest): Promise<ProvisionResult> {
    const result = await this.call<ProvisionResult>('POST', '/provision', request, false);
    this.token = result.deviceToken;
    return result;
  }

  state(): Promise<DeviceStateView> {
    return this.call('GET', '/state');
  }

  reportLoginCode(loginCode: string, expiresInSeconds?: number): Promise<DeviceStateView> {
    return this.call('POST', '/login-code', { loginCode, ...(expiresInSeconds === undefined ? {} : { expiresInSeconds }) });
  }

  reportSignedIn(account: string): Promise<DeviceStateView> {
    return this.call('POST', '/signed-in', { account });
  }

  reset(): Promise<{ state: 'registered' }> {
    return this.call('POST', '/reset');
  }

  /** Tells the service what the device runs (after provisioning, after an update). */
  reportInventory(inventory: Inventory): Promise<Inventory> {
    return this.call('POST', '/inventory', inventory);
  }

  /** Reports a step of an update: downloading, installing, succeeded, failed, or busy (in a call). */
  reportUpdateStatus(updateId: string, status: UpdateStatusReport, detail?: string): Promise<{ id: string; status: string; version: string }> {
    return this.call('POST', '/update-status', { updateId, status, ...(detail === undefined ? {} : { detail }) });
  }

  private async call<T>(method: 'GET' | 'POST', path: string, body?: object, authenticated = true): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (authenticated) {
      if (!this.token) throw new Error('This device has no token yet: provision it first.');
      headers.authorization = `Bearer ${this.token}`;
    }
    const url = `${this.server}${deviceApiPath}${path}`;
    let response: Response;
    try {
      response = await fetch(url, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new DeviceConnectionError(`Cannot reach the provisioning service at ${this.server}: ${cause?.code ?? cause?.message ?? (error as Error).message}.`, { cause: error });
    }
    const text = await response.text();
    if (!response.ok) throw apiErrorFrom(response.status, response.headers.get('retry-after'), text);
    return JSON.parse(text) as T;
  }
}

const loginCodeAlphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** A device-login code as the identity provider hands one to a phone: 9 uppercase letters and digits, e.g. EV9PGNQN8. */
export function newLoginCode(): string {
  return Array.from({ length: 9 }, () => loginCodeAlphabet[randomInt(loginCodeAlphabet.length)]).join('');
}
