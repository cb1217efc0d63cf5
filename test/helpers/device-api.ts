// Raw HTTP calls to the device API as a phone makes them, for tests that check exact answers.
// The codes and tokens that pass through are noted in the run's leak watch: never to be logged.
import { noteSecret } from './leak-watch.ts';

function noteSecretsSent(body: unknown, token: string | undefined): void {
  noteSecret('device token sent', token);
  if (body === null || typeof body !== 'object') return;
  const { verificationCode, loginCode } = body as Record<string, unknown>;
  if (typeof verificationCode === 'string') noteSecret('verification code sent by a device', verificationCode);
  if (typeof loginCode === 'string') noteSecret('device-login code', loginCode);
}

export interface ApiAnswer {
  status: number;
  retryAfter: string | null;
  body: Record<string, unknown>;
}

export async function callDeviceApi(baseUrl: string, method: 'GET' | 'POST', path: string, body?: unknown, token?: string): Promise<ApiAnswer> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token) headers.authorization = `Bearer ${token}`;
  noteSecretsSent(body, token);
  const response = await fetch(`${baseUrl}/api/device/v1${path}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  const answer = (await response.json()) as Record<string, unknown>;
  if (typeof answer.deviceToken === 'string') noteSecret('device token', answer.deviceToken);
  return { status: response.status, retryAfter: response.headers.get('retry-after'), body: answer };
}
