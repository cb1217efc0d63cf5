// Entra for the fleet tab's tests: an RSA key pair made here, its JWKS served on loopback (what
// TAB_SSO_JWKS_URL points at), and v2 tokens signed with it as Teams' getAuthToken returns them.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';

export const tabClientId = '6b2c1a3e-4d5f-4a6b-9c7d-8e9f0a1b2c3d';

export interface TokenClaims {
  tid: string;
  oid: string;
  name?: string;
  aud?: string;
  iss?: string;
  scp?: string | null;
  /** Seconds from now; negative: already expired. */
  expiresIn?: number;
}

export interface FakeEntra {
  jwksUrl: string;
  /** A v2 token for the tab, signed with the published key (claims overridable). */
  token(claims: TokenClaims, options?: { key?: CryptoKey; kid?: string }): Promise<string>;
  /** A key pair that is not in the JWKS: tokens it signs must be refused. */
  strangerKey(): Promise<CryptoKey>;
  /** An unsigned token (alg none) with otherwise valid claims. */
  unsignedToken(claims: TokenClaims): string;
  close(): Promise<void>;
}

function claimsOf(claims: TokenClaims, now: number): Record<string, unknown> {
  return {
    aud: claims.aud ?? tabClientId,
    iss: claims.iss ?? `https://login.microsoftonline.com/${claims.tid}/v2.0`,
    tid: claims.tid,
    oid: claims.oid,
    name: claims.name ?? 'Test User',
    ...(claims.scp === null ? {} : { scp: claims.scp ?? 'access_as_user' }),
    ver: '2.0',
    iat: now - 60,
    nbf: now - 60,
    exp: now + (claims.expiresIn ?? 3600),
  };
}

export async function startFakeEntra(): Promise<FakeEntra> {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid: 'test-key-1', use: 'sig', alg: 'RS256' };
  const server: Server = createServer((req, res) => {
    if (req.url === '/discovery/v2.0/keys') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: [jwk] }));
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    jwksUrl: `http://127.0.0.1:${port}/discovery/v2.0/keys`,
    async token(claims, options = {}) {
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT(claimsOf(claims, now)).setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: options.kid ?? 'test-key-1' }).sign(options.key ?? privateKey);
    },
    async strangerKey() {
      return (await generateKeyPair('RS256')).privateKey;
    },
    unsignedToken(claims) {
      const now = Math.floor(Date.now() / 1000);
      const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
      return `${part({ alg: 'none', typ: 'JWT' })}.${part(claimsOf(claims, now))}.`;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
