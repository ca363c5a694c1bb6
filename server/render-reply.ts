/**
 * The only place that writes Atlas replies: status, headers and body bytes for jobs and errors, with
 * `envelope` (D9) and `pretty` (D8) applied. Bodies are compact JSON with Atlas's key order (D6, D7).
 */
import type { FastifyReply } from 'fastify';
import { LRUCache } from 'lru-cache';
import { SUCCESS_CONTENT_TYPE } from './api-version.js';
import { atlasError, type AtlasErrorDefinition, type ErrorContext } from './atlas-errors.js';
import { jacksonPretty } from './jackson-pretty.js';
import type { ReplyFormat } from './reply-format.js';

/** Sent by Atlas on API replies (ATLAS-BEHAVIOUR.md §2), but not on the Digest challenge (§6.1). */
export const SECURITY_HEADERS = Object.freeze({
  'referrer-policy': 'strict-origin-when-cross-origin',
  'strict-transport-security': 'max-age=31536000; includeSubdomains;',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'x-permitted-cross-domain-policies': 'none',
});

/** The recorded 142-byte body of Atlas's 401, in Jackson's layout and Atlas's own key order (§6.1). */
export const UNAUTHORIZED_BODY = jacksonPretty({
  error: 401,
  reason: 'Unauthorized',
  detail: 'You are not authorized for this resource.',
  errorCode: 'UNEXPECTED_ERROR',
});

const UNAUTHORIZED_BUFFER = Buffer.from(UNAUTHORIZED_BODY);

export interface RateLimitState {
  limit: number;
  remaining: number;
  /** seconds until the window resets, for Retry-After */
  resetSeconds: number;
  /** this request is past the limit */
  exceeded: boolean;
}

/** Everything a job reply carries but its rate-limit headers, set in one call. */
const JOB_HEADERS = Object.freeze({ ...SECURITY_HEADERS, 'content-type': SUCCESS_CONTENT_TYPE });

function rateLimitHeaders(reply: FastifyReply, rate: RateLimitState | undefined): void {
  if (!rate) return;
  reply.header('ratelimit-limit', rate.limit);
  reply.header('ratelimit-remaining', rate.remaining);
}

/**
 * @param compact the job's body as compact JSON; envelope and pretty are derived from it per request
 *   (re-parsing for `pretty` keeps the key order, as no key is an array index).
 */
export function sendJob(reply: FastifyReply, compact: string, format: ReplyFormat, rate: RateLimitState | undefined): FastifyReply {
  reply.code(200).headers(JOB_HEADERS);
  rateLimitHeaders(reply, rate);
  if (format.pretty) {
    const body: unknown = JSON.parse(compact);
    return reply.send(jacksonPretty(format.envelope ? { content: body, status: 200 } : body));
  }
  return reply.send(format.envelope ? `{"content":${compact},"status":200}` : compact);
}

export function sendAtlasError(
  reply: FastifyReply,
  definition: AtlasErrorDefinition,
  ctx: ErrorContext,
  format: ReplyFormat,
  rate?: RateLimitState,
): FastifyReply {
  // D9: after authentication an envelope reports the real status in the body and 200 on the wire.
  reply.code(format.envelope ? 200 : definition.status).header('content-type', 'application/json');
  if (definition.name === 'UNAUTHORIZED' && !format.envelope) {
    // Atlas's 401 carries neither X-Error-Code nor the security headers (§6.1).
    return reply.send(UNAUTHORIZED_BUFFER);
  }
  reply.headers(SECURITY_HEADERS).header('x-error-code', definition.errorCode);
  rateLimitHeaders(reply, rate);
  if (definition.status === 429 || definition.status === 503) reply.header('retry-after', Math.max(1, rate?.resetSeconds ?? 60));
  return reply.send(errorBytes(definition, ctx, format));
}

/**
 * Error bodies already written, by error, format and parameters: a client that hits one error again
 * and again (a 404 test, a scenario) gets the same bytes without building them anew (issue 6). Bounded,
 * as the parameters come from requests.
 */
const writtenErrors = new LRUCache<string, Buffer>({ max: 1000 });

function errorBytes(definition: AtlasErrorDefinition, ctx: ErrorContext, format: ReplyFormat): Buffer {
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
  const body = atlasError(definition, ctx, parameters);
  const payload = format.envelope ? { content: body, status: definition.status } : body;
  // A Buffer, because Fastify appends "; charset=utf-8" to a JSON type sent as a string, and Atlas's
  // errors say plain `application/json` (§7).
  const bytes = Buffer.from(format.pretty ? jacksonPretty(payload) : JSON.stringify(payload));
  if (key !== undefined) writtenErrors.set(key, bytes);
  return bytes;
}
