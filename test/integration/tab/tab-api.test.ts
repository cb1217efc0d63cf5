// Issue 16: the fleet tab's page and its single sign-on. The real server, an Entra stand-in on
// loopback (a key pair made here, its JWKS served), tokens as Teams' getAuthToken gives them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { noteSecret } from '../../helpers/leak-watch.ts';
import { startTestBot, type TestBot } from '../../helpers/test-bot.ts';
import { startFakeEntra, tabClientId, type FakeEntra, type TokenClaims } from '../../helpers/tab-sso.ts';
import { tabFrameAncestors } from '../../../bot/tab/tab-page.ts';

const contoso = '11111111-1111-4111-8111-111111111111';
const fabrikam = '22222222-2222-4222-8222-222222222222';
const ada = 'aaaaaaaa-0000-4000-8000-00000000000a';
const mel = 'bbbbbbbb-0000-4000-8000-00000000000b';
const fay = 'cccccccc-0000-4000-8000-00000000000c';
const tom = 'dddddddd-0000-4000-8000-00000000000d';
const nobody = 'eeeeeeee-0000-4000-8000-00000000000e';
const system = { kind: 'user' as const, id: 'seed' };

let bot: TestBot;
let entra: FakeEntra;

async function tokenOf(claims: TokenClaims): Promise<string> {
  const token = await entra.token(claims);
  noteSecret('tab SSO token', token);
  return token;
}

