/**
 * The Digest header parser as it was before it was rewritten to walk char codes (server/auth/digest.ts,
 * commit 685ac38): a Map of parameters, a regex per quoted value. Kept only as the reference the
 * rewrite is compared with over generated headers (test/digest.test.ts); the server never loads it.
 */
import type { DigestAlgorithm, DigestCredentials } from '../server/auth/digest.js';

/** Longest header we parse; real ones are < 1 KiB, so anything bigger is hostile or broken. */
const MAX_HEADER_LENGTH = 8 * 1024;

/** RFC 9110 section 5.6.2 tchar, as a table by char code: a regex per character was the parser's main cost. */
const TCHAR = new Uint8Array(128);
for (const ch of "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") TCHAR[ch.charCodeAt(0)] = 1;

function isTchar(code: number): boolean {
  return code < 128 && TCHAR[code] === 1;
}

const NC_PATTERN = /^[0-9A-Fa-f]{8}$/;

function isOws(ch: string | undefined): boolean {
  return ch === ' ' || ch === '\t';
}

/** RFC 9110 section 5.6.4 qdtext / quoted-pair octets: HTAB, SP, VCHAR, obs-text (no other controls). */
function isQuotedTextChar(c: number): boolean {
  return c === 0x09 || (c >= 0x20 && c !== 0x7f);
}

/**
 * Parses the auth-param list after the scheme (RFC 9110 section 11.2 with RFC 7616 section 3.4
 * directives): `name OWS "=" OWS (token / quoted-string)`, separated by `OWS "," OWS`.
 * Returns undefined on any syntax error or duplicate name.
 */
function parseAuthParams(input: string, start: number): Map<string, string> | undefined {
  const params = new Map<string, string>();
  let i = start;
  const n = input.length;
  for (;;) {
    // RFC 9110 section 5.6.1: empty list elements must be tolerated.
    while (i < n && (isOws(input[i]) || input[i] === ',')) i++;
    if (i >= n) return params;

    const nameStart = i;
    while (i < n && isTchar(input.charCodeAt(i))) i++;
    if (i === nameStart) return undefined;
    const name = input.slice(nameStart, i).toLowerCase();

    while (isOws(input[i])) i++;
    if (input[i] !== '=') return undefined;
    i++;
    while (isOws(input[i])) i++;

    let value: string;
    if (input[i] === '"') {
      const quoted = readQuotedString(input, i + 1);
      if (quoted === undefined) return undefined;
      ({ value, end: i } = quoted);
    } else {
      const valueStart = i;
      while (i < n && isTchar(input.charCodeAt(i))) i++;
      if (i === valueStart) return undefined;
      value = input.slice(valueStart, i);
    }

    // RFC 9110 section 11.2: a parameter name must not occur more than once.
    if (params.has(name)) return undefined;
    params.set(name, value);

    while (isOws(input[i])) i++;
    if (i < n && input[i] !== ',') return undefined;
  }
}

/** What a quoted-string's content may hold only in the slow path: a quoted-pair, or a control character. */
const ESCAPE_OR_CONTROL = /[\\\x00-\x08\x0a-\x1f\x7f]/;

/**
 * The content of a quoted-string whose opening quote is just before `start`, and the index after its
 * closing quote; undefined when it is unterminated or holds a control character. Real headers have no
 * escapes, so the closing quote is found with indexOf and the content checked by one regex scan; only
 * content with a backslash (or a control character) is walked character by character.
 */
function readQuotedString(input: string, start: number): { value: string; end: number } | undefined {
  const close = input.indexOf('"', start);
  if (close === -1) return undefined;
  const plain = input.slice(start, close);
  if (!ESCAPE_OR_CONTROL.test(plain)) return { value: plain, end: close + 1 };
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
export function referenceParseDigestAuthorization(header: string): DigestCredentials | undefined {
  if (typeof header !== 'string' || header.length > MAX_HEADER_LENGTH) return undefined;
  let i = 0;
  while (isOws(header[i])) i++;
  if (header.slice(i, i + 6).toLowerCase() !== 'digest') return undefined;
  i += 6;
  // The scheme is a whole token followed by at least one space (RFC 9110 section 11.4).
  if (!isOws(header[i])) return undefined;

  const p = parseAuthParams(header, i);
  if (p === undefined) return undefined;

  const username = p.get('username');
  const realm = p.get('realm');
  const nonce = p.get('nonce');
  const uri = p.get('uri');
  const response = p.get('response');
  // `username*` (RFC 7616 section 3.4.4 extended notation) is not supported: Atlas public keys are ASCII.
  if (username === undefined || realm === undefined || nonce === undefined || uri === undefined || response === undefined) {
    return undefined;
  }
  if (username === '' || nonce === '' || uri === '' || !/^[0-9A-Fa-f]+$/.test(response)) return undefined;

  const algorithm = normaliseAlgorithm(p.get('algorithm'));
  if (algorithm === undefined) return undefined;

  // We never offer userhash (Atlas's challenge has no extra keys, and neither has ours), so a hashed username cannot be resolved.
  const userhash = p.get('userhash');
  if (userhash !== undefined && userhash.toLowerCase() !== 'false') return undefined;

  const qop = p.get('qop');
  const nc = p.get('nc');
  const cnonce = p.get('cnonce');
  const opaque = p.get('opaque');

  if (qop === undefined) {
    // RFC 7616 section 3.4: nc and cnonce only accompany a qop.
    if (nc !== undefined || cnonce !== undefined) return undefined;
  } else if (qop !== 'auth' || nc === undefined || !NC_PATTERN.test(nc) || cnonce === undefined || cnonce === '') {
    // qop is hashed verbatim, so it must be exactly the single value we offer.
    return undefined;
  }
  // Built field by field, not with spreads: object spreads of varying shapes cost ~3 µs here.
  const credentials: { -readonly [K in keyof DigestCredentials]: DigestCredentials[K] } = { username, realm, nonce, uri, response, algorithm };
  if (opaque !== undefined) credentials.opaque = opaque;
  if (qop !== undefined) {
    credentials.qop = 'auth';
    credentials.nc = nc;
    credentials.cnonce = cnonce;
  }
  return credentials;
}

