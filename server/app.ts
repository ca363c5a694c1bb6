/**
 * Builds the mock as a Fastify instance without listening, so the CLI, the programmatic API and the
 * tests share it. buildApp reads as the table of contents of a request: the hooks and routes are
 * registered in the order a request meets them.
 */
import swagger from '@fastify/swagger';
import Fastify, { LogController, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { getAtlasError } from './http/atlas-errors.js';
import { answerBrokenRequest, refuseRequestsWithoutHost } from './http/broken-request.js';
import { addAuthHook } from './auth/auth-hook.js';
import { createAuthenticator } from './auth/authenticate.js';
import { CredentialsError, loadCredentials, type CredentialStore } from './auth/credentials.js';
import { NonceService } from './auth/digest.js';
import { TokenService } from './auth/tokens.js';
import { createJobCatalog } from './jobs/job-catalog.js';
import { makeChildrenLazy } from './http/lazy-request-logger.js';
import { lazySchemaCompilers } from './http/lazy-schema-compilers.js';
import { loadFixtures, type FixtureSet } from './jobs/load-fixtures.js';
import { buildOpenApiDocument } from './http/openapi-document.js';
import { OptionError, mergeOptions, type MockOptions } from './options.js';
import { RateCounter } from './http/rate-counter.js';
import { PLAIN_FORMAT, isFormatProblem, readReplyFormat } from './http/reply-format.js';
import { sendAtlasError } from './http/render-reply.js';
import { oauthRoutes, sendOAuthError } from './auth/oauth-routes.js';
import { CONTROL_PREFIX, controlError, controlRoutes } from './control/control-routes.js';
import { globalEffect, restoreJobRoutes } from './routes/restore-job-route.js';
import { restoreJobsRoutes } from './routes/restore-jobs-routes.js';
import { cliSupportRoutes } from './routes/cli-support-routes.js';
import { createBackupTopology } from './jobs/backup-topology.js';
import { createRestoreJobService, type RestoreJobService } from './control/restore-job-service.js';
import { declareSlowBody } from './scenarios/faults.js';
import { MockClock } from './control/mock-clock.js';
import { MockState } from './control/mock-state.js';
import { RequestJournal } from './control/request-journal.js';
import { ScenarioBook, parseDelay } from './scenarios/scenario-book.js';
import { parseQueryString } from './http/query-string.js';
import { pathOf } from './http/request-path.js';

export interface BuiltApp {
  app: FastifyInstance;
  options: Readonly<MockOptions>;
  fixtures: FixtureSet;
  credentials: CredentialStore;
  /** what tests may change while it runs (control API, startMock) */
  state: MockState;
  /** created and cancelled restore jobs, as tests drive them */
  restoreJobs: RestoreJobService;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);
export const REQUEST_TIMEOUT_MS = 30_000;
const REDACTED_LOG_PATHS = ['req.headers.authorization', 'req.headers["x-mock-token"]', 'headers.authorization', 'authorization'];

function isLoopback(host: string): boolean {
  return LOOPBACK.has(host) || host.startsWith('127.');
}

/** Loads fixtures (throwing FixtureError on a bad one) and wires every route. */
export async function buildApp(partial: Partial<MockOptions> = {}): Promise<BuiltApp> {
  const options = mergeOptions(partial);
  const fixtures = await loadFixtures(options.fixtures);
  const credentials = await loadCredentials({
    file: options.credentials || undefined,
    apiKey: options.apiKey || undefined,
    serviceAccount: options.serviceAccount || undefined,
  });
  refuseUnsafeConfiguration(options, credentials);
  const app = await createFastify(options);

  // A request's child logger is made only when the request logs something (lazy-request-logger.ts).
  makeChildrenLazy(app.log);
  // Set before any plugin is registered, so every route inherits it (Fastify copies it at registration).
  app.setErrorHandler(answerUnhandledError(options));

  // What the routes share: the state tests drive (scenarios, journal, lifecycle clock, created jobs),
  // the jobs (fixtures, generation) and what exists besides them (projects, clusters, snapshots).
  const rates = new RateCounter(options.rateLimit);
  const state = new MockState(fixtures, new ScenarioBook(options.seed), new RequestJournal(options.journalSize), new MockClock(options.clockSpeed), rates);
  const catalog = createJobCatalog(fixtures, options, (fixture) => state.readLifecycleJob(fixture));
  state.onFixturesChanged(() => catalog.clearCache());
  const topology = createBackupTopology(fixtures, catalog, options);
  const restoreJobs = createRestoreJobService(topology, state.createdJobs, state.clock);
  const global = globalEffect(options.scenario, options.delay ? parseDelay(options.delay) : undefined, options.fault);
  const atlas = { catalog, rates, scenarios: state.scenarios, global, enforceRateLimit: options.enforceRateLimit };
  declareSlowBody(app);

  // The table of contents of a request, in the order it meets them.
  // 1. Every request: HTTP/1.1 needs a Host; then authentication, before anything else, as at Atlas
  //    (the hook covers /api/atlas/* only).
  refuseRequestsWithoutHost(app);
  const nonces = new NonceService({ ttlMs: options.nonceTtl * 1000, maxTracked: 10_000 });
  const tokens = new TokenService({ ttlSeconds: options.tokenTtl });
  addAuthHook(app, createAuthenticator(options.auth, credentials, nonces, tokens), nonces);

  // 2. Outside the Atlas API: the health check and the OpenAPI document, then the token endpoints.
  await app.register(swagger, { mode: 'static', specification: { document: buildOpenApiDocument() as never } });
  app.get('/health', async () => ({ status: 'ok' }));
  app.get('/openapi.json', async () => app.swagger());
  await app.register(oauthRoutes, { mode: options.auth, credentials, tokens });

  // 3. The Atlas routes: the GET of one job (what every poll asks), create, list and cancel, and the
  //    routes the Atlas CLI reads around them (flex siblings, the cluster).
  await app.register(restoreJobRoutes, { ...atlas, createdJobs: state.createdJobs, clock: state.clock });
  await app.register(restoreJobsRoutes, { ...atlas, topology, fixtures, createdJobs: state.createdJobs, clock: state.clock, generate: options.generate, seed: options.seed });
  await app.register(cliSupportRoutes, { ...atlas, topology, seed: options.seed });

  // 4. The control API, for tests: scenarios, fixtures, the clock, created jobs, the journal.
  if (options.control) await app.register(controlRoutes, { state, restoreJobs, token: options.controlToken });

  // 5. Once a reply is sent: the journal records the API request.
  if (options.journalSize > 0) app.addHook('onResponse', journalRecorder(state.journal));

  // 6. Anything else: Atlas's 404 in the Atlas error shape, never the framework's default body.
  app.setNotFoundHandler((request, reply) => {
    const format = readReplyFormat(request.query as Record<string, string>);
    return sendAtlasError(reply, getAtlasError('RESOURCE_NOT_FOUND'), { path: pathOf(request.url), ip: request.ip }, isFormatProblem(format) ? PLAIN_FORMAT : format);
  });

  // At debug level, one line per request once it is answered.
  if (options.logLevel === 'debug' || options.logLevel === 'trace') {
    app.addHook('onResponse', async (request, reply) => {
      request.log.debug({ method: request.method, url: request.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request');
    });
  }

  return { app, options, fixtures, credentials, state, restoreJobs };
}

/**
 * What escapes a route. Fastify's own 4xx (an unreadable body sent to a path that takes none, …) happen
 * where Atlas has no such resource, so they answer its 404; the token endpoints answer in OAuth's shape
 * and the control API in its own. Anything else is a bug: logged, and answered with Atlas's 500, never
 * a stack trace.
 */
function answerUnhandledError(options: MockOptions) {
  return (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      request.log.debug({ err: error }, 'request refused');
      if (request.url.startsWith('/api/oauth/')) return sendOAuthError(reply, 'invalid_request');
      if (options.control && request.url.startsWith(`${CONTROL_PREFIX}/`)) {
        return controlError(reply, 400, 'MOCK_INVALID_REQUEST', `The request could not be read: ${error.message}`);
      }
      return sendAtlasError(reply, getAtlasError('RESOURCE_NOT_FOUND'), { path: pathOf(request.url) }, PLAIN_FORMAT);
    }
    request.log.error({ err: error }, 'unexpected error while handling a request');
    return sendAtlasError(reply, getAtlasError('UNEXPECTED_ERROR'), { path: pathOf(request.url) }, PLAIN_FORMAT);
  };
}

/** The journal's entry for an Atlas API or token request; bodies only of Atlas API requests, as a token endpoint's can hold a secret. */
function journalRecorder(journal: RequestJournal) {
  return (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
    if (request.url.startsWith('/api/')) {
      journal.record({
        timeMs: Date.now(),
        method: request.method,
        url: request.url,
        headers: request.headers,
        credential: request.principal,
        status: reply.statusCode,
        durationMs: Math.round(reply.elapsedTime * 1000) / 1000,
        body: typeof request.body === 'string' && request.url.startsWith('/api/atlas/') ? request.body : undefined,
      });
    }
    done();
  };
}

/** Configurations that cannot work, or would expose the control API, stop start-up with the fix. */
function refuseUnsafeConfiguration(options: MockOptions, credentials: CredentialStore): void {
  if (options.auth === 'strict' && credentials.count === 0) {
    throw new CredentialsError(
      '--auth strict (ATLAS_MOCK_AUTH) accepts only configured credentials, and none are configured. ' +
        'Fix: add --credentials FILE, ATLAS_MOCK_API_KEY=<public>:<private> or ATLAS_MOCK_SERVICE_ACCOUNT=<clientId>:<secret>, or use --auth any.',
    );
  }
  if (options.control && !options.controlToken && !isLoopback(options.host)) {
    throw new OptionError(
      `--control on --host ${options.host} would let anyone who reaches the mock change it. ` +
        'Fix: set --control-token (ATLAS_MOCK_CONTROL_TOKEN) and send it as X-Mock-Token, or listen on 127.0.0.1.',
    );
  }
}

/**
 * Fastify with the mock's settings: limits, logging, and Atlas-shaped answers to what never reaches a
 * route (bytes that are not HTTP, errors before routing).
 */
async function createFastify(options: MockOptions): Promise<FastifyInstance> {
  // Loaded only when asked for: most runs log JSON, and every import counts at start-up.
  const prettyStream =
    options.logFormat === 'pretty'
      ? (await import('pino-pretty')).default({ colorize: process.stdout.isTTY, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname' })
      : undefined;
  return Fastify({
    // Secrets never reach the logs, whatever a log line carries.
    logger: {
      level: options.logLevel,
      redact: { paths: REDACTED_LOG_PATHS, censor: '[redacted]' },
      // pino-pretty as a stream in this thread, not a worker transport: start-up stays fast.
      ...(prettyStream ? { stream: prettyStream } : {}),
    },
    // A client that sends its request slower than this is cut off, so slow
    // clients cannot hold the mock; Node's own limits (16 KiB of headers, 60 s to send them) stay.
    requestTimeout: REQUEST_TIMEOUT_MS,
    bodyLimit: 1024 * 1024,
    // During shutdown, requests already on a connection are answered normally (not Fastify's own 503
    // body); the listener is closed, so nothing new arrives.
    return503OnClosing: false,
    // One line per request at debug instead of Fastify's two at info: quiet by default, and faster.
    logController: new LogController({ disableRequestLogging: true }),
    // Let over-long ids reach validation (400 naming the parameter) instead of missing the route;
    // Node's 16 KiB header limit bounds the whole request line anyway.
    // The journal reads a query back from the URL with this same parser (query-string.ts).
    routerOptions: { maxParamLength: 16 * 1024, querystringParser: parseQueryString },
    // Loaded only if a route ever declares a schema; none does, so start-up skips them.
    schemaController: { compilersFactory: lazySchemaCompilers() },
    // Bytes Node's parser refuses (a broken request line, a NUL in the target, headers past the limit, a
    // request that times out) get the Atlas error shape too, not Fastify's default JSON. Fastify calls
    // it with the instance as `this`.
    clientErrorHandler(this: FastifyInstance, error, socket) {
      answerBrokenRequest(error, socket, this.log, REQUEST_TIMEOUT_MS);
    },
    // A request without Host is answered by refuseRequestsWithoutHost below, in the Atlas shape.
    http: { requireHostHeader: false },
    // Errors Fastify raises before routing (an undecodable %zz in the path, …) still answer like Atlas.
    frameworkErrors: (error, request, reply) => {
      request.log.debug({ err: error }, 'request refused before routing');
      sendAtlasError(reply, getAtlasError('RESOURCE_NOT_FOUND'), { path: pathOf(request.url) }, PLAIN_FORMAT);
    },
  });
}
