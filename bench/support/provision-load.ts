// The device-api load: provisions of distinct devices, each with its right code, POSTed by the
// keep-alive load client to one server or, round robin, to several; with the CPU time the
// server processes spent per request. Shared by the device-api and scale-out benchmarks.
import { processCpuMs, type ChildServer } from './child-server.ts';
import { benchMac } from './fleet-seed.ts';
import { postBatch, type Answer, type LoadClient, type PostBatch } from './load-client.ts';

export const provisionPath = '/api/device/v1/provision';

export interface ProvisionBody {
  mac: string;
  verificationCode: string;
  model: string;
  firmwareVersion: string;
}

/** The bodies provisioning MACs first … first+count-1 (see benchMac) with the codes the seeding issued. */
export function provisionBodies(codes: ReadonlyMap<string, string>, first: number, count: number): ProvisionBody[] {
  return Array.from({ length: count }, (_, offset) => {
    const mac = benchMac(first + offset);
    return { mac, verificationCode: codes.get(mac) ?? '', model: 'Yealink MP56', firmwareVersion: '122.15.0.1' };
  });
}

/** The bot must have provisioned the device: 200 with its id, a device token and the tenant. */
export function isProvisionedIn(tenantId: string): (answer: Answer) => string | null {
  return (answer) => {
    if (answer.status !== 200) return `answered ${answer.status}: ${answer.text.slice(0, 200)}`;
    const body = JSON.parse(answer.text) as { deviceId?: unknown; deviceToken?: unknown; tenantName?: unknown };
    const right = typeof body.deviceId === 'string' && typeof body.deviceToken === 'string' && body.deviceToken.startsWith('dvt_') && body.tenantName === tenantId;
    return right ? null : `unexpected answer: ${answer.text.slice(0, 200)}`;
  };
}

/** CPU time (user + system) all these server processes have used so far, in ms. */
export function serversCpuMs(servers: readonly ChildServer[]): number {
  return servers.reduce((total, server) => total + processCpuMs(server.pid), 0);
}

export interface MeasuredBatch extends PostBatch {
  /** CPU time the server processes spent per request, from the batch's start until `settled` resolved. */
  cpuMsPerRequest: number;
}

/**
 * POSTs `bodies` to `route`, request i to servers[i % n] (round robin, no proxy), `concurrency`
 * in flight. `settled`, when given, is awaited before the CPU is read again: work the requests
 * left behind (their notifications) counts as theirs.
 */
export async function measuredBatch(
  servers: readonly ChildServer[],
  route: string,
  client: LoadClient,
  bodies: readonly unknown[],
  concurrency: number,
  check: (answer: Answer, index: number) => string | null,
  settled?: () => Promise<void>,
): Promise<MeasuredBatch> {
  const cpuBefore = serversCpuMs(servers);
  const batch = await postBatch(client, (index) => `${servers[index % servers.length]!.url}${route}`, bodies, concurrency, check);
  await settled?.();
  return { ...batch, cpuMsPerRequest: (serversCpuMs(servers) - cpuBefore) / bodies.length };
}
