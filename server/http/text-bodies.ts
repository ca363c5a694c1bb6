/**
 * How the Atlas routes that take a body read it: as text, whatever its Content-Type, so that a body that
 * is not JSON gets Atlas's MALFORMED_JSON from the route instead of a framework error. Atlas takes
 * application/json and its versioned type; `curl -d` sends a form type.
 */
import type { FastifyInstance } from 'fastify';
import { getAtlasError } from './atlas-errors.js';
import { sendAtlasError } from './render-reply.js';
import { PLAIN_FORMAT } from './reply-format.js';
import { pathOf } from './request-path.js';

/** A restore request is a few hundred bytes; this bounds what a create, and the journal, hold. */
export const MAX_BODY_BYTES = 16 * 1024;

/** For the routes of this plugin (Fastify scopes parsers and error handlers to the plugin). */
export function readBodiesAsText(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string', bodyLimit: MAX_BODY_BYTES }, (_request, body, done) => done(null, body));
  // A body that cannot be read at all (too large, cut short) is as malformed as bad JSON.
  app.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
    if ((error.statusCode ?? 500) >= 500) {
      request.log.error({ err: error }, 'unexpected error while handling a request');
      return sendAtlasError(reply, getAtlasError('UNEXPECTED_ERROR'), { path: pathOf(request.url) }, PLAIN_FORMAT);
    }
    request.log.debug({ err: error }, 'request body refused');
    return sendAtlasError(reply, getAtlasError('MALFORMED_JSON'), {}, PLAIN_FORMAT);
  });
}