function get(path: string, token?: string): Promise<Response> {
  return fetch(`${bot.url}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
}

function post(path: string, body: unknown, token: string): Promise<Response> {
  return fetch(`${bot.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

beforeAll(async () => {
  entra = await startFakeEntra();
  bot = await startTestBot({ TAB_SSO_CLIENT_ID: tabClientId, TAB_SSO_JWKS_URL: entra.jwksUrl });
  const { registry } = bot.server.services.devices;
  await registry.register(system, contoso, [
    { mac: '00-04-F2-00-00-01', location: 'Lobby' },
    { mac: '00-04-F2-00-00-02', location: 'Lobby' },
    { mac: '00-04-F2-00-00-03', location: 'Floor 2' },
  ]);
  await registry.register(system, fabrikam, [{ mac: '00-04-F2-99-99-99', location: 'Warehouse' }]);
  const roles = bot.server.services.roles;
  await roles.grant(system, contoso, { platform: 'teams', userId: ada, name: 'Ada' }, 'admin');
  await roles.grant(system, contoso, { platform: 'teams', userId: mel, name: 'Mel' }, 'manager');
  await roles.grant(system, fabrikam, { platform: 'teams', userId: fay, name: 'Fay' }, 'admin');
  await roles.grant(system, contoso, { platform: 'teams', userId: tom, name: 'Tom' }, 'technician');
});

afterAll(async () => {
  await bot?.close();
  await entra?.close();
});

describe('GET /tab/', () => {
  it('answers the HTML under a CSP that lets Microsoft\'s documented hosts frame it and runs only our own script', async () => {
    const response = await get('/tab/');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await response.text()).toContain('<script type="module" src="/tab/app.js">');
    const csp = response.headers.get('content-security-policy') ?? '';
    const directives = new Map(csp.split(';').map((part) => part.trim().split(/\s+/)).map(([name, ...values]) => [name, values]));
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(directives.get('frame-ancestors')).toEqual(["'self'", ...tabFrameAncestors]);
    expect(tabFrameAncestors).toEqual([
      'https://*.cloud.microsoft',
      'https://teams.microsoft.com',
      'https://*.teams.microsoft.com',
      'https://*.microsoft365.com',
      'https://*.office.com',
      'https://outlook.office.com',
      'https://outlook.office365.com',
      'https://outlook-sdf.office.com',
      'https://outlook-sdf.office365.com',
    ]);
  });

  it('serves the bundle (teams-js inside it, nothing from a CDN) under the same CSP', async () => {
    const response = await get('/tab/app.js');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect((await response.text()).length).toBeGreaterThan(1000);
  });
});

describe('the tab API without a valid token', () => {
  const paths = ['/api/tab/v1/pipeline', '/api/tab/v1/devices?q=&state=&location=&cursor='];

  it.each(paths)('%s answers 401 without a token, and with a token signed by a key not in the JWKS', async (path) => {
    const none = await get(path);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer');
    expect(await none.json()).toMatchObject({ code: 'unauthorized' });
    const forged = await entra.token({ tid: contoso, oid: ada }, { key: await entra.strangerKey() });
    const refused = await get(path, forged);
    expect(refused.status).toBe(401);
    expect(JSON.stringify(await refused.json())).not.toContain('00-04-F2');
  });

  const refusedTokens: [string, () => Promise<string>][] = [
    ['another audience', () => tokenOf({ tid: contoso, oid: ada, aud: '99999999-9999-4999-8999-999999999999' })],
    ['the api:// audience', () => tokenOf({ tid: contoso, oid: ada, aud: `api://bot.contoso.com/${tabClientId}` })],
    ['a v1 issuer (sts.windows.net)', () => tokenOf({ tid: contoso, oid: ada, iss: `https://sts.windows.net/${contoso}/` })],
    ["another tenant's issuer than its tid", () => tokenOf({ tid: contoso, oid: ada, iss: `https://login.microsoftonline.com/${fabrikam}/v2.0` })],
    ['expired', () => tokenOf({ tid: contoso, oid: ada, expiresIn: -600 })],
    ['unsigned (alg none)', async () => entra.unsignedToken({ tid: contoso, oid: ada })],
    ['without the access_as_user scope', () => tokenOf({ tid: contoso, oid: ada, scp: 'User.Read' })],
    ['without any scope', () => tokenOf({ tid: contoso, oid: ada, scp: null })],
    ['not a JWT', async () => 'not-a-token'],
  ];

  it.each(refusedTokens)('refuses a token with %s (401, nothing returned)', async (_name, make) => {
    const response = await get('/api/tab/v1/devices', await make());
    expect(response.status).toBe(401);
    const body = (await response.json()) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(['code', 'message']);
  });
});

describe('the tab API with a valid token', () => {
  it("shows the pipeline and the devices of the token's tenant only", async () => {
    const token = await tokenOf({ tid: contoso, oid: ada });
    const pipeline = await get('/api/tab/v1/pipeline', token);
    expect(pipeline.status).toBe(200);
    const overview = (await pipeline.json()) as { total: number; byState: Record<string, number>; locations: { location: string }[]; timeToSignedIn: { daily: unknown[] } };
    expect(overview.total).toBe(3);
    expect(overview.byState.registered).toBe(3);
    expect(overview.locations.map((entry) => entry.location).sort()).toEqual(['Floor 2', 'Lobby']);
    expect(overview.timeToSignedIn.daily).toHaveLength(30);

    const devices = await get('/api/tab/v1/devices?q=&state=&location=&cursor=', token);
    expect(devices.status).toBe(200);
    const page = (await devices.json()) as { devices: { mac: string }[]; next: string | null };
    expect(page.devices.map((device) => device.mac)).toEqual(['00-04-F2-00-00-01', '00-04-F2-00-00-02', '00-04-F2-00-00-03']);
    expect(page.next).toBeNull();

    const other = await get('/api/tab/v1/devices', await tokenOf({ tid: fabrikam, oid: fay }));
    expect(((await other.json()) as { devices: { mac: string }[] }).devices.map((device) => device.mac)).toEqual(['00-04-F2-99-99-99']);
  });

  it('searches, filters and pages with a cursor', async () => {
    const token = await tokenOf({ tid: contoso, oid: ada });
    const lobby = (await (await get('/api/tab/v1/devices?location=Lobby&limit=1', token)).json()) as { devices: { mac: string }[]; next: string };
    expect(lobby.devices.map((device) => device.mac)).toEqual(['00-04-F2-00-00-01']);
    const second = (await (await get(`/api/tab/v1/devices?location=Lobby&limit=1&cursor=${lobby.next}`, token)).json()) as { devices: { mac: string }[]; next: string | null };
    expect(second.devices.map((device) => device.mac)).toEqual(['00-04-F2-00-00-02']);
    expect(second.next).toBeNull();
    const searched = (await (await get('/api/tab/v1/devices?q=00:04:f2:00:00:03', token)).json()) as { devices: { location: string }[] };
    expect(searched.devices.map((device) => device.location)).toEqual(['Floor 2']);
    const byLocationText = (await (await get('/api/tab/v1/devices?q=floor&sort=location&direction=desc', token)).json()) as { devices: unknown[] };
    expect(byLocationText.devices).toHaveLength(1);
  });

  it('answers bad query values with 400 saying what is expected', async () => {
    const token = await tokenOf({ tid: contoso, oid: ada });
    const badState = await get('/api/tab/v1/devices?state=broken', token);
    expect(badState.status).toBe(400);
    expect(((await badState.json()) as { message: string }).message).toContain('expected a state');
    const badCursor = await get('/api/tab/v1/devices?cursor=zzz', token);
    expect(badCursor.status).toBe(400);
    expect(((await badCursor.json()) as { message: string }).message).toContain('first page');
  });

  it("refuses a manager's action (403) and changes nothing, while the manager may look", async () => {
    const token = await tokenOf({ tid: contoso, oid: mel });
    const me = (await (await get('/api/tab/v1/me', token)).json()) as { roles: string[]; allowed: Record<string, boolean> };
    expect(me.roles).toEqual(['manager']);
    expect(me.allowed).toEqual({ view: true, issueCodes: false, signIn: false, exportDevices: true, firmware: true });
    expect((await get('/api/tab/v1/pipeline', token)).status).toBe(200);
    const refused = await post('/api/tab/v1/codes', { location: 'Lobby' }, token);
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { message: string }).message).toContain('needs the admin role');
    const page = (await (await get('/api/tab/v1/devices', token)).json()) as { devices: { state: string }[] };
    expect(page.devices.every((device) => device.state === 'registered')).toBe(true);
  });

  it('refuses a user without a role in the tenant (403)', async () => {
    const stranger = await tokenOf({ tid: contoso, oid: fay });
    expect((await get('/api/tab/v1/pipeline', stranger)).status).toBe(403);
  });

  it("issues codes for a location through the codes service, and shows the device's timeline", async () => {
    const token = await tokenOf({ tid: contoso, oid: ada });
    const bad = await post('/api/tab/v1/codes', { location: '' }, token);
    expect(bad.status).toBe(400);
    const issued = await post('/api/tab/v1/codes', { location: 'Floor 2' }, token);
    expect(issued.status).toBe(200);
    const report = (await issued.json()) as { issued: { mac: string; code?: string }[] };
    expect(report.issued.map((entry) => entry.mac)).toEqual(['00-04-F2-00-00-03']);
    expect(report.issued[0]).not.toHaveProperty('code');
    const page = (await (await get('/api/tab/v1/devices?state=code_issued', token)).json()) as { devices: { id: string; mac: string }[] };
    expect(page.devices.map((device) => device.mac)).toEqual(['00-04-F2-00-00-03']);
    const timeline = (await (await get(`/api/tab/v1/devices/${page.devices[0]?.id}/timeline`, token)).json()) as { timeline: { action: string; actorName: string | null }[] };
    expect(timeline.timeline.map((entry) => entry.action)).toContain('code.issued');
    // Another tenant's admin cannot read it by id.
    const other = await get(`/api/tab/v1/devices/${page.devices[0]?.id}/timeline`, await tokenOf({ tid: fabrikam, oid: fay }));
    expect(other.status).toBe(404);
  });

  it('requests a sign-in for a device waiting for it (admin), refuses a manager and a device in the wrong state', async () => {
    const db = bot.server.store.db;
    const device = await db.device.update({ where: { tenantId_mac: { tenantId: contoso, mac: '00-04-F2-00-00-02' } }, data: { state: 'awaiting_sign_in' } });
    const manager = await post(`/api/tab/v1/devices/${device.id}/sign-in`, { account: null }, await tokenOf({ tid: contoso, oid: mel }));
    expect(manager.status).toBe(403);
    expect(await db.signInSession.count({ where: { deviceId: device.id } })).toBe(0);
    const admin = await tokenOf({ tid: contoso, oid: ada });
    const badAccount = await post(`/api/tab/v1/devices/${device.id}/sign-in`, { account: 'not an account' }, admin);
    expect(badAccount.status).toBe(400);
    expect(((await badAccount.json()) as { message: string }).message).toContain('UPN');
    const requested = await post(`/api/tab/v1/devices/${device.id}/sign-in`, { account: 'lobby-phone@contoso.com' }, admin);
    expect(requested.status).toBe(200);
    expect(await db.signInSession.findFirst({ where: { deviceId: device.id } })).toMatchObject({ account: 'lobby-phone@contoso.com' });
    const registered = await db.device.findFirstOrThrow({ where: { tenantId: contoso, mac: '00-04-F2-00-00-01' } });
    const wrongState = await post(`/api/tab/v1/devices/${registered.id}/sign-in`, {}, admin);
    expect(wrongState.status).toBe(409);
    // Another tenant's admin cannot reach the device by its id.
    expect((await post(`/api/tab/v1/devices/${device.id}/sign-in`, {}, await tokenOf({ tid: fabrikam, oid: fay }))).status).toBe(404);
  });

  it('exports the devices as CSV', async () => {
    const response = await get('/api/tab/v1/export/devices.csv', await tokenOf({ tid: contoso, oid: ada }));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/csv/);
    const csv = await response.text();
    expect(csv).toContain('00-04-F2-00-00-01');
    expect(csv).not.toContain('00-04-F2-99-99-99');
  });
});

