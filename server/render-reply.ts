/**
 * The only place that writes Atlas replies: status, headers and body bytes for jobs and errors, with
 * `envelope` (D9) and `pretty` (D8) applied. Bodies are compact JSON with Atlas's key order (D6, D7).
 */
import type { FastifyReply } from 'fastify';
import { LRUCache } from 'lru-cache';
import { SUCCESS_CONTENT_TYPE } from './api-version.js';
import { atlasError, type AtlasErrorDefinition, type ErrorContext } from './atlas-errors.js';
import { sendSlowly } from './faults.js';
import { jacksonPretty } from './jackson-pretty.js';
import type { JobBody } from './job-catalog.js';
import type { ReplyFormat } from './reply-format.js';
import { joinHeadLines, writeTrustedHead, type Head } from './trusted-head.js';

/**
 * Heads as Node's header store holds them (trusted-head.ts): name → [name as written, value]. The ones
 * every reply of a kind shares are written out below as object literals, which V8 makes from a template
 * in one step; a head built in a loop, or copied from a template object, cost ~2,000 instructions more
 * a reply (callgrind, issue 6).
 */
const entry = (name: string, value: string) => Object.freeze([name, value] as const);
// Sent by Atlas on API replies (ATLAS-BEHAVIOUR.md §2), but not on the Digest challenge (§6.1).
const REFERRER_POLICY = entry('referrer-policy', 'strict-origin-when-cross-origin');
const STRICT_TRANSPORT_SECURITY = entry('strict-transport-security', 'max-age=31536000; includeSubdomains;');
const CONTENT_TYPE_OPTIONS = entry('x-content-type-options', 'nosniff');
const FRAME_OPTIONS = entry('x-frame-options', 'DENY');
const CROSS_DOMAIN_POLICIES = entry('x-permitted-cross-domain-policies', 'none');
const JOB_CONTENT_TYPE = entry('content-type', SUCCESS_CONTENT_TYPE);
const JSON_CONTENT_TYPE = entry('content-type', 'application/json');

/** A job reply's head, up to its rate-limit headers. */
function jobHead(): Head {
  return {
    'referrer-policy': REFERRER_POLICY,
    'strict-transport-security': STRICT_TRANSPORT_SECURITY,
    'x-content-type-options': CONTENT_TYPE_OPTIONS,
    'x-frame-options': FRAME_OPTIONS,
    'x-permitted-cross-domain-policies': CROSS_DOMAIN_POLICIES,
    'content-type': JOB_CONTENT_TYPE,
  };
}
const JOB_LINES = joinHeadLines(Object.values(jobHead()));

/** An error reply's head, up to its rate-limit headers; `errorCode` is its x-error-code entry. */
function errorHead(errorCode: readonly [string, string]): Head {
  return {
    'content-type': JSON_CONTENT_TYPE,
    'referrer-policy': REFERRER_POLICY,
    'strict-transport-security': STRICT_TRANSPORT_SECURITY,
    'x-content-type-options': CONTENT_TYPE_OPTIONS,
    'x-frame-options': FRAME_OPTIONS,
    'x-permitted-cross-domain-policies': CROSS_DOMAIN_POLICIES,
    'x-error-code': errorCode,
  };
}
// All but x-error-code, the last, which differs from error to error.
const ERROR_LINES = joinHeadLines(Object.values(errorHead(['x-error-code', ''])).slice(0, -1));

/**
 * A reply's head twice: each header by itself (what Node keeps and reports), and what Node writes,
 * with the constant headers of its kind joined into one entry (trusted-head.ts, joinHeadLines).
 */
interface Heads {
  head: Head;
  wire: Head;
}

/** The recorded 142-byte body of Atlas's 401, in Jackson's layout and Atlas's own key order (§6.1). */
export const UNAUTHORIZED_BODY = jacksonPretty({
  error: 401,
  reason: 'Unauthorized',
  detail: 'You are not authorized for this resource.',
  errorCode: 'UNEXPECTED_ERROR',
});

export interface RateLimitState {
  limit: number;
  remaining: number;
  /** seconds until the window resets, for Retry-After */
  resetSeconds: number;
  /** this request is past the limit */
  exceeded: boolean;
}

/**
 * Writes the reply straight to Node's response, taking it from Fastify with reply.hijack(), instead of
 * reply.send: the same bytes (header names are lower case either way, Content-Length is set here), and
 * ~12,000 fewer instructions per reply (callgrind, issue 6), as reply.send lower-cases every header
 * name, grows a headers object one property at a time and walks it again for writeHead. Fastify's
 * onResponse hooks (the journal) still run when the response finishes; it has no onSend hook to skip.
 * A HEAD request gets the headers only: Node drops the body of a reply to HEAD.
 *
 * @param head names and values in wire order, without Content-Length; the mock's own, never a
 *   request's, as Node does not check them again (trusted-head.ts)
 * @param bytes the body's length in UTF-8 bytes, when the caller knows it
 */
