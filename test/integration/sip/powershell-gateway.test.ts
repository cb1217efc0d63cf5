// The PowerShell SIP Gateway adapter against a fake `pwsh` (test/helpers/fake-pwsh.mjs) that
// answers like the MicrosoftTeams module: the batch CSV in a private file, nothing secret on the
// command line or in the log, JSON read without regard to case, unknown fields kept, and every
// failure (Access Denied, throttling, a hang, garbage, no pwsh at all) turned into a clear error.
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../../bot/logger.ts';
import { bulkSignInRoles, createPowerShellSipGateway } from '../../../bot/sip-gateway/powershell-gateway.ts';
import { isCompleted, isFailed, isSuccess, SipGatewayError } from '../../../services/sip/sip-gateway.ts';

const fakePwsh = fileURLToPath(new URL('../../helpers/fake-pwsh.mjs', import.meta.url));
const certificatePassword = 'pfx-password-Zq81xv';
const thumbprint = 'A1B2C3D4E5F60718293A4B5C6D7E8F9012345678';
const appId = '7d1a5a3e-0000-4000-8000-00000000a99f';

let state: string;
let logLines: string[];

function gateway(mode = 'ok', options: { timeoutMs?: number; pwshPath?: string; failures?: Record<string, string> } = {}) {
  const sink = new Writable({ write(chunk: Buffer, _encoding, callback) { logLines.push(chunk.toString('utf8')); callback(); } });
  return createPowerShellSipGateway(
    { pwshPath: options.pwshPath ?? fakePwsh, timeoutMs: options.timeoutMs ?? 15_000, appId, tenantId: 'contoso.onmicrosoft.com', certificateThumbprint: thumbprint, certificateFile: null, certificatePassword },
    createLogger('debug', sink),
    { baseEnv: { PATH: process.env.PATH, FAKE_PWSH_STATE: state, FAKE_PWSH_MODE: mode, FAKE_PWSH_FAILURES: JSON.stringify(options.failures ?? {}) } },
  );
}

