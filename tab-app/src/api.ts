// The tab's calls to /api/tab/v1, each with the Teams SSO token. Errors carry the server's
// message (it says what to do), shown as is.
import { ssoToken } from './teams-host.ts';

export const states = ['registered', 'code_issued', 'awaiting_sign_in', 'signing_in', 'signed_in'] as const;
export type DeviceState = (typeof states)[number];

export const stateLabels: Record<DeviceState, string> = {
  registered: 'Waiting on activation',
  code_issued: 'Code issued',
  awaiting_sign_in: 'Awaiting sign-in',
  signing_in: 'Signing in',
  signed_in: 'Signed in',
};

export interface Me {
  displayName: string | null;
  roles: string[];
  allowed: { view: boolean; issueCodes: boolean; signIn: boolean; exportDevices: boolean; firmware: boolean };
}

export interface LocationCounts {
  location: string | null;
  total: number;
  byState: Record<DeviceState, number>;
}

export interface Overview {
  generatedAt: string;
  timeZone: string;
  total: number;
  byState: Record<DeviceState, number>;
  locations: LocationCounts[];
  expiring: { count: number; byLocation: { location: string | null; count: number }[] };
  stuck: { count: number; oldest: { mac: string; location: string | null; state: DeviceState; ageMs: number }[] };
  lockouts: { macs: string[] };
  /** Devices whose login code waits on a location's sign-in queue card; oldestSince: when the longest-waiting one joined. */
  signInQueues: { devices: number; locations: number; oldestSince: string | null };
  timeToSignedIn: {
    median7dMs: number | null;
    devices7d: number;
    median30dMs: number | null;
    devices30d: number;
    daily: { day: string; medianMs: number | null; devices: number }[];
  };
}

export interface Device {
  id: string;
  mac: string;
  location: string | null;
  model: string | null;
  state: DeviceState;
  stateChangedAt: string;
  signedInAccount: string | null;
}

export interface DevicePage {
  devices: Device[];
  next: string | null;
}

export interface TimelineEntry {
  at: string;
  actor: string;
  actorName: string | null;
  action: string;
  fromState: string | null;
  toState: string | null;
  reason: string | null;
}

export interface DeviceQuery {
  q: string;
  state: string;
  location: string;
  sort: string;
  direction: 'asc' | 'desc';
  cursor: string | null;
}

/** Firmware readiness per model family, as the `firmware` command shows it. */
export interface FirmwareReadiness {
  devices: number;
  belowMinimum: number;
  unknownVersion: number;
  updatesAvailable: number;
  families: { family: string; familyId: string; minimum: string | null; devices: number; belowMinimum: number; unknownVersion: number; updatesAvailable: number; newestVerified: string | null }[];
  unknownModels: { model: string; devices: number; why: string }[];
}

export class ApiError extends Error {}

async function call(path: string, init: RequestInit = {}): Promise<Response> {
  const token = await ssoToken();
  const response = await fetch(`/api/tab/v1${path}`, { ...init, headers: { ...(init.headers ?? {}), authorization: `Bearer ${token}` } });
  if (!response.ok) {
    const body = (await response.json().catch(() => null)) as { message?: string } | null;
    throw new ApiError(body?.message ?? `The server answered ${response.status}.`);
  }
  return response;
}

const json = async <T,>(path: string, init?: RequestInit): Promise<T> => (await call(path, init)).json() as Promise<T>;
const post = <T,>(path: string, body: unknown) => json<T>(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

export const api = {
  me: () => json<Me>('/me'),
  pipeline: () => json<Overview>('/pipeline'),
  locations: () => json<{ locations: string[] }>('/locations'),
  firmware: () => json<FirmwareReadiness>('/firmware'),
  devices(query: DeviceQuery) {
    const params = new URLSearchParams({ q: query.q, state: query.state, location: query.location, sort: query.sort, direction: query.direction, limit: '50' });
    if (query.cursor) params.set('cursor', query.cursor);
    return json<DevicePage>(`/devices?${params}`);
  },
  timeline: (id: string) => json<{ device: Device; timeline: TimelineEntry[] }>(`/devices/${encodeURIComponent(id)}/timeline`),
  issueCodes: (target: { macs: string[] } | { location: string }) => post<{ issued: { mac: string }[]; skipped: { mac: string; reason: string }[] }>('/codes', target),
  signIn: (id: string, account: string | null) => post<{ device: Device }>(`/devices/${encodeURIComponent(id)}/sign-in`, { account }),
  async exportCsv(): Promise<{ blob: Blob; fileName: string }> {
    const response = await call('/export/devices.csv');
    const fileName = /filename="([^"]+)"/.exec(response.headers.get('content-disposition') ?? '')?.[1] ?? 'devices.csv';
    return { blob: await response.blob(), fileName };
  },
};
