// Raw HTTP calls to the device API as a phone makes them, for tests that check exact answers.
export interface ApiAnswer {
  status: number;
  retryAfter: string | null;
  body: Record<string, unknown>;
}

export async function callDeviceApi(baseUrl: string, method: 'GET' | 'POST', path: string, body?: unknown, token?: string): Promise<ApiAnswer> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(`${baseUrl}/api/device/v1${path}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  return { status: response.status, retryAfter: response.headers.get('retry-after'), body: (await response.json()) as Record<string, unknown> };
}
