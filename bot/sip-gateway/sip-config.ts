// The SIP Gateway settings of bot/config.ts (SIP_*): which adapter, the simulator's scenario,
// and PowerShell's app-only sign-in. Kept here so config.ts only lists them.
import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { parseHardwareId } from '../../services/sip/hardware-id.ts';

/** HardwareId (canonical) → "success" or the documented error message the simulator answers. */
export type SipScenario = Readonly<Record<string, string>>;

/** Reads and checks a scenario file; the message names what is wrong with it. */
export function readSipScenario(path: string): { ok: true; scenario: SipScenario } | { ok: false; problem: string } {
  if (!existsSync(path)) return { ok: false, problem: `expected the path of a JSON file of { "<HardwareId>": "success" | "<error message>" }; no file there` };
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    return { ok: false, problem: `the file is not JSON (${(error as Error).message})` };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { ok: false, problem: 'expected a JSON object of { "<HardwareId>": "success" | "<error message>" }' };
  const scenario: Record<string, string> = {};
  for (const [key, value] of Object.entries(parsed)) {
    const id = parseHardwareId(key);
    if (!id.ok) return { ok: false, problem: `"${key}" is not a HardwareId: ${id.reason}` };
    if (typeof value !== 'string' || value.trim() === '') return { ok: false, problem: `the outcome of ${key} must be "success" or an error message` };
    scenario[id.hardwareId] = value;
  }
  return { ok: true, scenario };
}

export const sipEnvironmentShape = {
  SIP_GATEWAY: z.enum(['simulated', 'powershell'], { error: 'expected simulated or powershell' }).default('simulated'),
  SIP_SIMULATOR_SCENARIO: z.string().optional(),
  SIP_PWSH_PATH: z.string().default('pwsh'),
  SIP_PWSH_TIMEOUT_SECONDS: z.string().regex(/^\d+$/, 'expected a whole number of seconds from 10 to 600').transform(Number).refine((value) => value >= 10 && value <= 600, 'expected a whole number of seconds from 10 to 600').default(120),
  SIP_TEAMS_APP_ID: z.string().optional(),
  SIP_TEAMS_TENANT_ID: z.string().optional(),
  SIP_TEAMS_CERT_THUMBPRINT: z.string().regex(/^[0-9A-Fa-f]{40}$/, 'expected the certificate\'s SHA-1 thumbprint: 40 hex digits').optional(),
  SIP_TEAMS_CERT_FILE: z.string().optional(),
  SIP_TEAMS_CERT_PASSWORD: z.string().optional(),
};

const sipEnvironment = z.object(sipEnvironmentShape);
type SipEnvironment = z.output<typeof sipEnvironment>;

export interface SipConfig {
  gateway: 'simulated' | 'powershell';
  /** The simulator's scripted outcomes (empty: every device succeeds). */
  scenario: SipScenario;
  powershell: {
    pwshPath: string;
    timeoutMs: number;
    appId: string;
    tenantId: string;
    certificateThumbprint: string | null;
    certificateFile: string | null;
    /** Passed to pwsh in its environment, never on its command line. */
    certificatePassword: string | null;
  };
}

/** The cross-field rules: the scenario file must read, PowerShell needs its app-only sign-in. */
export function checkSipEnvironment(env: SipEnvironment, ctx: z.RefinementCtx): void {
  if (env.SIP_SIMULATOR_SCENARIO !== undefined) {
    const read = readSipScenario(env.SIP_SIMULATOR_SCENARIO);
    if (!read.ok) ctx.addIssue({ code: 'custom', path: ['SIP_SIMULATOR_SCENARIO'], message: read.problem });
  }
  if (env.SIP_GATEWAY !== 'powershell') return;
  for (const key of ['SIP_TEAMS_APP_ID', 'SIP_TEAMS_TENANT_ID'] as const) {
    if (!env[key]) ctx.addIssue({ code: 'custom', path: [key], message: 'required with SIP_GATEWAY=powershell (the app registration used for certificate app-only sign-in)' });
  }
  if (!env.SIP_TEAMS_CERT_THUMBPRINT && !env.SIP_TEAMS_CERT_FILE) {
    ctx.addIssue({ code: 'custom', path: ['SIP_TEAMS_CERT_THUMBPRINT'], message: 'required with SIP_GATEWAY=powershell, or SIP_TEAMS_CERT_FILE (the app\'s certificate)' });
  }
  if (env.SIP_TEAMS_CERT_FILE && !existsSync(env.SIP_TEAMS_CERT_FILE)) {
    ctx.addIssue({ code: 'custom', path: ['SIP_TEAMS_CERT_FILE'], message: 'no file there: expected the path of the app\'s certificate (.pfx)' });
  }
}

export function sipConfigOf(env: SipEnvironment): SipConfig {
  const read = env.SIP_SIMULATOR_SCENARIO === undefined ? null : readSipScenario(env.SIP_SIMULATOR_SCENARIO);
  return Object.freeze({
    gateway: env.SIP_GATEWAY,
    scenario: Object.freeze(read?.ok ? read.scenario : {}),
    powershell: Object.freeze({
      pwshPath: env.SIP_PWSH_PATH,
      timeoutMs: env.SIP_PWSH_TIMEOUT_SECONDS * 1000,
      appId: env.SIP_TEAMS_APP_ID ?? '',
      tenantId: env.SIP_TEAMS_TENANT_ID ?? '',
      certificateThumbprint: env.SIP_TEAMS_CERT_THUMBPRINT ?? null,
      certificateFile: env.SIP_TEAMS_CERT_FILE ?? null,
      certificatePassword: env.SIP_TEAMS_CERT_PASSWORD ?? null,
    }),
  });
}
