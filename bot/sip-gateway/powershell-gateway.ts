// The SIP Gateway through PowerShell 7 (SIP_GATEWAY=powershell): `pwsh` with the MicrosoftTeams
// module (5.6.0 or later), certificate app-only sign-in, New-CsSdgBulkSignInRequest and
// Get-CsSdgBulkSignInRequestStatus, their answers read as JSON (ConvertTo-Json -Depth 5).
//
// Nothing secret on a command line or in a log: the script goes to pwsh on stdin, the app id,
// tenant, certificate and its password through pwsh's environment, and the batch CSV through a
// private temporary file (a 0700 folder, the file 0600) removed once pwsh has read it.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SipGatewayError, type SipBatchItemStatus, type SipBatchStatus, type SipGateway } from '../../services/sip/sip-gateway.ts';
import type { Logger } from '../logger.ts';
import type { SipConfig } from './sip-config.ts';

type PowerShellSettings = SipConfig['powershell'];

/** Who may run a bulk sign-in: said whenever the gateway answers "Access Denied". */
export const bulkSignInRoles = 'Teams Administrator, Teams Communications Administrator or Teams Devices Administrator';

const connect = `
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
try {
  Import-Module MicrosoftTeams -MinimumVersion 5.6.0 | Out-Null
  if ($env:SDG_CERT_FILE) {
    $certificate = New-Object System.Security.Cryptography.X509Certificates.X509Certificate2($env:SDG_CERT_FILE, $env:SDG_CERT_PASSWORD)
    Connect-MicrosoftTeams -Certificate $certificate -ApplicationId $env:SDG_APP_ID -TenantId $env:SDG_TENANT_ID | Out-Null
  } else {
    Connect-MicrosoftTeams -CertificateThumbprint $env:SDG_CERT_THUMBPRINT -ApplicationId $env:SDG_APP_ID -TenantId $env:SDG_TENANT_ID | Out-Null
  }
`;
const answer = `
  @{ ok = $true; result = $result } | ConvertTo-Json -Depth 5 -Compress
} catch {
  @{ ok = $false; error = "$($_.Exception.Message)" } | ConvertTo-Json -Depth 5 -Compress
}
`;
export const submitScript = `${connect}  $result = New-CsSdgBulkSignInRequest -DeviceDetailsFilePath $env:SDG_CSV_PATH -Region $env:SDG_REGION\n${answer}`;
export const statusScript = `${connect}  $result = Get-CsSdgBulkSignInRequestStatus -Batchid $env:SDG_BATCH_ID\n${answer}`;

export interface PowerShellOptions {
  /** The environment pwsh starts from (default: this process's), before the SDG_* values are added. */
  baseEnv?: NodeJS.ProcessEnv;
}

