/**
 * HTTP Digest authentication (RFC 7616) as Atlas does it for API keys.
 *
 * Pure module: no I/O, no server types. It accepts what Atlas accepts (MD5 and SHA-256, `qop=auth`,
 * the query string part of `uri`) and challenges in the exact shape Atlas sends. RFC sections below
 * are RFC 7616's unless stated otherwise.
 *
 * @module
 */
import { createHmac, hash as oneShotHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { rememberLastOf3 } from '../caches/remember-last.js';

/** The realm real Atlas announces; part of HA1, so clients hash with it. */
export const DIGEST_REALM = 'MMS Public API';

/** Hash algorithms the mock verifies, as Atlas does: MD5 and SHA-256 (`-sess` variants are not offered). */
export type DigestAlgorithm = 'MD5' | 'SHA-256';

/** The parsed, validated parameters of an `Authorization: Digest ...` header. */
export interface DigestCredentials {
  readonly username: string;
  readonly realm: string;
  readonly nonce: string;
  /** The request-target as the client hashed it, query string included. */
  readonly uri: string;
  /** Hex digest as sent by the client (case preserved). */
  readonly response: string;
  /** Normalised; `MD5` when the client omitted it (RFC 7616 section 3.4). */
  readonly algorithm: DigestAlgorithm;
  /** Present iff the client used `qop=auth`; then `nc` and `cnonce` are present too. */
  readonly qop?: 'auth';
  /** Nonce count, exactly 8 hex digits, as sent (it is hashed verbatim). */
  readonly nc?: string;
  readonly cnonce?: string;
  readonly opaque?: string;
}

/** Input of {@link computeDigestResponse}. */
export interface DigestResponseInput {
  readonly algorithm: DigestAlgorithm;
  readonly username: string;
  readonly realm: string;
  readonly password: string;
  readonly method: string;
  readonly uri: string;
  readonly nonce: string;
  readonly nc?: string | undefined;
  readonly cnonce?: string | undefined;
  readonly qop?: 'auth' | undefined;
}

/**
 * The `WWW-Authenticate` value for a 401.
 *
 * Byte-for-byte the shape recorded from Atlas: the Go client
 * `mongodb-forks/digest` splits on `", "` and rejects any key outside
 * realm/domain/nonce/opaque/stale/algorithm/qop, so nothing may be added or reordered.
 */
export function buildChallenge(nonce: string, stale: boolean): string {
  return `Digest realm="${DIGEST_REALM}", domain="", nonce="${nonce}", algorithm=MD5, qop="auth", stale=${stale ? 'true' : 'false'}`;
}

/** Longest header we parse; real ones are < 1 KiB, so anything bigger is hostile or broken. */
const MAX_HEADER_LENGTH = 8 * 1024;

/** RFC 9110 section 5.6.2 tchar, as a table by char code: a regex per character was the parser's main cost. */
const TCHAR = new Uint8Array(128);
for (const ch of "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") TCHAR[ch.charCodeAt(0)] = 1;

function isTchar(code: number): boolean {
  return code < 128 && TCHAR[code] === 1;
}

const NC_PATTERN = /^[0-9A-Fa-f]{8}$/;
const HEX = /^[0-9A-Fa-f]+$/;
const DIGEST_SCHEME = 'digest';
/** What a quoted-string may hold only in the slow path: a quoted-pair, or a control character. */
const ESCAPE_OR_CONTROL = /[\\\x00-\x08\x0a-\x1f\x7f]/;

/** SP or HTAB. */
function isOws(code: number): boolean {
  return code === 0x20 || code === 0x09;
}

/** RFC 9110 section 5.6.4 qdtext / quoted-pair octets: HTAB, SP, VCHAR, obs-text (no other controls). */
function isQuotedTextChar(c: number): boolean {
  return c === 0x09 || (c >= 0x20 && c !== 0x7f);
}

/**
 * Index just after a leading `Digest` scheme (any case, after optional OWS) when OWS or the end of the
 * header follows it; -1 otherwise. Compared by char code: no substring, no regex.
 */
function afterDigestScheme(header: string): number {
  const n = header.length;
  let i = 0;
  while (i < n && isOws(header.charCodeAt(i))) i++;
  if (i + 6 > n) return -1;
  for (let k = 0; k < 6; k++) {
    // | 0x20 lower-cases ASCII letters; "digest" has letters only, so nothing else can match.
    if ((header.charCodeAt(i + k) | 0x20) !== DIGEST_SCHEME.charCodeAt(k)) return -1;
  }
  i += 6;
  return i === n || isOws(header.charCodeAt(i)) ? i : -1;
}

/**
 * The auth-params of a Digest header by lower-case name: the directives of RFC 7616 section 3.4 as fields
 * (a fixed shape, so reading them is cheap), any other name only checked for syntax and repeats.
 */
interface AuthParams {
  username: string | undefined;
  realm: string | undefined;
  nonce: string | undefined;
  uri: string | undefined;
  response: string | undefined;
  algorithm: string | undefined;
  cnonce: string | undefined;
  opaque: string | undefined;
  qop: string | undefined;
  nc: string | undefined;
  userhash: string | undefined;
  /** the other names seen, for RFC 9110's no-repeat rule */
  others: Set<string> | undefined;
}

/** Sets one parameter; false when its name was already given (RFC 9110 section 11.2: at most once). */
function setParam(p: AuthParams, name: string, value: string): boolean {
  switch (name) {
    case 'username':
      if (p.username !== undefined) return false;
      p.username = value;
      return true;
    case 'realm':
      if (p.realm !== undefined) return false;
      p.realm = value;
      return true;
    case 'nonce':
      if (p.nonce !== undefined) return false;
      p.nonce = value;
      return true;
    case 'uri':
      if (p.uri !== undefined) return false;
      p.uri = value;
      return true;
    case 'response':
      if (p.response !== undefined) return false;
      p.response = value;
      return true;
    case 'algorithm':
      if (p.algorithm !== undefined) return false;
      p.algorithm = value;
      return true;
    case 'cnonce':
      if (p.cnonce !== undefined) return false;
      p.cnonce = value;
      return true;
    case 'opaque':
      if (p.opaque !== undefined) return false;
      p.opaque = value;
      return true;
    case 'qop':
      if (p.qop !== undefined) return false;
      p.qop = value;
      return true;
    case 'nc':
      if (p.nc !== undefined) return false;
      p.nc = value;
      return true;
    case 'userhash':
      if (p.userhash !== undefined) return false;
      p.userhash = value;
      return true;
    default:
      p.others ??= new Set();
      if (p.others.has(name)) return false;
      p.others.add(name);
      return true;
  }
}

/**
 * Parses the auth-param list after the scheme (RFC 9110 section 11.2 with RFC 7616 section 3.4
 * directives): `name OWS "=" OWS (token / quoted-string)`, separated by `OWS "," OWS`.
 * Returns undefined on any syntax error or duplicate name.
 *
 * No Map, and one regex over the whole header rather than one per quoted value: it runs on every
 * Digest request, and the Map-and-regex version cost about twice as much.
 * test/digest.test.ts holds it to that version's results over generated headers.
 */
function parseAuthParams(input: string, start: number): AuthParams | undefined {
  const p: AuthParams = {
    username: undefined,
    realm: undefined,
    nonce: undefined,
    uri: undefined,
    response: undefined,
    algorithm: undefined,
    cnonce: undefined,
    opaque: undefined,
    qop: undefined,
    nc: undefined,
    userhash: undefined,
    others: undefined,
  };
  let i = start;
  const n = input.length;
  // Real headers hold no backslash and no control character at all; then every quoted-string ends at
  // the next quote, found with indexOf, cheaper than a walk by char code.
  const plainQuotes = !ESCAPE_OR_CONTROL.test(input);
  for (;;) {
    // RFC 9110 section 5.6.1: empty list elements must be tolerated.
    while (i < n && (isOws(input.charCodeAt(i)) || input.charCodeAt(i) === 0x2c)) i++;
    if (i >= n) return p;

    const nameStart = i;
    let upper = false;
    for (; i < n; i++) {
      const c = input.charCodeAt(i);
      if (!isTchar(c)) break;
      if (c >= 0x41 && c <= 0x5a) upper = true;
    }
    if (i === nameStart) return undefined;
    const name = upper ? input.slice(nameStart, i).toLowerCase() : input.slice(nameStart, i);

    while (i < n && isOws(input.charCodeAt(i))) i++;
    if (i >= n || input.charCodeAt(i) !== 0x3d /* = */) return undefined;
    i++;
    while (i < n && isOws(input.charCodeAt(i))) i++;

    let value: string;
    if (i < n && input.charCodeAt(i) === 0x22 /* " */ && plainQuotes) {
      const close = input.indexOf('"', i + 1);
      if (close === -1) return undefined; // unterminated
      value = input.slice(i + 1, close);
      i = close + 1;
    } else if (i < n && input.charCodeAt(i) === 0x22) {
      // Only a quoted-pair or a control character up to the closing quote needs the slow walk.
      let j = i + 1;
      let plain = true;
      for (; j < n; j++) {
        const c = input.charCodeAt(j);
        if (c === 0x22) break;
        if (c === 0x5c /* \ */ || (c < 0x20 && c !== 0x09) || c === 0x7f) {
          plain = false;
          break;
        }
      }
      if (plain) {
        if (j >= n) return undefined; // unterminated
        value = input.slice(i + 1, j);
        i = j + 1;
      } else {
        const quoted = readEscapedQuotedString(input, i + 1);
        if (quoted === undefined) return undefined;
        ({ value, end: i } = quoted);
      }
    } else {
      const valueStart = i;
      while (i < n && isTchar(input.charCodeAt(i))) i++;
      if (i === valueStart) return undefined;
      value = input.slice(valueStart, i);
    }

    if (!setParam(p, name, value)) return undefined;

    while (i < n && isOws(input.charCodeAt(i))) i++;
    if (i < n && input.charCodeAt(i) !== 0x2c /* , */) return undefined;
  }
}

/**
 * The content of a quoted-string holding a quoted-pair or a control character, whose opening quote is
 * just before `start`, and the index after its closing quote; undefined when it is unterminated or
 * holds a control character.
 */
function readEscapedQuotedString(input: string, start: number): { value: string; end: number } | undefined {
  let value = '';
  for (let i = start; i < input.length; i++) {
    const c = input.charCodeAt(i);
    if (c === 0x22 /* " */) return { value, end: i + 1 };
    if (c === 0x5c /* \ */) {
      if (i + 1 >= input.length || !isQuotedTextChar(input.charCodeAt(i + 1))) return undefined;
      value += input[i + 1];
      i++;
      continue;
    }
    if (!isQuotedTextChar(c)) return undefined;
    value += input[i];
  }
  return undefined;
}

function normaliseAlgorithm(value: string | undefined): DigestAlgorithm | undefined {
  if (value === undefined) return 'MD5'; // RFC 7616 section 3.4: absent means MD5.
  const upper = value.toUpperCase();
  if (upper === 'MD5') return 'MD5';
  if (upper === 'SHA-256') return 'SHA-256';
  return undefined;
}

/**
 * Parses an `Authorization` header value of scheme Digest.
 *
 * Lenient where real clients differ (curl sends `algorithm=MD5` unquoted, the Go client
 * sends it quoted; `qop`/`nc` unquoted; any order), strict about everything else. Never throws.
 *
 * @returns the credentials, or undefined when the header is not Digest, is malformed, repeats
 *   a parameter, lacks username/realm/nonce/uri/response, names an unsupported algorithm, uses a
 *   qop other than `auth`, or is inconsistent (qop without nc/cnonce, nc without qop).
 */
export function parseDigestAuthorization(header: string): DigestCredentials | undefined {
  if (typeof header !== 'string' || header.length > MAX_HEADER_LENGTH) return undefined;
  const i = afterDigestScheme(header);
  // The scheme is a whole token followed by at least one space (RFC 9110 section 11.4).
  if (i === -1 || i === header.length) return undefined;

  const p = parseAuthParams(header, i);
  if (p === undefined) return undefined;

  const { username, realm, nonce, uri, response } = p;
  // `username*` (RFC 7616 section 3.4.4 extended notation) is not supported: Atlas public keys are ASCII.
  if (username === undefined || realm === undefined || nonce === undefined || uri === undefined || response === undefined) {
    return undefined;
  }
  if (username === '' || nonce === '' || uri === '' || !HEX.test(response)) return undefined;

  const algorithm = normaliseAlgorithm(p.algorithm);
  if (algorithm === undefined) return undefined;

  // We never offer userhash (Atlas's challenge has no such key), so a hashed username cannot be resolved.
  if (p.userhash !== undefined && p.userhash.toLowerCase() !== 'false') return undefined;

  const { qop, nc, cnonce, opaque } = p;
  if (qop === undefined) {
    // RFC 7616 section 3.4: nc and cnonce only accompany a qop.
    if (nc !== undefined || cnonce !== undefined) return undefined;
  } else if (qop !== 'auth' || nc === undefined || !NC_PATTERN.test(nc) || cnonce === undefined || cnonce === '') {
    // qop is hashed verbatim, so it must be exactly the single value we offer.
    return undefined;
  }
  // Built field by field, not with spreads: spreading objects of varying shapes was the slowest step here.
  const credentials: { -readonly [K in keyof DigestCredentials]: DigestCredentials[K] } = { username, realm, nonce, uri, response, algorithm };
  if (opaque !== undefined) credentials.opaque = opaque;
  if (qop !== undefined) {
    credentials.qop = 'auth';
    credentials.nc = nc;
    credentials.cnonce = cnonce;
  }
  return credentials;
}

function hash(algorithm: DigestAlgorithm, data: string): string {
  // The one-shot form: no Hash object per call, and Digest verifies two or three hashes a request.
  return oneShotHash(algorithm === 'MD5' ? 'md5' : 'sha256', data, 'hex');
}

/**
 * HA1 = H(username:realm:password) is the same on every request of a credential, so it is remembered
 * (bounded). Unknown users are verified against a placeholder secret and are remembered the same way,
 * so a known and an unknown key still cost the same.
 */
const ha1Memo = new LRUCache<string, string>({ max: 1_000 });
/** The last HA1 handed out: a client signs request after request with one key, and comparing four
 * short strings is cheaper than building and hashing the LRU's key. */
let lastHa1 = { algorithm: '', username: '', realm: '', password: '', ha1: '' };

function ha1Of(algorithm: DigestAlgorithm, username: string, realm: string, password: string): string {
  const last = lastHa1;
  if (last.username === username && last.password === password && last.realm === realm && last.algorithm === algorithm && last.ha1 !== '') return last.ha1;
  const key = `${algorithm}\u0000${username}\u0000${realm}\u0000${password}`;
  let ha1 = ha1Memo.get(key);
  if (ha1 === undefined) {
    ha1 = hash(algorithm, `${username}:${realm}:${password}`);
    ha1Memo.set(key, ha1);
  }
  lastHa1 = { algorithm, username, realm, password, ha1 };
  return ha1;
}

/** The last HA2 = H(method:uri): a client polling one job signs the same method and URI each time. */
const ha2Of = rememberLastOf3((algorithm: DigestAlgorithm, method: string, uri: string) => hash(algorithm, `${method}:${uri}`));

/**
 * The expected `response` directive (RFC 7616 section 3.4.1): HA1 = H(username:realm:password),
 * HA2 = H(method:uri) (section 3.4.3, qop=auth), response = H(HA1:nonce:nc:cnonce:qop:HA2), or
 * H(HA1:nonce:HA2) without qop (RFC 2069 compatibility, RFC 2617 section 3.2.2.1).
 *
 * @throws TypeError when qop is `auth` but nc or cnonce is missing.
 */
export function computeDigestResponse(input: DigestResponseInput): string {
  const { algorithm } = input;
  const ha1 = ha1Of(algorithm, input.username, input.realm, input.password);
  const ha2 = ha2Of(algorithm, input.method, input.uri);
  if (input.qop === 'auth') {
    if (input.nc === undefined || input.cnonce === undefined) {
      throw new TypeError('qop=auth requires nc and cnonce');
    }
    return hash(algorithm, `${ha1}:${input.nonce}:${input.nc}:${input.cnonce}:${input.qop}:${ha2}`);
  }
  return hash(algorithm, `${ha1}:${input.nonce}:${ha2}`);
}

/** Options of {@link verifyDigestResponse}. */
export interface VerifyOptions {
  /** Realm the credentials must name; default {@link DIGEST_REALM}. */
  readonly realm?: string;
  /**
   * The request-target actually received (path + query). When given, `creds.uri` must equal
   * it (RFC 7616 section 3.4.6), otherwise a captured header could be replayed against another URL.
   */
  readonly requestUri?: string;
}

/**
 * Whether the client's `response` proves knowledge of `password` for this request.
 * Compares in constant time (RFC 7616 section 5.2 concerns apply to any secret-derived value).
 * Never throws. Nonce freshness and replay are {@link NonceService}'s job.
 */
export function verifyDigestResponse(
  creds: DigestCredentials,
  method: string,
  password: string,
  options: VerifyOptions = {},
): boolean {
  try {
    if (creds.realm !== (options.realm ?? DIGEST_REALM)) return false;
    if (options.requestUri !== undefined && creds.uri !== options.requestUri) return false;
    if (creds.qop === 'auth' && (creds.nc === undefined || creds.cnonce === undefined)) return false;
    const expected = Buffer.from(
      computeDigestResponse({
        algorithm: creds.algorithm,
        username: creds.username,
        realm: creds.realm,
        password,
        method,
        uri: creds.uri,
        nonce: creds.nonce,
        nc: creds.nc,
        cnonce: creds.cnonce,
        qop: creds.qop,
      }),
      'utf8',
    );
    // Hex is case-insensitive; our digests are lowercase.
    const actual = Buffer.from(creds.response.toLowerCase(), 'utf8');
    return actual.length === expected.length && timingSafeEqual(actual, expected);
  } catch {
    return false;
  }
}

/** Result of {@link NonceService.check}. */
export type NonceCheck = 'ok' | 'stale' | 'invalid' | 'replay';

/** Options of {@link NonceService}. */
export interface NonceServiceOptions {
  /** HMAC key; random per process when omitted (nonces then die with the process). */
  readonly secret?: Buffer;
  /** Nonce lifetime; older nonces are `stale` (Atlas's nonces are "only valid for a short amount of time"). */
  readonly ttlMs: number;
  /** Most nonces whose nonce-counts are remembered for replay detection. */
  readonly maxTracked: number;
  /** Clock in epoch milliseconds; injectable for tests. */
  readonly now?: () => number;
}

/** Raw nonce: 4-byte issue second + 4 random bytes + 16-byte truncated HMAC = 24 bytes = 32 base64 chars, the length of Atlas's. */
const NONCE_RAW_BYTES = 24;
const NONCE_PATTERN = /^[A-Za-z0-9+/]{32}$/;
const MAC_BYTES = 16;
/** Tolerated clock step backwards before a nonce counts as issued in the future. */
const FUTURE_SKEW_MS = 5_000;
/** Per-nonce cap on remembered nc values; beyond it the client is sent a fresh nonce. */
const NC_WINDOW = 64;

interface NonceUse {
  readonly issuedSec: number;
  /** The highest nonce-count accepted so far (numeric, so `0000000a` and `0000000A` are the same count). */
  highest: number;
  /** Bit i set: count `highest - i` was accepted, for i from 0 to 31; `older` holds i from 32 to 63. A fixed
   *  window, like IPsec's anti-replay (RFC 4303 section 3.4.3), keeps each nonce's memory constant: a Set of
   *  every count grew ~20 KiB per busy nonce (found by the soak). Two 32-bit numbers rather than a 64-bit
   *  BigInt, whose every shift and mask allocated a new BigInt on each request. */
  recent: number;
  older: number;
  /** Whether the nonce was already used once without qop. */
  bare: boolean;
}

/**
 * Issues and checks stateless, HMAC-authenticated nonces, with bounded replay tracking.
 *
 * Validity and age are carried by the nonce itself (RFC 7616 section 3.3 suggests time-stamp +
 * private-key hashing), so nothing is stored per issued nonce: every 401 can mint one without
 * growing memory. Only *used* nonces are remembered, in an LRU of `maxTracked` entries, each
 * with the nonce-counts seen (RFC 7616 section 3.4 nc, section 5.5 replay). Any unseen nc is accepted, in any
 * order, because curl and digest-fetch reuse a nonce with rising nc and parallel requests can
 * arrive out of order; the Go client uses a fresh nonce with nc=00000001 each time.
 *
 * To keep eviction from reopening a replay window, the issue time of the newest evicted nonce
 * is kept as a watermark: an untracked nonce issued at or before it is answered `stale` (its
 * history may have been forgotten), so the client simply retries with a new nonce.
 */
export class NonceService {
  readonly #secret: Buffer;
  readonly #ttlMs: number;
  readonly #now: () => number;
  readonly #uses: LRUCache<string, NonceUse>;
  #evictedWatermarkSec = -1;
  /** The last nonce whose MAC verified: authenticateDigest inspects a nonce, then checks it. */
  #lastVerified: { nonce: string; issuedSec: number } | undefined;

  constructor(options: NonceServiceOptions) {
    if (!(Number.isFinite(options.ttlMs) && options.ttlMs > 0)) throw new RangeError('ttlMs must be > 0');
    if (!(Number.isInteger(options.maxTracked) && options.maxTracked >= 1)) {
      throw new RangeError('maxTracked must be an integer >= 1');
    }
    if (options.secret !== undefined && options.secret.length === 0) throw new RangeError('secret must not be empty');
    this.#secret = options.secret ?? randomBytes(32);
    this.#ttlMs = options.ttlMs;
    this.#now = options.now ?? Date.now;
    this.#uses = new LRUCache<string, NonceUse>({
      max: options.maxTracked,
      dispose: (value, _key, reason) => {
        if (reason === 'evict' && value.issuedSec > this.#evictedWatermarkSec) {
          this.#evictedWatermarkSec = value.issuedSec;
        }
      },
    });
  }

  /** Number of nonces currently remembered for replay detection (never above `maxTracked`). */
  get trackedCount(): number {
    return this.#uses.size;
  }

  #mac(head: Buffer): Buffer {
    return createHmac('sha256', this.#secret).update(head).digest().subarray(0, MAC_BYTES);
  }

  /** A fresh nonce: 32 characters of `[A-Za-z0-9+/]`, as Atlas sends. */
  issue(): string {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(Math.floor(this.#now() / 1000) >>> 0, 0);
    randomBytes(4).copy(head, 4);
    return Buffer.concat([head, this.#mac(head)]).toString('base64');
  }

  /** The issue second a nonce carries, if it is well-formed and its MAC is ours; else undefined. */
  #verifiedIssueTime(nonce: string): number | undefined {
    // A nonce's first use is inspected and then checked: its HMAC is computed once, not twice.
    if (this.#lastVerified?.nonce === nonce) return this.#lastVerified.issuedSec;
    if (typeof nonce !== 'string' || !NONCE_PATTERN.test(nonce)) return undefined;
    const raw = Buffer.from(nonce, 'base64');
    if (raw.length !== NONCE_RAW_BYTES) return undefined;
    const head = raw.subarray(0, 8);
    if (!timingSafeEqual(raw.subarray(8), this.#mac(head))) return undefined;
    const issuedSec = head.readUInt32BE(0);
    this.#lastVerified = { nonce, issuedSec };
    return issuedSec;
  }

  /**
   * Authenticity and age of a nonce, without recording anything. Lets a caller decide
   * `stale=true` only after the response itself verified (RFC 7616 section 3.3 `stale`).
   */
  inspect(nonce: string): 'ok' | 'stale' | 'invalid' {
    return this.#inspect(nonce).state;
  }

  #inspect(nonce: string): { state: 'ok' | 'stale' | 'invalid'; issuedSec: number } {
    // A tracked nonce had its MAC verified when first used (only `ok` nonces are recorded), so only its
    // age is left to check: a client reusing one nonce, as curl does, skips an HMAC per request.
    const tracked = this.#uses.peek(nonce);
    const issuedSec = tracked !== undefined ? tracked.issuedSec : this.#verifiedIssueTime(nonce);
    if (issuedSec === undefined) return { state: 'invalid', issuedSec: 0 };
    const age = this.#now() - issuedSec * 1000;
    if (age > this.#ttlMs || age < -FUTURE_SKEW_MS) return { state: 'stale', issuedSec };
    return { state: 'ok', issuedSec };
  }

  /**
   * Checks a nonce and, when acceptable, records its use.
   *
   * @param nc the request's nonce-count (8 hex digits), or undefined for a request without qop,
   *   which is accepted once per nonce.
   * @returns `invalid` (not ours, tampered, or malformed nc), `stale` (expired, from the future,
   *   forgotten after eviction, or too many counts on one nonce: the client should get a fresh
   *   nonce), `replay` (this count was already accepted), or `ok` (now recorded).
   *   Only `ok` records anything. Never throws.
   */
  check(nonce: string, nc: string | undefined): NonceCheck {
    const { state, issuedSec } = this.#inspect(nonce);
    if (state !== 'ok') return state;
    if (nc !== undefined && (typeof nc !== 'string' || !NC_PATTERN.test(nc))) return 'invalid';

    let use = this.#uses.get(nonce);
    if (use === undefined) {
      if (issuedSec <= this.#evictedWatermarkSec) return 'stale';
      use = { issuedSec, highest: 0, recent: 0, older: 0, bare: nc === undefined };
      if (nc !== undefined) {
        use.highest = Number.parseInt(nc, 16);
        use.recent = 1;
      }
      this.#uses.set(nonce, use);
      return 'ok';
    }
    if (nc === undefined) {
      if (use.bare) return 'replay';
      use.bare = true;
      return 'ok';
    }
    const count = Number.parseInt(nc, 16);
    // Bit 0 stands for `highest` itself, so an empty window means no count was accepted yet.
    if (use.recent === 0 || count > use.highest) {
      slideWindow(use, use.recent === 0 ? NC_WINDOW : count - use.highest);
      use.highest = count;
      return 'ok';
    }
    const age = use.highest - count;
    // Too far behind to know: a fresh nonce settles it (clients retry on stale=true).
    if (age >= NC_WINDOW) return 'stale';
    if (age < 32) {
      const bit = 1 << age;
      if ((use.recent & bit) !== 0) return 'replay';
      use.recent |= bit;
    } else {
      const bit = 1 << (age - 32);
      if ((use.older & bit) !== 0) return 'replay';
      use.older |= bit;
    }
    return 'ok';
  }
}

/**
 * Moves a nonce's window of accepted counts up by `shift` (> 0) to a new highest count, which it marks
 * accepted. Bits shifted past the 64th fall out, as 32-bit shifts drop them.
 */
function slideWindow(use: NonceUse, shift: number): void {
  if (shift >= NC_WINDOW) {
    use.older = 0;
  } else if (shift >= 32) {
    use.older = use.recent << (shift - 32);
  } else {
    use.older = (use.older << shift) | (use.recent >>> (32 - shift));
  }
  use.recent = shift >= 32 ? 1 : (use.recent << shift) | 1;
}

/**
 * Passed as `lookupSecret` in the mock's `any` auth mode: every well-formed Digest answer to one of
 * our nonces is accepted whatever the key, so SDKs with made-up keys work (the auth issue's `any`).
 */
export const ANY_SECRET = Symbol('any secret');

/** Why {@link authenticateDigest} refused a request. */
export type DigestFailure =
  | 'missing'
  | 'malformed'
  | 'wrong-realm'
  | 'uri-mismatch'
  | 'invalid-nonce'
  | 'bad-response'
  | 'stale-nonce'
  | 'replay';

/** Outcome of {@link authenticateDigest}; on failure, answer 401 with `buildChallenge(nonces.issue(), stale)`. */
export type DigestAuthResult =
  | { readonly ok: true; readonly credentials: DigestCredentials }
  | { readonly ok: false; readonly stale: boolean; readonly reason: DigestFailure };

/**
 * The whole check in the order RFC 7616 implies, for the server to call with the raw request.
 *
 * The response is verified before the nonce is consumed, so forged requests cannot burn a
 * legitimate client's nonce-counts; `stale` is true only when the digest itself was right
 * (RFC 7616 section 3.3), so clients such as curl retry transparently instead of failing.
 *
 * @param request `authorization` header (undefined when absent), HTTP method, and the raw
 *   request-target (path + query, e.g. Fastify's `request.url`).
 * @param lookupSecret private key for a public key (the Digest username), undefined if unknown;
 *   or ANY_SECRET to accept any key.
 */
export function authenticateDigest(
  request: { readonly authorization: string | undefined; readonly method: string; readonly url: string },
  lookupSecret: ((username: string) => string | undefined) | typeof ANY_SECRET,
  nonces: NonceService,
  realm: string = DIGEST_REALM,
): DigestAuthResult {
  const header = request.authorization;
  if (header === undefined || afterDigestScheme(header) === -1) {
    return { ok: false, stale: false, reason: 'missing' };
  }
  const credentials = parseDigestAuthorization(header);
  if (credentials === undefined) return { ok: false, stale: false, reason: 'malformed' };
  if (credentials.realm !== realm) return { ok: false, stale: false, reason: 'wrong-realm' };
  if (credentials.uri !== request.url) return { ok: false, stale: false, reason: 'uri-mismatch' };

  const nonceState = nonces.inspect(credentials.nonce);
  if (lookupSecret !== ANY_SECRET) {
    const secret = lookupSecret(credentials.username);
    // Unknown users still pay for a hash, so timing does not reveal which public keys exist.
    const verified = verifyDigestResponse(credentials, request.method, secret ?? '\u0000unknown', { realm });
    if (!verified || secret === undefined) return { ok: false, stale: false, reason: 'bad-response' };
  }
  // A right digest over a nonce this process did not issue (the mock restarted, or any-mode clients
  // that cached one) only needs a fresh nonce: stale=true makes clients retry without asking.
  if (nonceState === 'invalid') return { ok: false, stale: true, reason: 'invalid-nonce' };
  if (nonceState === 'stale') return { ok: false, stale: true, reason: 'stale-nonce' };

  switch (nonces.check(credentials.nonce, credentials.nc)) {
    case 'ok':
      return { ok: true, credentials };
    case 'replay':
      // The digest is right but its count is spent (e.g. a transport retry): a fresh nonce fixes it.
      return { ok: false, stale: true, reason: 'replay' };
    case 'stale':
      return { ok: false, stale: true, reason: 'stale-nonce' };
    case 'invalid':
      return { ok: false, stale: false, reason: 'invalid-nonce' };
  }
}
