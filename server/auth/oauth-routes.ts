/**
 * The service-account token endpoints, as Atlas serves them:
 * POST /api/oauth/token (client credentials grant) and POST /api/oauth/revoke. Errors use OAuth's
 * own body shape, `error_description` first as in MongoDB's documented examples, not ApiError.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { ipAllowed, type Credential, type CredentialStore } from './credentials.js';
import { basicCredentials, type TokenService } from './tokens.js';
import type { AuthMode } from '../options.js';

export interface OAuthRouteOptions {
  mode: AuthMode;
  credentials: CredentialStore;
  tokens: TokenService;
}

export type OAuthError = 'invalid_client' | 'invalid_request' | 'unsupported_grant_type' | 'access_denied';

const OAUTH_ERRORS: Record<OAuthError, { status: number; description: string }> = {
  invalid_client: { status: 401, description: 'Client authentication failed: send Authorization: Basic base64(clientId:clientSecret).' },
  invalid_request: { status: 400, description: 'The provided credentials are not valid.' },
  unsupported_grant_type: { status: 400, description: 'Invalid grant type.' },
  access_denied: { status: 403, description: 'IP access list validation failed for the service account.' },
};

function sendJson(reply: FastifyReply, status: number, body: object): FastifyReply {
  // A Buffer keeps Content-Type exactly `application/json` (Fastify appends a charset to strings).
  return reply
    .code(status)
    .header('content-type', 'application/json')
    .header('cache-control', 'no-store')
    .send(Buffer.from(JSON.stringify(body)));
}

export function sendOAuthError(reply: FastifyReply, error: OAuthError): FastifyReply {
  const { status, description } = OAUTH_ERRORS[error];
  if (error === 'invalid_client') reply.header('www-authenticate', 'Basic realm="MMS Public API"');
  return sendJson(reply, status, { error_description: description, error });
}

export const oauthRoutes: FastifyPluginAsync<OAuthRouteOptions> = async (app, { mode, credentials, tokens }) => {
  // Token requests are form-encoded; parsing them takes URLSearchParams, not a dependency.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 16 * 1024 }, (_request, body, done) => {
    done(null, new URLSearchParams(body as string));
  });

  /** The service account behind Basic auth, or the OAuth error to answer with. */
  function client(request: FastifyRequest): { id: string; credential: Credential | undefined } | OAuthError {
    const basic = basicCredentials(request.headers.authorization);
    if (!basic || basic.id === '') return 'invalid_client';
    if (mode !== 'strict') return { id: basic.id, credential: undefined };
    const credential = credentials.serviceAccount(basic.id) ?? credentials.serviceAccount(basic.rawId);
    if (!credential || (credential.secret !== basic.secret && credential.secret !== basic.rawSecret)) return 'invalid_request';
    if (!ipAllowed(credential, request.ip)) return 'access_denied';
    return { id: credential.id, credential };
  }

  const form = (request: FastifyRequest) => (request.body instanceof URLSearchParams ? request.body : new URLSearchParams());

  app.post('/api/oauth/token', async (request, reply) => {
    const caller = client(request);
    if (typeof caller === 'string') return sendOAuthError(reply, caller);
    if (form(request).get('grant_type') !== 'client_credentials') return sendOAuthError(reply, 'unsupported_grant_type');
    return sendJson(reply, 200, tokens.issue(caller.id));
  });

  app.post('/api/oauth/revoke', async (request, reply) => {
    const caller = client(request);
    if (typeof caller === 'string') return sendOAuthError(reply, caller);
    const token = form(request).get('token');
    if (token) tokens.revoke(token);
    return reply.code(200).send();
  });
};
