/**
 * Runs the Authenticator on every Atlas API request before routing decides anything, as Atlas does, so a Digest
 * client always sees its challenge first. /health, /openapi.json and /api/oauth/* are outside it.
 */
import type { FastifyInstance } from 'fastify';
import { getAtlasError } from '../http/atlas-errors.js';
import { PLAIN_FORMAT, isFormatProblem, readReplyFormat } from '../http/reply-format.js';
import { sendAtlasError } from '../http/render-reply.js';
import type { Authenticator } from './authenticate.js';
import type { Credential } from './credentials.js';
import { buildChallenge, type NonceService } from './digest.js';
import { pathOf } from '../http/request-path.js';

const GROUP_IN_PATH = /^\/api\/atlas\/v2\/groups\/([a-f0-9]{24})(?:[/?]|$)/;

declare module 'fastify' {
  interface FastifyRequest {
    /** who made the request: `apiKey:<public key>`, `serviceAccount:<client id>`, `anonymous` or '' */
    principal: string;
    /** the configured credential that authenticated (`--auth strict`); null when any or none is accepted */
    credential: Credential | null;
  }
}

export function addAuthHook(app: FastifyInstance, authenticator: Authenticator, nonces: NonceService): void {
  app.decorateRequest('principal', '');
  app.decorateRequest('credential', null);
  if (authenticator.mode === 'off') return;

  app.addHook('onRequest', (request, reply, done) => {
    if (!request.url.startsWith('/api/atlas/')) return done();
    const outcome = authenticator.authenticate({
      authorization: request.headers.authorization,
      method: request.method,
      url: request.url,
      ip: request.ip,
      groupId: GROUP_IN_PATH.exec(request.url)?.[1],
    });
    if (outcome.ok) {
      request.principal = outcome.principal;
      request.credential = outcome.credential ?? null;
      return done();
    }
    const path = pathOf(request.url);
    if (outcome.failure === 'unauthenticated') {
      // The challenge is never enveloped, or Digest clients could not log in.
      const challenge = authenticator.offersDigest ? buildChallenge(nonces.issue(), outcome.stale) : undefined;
      sendAtlasError(reply, getAtlasError('UNAUTHORIZED'), { path }, PLAIN_FORMAT, undefined, challenge);
      return;
    }
    request.principal = outcome.principal;
    const format = readReplyFormat(request.query as Record<string, string>);
    sendAtlasError(reply, getAtlasError(outcome.failure), { path, ip: request.ip }, isFormatProblem(format) ? PLAIN_FORMAT : format);
  });
}
