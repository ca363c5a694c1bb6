/**
 * Builds the mock as a Fastify instance without listening, so the CLI, the programmatic API and the
 * tests share it. Plugins are registered in the order a request meets them.
 */
import swagger from '@fastify/swagger';
import Fastify, { LogController, type FastifyError, type FastifyInstance } from 'fastify';
import { getAtlasError } from './atlas-errors.js';
import { createJobCatalog } from './job-catalog.js';
import { loadFixtures, type FixtureSet } from './load-fixtures.js';
import { buildOpenApiDocument } from './openapi-document.js';
import { mergeOptions, type MockOptions } from './options.js';
import { RateCounter } from './rate-counter.js';
import { PLAIN_FORMAT, isFormatProblem, readReplyFormat } from './reply-format.js';
import { sendAtlasError } from './render-reply.js';
import { resolveGlobalScenario, restoreJobRoutes } from './routes/restore-job-route.js';

function pathOf(url: string): string {
  return url.split('?', 1)[0] ?? '';
}

export interface BuiltApp {
  app: FastifyInstance;
  options: Readonly<MockOptions>;
  fixtures: FixtureSet;
}

/** Loads fixtures (throwing FixtureError on a bad one) and wires every route. */
export async function buildApp(partial: Partial<MockOptions> = {}): Promise<BuiltApp> {
  const options = mergeOptions(partial);
  const fixtures = await loadFixtures(options.fixtures);
  const app = Fastify({
    logger: { level: options.logLevel },
    // One line per request at debug instead of Fastify's two at info: quiet by default, and faster.
    logController: new LogController({ disableRequestLogging: true }),
    // Let over-long ids reach validation (400 naming the parameter) instead of missing the route;
    // Node's 16 KiB header limit bounds the whole request line anyway.
    routerOptions: { maxParamLength: 16 * 1024 },
    // Errors Fastify raises before routing (an undecodable %zz in the path, …) still answer like Atlas.
    frameworkErrors: (error, request, reply) => {
      request.log.debug({ err: error }, 'request refused before routing');
      sendAtlasError(reply, getAtlasError('RESOURCE_NOT_FOUND'), { path: pathOf(request.url) }, PLAIN_FORMAT);
    },
  });

  await app.register(swagger, { mode: 'static', specification: { document: buildOpenApiDocument() as never } });

  app.get('/health', async () => ({ status: 'ok' }));
  app.get('/openapi.json', async () => app.swagger());

  const rates = new RateCounter(options.rateLimit);
  await app.register(restoreJobRoutes, {
    catalog: createJobCatalog(fixtures, options),
    rates,
    scenario: resolveGlobalScenario(options.scenario),
  });

  // D5: unknown routes answer in the Atlas error shape, never Fastify's default body.
  app.setNotFoundHandler((request, reply) => {
    const format = readReplyFormat(request.query as Record<string, string>);
    return sendAtlasError(reply, getAtlasError('RESOURCE_NOT_FOUND'), { path: pathOf(request.url), ip: request.ip }, isFormatProblem(format) ? PLAIN_FORMAT : format);
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const status = error.statusCode ?? 500;
    // Fastify's own 4xx (an unreadable body sent to a path that takes none, …) happen where Atlas has
    // no such resource: no route of the mock takes a body.
    if (status >= 400 && status < 500) {
      request.log.debug({ err: error }, 'request refused');
      return sendAtlasError(reply, getAtlasError('RESOURCE_NOT_FOUND'), { path: pathOf(request.url) }, PLAIN_FORMAT);
    }
    // Anything else that escapes a handler is a bug: logged, and answered with Atlas's 500, never a stack.
    request.log.error({ err: error }, 'unexpected error while handling a request');
    return sendAtlasError(reply, getAtlasError('UNEXPECTED_ERROR'), { path: pathOf(request.url) }, PLAIN_FORMAT);
  });

  if (options.logLevel === 'debug' || options.logLevel === 'trace') {
    app.addHook('onResponse', async (request, reply) => {
      request.log.debug({ method: request.method, url: request.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request');
    });
  }

  return { app, options, fixtures };
}
