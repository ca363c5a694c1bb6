/**
 * The control API, for tests in any language and for docker users: fixtures, scenario rules, the
 * request journal, the lifecycle clock, created restore jobs and reset, under /__mock/ (a prefix no
 * Atlas path can have).
 * Off unless --control; guarded by X-Mock-Token when a token is set (required beyond loopback).
 * Errors keep the Atlas error shape, with the mock's own MOCK_* codes.
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { FixtureError, parseFixture } from '../jobs/load-fixtures.js';
import type { MockState } from './mock-state.js';
import { RestoreJobError, type RestoreJobInput, type RestoreJobService } from './restore-job-service.js';
import { ScenarioError } from '../scenarios/scenario-book.js';

export const CONTROL_PREFIX = '/__mock';

export interface ControlRouteOptions {
  state: MockState;
  restoreJobs: RestoreJobService;
  /** empty: no token needed */
  token: string;
}

type Address = { groupId: string; clusterName: string; restoreJobId: string };

/** `field "a.b": reason` → {field, description}, for badRequestDetail. */
function toField(problem: string): { field: string; description: string } {
  const match = /^field "([^"]*)": (.*)$/s.exec(problem);
  return match ? { field: match[1] as string, description: match[2] as string } : { field: '(body)', description: problem };
}

export function controlError(
  reply: FastifyReply,
  status: number,
  errorCode: string,
  detail: string,
  parameters: unknown[] = [],
  problems: readonly string[] = [],
): FastifyReply {
  const reason = { 400: 'Bad Request', 401: 'Unauthorized', 404: 'Not Found', 409: 'Conflict' }[status] ?? 'Error';
  const body = { detail, error: status, errorCode, parameters, reason };
  const payload = problems.length > 0 ? { badRequestDetail: { fields: problems.map(toField) }, ...body } : body;
  return reply.code(status).header('content-type', 'application/json').header('x-error-code', errorCode).send(Buffer.from(JSON.stringify(payload)));
}

function json(reply: FastifyReply, status: number, body: unknown): FastifyReply {
  return reply.code(status).header('content-type', 'application/json').send(Buffer.from(JSON.stringify(body)));
}

function tokenMatches(given: string | string[] | undefined, token: string): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