export function createPowerShellSipGateway(settings: PowerShellSettings, log: Logger, options: PowerShellOptions = {}): SipGateway {
  const credentials: Record<string, string> = {
    SDG_APP_ID: settings.appId,
    SDG_TENANT_ID: settings.tenantId,
    ...(settings.certificateThumbprint ? { SDG_CERT_THUMBPRINT: settings.certificateThumbprint } : {}),
    ...(settings.certificateFile ? { SDG_CERT_FILE: settings.certificateFile } : {}),
    ...(settings.certificatePassword ? { SDG_CERT_PASSWORD: settings.certificatePassword } : {}),
  };

  async function run(what: string, script: string, values: Record<string, string>): Promise<unknown> {
    const started = Date.now();
    const { code, stdout, timedOut } = await runPwsh(settings.pwshPath, script, { ...(options.baseEnv ?? process.env), ...credentials, ...values }, settings.timeoutMs);
    log.info({ what, exitCode: code, timedOut, ms: Date.now() - started }, 'pwsh ran');
    // After a submission pwsh may have sent, no answer is not "not sent": the batch must not go twice.
    const unanswered = values.SDG_CSV_PATH ? 'outcome_unknown' : 'unavailable';
    if (timedOut) throw new SipGatewayError(unanswered, `PowerShell did not answer within ${settings.timeoutMs / 1000} s (${what}).`);
    const reply = lastJsonLine(stdout);
    if (!reply) throw new SipGatewayError(unanswered, `PowerShell gave no JSON answer (${what}, exit code ${code}); check that pwsh runs and the MicrosoftTeams module (5.6.0 or later) is installed.`);
    const ok = field(reply, 'ok');
    if (ok !== true) throw refusal(String(field(reply, 'error') ?? 'unknown error'));
    return field(reply, 'result');
  }

  return {
    name: 'powershell',
    answersQuickly: false,
    async submit(_tenantId, region, items) {
      // A folder only this user may enter, and a file only this user may read.
      const dir = await mkdtemp(path.join(tmpdir(), 'sip-batch-'));
      const csvPath = path.join(dir, 'devices.csv');
      try {
        await writeFile(csvPath, ['Username,HardwareId', ...items.map((item) => `${item.username},${item.hardwareId}`)].join('\r\n') + '\r\n', { mode: 0o600 });
        const result = await run('New-CsSdgBulkSignInRequest', submitScript, { SDG_CSV_PATH: csvPath, SDG_REGION: region });
        const batchId = field(result, 'batchid');
        if (typeof batchId !== 'string' || batchId === '') throw new SipGatewayError('unavailable', 'New-CsSdgBulkSignInRequest answered without a BatchId.');
        return { batchId };
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
    async status(_tenantId, batchId): Promise<SipBatchStatus> {
      const result = await run('Get-CsSdgBulkSignInRequestStatus', statusScript, { SDG_BATCH_ID: batchId });
      const rawItems = field(result, 'batchitem');
      const items = (Array.isArray(rawItems) ? rawItems : rawItems ? [rawItems] : []).map(toItem);
      const status = String(field(result, 'batchstatus') ?? field(result, 'status') ?? 'Running');
      return { status, items };
    },
  };
}

const knownItemFields = new Set(['username', 'hardwareid', 'status', 'errormessage', 'error']);

/** One BatchItem; fields the bot does not know are kept in `extra`. */
function toItem(raw: unknown): SipBatchItemStatus {
  const text = (name: string) => {
    const value = field(raw, name);
    return value === undefined || value === null ? null : String(value);
  };
  const extra = Object.fromEntries(Object.entries(typeof raw === 'object' && raw !== null ? raw : {}).filter(([key]) => !knownItemFields.has(key.toLowerCase())));
  const error = text('errormessage') ?? text('error');
  return { username: text('username') ?? '', hardwareId: text('hardwareid') ?? '', status: text('status') ?? '', error: error === '' ? null : error, ...(Object.keys(extra).length > 0 ? { extra } : {}) };
}

/** A property of a JSON object, its name compared without regard to case (PowerShell's habit). */
function field(value: unknown, name: string): unknown {
  if (typeof value !== 'object' || value === null) return undefined;
  const key = Object.keys(value).find((candidate) => candidate.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : (value as Record<string, unknown>)[key];
}

function refusal(message: string): SipGatewayError {
  const lower = message.toLowerCase();
  if (lower.includes('access denied') || lower.includes('forbidden') || lower.includes('unauthorized')) {
    return new SipGatewayError('access_denied', `The SIP Gateway answered "${message}": the app that runs bulk sign-in must hold one of ${bulkSignInRoles} (Entra ID → Roles and administrators).`);
  }
  if (lower.includes('throttl')) return new SipGatewayError('throttled', message);
  if (lower.includes('concurrent') || lower.includes('maximum number of batches') || lower.includes('too many')) return new SipGatewayError('too_many_batches', message);
  if (lower.includes('not found') && lower.includes('batch')) return new SipGatewayError('not_found', message);
  return new SipGatewayError('unavailable', message);
}

/** pwsh's answer is its last line that parses as a JSON object (the module may print warnings first). */
function lastJsonLine(stdout: string): unknown {
  const lines = stdout.split(/\r?\n/).map((line) => line.trim()).filter((line) => line.startsWith('{'));
  for (const line of lines.reverse()) {
    try {
      return JSON.parse(line) as unknown;
    } catch {
      // not this one
    }
  }
  return null;
}

function runPwsh(pwshPath: string, script: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<{ code: number | null; stdout: string; timedOut: boolean }> {
  return new Promise((resolve, reject) => {
    // The script arrives on stdin ("-Command -"): nothing of it, or of the values it reads, shows in a process list.
    const child = spawn(pwshPath, ['-NoLogo', '-NoProfile', '-NonInteractive', '-Command', '-'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      if (stdout.length < 10 * 1024 * 1024) stdout += chunk;
    });
    child.stderr.resume();
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new SipGatewayError('unavailable', `Could not start PowerShell at SIP_PWSH_PATH (${(error as NodeJS.ErrnoException).code ?? error.message}).`));
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, timedOut });
    });
    child.stdin.on('error', () => {}); // pwsh may exit before reading all of it; its answer says why
    child.stdin.end(script);
  });
}
