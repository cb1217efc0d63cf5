// The network address a device request came from, as the bot records it (the provisioning
// card shows it to admins). One small function so that proxy handling (TRUST_PROXY and
// X-Forwarded-For) can replace it in one place: today it is the TCP peer.
import type { Request } from 'restify';

/** The peer's address, IPv4-mapped IPv6 ("::ffff:10.0.0.5") written as plain IPv4; null when the socket is gone. */
export function clientAddressOf(req: Request): string | null {
  const address = req.socket?.remoteAddress;
  if (!address) return null;
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice('::ffff:'.length) : address;
}
