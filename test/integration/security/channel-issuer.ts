// Plays the Bot Framework's token issuer on loopback: an OpenID metadata document and its
// signing keys (JWKS), with RSA keys of the test's own (node:crypto), and JWTs signed with
// them the way the channel signs the requests it sends a bot. The bot is pointed at it
// through its real setting (BotOpenIdMetadata), so botbuilder's own token check runs.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';
import { noteSecret } from '../../helpers/leak-watch.ts';

/** The issuer of channel tokens in the public cloud (botbuilder checks `iss` against it). */
export const channelTokenIssuer = 'https://api.botframework.com';

export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  /** The public half as the JWKS publishes it. */
  jwk: Record<string, unknown>;
}

/** A new RSA signing key; `endorsements` lists the channels it may sign for (as Microsoft's keys do). */
export function newSigningKey(endorsements: string[] = ['msteams']): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = randomUUID();
  return { kid, privateKey, jwk: { ...publicKey.export({ format: 'jwk' }), kid, use: 'sig', alg: 'RS256', endorsements } };
}

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A JWT signed with `signWith` (RS256), its header naming `kid` (by default the signing key's own). */
export function signToken(claims: Record<string, unknown>, signWith: SigningKey, header: Record<string, unknown> = {}): string {
  const input = `${base64url({ alg: 'RS256', typ: 'JWT', kid: signWith.kid, ...header })}.${base64url(claims)}`;
  const token = `${input}.${sign('sha256', Buffer.from(input), signWith.privateKey).toString('base64url')}`;
  noteSecret('channel token (JWT)', token);
  return token;
}

/** An unsigned token ("alg": "none"), which must never be accepted. */
export function unsignedToken(claims: Record<string, unknown>, kid: string): string {
  const token = `${base64url({ alg: 'none', typ: 'JWT', kid })}.${base64url(claims)}.`;
  noteSecret('channel token (JWT)', token);
  return token;
}

/** The claims the channel puts in a token for a bot: its app id as audience, the serviceUrl, a validity window. */
export function channelClaims(appId: string, serviceUrl: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return { iss: channelTokenIssuer, aud: appId, serviceurl: serviceUrl, nbf: now - 60, exp: now + 3600, ...overrides };
}

/** ok: serves the metadata and keys; failing: answers 500; silent: accepts connections and never answers. */
export type IssuerMode = 'ok' | 'failing' | 'silent';

export class ChannelIssuer {
  mode: IssuerMode = 'ok';
  /** Requests for the metadata document or the keys, to tell that the bot asked. */
  requests = 0;

  private constructor(
    private readonly server: Server,
    readonly baseUrl: string,
    private readonly keys: SigningKey[],
  ) {}

  /** Where the bot reads the metadata (BotOpenIdMetadata). */
  get metadataUrl(): string {
    return `${this.baseUrl}/v1/.well-known/openidconfiguration`;
  }

  static async start(keys: SigningKey[]): Promise<ChannelIssuer> {
    let issuer: ChannelIssuer | undefined;
    const server = createServer((req, res) => issuer?.answer(req.url ?? '/', res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    issuer = new ChannelIssuer(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`, keys);
    return issuer;
  }

  private answer(url: string, res: import('node:http').ServerResponse): void {
    this.requests++;
    if (this.mode === 'silent') return;
    const json = (status: number, body: unknown) => {
      res.statusCode = status;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(body));
    };
    if (this.mode === 'failing') return json(500, { error: 'injected failure' });
    if (url === '/v1/.well-known/openidconfiguration') {
      return json(200, {
        issuer: channelTokenIssuer,
        authorization_endpoint: `${this.baseUrl}/v1/authorize`,
        jwks_uri: `${this.baseUrl}/v1/.well-known/keys`,
        id_token_signing_alg_values_supported: ['RS256'],
        token_endpoint_auth_methods_supported: ['private_key_jwt'],
      });
    }
    if (url === '/v1/.well-known/keys') return json(200, { keys: this.keys.map((key) => key.jwk) });
    json(404, { error: 'not found' });
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
