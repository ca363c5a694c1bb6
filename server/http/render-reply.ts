/**
 * The only place that writes Atlas API replies: status, headers and body bytes for restore jobs, errors,
 * the cancel's 204 and the cluster the Atlas CLI reads, with `envelope` and `pretty` applied. Bodies are
 * compact JSON with Atlas's key order, and every head is built from the header lists below.
 */
import type { FastifyReply } from 'fastify';
import { LRUCache } from 'lru-cache';
import { SUCCESS_CONTENT_TYPE } from './api-version.js';
import { atlasError, type AtlasErrorDefinition, type ErrorContext } from './atlas-errors.js';
import { sendSlowly } from '../scenarios/faults.js';
import { jacksonPretty } from './jackson-pretty.js';
import type { JobBody } from '../jobs/job-catalog.js';
import type { ReplyFormat } from './reply-format.js';

/**
 * A reply's headers as Node's writeHead takes them: name, value, name, value, … in wire order. Names
 * are lower case, as Atlas's proxy sends them.
 */
type HeaderList = readonly string[];

// Sent by Atlas on API replies, but not on the Digest challenge.
const SECURITY_HEADERS: HeaderList = [
  'referrer-policy', 'strict-origin-when-cross-origin',
  'strict-transport-security', 'max-age=31536000; includeSubdomains;',
  'x-content-type-options', 'nosniff',
  'x-frame-options', 'DENY',
  'x-permitted-cross-domain-policies', 'none',
];
const JOB_HEADERS: HeaderList = [...SECURITY_HEADERS, 'content-type', SUCCESS_CONTENT_TYPE];
const ERROR_HEADERS: HeaderList = ['content-type', 'application/json', ...SECURITY_HEADERS];

/** The recorded 142-byte body of Atlas's 401, in Jackson's layout and Atlas's own key order. */
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
 * reply.send: the same bytes, without Fastify's per-reply work on headers the mock has already put in
 * wire order. Fastify's onResponse hooks (the journal) still run when the response finishes. A HEAD
 * request gets the headers only: Node drops the body of a reply to HEAD.
 *
 * @param headers names and values in wire order, without Content-Length
 * @param bytes the body's length in UTF-8 bytes, when the caller knows it
 */
function writeReply(reply: FastifyReply, status: number, headers: string[], body: string, bytes = Buffer.byteLength(body)): FastifyReply {
  headers.push('content-length', String(bytes));
  reply.hijack();
  reply.raw.writeHead(status, headers);
  if (reply.request.slowBody) sendSlowly(reply.raw, Buffer.from(body));
  else reply.raw.end(body);
  return reply;
}

/** The rate-limit headers, when the request was counted. */
function rateLimitHeaders(rate: RateLimitState | undefined): HeaderList {
  return rate ? ['ratelimit-limit', String(rate.limit), 'ratelimit-remaining', String(rate.remaining)] : [];
}

/** What the envelope adds around a job's compact JSON (ASCII, so as many bytes as characters). */
const ENVELOPE_START = '{"content":';
const ENVELOPE_END = ',"status":200}';

/**
 * @param body the job's compact JSON and its length in bytes; envelope and pretty are derived from it
 *   per request (re-parsing for `pretty` keeps the key order, as no key is an array index).
 */
export function sendJob(reply: FastifyReply, body: JobBody, format: ReplyFormat, rate: RateLimitState | undefined): FastifyReply {
  const headers = [...JOB_HEADERS, ...rateLimitHeaders(rate)];
  if (format.pretty) {
    const parsed: unknown = JSON.parse(body.json);
    return writeReply(reply, 200, headers, jacksonPretty(format.envelope ? { content: parsed, status: 200 } : parsed));
  }
  if (format.envelope) return writeReply(reply, 200, headers, ENVELOPE_START + body.json + ENVELOPE_END, ENVELOPE_START.length + body.bytes + ENVELOPE_END.length);
  return writeReply(reply, 200, headers, body.json, body.bytes);
}

/**
 * The cancel's reply: 204 with the restore-job media type and the rate-limit headers and no body, not
 * even a Content-Length, as Atlas sends it. An envelope turns it into a 200 whose body is `{"status":204}`.
 */
export function sendNoContent(reply: FastifyReply, format: ReplyFormat, rate: RateLimitState | undefined): FastifyReply {
  const headers = [...JOB_HEADERS, ...rateLimitHeaders(rate)];
  if (format.envelope) return writeReply(reply, 200, headers, format.pretty ? jacksonPretty({ status: 204 }) : '{"status":204}');
  reply.hijack();
  reply.raw.writeHead(204, headers);
  reply.raw.end();
  return reply;
}

/**
 * A 200 with a resource that is not a restore job (the cluster the Atlas CLI reads), under its own
 * media type, with `envelope` and `pretty` applied as for a job.
 */
export function sendResource(reply: FastifyReply, resource: Record<string, unknown>, contentType: string, format: ReplyFormat, rate: RateLimitState | undefined): FastifyReply {
  const headers = [...SECURITY_HEADERS, 'content-type', contentType, ...rateLimitHeaders(rate)];
  const payload = format.envelope ? { content: resource, status: 200 } : resource;
  return writeReply(reply, 200, headers, format.pretty ? jacksonPretty(payload) : JSON.stringify(payload));
}

/**
 * @param challenge the WWW-Authenticate value of a 401 (a challenge is never enveloped, or Digest clients could not log in)
 */
export function sendAtlasError(
  reply: FastifyReply,
  definition: AtlasErrorDefinition,
  ctx: ErrorContext,
  format: ReplyFormat,
  rate?: RateLimitState,
  challenge?: string,
): FastifyReply {
  // After authentication an envelope reports the real status in the body and 200 on the wire.
  const status = format.envelope ? 200 : definition.status;
  if (definition.name === 'UNAUTHORIZED' && !format.envelope) {
    // Atlas's 401 carries neither X-Error-Code nor the security headers.
    const headers = challenge === undefined ? [] : ['www-authenticate', challenge];
    headers.push('content-type', 'application/json');
    return writeReply(reply, status, headers, UNAUTHORIZED_BODY);
  }
  const headers = [...ERROR_HEADERS, 'x-error-code', definition.errorCode, ...rateLimitHeaders(rate)];
  if (definition.status === 429 || definition.status === 503) headers.push('retry-after', String(Math.max(1, rate?.resetSeconds ?? 60)));
  return writeReply(reply, status, headers, errorBody(definition, ctx, format));
}

/**
 * Error bodies already written, by error, format and parameters: a client that hits one error again
 * and again (a 404 test, a scenario) gets the same bytes without building them anew. Bounded, as the
 * parameters come from requests.
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
  // Kept as a string, not bytes: Node then writes the head and body in one piece, not two.
  const body = format.pretty ? jacksonPretty(payload) : JSON.stringify(payload);
  if (key !== undefined) writtenErrors.set(key, body);
  return body;
}