const calls = () => readFileSync(path.join(state, 'calls.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
const items = [
  { username: 'lobby-phone1@contoso.com', hardwareId: '1A-2B-3C-D4-E5-F6' },
  { username: 'ata-port1@contoso.com', hardwareId: '1A-2B-3C-D4-E5-F8:001' },
];

async function refusal(promise: Promise<unknown>): Promise<SipGatewayError> {
  const error = await promise.then(() => null, (caught: unknown) => caught);
  expect(error).toBeInstanceOf(SipGatewayError);
  return error as SipGatewayError;
}

beforeEach(() => {
  state = mkdtempSync(path.join(tmpdir(), 'fake-pwsh-'));
  logLines = [];
});
afterEach(() => {
  rmSync(state, { recursive: true, force: true });
});

describe('the PowerShell SIP Gateway adapter', () => {
  it('submits the batch as a private CSV file, reads the status JSON without regard to case, and keeps unknown fields', async () => {
    const sip = gateway('ok', { failures: { '1A-2B-3C-D4-E5-F8:001': 'User not found in tenant.' } });
    const tempBefore = readdirSync(tmpdir()).filter((name) => name.startsWith('sip-batch-')).length;
    const { batchId } = await sip.submit('tenant-contoso', 'EMEA', items);
    expect(batchId).toMatch(/^[0-9a-f-]{36}$/);
    const [submitted] = calls();
    expect(submitted).toMatchObject({ cmdlet: 'new', csvMode: '600', dirMode: '700', header: 'Username,HardwareId', argv: ['-NoLogo', '-NoProfile', '-NonInteractive', '-Command', '-'] });
    // The temporary CSV is gone once pwsh has answered.
    expect(readdirSync(tmpdir()).filter((name) => name.startsWith('sip-batch-')).length).toBe(tempBefore);

    const status = await sip.status('tenant-contoso', batchId);
    expect(isCompleted(status.status)).toBe(true);
    expect(status.items).toHaveLength(2);
    expect(isSuccess(status.items[0]!.status)).toBe(true);
    expect(status.items[0]).toMatchObject({ hardwareId: '1A-2B-3C-D4-E5-F6', error: null, extra: { DeviceModel: 'VVX 450' } });
    expect(isFailed(status.items[1]!.status)).toBe(true);
    expect(status.items[1]).toMatchObject({ username: 'ata-port1@contoso.com', error: 'User not found in tenant.' });
  });

  it('reads a batch of one item, which ConvertTo-Json writes as an object instead of a list', async () => {
    const sip = gateway();
    const { batchId } = await sip.submit('tenant-contoso', 'APAC', items.slice(0, 1));
    const status = await sip.status('tenant-contoso', batchId);
    expect(status.items.map((item) => item.hardwareId)).toEqual(['1A-2B-3C-D4-E5-F6']);
  });

  it('puts nothing secret on the command line or in the log', async () => {
    const sip = gateway();
    const { batchId } = await sip.submit('tenant-contoso', 'EMEA', items);
    await sip.status('tenant-contoso', batchId);
    const argv = JSON.stringify(calls().map((call) => call.argv));
    for (const secret of [certificatePassword, thumbprint, appId]) {
      expect(argv).not.toContain(secret);
      expect(logLines.join('')).not.toContain(secret);
    }
    expect(logLines.join('')).toContain('pwsh ran');
  });

  it('explains "Access Denied" with the three roles that may run a bulk sign-in', async () => {
    const error = await refusal(gateway('access-denied').submit('tenant-contoso', 'EMEA', items));
    expect(error.kind).toBe('access_denied');
    expect(error.message).toContain('Access Denied.');
    expect(error.message).toContain(bulkSignInRoles);
    expect(bulkSignInRoles).toBe('Teams Administrator, Teams Communications Administrator or Teams Devices Administrator');
  });

  it('reports on-premises AD throttling as throttling, with Microsoft\'s text', async () => {
    const error = await refusal(gateway('throttled').submit('tenant-contoso', 'EMEA', items));
    expect(error.kind).toBe('throttled');
    expect(error.message).toMatch(/throttling/);
  });

  it('stops a pwsh that does not answer in time', async () => {
    const started = Date.now();
    const error = await refusal(gateway('hang', { timeoutMs: 1_000 }).status('tenant-contoso', 'some-batch'));
    expect(error.kind).toBe('unavailable');
    expect(error.message).toMatch(/did not answer within 1 s/);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('a submission without an answer is "outcome unknown", never "not sent": it must not be sent again blindly', async () => {
    const error = await refusal(gateway('hang', { timeoutMs: 1_000 }).submit('tenant-contoso', 'EMEA', items));
    expect(error.kind).toBe('outcome_unknown');
    expect((await refusal(gateway('garbage').submit('tenant-contoso', 'EMEA', items))).kind).toBe('outcome_unknown');
  });

  it('says so when pwsh answers no JSON, exits early, or is not there at all', async () => {
    expect((await refusal(gateway('garbage').status('tenant-contoso', 'x'))).message).toMatch(/no JSON answer.*MicrosoftTeams module/);
    expect((await refusal(gateway('crash').status('tenant-contoso', 'x'))).message).toMatch(/exit code 1/);
    const missing = await refusal(gateway('ok', { pwshPath: path.join(state, 'no-pwsh-here') }).status('tenant-contoso', 'x'));
    expect(missing.message).toMatch(/Could not start PowerShell at SIP_PWSH_PATH \(ENOENT\)/);
    expect(existsSync(path.join(state, 'calls.jsonl'))).toBe(false);
  });

  it('an unknown batch id is "not found"', async () => {
    const error = await refusal(gateway().status('tenant-contoso', '00000000-0000-4000-8000-000000000000'));
    expect(error.kind).toBe('not_found');
  });
});
