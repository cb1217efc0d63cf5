// Device API calls from a chosen client address: X-Forwarded-For (for a bot with TRUST_PROXY)
// or another loopback address to connect from (127.0.0.2…, all of 127/8 is loopback on Linux).
// Keep-alive connections, so a drill of thousands of requests stays quick.
import http from 'node:http';
import { noteSecret } from './leak-watch.ts';

export interface DeviceAnswer {
  status: number;
  retryAfter: string | null;
  body: Record<string, unknown>;
}

const agents = new Map<string, http.Agent>();

function agentFor(localAddress: string | undefined): http.Agent {
  const key = localAddress ?? '';
  let agent = agents.get(key);
  if (!agent) {
    agent = new http.Agent({ keepAlive: true, maxSockets: 64, ...(localAddress ? { localAddress } : {}) });
    agents.set(key, agent);
  }
  return agent;
}

export function closeDeviceRequestAgents(): void {
  for (const agent of agents.values()) agent.destroy();
  agents.clear();
}

/** POST /api/device/v1/provision. `secret`: the code is a real one (noted for the leak watch); guesses are not. */
export function provisionFrom(
  baseUrl: string,
  body: { mac: string; verificationCode: string },
  from: { forwardedFor?: string; localAddress?: string; secret?: boolean } = {},
): Promise<DeviceAnswer> {
  if (from.secret) noteSecret('verification code sent by a device', body.verificationCode);
  const payload = JSON.stringify(body);
  const url = new URL(`${baseUrl}/api/device/v1/provision`);
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        agent: agentFor(from.localAddress),
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(payload),
          ...(from.forwardedFor ? { 'x-forwarded-for': from.forwardedFor } : {}),
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const answer = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
          if (typeof answer.deviceToken === 'string') noteSecret('device token', answer.deviceToken);
          const retryAfter = response.headers['retry-after'];
          resolve({ status: response.statusCode ?? 0, retryAfter: typeof retryAfter === 'string' ? retryAfter : null, body: answer });
        });
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(payload);
  });
}

/** Runs `count` calls, `concurrency` at a time, in order of index; their answers by index. */
export async function inParallel<T>(count: number, concurrency: number, call: (index: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const index = next++;
        results[index] = await call(index);
      }
    }),
  );
  return results;
}
