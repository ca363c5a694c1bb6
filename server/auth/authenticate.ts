/**
 * Who is calling, decided before anything else, the way Atlas does it: HTTP Digest with API keys or
 * Bearer tokens of service accounts, then the caller's IP access list and role. Pure apart from the nonce and token services it is given.
 */
import { ANY_SECRET, authenticateDigest, type NonceService } from './digest.js';
import { ipAllowed, mayChangeRestoreJobs, mayReadRestoreJobs, type Credential, type CredentialStore } from './credentials.js';
import { bearerToken, type TokenService } from './tokens.js';
import { rememberLast } from '../caches/remember-last.js';
import type { AuthMode } from '../options.js';

export interface AuthRequest {
  authorization: string | undefined;
  method: string;
  /** the request-target as sent, path and query: Digest's `uri` must equal it */
  url: string;
  ip: string;
  /** the project the request is about, when its path names a well-formed one */
  groupId: string | undefined;
}

export type AuthOutcome =
  | { ok: true; principal: string; credential: Credential | undefined }
  /** 401 with the recorded body; with a Digest challenge when Digest could succeed */
  | { ok: false; failure: 'unauthenticated'; stale: boolean }
  | { ok: false; failure: 'USER_UNAUTHORIZED' | 'IP_ADDRESS_NOT_ON_ACCESS_LIST'; principal: string };

export interface Authenticator {
  readonly mode: AuthMode;
  /** whether a 401 should carry a Digest challenge: only when a Digest login can succeed */
  readonly offersDigest: boolean;
  authenticate(request: AuthRequest): AuthOutcome;
}

const unauthenticated = (stale = false): AuthOutcome => ({ ok: false, failure: 'unauthenticated', stale });

/**
 * `${kind}:${id}`, as the same string while the id repeats: the rate counter and the journal key on it,
 * and a string they have seen keeps its hash, where a new one is hashed again on every request.
 */
const principalNamer = (kind: string): ((id: string) => string) => rememberLast((id) => `${kind}:${id}`);

export function createAuthenticator(mode: AuthMode, credentials: CredentialStore, nonces: NonceService, tokens: TokenService): Authenticator {
  const offersDigest = mode === 'any' || (mode === 'strict' && credentials.apiKeyCount > 0);
  const apiKeyPrincipal = principalNamer('apiKey');
  const serviceAccountPrincipal = principalNamer('serviceAccount');

  /** Access list first, then role: an IP outside the list learns nothing about the key's roles. */
  const authorize = (credential: Credential, principal: string, request: AuthRequest): AuthOutcome => {
    if (!ipAllowed(credential, request.ip)) return { ok: false, failure: 'IP_ADDRESS_NOT_ON_ACCESS_LIST', principal };
    // Reads need a reading role; a create or cancel may also come from a backup operator, whose role the
    // route checks again once it knows the kind of job.
    if (request.groupId !== undefined) {
      const allowed = request.method === 'GET' || request.method === 'HEAD' ? mayReadRestoreJobs(credential, request.groupId) : mayChangeRestoreJobs(credential, request.groupId, 'any');
      if (!allowed) return { ok: false, failure: 'USER_UNAUTHORIZED', principal };
    }
    return { ok: true, principal, credential };
  };

  // Chosen once: a closure per request would be garbage on the hot path.
  const lookupSecret = mode === 'any' ? ANY_SECRET : (publicKey: string) => credentials.apiKey(publicKey)?.secret;

  const viaDigest = (request: AuthRequest): AuthOutcome => {
    const result = authenticateDigest(request, lookupSecret, nonces);
    if (!result.ok) return unauthenticated(result.stale);
    const principal = apiKeyPrincipal(result.credentials.username);
    if (mode === 'any') return { ok: true, principal, credential: undefined };
    return authorize(credentials.apiKey(result.credentials.username) as Credential, principal, request);
  };

  const viaBearer = (token: string, request: AuthRequest): AuthOutcome => {
    const check = tokens.check(token);
    if (check.state === 'valid') {
      const principal = serviceAccountPrincipal(check.clientId);
      if (mode === 'any') return { ok: true, principal, credential: undefined };
      const credential = credentials.serviceAccount(check.clientId);
      // A token issued in `any` mode or for a since-removed account names no configured account.
      return credential ? authorize(credential, principal, request) : unauthenticated();
    }
    // In `any` mode a well-formed token from elsewhere is welcome; our own expired or revoked ones are not.
    if (mode === 'any' && check.state === 'foreign') return { ok: true, principal: 'serviceAccount:(foreign token)', credential: undefined };
    return unauthenticated();
  };

  return {
    mode,
    offersDigest,
    authenticate(request) {
      if (mode === 'off') return { ok: true, principal: 'anonymous', credential: undefined };
      const token = bearerToken(request.authorization);
      if (token !== undefined) return viaBearer(token, request);
      if (!offersDigest) return unauthenticated();
      return viaDigest(request);
    },
  };
}