export const controlRoutes: FastifyPluginAsync<ControlRouteOptions> = async (app, { state, restoreJobs, token }) => {
  // Bodies are read as text: fixtures go through the same checks as files (parseFixture refuses
  // __proto__ and unknown fields itself), and scenario rules through their own schema.
  app.addContentTypeParser(['application/json', 'application/yaml', 'text/plain'], { parseAs: 'string', bodyLimit: 1024 * 1024 }, (_request, body, done) => done(null, body));

  if (token) {
    app.addHook('onRequest', (request, reply, done) => {
      if (tokenMatches(request.headers['x-mock-token'], token)) return done();
      controlError(reply, 401, 'MOCK_UNAUTHORIZED', 'The control API needs the X-Mock-Token header with the --control-token value.');
    });
  }

  const parseJson = (request: FastifyRequest): unknown => {
    if (typeof request.body !== 'string' || request.body.trim() === '') return undefined;
    return JSON.parse(request.body);
  };

  app.get(`${CONTROL_PREFIX}/fixtures`, async (_request, reply) =>
    json(reply, 200, {
      fixtures: state.fixtures.list().map((f) => ({
        groupId: f.groupId,
        clusterName: f.clusterName,
        restoreJobId: f.restoreJobId,
        deliveryType: f.job.deliveryType,
        source: f.source,
        ...(f.description ? { description: f.description } : {}),
        ...(f.error ? { error: f.error.name } : {}),
        ...(f.lifecycle ? { lifecycle: f.lifecycle } : {}),
      })),
    }),
  );

  app.put<{ Params: Address }>(`${CONTROL_PREFIX}/fixtures/:groupId/:clusterName/:restoreJobId`, async (request, reply) => {
    const address = request.params;
    const source = `PUT ${CONTROL_PREFIX}/fixtures/${address.groupId}/${address.clusterName}/${address.restoreJobId}`;
    let fixture;
    try {
      fixture = parseFixture(source, address, typeof request.body === 'string' ? request.body : '');
    } catch (error) {
      if (!(error instanceof FixtureError)) throw error;
      return controlError(reply, 400, 'MOCK_INVALID_FIXTURE', `The fixture was refused; nothing changed: ${error.problems.join('; ') || error.message}`, [source], error.problems);
    }
    const existed = state.fixtures.get(address.groupId, address.clusterName, address.restoreJobId) !== undefined;
    if (!state.putFixture(fixture)) {
      return controlError(reply, 409, 'MOCK_CONFLICT', `Restore job id ${address.restoreJobId} already belongs to a fixture of another cluster or group; restore job ids are unique.`, [address.restoreJobId]);
    }
    return json(reply, existed ? 200 : 201, { ...address, replaced: existed });
  });

  app.delete<{ Params: Address }>(`${CONTROL_PREFIX}/fixtures/:groupId/:clusterName/:restoreJobId`, async (request, reply) => {
    const { groupId, clusterName, restoreJobId } = request.params;
    if (!state.removeFixture(groupId, clusterName, restoreJobId)) {
      return controlError(reply, 404, 'MOCK_NOT_FOUND', `No fixture at ${groupId}/${clusterName}/${restoreJobId}.`, [`${groupId}/${clusterName}/${restoreJobId}`]);
    }
    return reply.code(204).send();
  });

  app.get(`${CONTROL_PREFIX}/scenarios`, async (_request, reply) => json(reply, 200, { scenarios: state.scenarios.list() }));

  app.post(`${CONTROL_PREFIX}/scenarios`, async (request, reply) => {
    let input: unknown;
    try {
      input = parseJson(request);
    } catch (error) {
      return controlError(reply, 400, 'MOCK_INVALID_SCENARIO', `The body is not JSON: ${(error as Error).message}`, [], []);
    }
    try {
      return json(reply, 201, state.scenarios.add(input ?? {}));
    } catch (error) {
      if (!(error instanceof ScenarioError)) throw error;
      return controlError(reply, 400, 'MOCK_INVALID_SCENARIO', `The scenario rule was refused: ${error.message}`, [], error.problems);
    }
  });

  app.delete(`${CONTROL_PREFIX}/scenarios`, async (_request, reply) => {
    state.scenarios.clear();
    return reply.code(204).send();
  });

  app.delete<{ Params: { id: string } }>(`${CONTROL_PREFIX}/scenarios/:id`, async (request, reply) => {
    if (!state.scenarios.remove(request.params.id)) {
      return controlError(reply, 404, 'MOCK_NOT_FOUND', `No scenario rule ${request.params.id}.`, [request.params.id]);
    }
    return reply.code(204).send();
  });

  app.get<{ Querystring: { path?: string; status?: string; method?: string } }>(`${CONTROL_PREFIX}/requests`, async (request, reply) => {
    const { path, status, method } = request.query;
    if (status !== undefined && !/^\d{3}$/.test(status)) {
      return controlError(reply, 400, 'MOCK_INVALID_REQUEST', 'status must be a three-digit HTTP status.', [status], [`field "status": got ${JSON.stringify(status)}`]);
    }
    const filter = {
      ...(typeof path === 'string' ? { path } : {}),
      ...(status !== undefined ? { status: Number(status) } : {}),
      ...(typeof method === 'string' ? { method } : {}),
    };
    return json(reply, 200, { requests: state.journal.list(filter) });
  });

  app.delete(`${CONTROL_PREFIX}/requests`, async (_request, reply) => {
    state.journal.clear();
    return reply.code(204).send();
  });

  app.get(`${CONTROL_PREFIX}/clock`, async (_request, reply) => json(reply, 200, { now: new Date(state.clock.now()).toISOString(), speed: state.clock.speed }));

  app.post(`${CONTROL_PREFIX}/clock`, async (request, reply) => {
    let input: unknown;
    try {
      input = parseJson(request);
    } catch {
      input = undefined;
    }
    const seconds = (input as { advanceSeconds?: unknown } | undefined)?.advanceSeconds;
    if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0 || seconds > 10 * 365 * 86400) {
      return controlError(reply, 400, 'MOCK_INVALID_REQUEST', 'Send {"advanceSeconds": N} with N seconds (0 to ten years) to move the lifecycle clock forward.', [], [
        `field "advanceSeconds": got ${JSON.stringify(seconds ?? null)}`,
      ]);
    }
    state.clock.advance(seconds);
    return json(reply, 200, { now: new Date(state.clock.now()).toISOString(), speed: state.clock.speed });
  });

  app.get(`${CONTROL_PREFIX}/restoreJobs`, async (_request, reply) => json(reply, 200, { restoreJobs: restoreJobs.list() }));

  app.post(`${CONTROL_PREFIX}/restoreJobs`, async (request, reply) => {
    let input: unknown;
    try {
      input = parseJson(request);
    } catch (error) {
      return controlError(reply, 400, 'MOCK_INVALID_RESTORE_JOB', `The body is not JSON: ${(error as Error).message}`);
    }
    const given = (input ?? {}) as Partial<RestoreJobInput>;
    const problems = (['groupId', 'clusterName'] as const).filter((f) => typeof given[f] !== 'string').map((f) => `field "${f}": is required (a string)`);
    if (typeof given.job !== 'object' || given.job === null) problems.push('field "job": is required: the body a POST to .../backup/restoreJobs would send');
    if (problems.length > 0) return controlError(reply, 400, 'MOCK_INVALID_RESTORE_JOB', `The restore job was refused: ${problems.join('; ')}`, [], problems);
    try {
      return json(reply, 201, restoreJobs.create(given as RestoreJobInput));
    } catch (error) {
      if (!(error instanceof RestoreJobError)) throw error;
      return controlError(reply, 400, 'MOCK_INVALID_RESTORE_JOB', error.message, [error.errorCode], error.problems);
    }
  });

  app.delete(`${CONTROL_PREFIX}/restoreJobs`, async (_request, reply) => {
    restoreJobs.clear();
    return reply.code(204).send();
  });

  app.delete<{ Params: { id: string } }>(`${CONTROL_PREFIX}/restoreJobs/:id`, async (request, reply) => {
    if (!restoreJobs.remove(request.params.id)) {
      return controlError(reply, 404, 'MOCK_NOT_FOUND', `No created or cancelled restore job ${request.params.id}.`, [request.params.id]);
    }
    return reply.code(204).send();
  });

  app.post(`${CONTROL_PREFIX}/reset`, async (_request, reply) => {
    state.reset();
    return reply.code(204).send();
  });
};
