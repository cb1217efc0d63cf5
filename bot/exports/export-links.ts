// Exports as files behind a short-lived signed link (issue 12, item 7): `export` answers with
// GET /exports/<token> instead of CSV text in a message, where a value could break the
// message's markdown and chat clients keep the text forever. The token names one tenant and
// one kind of export and expires after 15 minutes; it is signed (HMAC-SHA-256 with the code-hash
// secret, domain-separated), so nothing is stored and every instance can serve it. The file is
// built when the link is opened, from the tenant's data as it is then.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../../services/shared/clock.ts';

/** `sip:<import id>`: the results of one SIP Gateway sign-in list (bot/exports/sip-export.ts). */
export type SipExportKind = `sip:${string}`;
export type ExportKind = 'devices' | 'codes' | SipExportKind;

function isExportKind(value: unknown): value is ExportKind {
  return value === 'devices' || value === 'codes' || (typeof value === 'string' && /^sip:[A-Za-z0-9_-]{1,64}$/.test(value));
}

export const exportLinkTtlMs = 15 * 60_000;

export interface ExportLink {
  url: string;
  expiresAt: Date;
}

export type ExportLinkCheck = { ok: true; tenantId: string; kind: ExportKind } | { ok: false; reason: 'invalid' | 'expired' };

export interface ExportLinks {
  linkFor(tenantId: string, kind: ExportKind): ExportLink;
  check(token: string): ExportLinkCheck;
}

interface Payload {
  /** tenant */
  t: string;
  /** kind */
  k: ExportKind;
  /** expiry, ms since the epoch */
  e: number;
  /** nonce: two links made in the same millisecond differ */
  n: string;
}

export function createExportLinks(options: { secret: string; publicBaseUrl: string; clock: Clock; ttlMs?: number }): ExportLinks {
  const ttlMs = options.ttlMs ?? exportLinkTtlMs;
  const sign = (payload: string) => createHmac('sha256', options.secret).update(`export-link\n${payload}`, 'utf8').digest('base64url');
  return {
    linkFor(tenantId, kind) {
      const expiresAt = new Date(options.clock.now().getTime() + ttlMs);
      const payload = Buffer.from(JSON.stringify({ t: tenantId, k: kind, e: expiresAt.getTime(), n: randomBytes(6).toString('base64url') } satisfies Payload)).toString('base64url');
      return { url: `${options.publicBaseUrl}/exports/${payload}.${sign(payload)}`, expiresAt };
    },
    check(token) {
      const match = /^([A-Za-z0-9_-]{1,2000})\.([A-Za-z0-9_-]{43})$/.exec(token);
      if (!match) return { ok: false, reason: 'invalid' };
      const [, payload = '', signature = ''] = match;
      const expected = Buffer.from(sign(payload));
      if (!timingSafeEqual(expected, Buffer.from(signature))) return { ok: false, reason: 'invalid' };
      let parsed: Partial<Payload>;
      try {
        parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Partial<Payload>;
      } catch {
        return { ok: false, reason: 'invalid' };
      }
      if (typeof parsed.t !== 'string' || !isExportKind(parsed.k) || typeof parsed.e !== 'number') return { ok: false, reason: 'invalid' };
      if (parsed.e <= options.clock.now().getTime()) return { ok: false, reason: 'expired' };
      return { ok: true, tenantId: parsed.t, kind: parsed.k };
    },
  };
}
