// Finds secrets in captured log lines. Pure: lines and secrets in, leaks out, so that the
// scan itself is tested (test/integration/security/leak-scan.test.ts) like any other code.
//
// Three nets, because a test only knows the secrets it touched:
//  1. every secret a test handled (codes, device tokens, passwords, JWTs), by value;
//  2. shapes that are secret whoever made them: JWTs, device tokens, passwords in URLs;
//  3. JSON log fields named like secrets that carry a value instead of "[redacted]".
import type { CapturedLine, HandledSecret } from '../helpers/leak-watch.ts';

export interface Leak {
  file: string;
  source: string;
  /** What was found, e.g. 'device token (test/…/x.test.ts)' or 'field "password"'. */
  what: string;
  /** The log line with the secret masked, shortened. */
  excerpt: string;
}

const censored = new Set(['[redacted]', '***', '']);

/** Field names whose values are secrets, as code writes them (bot/logger.ts redacts each). */
export const secretFieldNames: readonly string[] = [
  'password',
  'appPassword',
  'MicrosoftAppPassword',
  'clientSecret',
  'secret',
  'codeHashSecret',
  'CODE_HASH_SECRET',
  'token',
  'deviceToken',
  'accessToken',
  'refreshToken',
  'idToken',
  'authorization',
  'verificationCode',
  'loginCode',
];

/** The scan compares names case-insensitively: "Authorization" is as secret as "authorization". */
const secretFieldNamesLower = new Set(secretFieldNames.map((name) => name.toLowerCase()));

const shapes: { what: string; pattern: RegExp }[] = [
  { what: 'a JWT', pattern: /eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/ },
  { what: 'a device token', pattern: /\bdvt_[A-Za-z0-9_-]{20,}/ },
  // Masked ("***") and placeholder ("user:password@host" in a help text) passwords are not leaks.
  { what: 'a password in a URL', pattern: /\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@"']+:(?!(?:\*\*\*|%2A%2A%2A|password|pass|pw|secret)@)[^\s/@"']+@/i },
  { what: 'a bearer token', pattern: /\bBearer\s+(?!\[redacted\])[A-Za-z0-9._~+/-]{16,}=*/ },
  { what: 'a secret setting', pattern: /\b[A-Za-z_]*(?:PASSWORD|SECRET|Password|Secret)=(?!\*\*\*)(?!\[redacted\])[^\s"',;]+/ },
];

/** A verification code is a 6-digit number standing alone (not inside an id or a longer number). */
const standaloneSixDigits = /(?<![0-9A-Za-z])\d{6}(?![0-9A-Za-z])/g;

const prefixLength = 8;

const secretFieldValue = new RegExp(`"(${secretFieldNames.join('|')}|code)"\\s*:\\s*"([^"]*)"`, 'gi');

/** The line as the report shows it: every secret found in it masked (a report must not leak either), shortened. */
function excerptOf(line: string, found: readonly string[]): string {
  let masked = line;
  for (const secret of found) masked = masked.split(secret).join('«SECRET»');
  for (const { pattern } of shapes) masked = masked.replace(new RegExp(pattern.source, `${pattern.flags}g`), '«SECRET»');
  masked = masked.replace(secretFieldValue, (whole, name: string, value: string) =>
    censored.has(value.trim()) || (name.toLowerCase() === 'code' && !/^\d{6}$/.test(value.trim())) ? whole : `"${name}":"«SECRET»"`,
  );
  return masked.length > 300 ? `${masked.slice(0, 300)}…` : masked;
}

function secretFields(value: unknown, found: string[], depth = 0): void {
  if (depth > 20 || value === null || typeof value !== 'object') return;
  for (const [key, field] of Object.entries(value)) {
    const name = key.toLowerCase();
    const shown = typeof field === 'string' || typeof field === 'number' ? String(field) : null;
    if (shown !== null && !censored.has(shown.trim())) {
      if (secretFieldNamesLower.has(name)) found.push(key);
      // "code" is also an error code ("wrong_code", "ECONNREFUSED"): only 6 digits are a leak.
      else if (name === 'code' && /^\d{6}$/.test(shown.trim())) found.push(key);
    }
    secretFields(field, found, depth + 1);
  }
}

export function findLeaks(lines: readonly CapturedLine[], secrets: readonly HandledSecret[]): Leak[] {
  const leaks: Leak[] = [];
  const codes = new Map<string, HandledSecret>();
  // Longer secrets, indexed by their first characters: one map lookup per position of a line
  // instead of one search per secret, so a run with thousands of tokens stays fast.
  const byPrefix = new Map<string, HandledSecret[]>();
  for (const secret of secrets) {
    if (/^\d{6}$/.test(secret.value)) {
      codes.set(secret.value, secret);
    } else if (secret.value.length >= prefixLength) {
      const prefix = secret.value.slice(0, prefixLength);
      byPrefix.set(prefix, [...(byPrefix.get(prefix) ?? []), secret]);
    }
  }

  for (const { file, source, line } of lines) {
    const found: { what: string; secret?: string }[] = [];
    const leak = (what: string, secret?: string) => found.push(secret === undefined ? { what } : { what, secret });

    for (const match of line.matchAll(standaloneSixDigits)) {
      const secret = codes.get(match[0]);
      if (secret) leak(`${secret.kind} (handled in ${secret.file})`, secret.value);
    }
    const reported = new Set<string>();
    for (let index = 0; index + prefixLength <= line.length; index++) {
      const candidates = byPrefix.get(line.slice(index, index + prefixLength));
      for (const secret of candidates ?? []) {
        if (!reported.has(secret.value) && line.startsWith(secret.value, index)) {
          reported.add(secret.value);
          leak(`${secret.kind} (handled in ${secret.file})`, secret.value);
        }
      }
    }
    for (const { what, pattern } of shapes) {
      if (pattern.test(line)) leak(what);
    }
    if (line.trimStart().startsWith('{')) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        parsed = null;
      }
      const fields: string[] = [];
      secretFields(parsed, fields);
      for (const field of fields) leak(`field "${field}" with a value`);
    }
    if (found.length > 0) {
      const excerpt = excerptOf(line, found.flatMap((entry) => (entry.secret === undefined ? [] : [entry.secret])));
      for (const { what } of found) leaks.push({ file, source, what, excerpt });
    }
  }
  return leaks;
}
