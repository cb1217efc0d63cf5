// The fleet tab's single sign-on: the tab asks Teams for a token (authentication.getAuthToken)
// and sends it as `Authorization: Bearer …`. Here it is checked with jose against Entra's
// published keys: RS256 only, our client id as audience (the GUID, never api://…, which is
// what a v1 token or a token for another resource carries), the v2 issuer of the token's own
// tenant, the access_as_user scope, not expired. Anything else is refused without saying
// which check failed to the caller (the log says it).
//
// jose is loaded on the first token, not with the server: most requests are chat and device
// calls, and loading it cost about 20 ms of every start-up.
import type { createRemoteJWKSet, JWTPayload } from 'jose';

export const tabScope = 'access_as_user';

export interface TabIdentity {
  /** Entra tenant id (`tid`), as Teams sends it in chat. */
  tenantId: string;
  /** Entra object id (`oid`), lower case: Teams' aadObjectId, the same user as in chat. */
  userId: string;
  displayName: string | null;
}

export class TabTokenRejected extends Error {
  override name = 'TabTokenRejected';
}

/** Entra's keys could not be read (network, timeout, not a key set): nobody can be checked now. */
export class TabKeysUnavailable extends Error {
  override name = 'TabKeysUnavailable';
}

/** Failures of reading the key set rather than of the token. */
function keysUnavailable(errors: typeof import('jose').errors, error: unknown): boolean {
  if (!(error instanceof errors.JOSEError)) return true;
  return error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid || error.code === 'ERR_JOSE_GENERIC';
}

export interface TabSsoSettings {
  clientId: string;
  jwksUrl: string;
}

const guid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Entra's v2 issuer for a tenant. */
export const issuerOf = (tenantId: string) => `https://login.microsoftonline.com/${tenantId}/v2.0`;

export function createTabTokenVerifier(settings: TabSsoSettings) {
  let keys: ReturnType<typeof createRemoteJWKSet> | undefined;

  return async function verifyTabToken(token: string): Promise<TabIdentity> {
    const { createRemoteJWKSet, decodeJwt, errors, jwtVerify } = await import('jose');
    keys ??= createRemoteJWKSet(new URL(settings.jwksUrl), { timeoutDuration: 5_000, cooldownDuration: 30_000 });
    // The issuer names the tenant, so read `tid` first (unverified) only to know which issuer
    // to require; the signature check below covers it.
    let claimed: JWTPayload;
    try {
      claimed = decodeJwt(token);
    } catch {
      throw new TabTokenRejected('not a JWT');
    }
    const tid = typeof claimed.tid === 'string' && guid.test(claimed.tid) ? claimed.tid : null;
    if (!tid) throw new TabTokenRejected('no tenant id (tid) in the token');
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keys, { algorithms: ['RS256'], audience: settings.clientId, issuer: issuerOf(tid), requiredClaims: ['exp', 'oid', 'tid'] }));
    } catch (error) {
      if (keysUnavailable(errors, error)) throw new TabKeysUnavailable(error instanceof Error ? `${error.name}: ${error.message}` : 'key set unavailable');
      throw new TabTokenRejected(error instanceof Error ? `${error.name}: ${error.message}` : 'verification failed');
    }
    const scopes = typeof payload.scp === 'string' ? payload.scp.split(' ') : [];
    if (!scopes.includes(tabScope)) throw new TabTokenRejected(`the token lacks the ${tabScope} scope`);
    const oid = typeof payload.oid === 'string' && guid.test(payload.oid) ? payload.oid : null;
    if (!oid) throw new TabTokenRejected('no user object id (oid) in the token');
    const name = typeof payload.name === 'string' && payload.name.trim() !== '' ? payload.name.trim() : null;
    return { tenantId: tid, userId: oid.toLowerCase(), displayName: name };
  };
}

export type TabTokenVerifier = ReturnType<typeof createTabTokenVerifier>;
