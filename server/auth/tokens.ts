/**
 * Service-account access tokens, as Atlas's OAuth client-credentials flow issues them. Atlas hands out JWTs valid
 * for an hour; the mock signs its own (HS256 with a per-process secret), so checking one needs no
 * memory, and only revocations are remembered, in an LRU bounded by count and by the token's expiry.
 */
import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { rememberLast } from '../caches/remember-last.js';

export interface TokenGrant {
  access_token: string;
  expires_in: number;
  token_type: 'Bearer';
}

export type TokenCheck =
  | { state: 'valid'; clientId: string }
  | { state: 'expired' | 'revoked' | 'foreign' | 'malformed' };

export interface TokenServiceOptions {
  ttlSeconds: number;
  secret?: Buffer;
  now?: () => number;
  maxRevoked?: number;
  /** how many verified tokens are remembered, so their signature is checked once */
  maxVerified?: number;
}

const HEADER = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');
const ISSUER = 'atlas-restore-mock';
const MAX_TOKEN_LENGTH = 4096;

interface Claims {
  iss: string;
  sub: string;
  iat: number;
  exp: number;
  jti: string;
}

export class TokenService {
  readonly ttlSeconds: number;
  readonly #secret: Buffer;
  readonly #now: () => number;
  readonly #revoked: LRUCache<string, true>;
  /**
   * Tokens whose signature already verified → their claims. A client sends the same token for an
   * hour, and an HMAC plus a base64 and JSON decode cost ~11 µs of every Bearer request.
   * Only ever holds our own well-formed tokens; revocation and expiry are still checked every time.
   */
  readonly #verified: LRUCache<string, Claims>;
  /**
   * The last token whose claims were handed out, and those claims: a client sends one token request
   * after request, and comparing it with the last one is cheaper than hashing its ~250 characters for
   * the LRU. Revocation and expiry are still checked on every request.
   */
  #last: { token: string; claims: Claims } | undefined;

  constructor(options: TokenServiceOptions) {
    this.ttlSeconds = options.ttlSeconds;
    this.#secret = options.secret ?? randomBytes(32);
    this.#now = options.now ?? Date.now;
    this.#revoked = new LRUCache({ max: options.maxRevoked ?? 10_000, ttlAutopurge: false });
    this.#verified = new LRUCache({ max: options.maxVerified ?? 1_000 });
  }

  #sign(data: string): Buffer {
    return createHmac('sha256', this.#secret).update(data).digest();
  }

  issue(clientId: string): TokenGrant {
    const iat = Math.floor(this.#now() / 1000);
    const claims: Claims = { iss: ISSUER, sub: clientId, iat, exp: iat + this.ttlSeconds, jti: randomUUID() };
    const body = `${HEADER}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
    return { access_token: `${body}.${this.#sign(body).toString('base64url')}`, expires_in: this.ttlSeconds, token_type: 'Bearer' };
  }

  #claims(token: string): Claims | 'foreign' | 'malformed' {
    if (this.#last !== undefined && this.#last.token === token) return this.#last.claims;
    let claims = this.#verified.get(token);
    if (claims === undefined) {
      const verified = this.#verify(token);
      if (typeof verified === 'string') return verified;
      claims = verified;
      this.#verified.set(token, claims);
    }
    this.#last = { token, claims };
    return claims;
  }

  #verify(token: string): Claims | 'foreign' | 'malformed' {
    if (token.length > MAX_TOKEN_LENGTH) return 'malformed';
    const parts = token.split('.');
    if (parts.length !== 3) return 'foreign';
    const [header, payload, signature] = parts as [string, string, string];
    const expected = this.#sign(`${header}.${payload}`);
    const given = Buffer.from(signature, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'foreign';
    try {
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Claims;
      return claims.iss === ISSUER && typeof claims.sub === 'string' && Number.isInteger(claims.exp) ? claims : 'malformed';
    } catch {
      return 'malformed';
    }
  }

  check(token: string): TokenCheck {
    const claims = this.#claims(token);
    if (typeof claims === 'string') return { state: claims };
    if (this.#revoked.has(claims.jti)) return { state: 'revoked' };
    if (Math.floor(this.#now() / 1000) >= claims.exp) return { state: 'expired' };
    return { state: 'valid', clientId: claims.sub };
  }

  /** RFC 7009: revoking an unknown or foreign token is not an error; only ours are remembered. */
  revoke(token: string): void {
    const claims = this.#claims(token);
    if (typeof claims === 'string') return;
    const remaining = claims.exp * 1000 - this.#now();
    if (remaining > 0) this.#revoked.set(claims.jti, true, { ttl: remaining });
  }
}

/** The token of a Bearer header, remembered for the last header: clients repeat it on every request. */
const tokenOfHeader = rememberLast((header) => /^[ \t]*bearer[ \t]+([A-Za-z0-9\-._~+/]+=*)[ \t]*$/i.exec(header)?.[1]);

/** The token of an `Authorization: Bearer <token68>` header, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  return header === undefined ? undefined : tokenOfHeader(header);
}

export interface BasicCredentials {
  /** URL-decoded, as section 2.3.1 of RFC 6749 asks (the Go SDK escapes with url.QueryEscape) */
  id: string;
  secret: string;
  /** as sent: some clients (MongoDB's MCP server) send raw values on purpose */
  rawId: string;
  rawSecret: string;
}

/** Client id and secret of `Authorization: Basic …`. */
export function basicCredentials(header: string | undefined): BasicCredentials | undefined {
  const match = /^[ \t]*basic[ \t]+([A-Za-z0-9+/]+=*)[ \t]*$/i.exec(header ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1] as string, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return undefined;
  const unescape = (value: string) => {
    try {
      return decodeURIComponent(value.replace(/\+/g, ' '));
    } catch {
      return value;
    }
  };
  const rawId = decoded.slice(0, colon);
  const rawSecret = decoded.slice(colon + 1);
  return { id: unescape(rawId), secret: unescape(rawSecret), rawId, rawSecret };
}
