// The address a device request came from: what the source limits count and every request's
// log line shows. Behind a reverse proxy the socket's address is the proxy's; with TRUST_PROXY
// the rightmost X-Forwarded-For entry counts (the one our proxy appended: entries to its left
// were written by the client and prove nothing). Without TRUST_PROXY the header is ignored,
// or anyone could claim a new address with every guess.
import { isIP } from 'node:net';
import type { Request } from 'restify';

function normalized(address: string): string {
  const trimmed = address.trim();
  // An IPv4 client on a dual-stack socket shows as ::ffff:a.b.c.d.
  return trimmed.startsWith('::ffff:') && isIP(trimmed.slice(7)) === 4 ? trimmed.slice(7) : trimmed;
}

export function clientAddressOf(req: Request, trustProxy: boolean): string {
  const direct = normalized(req.socket?.remoteAddress ?? '') || 'unknown';
  if (!trustProxy) return direct;
  const header = req.headers['x-forwarded-for'];
  const value = Array.isArray(header) ? header.join(',') : header;
  const last = value?.split(',').map(normalized).filter((entry) => entry !== '').at(-1);
  return last && isIP(last) ? last : direct;
}
