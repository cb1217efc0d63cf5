// The whole provisioning flow with the device simulator as the phone: the real server on a
// real store (SQLite, and PostgreSQL when TEST_POSTGRES_URL is set), admin steps through the
// domain services on that store, device steps through the simulator over HTTP, and the
// simulator's command line run as a separate process the way `npm run device` runs it.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDeviceCli } from '../../../bot/device-simulator/cli.ts';
import { DeviceApiError, DeviceClient } from '../../../bot/device-simulator/device-client.ts';
import { DeviceMemory } from '../../../bot/device-simulator/device-memory.ts';
import { startTestBotOn, testProviders, unavailable, type TestBot } from '../../helpers/test-bot.ts';

const projectDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const cliEntry = path.join(projectDir, 'bot', 'device-simulator', 'cli.ts');
const tsxLoader = pathToFileURL(path.join(projectDir, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;

const ada = { kind: 'user', id: 'aad-ada' } as const;
const tenantId = 'tenant-contoso';
const account = 'lobby-phone@contoso.com';

let macCounter = 0;
/** A fresh unicast MAC per test, so tests on one store do not share devices or lockouts. */
function newMac(): string {
  macCounter += 1;
  const tail = (Date.now() % 0xffff).toString(16).padStart(4, '0') + macCounter.toString(16).padStart(2, '0');
  return `02-00-5E-${tail.slice(0, 2)}-${tail.slice(2, 4)}-${tail.slice(4, 6)}`.toUpperCase();
}

async function until<T>(what: string, probe: () => T | undefined | false, timeoutMs = 10_000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The CLI in this process, over real HTTP; its lines are kept. */
function inProcess(args: string[], signal?: AbortSignal) {
  const out: string[] = [];
  const err: string[] = [];
  const exited = runDeviceCli(args, { out: (line) => out.push(line), err: (line) => err.push(line), ...(signal ? { signal } : {}) });
  return { out, err, exited, text: () => out.join('\n') };
}

/** The CLI as `npm run device` runs it: its own process, only PATH from our environment. */
function asProcess(args: string[], cwd: string) {
  const child = spawn(process.execPath, ['--import', tsxLoader, cliEntry, ...args], { cwd, env: { PATH: process.env.PATH ?? '' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  return { child, exited, stdout: () => stdout, stderr: () => stderr.split('\n').filter((line) => line.trim() !== '' && !/DeprecationWarning|--trace-deprecation/.test(line)) };
}

describe.each(testProviders)('on %s', (provider) => {
  describe.skipIf(unavailable(provider))('the simulator as the phone', () => {
    // Real time, which a test may move forward (to let a login code lapse).
    let skippedMs = 0;
    const clock = { now: () => new Date(Date.now() + skippedMs) };
    let bot: TestBot;
    let workDir: string;
    let stateDir: string;
    const common = () => ['--server', bot.url, '--state-dir', stateDir];
    const devices = () => bot.server.services.devices;

    beforeAll(async () => {
      bot = await startTestBotOn(provider, {}, { clock });
      workDir = mkdtempSync(path.join(tmpdir(), 'provisioning-bot-simulator-'));
      stateDir = path.join(workDir, 'tokens');
    });

    afterAll(async () => {
      await bot?.close();
      if (workDir) rmSync(workDir, { recursive: true, force: true });
    });

    async function registerWithCode(location = 'Lobby'): Promise<{ mac: string; code: string }> {
      const mac = newMac();
      await devices().registry.register(ada, tenantId, [{ mac, location }]);
      // Tenants get their display name from Teams; give this one a name as that would.
      await bot.server.store.db.tenant.update({ where: { id: tenantId }, data: { name: 'Contoso' } });
      const { issued } = await devices().codes.issue(ada, tenantId, { macs: [mac] });
      expect(issued).toHaveLength(1);
      return { mac, code: issued[0]!.code };
    }

    it('a registered device given its code is provisioned by the simulator, reports a login code once an admin requests sign-in, and ends signed in with every step audited in order', async () => {
      const { mac, code } = await registerWithCode();

      // The technician types the MAC as the sticker shows it; the service canonicalises it.
      const provisioned = inProcess(['provision', '--mac', mac.toLowerCase().replaceAll('-', ':'), '--code', code, '--model', 'CP-960', '--firmware', '1.9.2', ...common()]);
      expect(await provisioned.exited).toBe(0);
      expect(provisioned.out[0]).toBe('Provisioned for Contoso; waiting for sign-in');
      expect((await devices().queries.details(tenantId, mac)).device).toMatchObject({ state: 'awaiting_sign_in', model: 'CP-960', firmwareVersion: '1.9.2' });

      // The phone waits; nothing happens until an admin asks for a sign-in.
      const stop = new AbortController();
      const phone = inProcess(['signin', '--mac', mac, '--poll-seconds', '0.05', ...common()], stop.signal);
      await until('the phone to poll', () => phone.text().includes('Waiting for a sign-in request'));
      await new Promise((resolve) => setTimeout(resolve, 150));
      expect((await devices().queries.details(tenantId, mac)).device.state).toBe('awaiting_sign_in');

      await devices().signIn.request(ada, tenantId, mac, account);
      const shown = await until('the login code on screen', () => /enter the code ([A-Z0-9]{9})$/m.exec(phone.text())?.[1]);
      expect(phone.out).toContain(`Sign-in requested for ${account}`);
      expect(phone.out).toContain(`To sign in, go to https://microsoft.com/devicelogin and enter the code ${shown}`);
      expect(phone.text()).toMatch(/^The code expires in 15 minutes, at \d\d:\d\d$/m);
      // What the admin is shown to type at the portal is what the phone shows.
      expect(await devices().signIn.pendingLoginCode(tenantId, mac)).toMatchObject({ loginCode: shown, account });
      expect((await devices().queries.details(tenantId, mac)).device.state).toBe('signing_in');

      // The person completes the portal step; the waiting phone sees it and stops waiting.
      const completed = inProcess(['signin', '--mac', mac, '--account', account, ...common()]);
      expect(await completed.exited).toBe(0);
      expect(completed.out).toContain(`A login code is already on screen; completing the sign-in as ${account}`);
      expect(await phone.exited).toBe(0);
      expect(phone.out.at(-1)).toBe(`Signed in as ${account}`);
      expect(phone.err).toEqual([]);

      const { device, timeline } = await devices().queries.details(tenantId, mac);
      expect(device).toMatchObject({ state: 'signed_in', signedInAccount: account });
      expect(timeline.map((event) => [event.action, event.actor, event.toState])).toEqual([
        ['device.registered', 'user:aad-ada', 'registered'],
        ['code.issued', 'user:aad-ada', 'code_issued'],
        ['device.provisioned', `device:${mac}`, 'awaiting_sign_in'],
        ['sign_in.requested', 'user:aad-ada', null],
        ['sign_in.code_ready', `device:${mac}`, 'signing_in'],
        ['device.signed_in', `device:${mac}`, 'signed_in'],
      ]);
      // The audit trail never holds the login code.
      expect(JSON.stringify(timeline)).not.toContain(shown);

      const status = inProcess(['status', '--mac', mac, ...common()]);
      expect(await status.exited).toBe(0);
      expect(status.out).toEqual(['State: signed_in', 'Sign-in requested: no', `Account: ${account}`]);
    });

    it('when the login code lapses, the waiting phone says so, and shows a fresh code when an admin requests sign-in again; Ctrl+C stops it with 130', async () => {
      const { mac, code } = await registerWithCode();
      expect(await inProcess(['provision', '--mac', mac, '--code', code, ...common()]).exited).toBe(0);
      const stop = new AbortController();
      const phone = inProcess(['signin', '--mac', mac, '--poll-seconds', '0.05', ...common()], stop.signal);
      const codesShown = () => [...phone.text().matchAll(/enter the code ([A-Z0-9]{9})$/gm)].map((match) => match[1]);

      await devices().signIn.request(ada, tenantId, mac);
      const [first] = await until('the first login code', () => (codesShown().length === 1 ? codesShown() : undefined));

      skippedMs += 16 * 60_000;
      await until('the phone to notice the lapse', () => phone.out.includes('The login code lapsed; waiting for a new sign-in request'));
      expect((await devices().queries.details(tenantId, mac)).device.state).toBe('awaiting_sign_in');

      await devices().signIn.request(ada, tenantId, mac);
      const [, second] = await until('a second login code', () => (codesShown().length === 2 ? codesShown() : undefined));
      expect(second).not.toBe(first);
      expect((await devices().signIn.pendingLoginCode(tenantId, mac))?.loginCode).toBe(second);

      stop.abort();
      expect(await phone.exited).toBe(130);
      expect(phone.err).toEqual(['Stopped.']);
      const { device, timeline } = await devices().queries.details(tenantId, mac);
      expect(device.state).toBe('signing_in');
      expect(timeline.slice(-4).map((event) => [event.action, event.actor])).toEqual([
        ['sign_in.code_ready', `device:${mac}`],
        ['sign_in.lapsed', 'system'],
        ['sign_in.requested', 'user:aad-ada'],
        ['sign_in.code_ready', `device:${mac}`],
      ]);
    });

    it('a factory reset from the simulator puts the device back to registered, forgets the token, and the service refuses the old one', async () => {
      const { mac, code } = await registerWithCode();
      expect(await inProcess(['provision', '--mac', mac, '--code', code, ...common()]).exited).toBe(0);
      const token = new DeviceMemory(stateDir).load(mac)!.deviceToken;

      const reset = inProcess(['reset', '--mac', mac, ...common()]);
      expect(await reset.exited).toBe(0);
      expect(reset.out).toEqual(['Factory reset: the device is registered again and its token is deleted; provision it with a new code.']);
      expect(existsSync(new DeviceMemory(stateDir).fileFor(mac))).toBe(false);
      const { device, timeline } = await devices().queries.details(tenantId, mac);
      expect(device.state).toBe('registered');
      expect(timeline.at(-1)).toMatchObject({ action: 'device.reset', actor: `device:${mac}`, toState: 'registered' });

      const refused = await new DeviceClient({ server: bot.url, token }).state().catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(DeviceApiError);
      expect(refused).toMatchObject({ status: 401, code: 'unauthorized' });

      const status = inProcess(['status', '--mac', mac, ...common()]);
      expect(await status.exited).toBe(1);
      expect(status.err[0]).toMatch(/^No device token saved for .* provision it first/);
    });

    it('after five wrong codes the simulator prints the lockout and when to try again, exits 1, and the right code no longer helps', async () => {
      const { mac, code } = await registerWithCode();
      const wrong = code === '000000' ? '111111' : '000000';
      for (let attempt = 1; attempt <= 4; attempt++) {
        const run = inProcess(['provision', '--mac', mac, '--code', wrong, ...common()]);
        expect(await run.exited).toBe(1);
        expect(run.err).toEqual([`Refused (wrong_code): That code is not right for this device. Check it on the hand-off card; ${5 - attempt} ${5 - attempt === 1 ? 'attempt' : 'attempts'} left.`]);
      }
      // The fifth wrong code locks the MAC out; from then on even the right code is refused.
      for (const attempt of [wrong, code]) {
        const locked = inProcess(['provision', '--mac', mac, '--code', attempt, ...common()]);
        expect(await locked.exited).toBe(1);
        expect(locked.err).toHaveLength(1);
        expect(locked.err[0]).toMatch(/^Refused \(locked_out\): Too many wrong codes for this device\. .* Try again in 15 minutes\.$/);
        expect(locked.out).toEqual([]);
      }
      expect((await devices().queries.details(tenantId, mac)).device.state).toBe('code_issued');
    });

    it('run as a command: a wrong code exits 1 with the service\'s message, the right code exits 0 without printing the token, and signin --account completes once sign-in is requested', async () => {
      const { mac, code } = await registerWithCode('Reception');
      const wrong = code === '999999' ? '888888' : '999999';

      const refused = asProcess(['provision', '--mac', mac, '--code', wrong, ...common()], workDir);
      expect(await refused.exited).toBe(1);
      expect(refused.stderr()).toEqual(['Refused (wrong_code): That code is not right for this device. Check it on the hand-off card; 4 attempts left.']);
      expect(refused.stdout()).toBe('');

      const provisioned = asProcess(['provision', '--mac', mac, '--code', code, ...common()], workDir);
      expect(await provisioned.exited).toBe(0);
      const file = new DeviceMemory(stateDir).fileFor(mac);
      expect(provisioned.stdout()).toBe(`Provisioned for Contoso; waiting for sign-in\nDevice token saved in ${file}\n`);
      const saved = new DeviceMemory(stateDir).load(mac)!;
      expect(saved.deviceToken).toMatch(/^dvt_/);
      expect(provisioned.stdout() + provisioned.stderr().join('\n')).not.toContain(saved.deviceToken);
      expect(statSync(file).mode & 0o777).toBe(0o600);

      const phone = asProcess(['signin', '--mac', mac, '--account', account, '--poll-seconds', '0.1', ...common()], workDir);
      await until('the phone process to poll', () => phone.stdout().includes('Waiting for a sign-in request'), 20_000);
      await devices().signIn.request(ada, tenantId, mac);
      expect(await phone.exited).toBe(0);
      expect(phone.stderr()).toEqual([]);
      const lines = phone.stdout().trimEnd().split('\n');
      expect(lines[0]).toBe('Waiting for a sign-in request (checking every 0.1 s, for up to 900 s)');
      expect(lines[1]).toBe('Sign-in requested');
      expect(lines[2]).toMatch(/^To sign in, go to https:\/\/microsoft\.com\/devicelogin and enter the code [A-Z0-9]{9}$/);
      expect(lines.at(-1)).toBe(`Signed in as ${account}`);
      expect((await devices().queries.details(tenantId, mac)).device).toMatchObject({ state: 'signed_in', signedInAccount: account });

      const status = asProcess(['status', '--mac', mac, ...common()], workDir);
      expect(await status.exited).toBe(0);
      expect(status.stdout()).toBe(`State: signed_in\nSign-in requested: no\nAccount: ${account}\n`);
    });
  });
});

describe('the simulator command line', () => {
  it('a usage error exits 2 with one line saying what is missing, and sends nothing', async () => {
    const cwd = mkdtempSync(path.join(tmpdir(), 'provisioning-bot-simulator-usage-'));
    try {
      // No server listens on the default address here; a usage error must not need one.
      const run = asProcess(['provision', '--mac', '00-04-F2-81-24-B3'], cwd);
      expect(await run.exited).toBe(2);
      expect(run.stderr()).toEqual(['Usage error: provision needs --code <CODE>, the 6 digits from the hand-off card. Run "npm run device -- --help" for usage.']);
      expect(run.stdout()).toBe('');
      expect(existsSync(path.join(cwd, 'data'))).toBe(false);

      const help = asProcess([], cwd);
      expect(await help.exited).toBe(0);
      expect(help.stdout()).toContain('Usage: npm run device -- <command> --mac <MAC> [options]');
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });
});