function writeReply(reply: FastifyReply, status: number, { head, wire }: Heads, body: string, bytes = Buffer.byteLength(body)): FastifyReply {
  const length = ['content-length', String(bytes)] as const;
  head['content-length'] = length;
  wire['content-length'] = length;
  reply.hijack();
  writeTrustedHead(reply.raw, status, head, wire);
  if (reply.request.slowBody) sendSlowly(reply.raw, Buffer.from(body));
  // A body that is ASCII alone (as many bytes as characters) is written as latin1, the same bytes:
  // V8 copies latin1 out as it stands, where UTF-8 goes through its encoder (~1,300 instructions of
  // a job reply in callgrind, issue 6).
  else reply.raw.end(body, bytes === body.length ? 'latin1' : 'utf8');
  return reply;
}

/** Adds the rate-limit headers, on the wire as one entry of two lines (joinHeadLines). */
function withRateLimit(heads: Heads, rate: RateLimitState | undefined): Heads {
  if (rate) {
    const limit = String(rate.limit);
    const remaining = String(rate.remaining);
    heads.head['ratelimit-limit'] = ['ratelimit-limit', limit];
    heads.head['ratelimit-remaining'] = ['ratelimit-remaining', remaining];
    heads.wire['ratelimit-limit'] = ['ratelimit-limit', `${limit}\r\nratelimit-remaining: ${remaining}`];
  }
  return heads;
}

/** What D9's envelope adds around a job's compact JSON (ASCII, so as many bytes as characters). */
const ENVELOPE_START = '{"content":';
const ENVELOPE_END = ',"status":200}';

/**
 * @param body the job's compact JSON and its length in bytes; envelope and pretty are derived from it
 *   per request (re-parsing for `pretty` keeps the key order, as no key is an array index).
 */
export function sendJob(reply: FastifyReply, body: JobBody, format: ReplyFormat, rate: RateLimitState | undefined): FastifyReply {
  const heads = withRateLimit({ head: jobHead(), wire: { lines: JOB_LINES } }, rate);
  if (format.pretty) {
    const parsed: unknown = JSON.parse(body.json);
    return writeReply(reply, 200, heads, jacksonPretty(format.envelope ? { content: parsed, status: 200 } : parsed));
  }
  if (format.envelope) return writeReply(reply, 200, heads, ENVELOPE_START + body.json + ENVELOPE_END, ENVELOPE_START.length + body.bytes + ENVELOPE_END.length);
  return writeReply(reply, 200, heads, body.json, body.bytes);
}

/**
 * @param challenge the WWW-Authenticate value of a 401 (D9: a challenge is never enveloped)
 */
export function sendAtlasError(
  reply: FastifyReply,
  definition: AtlasErrorDefinition,
  ctx: ErrorContext,
  format: ReplyFormat,
  rate?: RateLimitState,
  challenge?: string,
): FastifyReply {
  // D9: after authentication an envelope reports the real status in the body and 200 on the wire.
  const status = format.envelope ? 200 : definition.status;
  if (definition.name === 'UNAUTHORIZED' && !format.envelope) {
    // Atlas's 401 carries neither X-Error-Code nor the security headers (§6.1).
    const head: Head = challenge === undefined ? {} : { 'www-authenticate': ['www-authenticate', challenge] };
    head['content-type'] = JSON_CONTENT_TYPE;
    return writeReply(reply, status, { head, wire: head }, UNAUTHORIZED_BODY);
  }
  // One entry for both heads, as Content-Length and Retry-After are.
  const code = ['x-error-code', definition.errorCode] as const;
  const heads = withRateLimit({ head: errorHead(code), wire: { lines: ERROR_LINES, 'x-error-code': code } }, rate);
  if (definition.status === 429 || definition.status === 503) {
    const retryAfter = ['retry-after', String(Math.max(1, rate?.resetSeconds ?? 60))] as const;
    heads.head['retry-after'] = retryAfter;
    heads.wire['retry-after'] = retryAfter;
  }
  return writeReply(reply, status, heads, errorBody(definition, ctx, format));
}

/**
 * Error bodies already written, by error, format and parameters: a client that hits one error again
 * and again (a 404 test, a scenario) gets the same bytes without building them anew (issue 6). Bounded,
 * as the parameters come from requests.
 */
const writtenErrors = new LRUCache<string, string>({ max: 1000 });

function errorBody(definition: AtlasErrorDefinition, ctx: ErrorContext, format: ReplyFormat): string {
  const parameters = definition.params(ctx);
  // badRequestDetail is built from the context, not the parameters, so those errors are not memoised.
  let key: string | undefined;
  if (!definition.badRequestField) {
    key = `${definition.name}${format.envelope ? ' e' : ' '}${format.pretty ? 'p' : ''}`;
    // null and a string never meet at one place of one error's parameters, but are told apart anyway.
    for (const p of parameters) key += p === null ? '\u0000\u0001' : `\u0000${p}`;
    const written = writtenErrors.get(key);
    if (written !== undefined) return written;
  }
  const error = atlasError(definition, ctx, parameters);
  const payload = format.envelope ? { content: error, status: definition.status } : error;
  // Kept as a string, not bytes: Node then writes the head and body in one piece, not two
  // (~6,000 fewer instructions per error reply under callgrind, issue 6).
  const body = format.pretty ? jacksonPretty(payload) : JSON.stringify(payload);
  if (key !== undefined) writtenErrors.set(key, body);
  return body;
}
