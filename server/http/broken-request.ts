/**
 * Replies to bytes that never become a request: a broken request line, a NUL or raw non-ASCII byte in
 * the request target, a header section past Node's limit, a request that does not arrive in time. Node's
 * parser refuses them before Fastify sees a request, and Fastify's own answer is its JSON
 * `{"error":"Bad Request","message":"Client Error","statusCode":400}`. This one answers in the Atlas
 * error shape instead, with X-Error-Code, then closes the connection, since the parser cannot tell where
 * the next request would begin.
 *
 * Atlas itself never sees such bytes: the proxy in front of it answers them with a plain-text status.
 * No Atlas error code exists for them, so the codes are named after the status's reason phrase, as
 * Atlas's own generic BAD_REQUEST is.
 */
import { maxHeaderSize } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { atlasError, type AtlasErrorDefinition } from './atlas-errors.js';
import { PLAIN_FORMAT } from './reply-format.js';
import { sendAtlasError } from './render-reply.js';

/** How long a refused connection stays open after the reply, so a client still sending reads it before the close. */
const LINGER_MS = 1000;

export const NOT_HTTP: AtlasErrorDefinition = {
  name: 'BAD_REQUEST',
  status: 400,
  errorCode: 'BAD_REQUEST',
  reason: 'Bad Request',
  detail: 'The request is not valid HTTP/1.1: {0} ({1}). The connection is closed.',
  params: () => [],
  evidence: 'the mock\'s own: Atlas\'s proxy answers these with a plain-text 400',
};

export const HEADERS_TOO_LARGE: AtlasErrorDefinition = {
  name: 'REQUEST_HEADER_FIELDS_TOO_LARGE',
  status: 431,
  errorCode: 'REQUEST_HEADER_FIELDS_TOO_LARGE',
  reason: 'Request Header Fields Too Large',
  detail: 'The request line and headers are larger than the {0} bytes this server reads. The connection is closed.',
  params: () => [],
  evidence: 'the mock\'s own: Atlas\'s proxy answers these with a plain-text 431',
};

export const REQUEST_TIMEOUT: AtlasErrorDefinition = {
  name: 'REQUEST_TIMEOUT',
  status: 408,
  errorCode: 'REQUEST_TIMEOUT',
  reason: 'Request Timeout',
  detail: 'The request did not arrive in full within {0} seconds. The connection is closed.',
  params: () => [],
  evidence: 'the mock\'s own: Atlas\'s proxy answers these with a plain-text 408',
};

export const MISSING_HOST: AtlasErrorDefinition = {
  name: 'BAD_REQUEST',
  status: 400,
  errorCode: 'BAD_REQUEST',
  reason: 'Bad Request',
  detail: 'An HTTP/1.1 request must carry a Host header.',
  params: () => [],
  evidence: 'the mock\'s own: HTTP/1.1 requires the 400, Atlas\'s proxy sends it as plain text',
};

/**
 * HTTP/1.1 requires a 400 for a request without Host. Node would send its own, with an empty body
 * (the server's requireHostHeader); app.ts turns that off and this hook sends the Atlas one. The
 * connection stays usable: the request itself was read in full.
 */
export function refuseRequestsWithoutHost(app: FastifyInstance): void {
  app.addHook('onRequest', (request, reply, done) => {
    if (request.headers.host !== undefined || request.raw.httpVersion !== '1.1') return done();
    request.log.debug('HTTP/1.1 request without Host refused');
    sendAtlasError(reply, MISSING_HOST, {}, PLAIN_FORMAT);
  });
}

/** What Node hands to `clientError`: a parser error (HPE_*), its request timeout, or a socket error. */
export interface ConnectionError {
  code?: string;
  message: string;
}

/**
 * The error a refused request gets, with its parameters; undefined for a socket error (ECONNRESET,
 * EPIPE, …), where the peer is gone or not listening and nothing should be written.
 */
export function classifyBrokenRequest(error: ConnectionError, timeoutMs: number): { definition: AtlasErrorDefinition; parameters: (string | number)[] } | undefined {
  const code = error.code ?? '';
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return { definition: REQUEST_TIMEOUT, parameters: [timeoutMs / 1000] };
  if (code === 'HPE_HEADER_OVERFLOW') return { definition: HEADERS_TOO_LARGE, parameters: [maxHeaderSize] };
  if (code.startsWith('HPE_')) return { definition: NOT_HTTP, parameters: [error.message.replace(/^Parse Error: /, ''), code] };
  return undefined;
}

/** The whole reply, head and body, as it goes on the wire. */
export function brokenRequestReply(definition: AtlasErrorDefinition, parameters: (string | number)[], date: Date): string {
  const body = JSON.stringify(atlasError(definition, {}, parameters));
  return (
    `HTTP/1.1 ${definition.status} ${definition.reason}\r\n` +
    'content-type: application/json\r\n' +
    `x-error-code: ${definition.errorCode}\r\n` +
    `date: ${date.toUTCString()}\r\n` +
    `content-length: ${Buffer.byteLength(body)}\r\n` +
    'connection: close\r\n' +
    '\r\n' +
    body
  );
}

/**
 * Fastify's `clientErrorHandler`: writes the Atlas-shaped reply and closes the connection once it is
 * sent. Node reports the same parser error again for every later chunk of that connection: only the
 * first is answered.
 */
export function answerBrokenRequest(error: ConnectionError, socket: Socket, log: FastifyBaseLogger, timeoutMs: number): void {
  if (socket.destroyed || socket.writableEnded) return;
  const refusal = classifyBrokenRequest(error, timeoutMs);
  if (refusal === undefined || !socket.writable) {
    socket.destroy();
    return;
  }
  log.debug({ err: error }, 'bytes that are not an HTTP request refused');
  socket.end(brokenRequestReply(refusal.definition, refusal.parameters, new Date()));
  // end() closes our side once the reply is out; a client that never closes its own is cut off.
  setTimeout(() => socket.destroy(), LINGER_MS).unref();
}