describe('firmware readiness in the tab', () => {
  it("counts the tenant's devices per model family against the minimum, as the firmware command does", async () => {
    const db = bot.server.store.db;
    // A Yealink T56A below its minimum (58.15.0.124) and a Poly CCX 600 above its own, both of contoso.
    await db.device.update({ where: { tenantId_mac: { tenantId: contoso, mac: '00-04-F2-00-00-02' } }, data: { model: 'Yealink T56A', firmwareVersion: '58.15.0.100' } });
    await db.device.update({ where: { tenantId_mac: { tenantId: contoso, mac: '00-04-F2-00-00-03' } }, data: { model: 'Poly CCX 600', firmwareVersion: '8.1.3' } });
    const response = await get('/api/tab/v1/firmware', await tokenOf({ tid: contoso, oid: mel }));
    expect(response.status).toBe(200);
    const readiness = (await response.json()) as { devices: number; belowMinimum: number; families: { family: string; minimum: string | null; devices: number; belowMinimum: number }[] };
    expect(readiness).toMatchObject({ devices: 3, belowMinimum: 1 });
    const yealink = readiness.families.find((family) => family.minimum === '58.15.0.124');
    expect(yealink).toMatchObject({ devices: 1, belowMinimum: 1 });
    // Another tenant sees none of it.
    const other = (await (await get('/api/tab/v1/firmware', await tokenOf({ tid: fabrikam, oid: fay }))).json()) as { belowMinimum: number };
    expect(other.belowMinimum).toBe(0);
    await db.device.updateMany({ where: { tenantId: contoso }, data: { model: null, firmwareVersion: null } });
  });
});

describe('every tab route asks the permission table, as chat does', () => {
  // Statuses per role: admin, technician, manager, no role. An admin's 404 (no such location) and
  // 409 (a device not waiting for sign-in) show the request got past the check to the service.
  const walk: [string, 'get' | 'post', (deviceId: string) => string, unknown, [number, number, number, number]][] = [
    ['me', 'get', () => '/api/tab/v1/me', null, [200, 200, 200, 200]],
    ['pipeline', 'get', () => '/api/tab/v1/pipeline', null, [200, 200, 200, 403]],
    ['locations', 'get', () => '/api/tab/v1/locations', null, [200, 200, 200, 403]],
    ['devices', 'get', () => '/api/tab/v1/devices', null, [200, 200, 200, 403]],
    ['timeline', 'get', (id) => `/api/tab/v1/devices/${id}/timeline`, null, [200, 200, 200, 403]],
    ['export', 'get', () => '/api/tab/v1/export/devices.csv', null, [200, 200, 200, 403]],
    ['firmware', 'get', () => '/api/tab/v1/firmware', null, [200, 200, 200, 403]],
    ['codes', 'post', () => '/api/tab/v1/codes', { location: 'Nowhere' }, [404, 403, 403, 403]],
    ['sign-in', 'post', (id) => `/api/tab/v1/devices/${id}/sign-in`, {}, [409, 403, 403, 403]],
  ];

  it.each(walk)('%s', async (_name, method, path, body, expected) => {
    const device = await bot.server.store.db.device.findFirstOrThrow({ where: { tenantId: contoso, mac: '00-04-F2-00-00-01' } });
    const statuses: number[] = [];
    for (const oid of [ada, tom, mel, nobody]) {
      const token = await tokenOf({ tid: contoso, oid });
      const response = method === 'get' ? await get(path(device.id), token) : await post(path(device.id), body, token);
      statuses.push(response.status);
    }
    expect(statuses).toEqual(expected);
  });
});

describe("when Entra's keys cannot be read", () => {
  it('answers 503 with Retry-After (nobody is let in) and logs why', async () => {
    const unreachable = await startTestBot({ TAB_SSO_CLIENT_ID: tabClientId, TAB_SSO_JWKS_URL: 'http://127.0.0.1:9/keys' });
    try {
      const response = await fetch(`${unreachable.url}/api/tab/v1/pipeline`, { headers: { authorization: `Bearer ${await tokenOf({ tid: contoso, oid: ada })}` } });
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('60');
      expect(await response.json()).toMatchObject({ code: 'keys_unavailable' });
      expect(unreachable.logText()).toContain('the sign-in keys cannot be read');
    } finally {
      await unreachable.close();
    }
  });
});

describe('without a client id', () => {
  it('keeps the tab API off and says how to turn it on', async () => {
    const off = await startTestBot();
    try {
      const response = await fetch(`${off.url}/api/tab/v1/pipeline`);
      expect(response.status).toBe(503);
      const body = (await response.json()) as { code: string; message: string };
      expect(body.code).toBe('tab_off');
      expect(body.message).toContain('TAB_SSO_CLIENT_ID');
    } finally {
      await off.close();
    }
  });
});
