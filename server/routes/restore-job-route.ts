/**
 * GET one restore job, and its flex-cluster sibling (D15). Each handler reads top to bottom in the
 * order of decision D1: (auth, in a hook) → scenarios that fire at auth, and the rate limit →
 * Accept/version (406) → path parameters (400) → query and Prefer (400) → group → cluster → job → reply.
 * A delay or connection fault, when one is selected, wraps whatever reply comes out.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { setTimeout as sleep } from 'node:timers/promises';
import { negotiateVersion } from '../api-version.js';
import { findAtlasError, getAtlasError, type AtlasErrorDefinition, type ErrorContext } from '../atlas-errors.js';
import { breakConnection } from '../faults.js';
import type { JobCatalog } from '../job-catalog.js';
import type { RateCounter } from '../rate-counter.js';
import { PLAIN_FORMAT, isFormatProblem, readReplyFormat, type ReplyFormat } from '../reply-format.js';
import { sendAtlasError, sendJob, type RateLimitState } from '../render-reply.js';
import type { DelayRange, Effect, Fault, ScenarioBook } from '../scenario-book.js';
import { parsePrefer, stageOf, wellKnownError, type Stage } from '../scenarios.js';
import { pathParameterValidators, type PathParameterName } from '../spec-schemas.js';

export const RESTORE_JOB_URL = '/api/atlas/v2/groups/:groupId/clusters/:clusterName/backup/restoreJobs/:restoreJobId';
export const FLEX_RESTORE_JOB_URL = '/api/atlas/v2/groups/:groupId/flexClusters/:clusterName/backup/restoreJobs/:restoreJobId';

export interface RestoreJobRouteOptions {
  catalog: JobCatalog;
  rates: RateCounter;
  /** rules set at runtime (control API, startMock) */
  scenarios: ScenarioBook;
  /** `--scenario`, `--delay`, `--fault`, already resolved */
  global: Effect;
  /** `--enforce-rate-limit`: answer 429 past the limit instead of only counting */
  enforceRateLimit: boolean;
}

type JobRequest = FastifyRequest<{
  Params: Record<PathParameterName, string>;
  Querystring: Record<string, string | string[] | undefined>;
}>;

const PATH_PARAMETER_ERRORS = [
  ['groupId', 'INVALID_GROUP_ID'],
  ['clusterName', 'INVALID_CLUSTER_NAME'],
  ['restoreJobId', 'INVALID_JOB_ID'],
] as const;

/** What the common first steps of both handlers learned. */
interface Admitted {
  ctx: ErrorContext;
  format: ReplyFormat;
  /** the error chosen for this request, if any, still to fire at its stage */
  scenario: AtlasErrorDefinition | undefined;
  /** this request's count against its caller's rate limit (the credential, else the IP) */
  rate: RateLimitState;
}

export function baseUrlOf(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}`;
}

function pick(delay: DelayRange | undefined): number {
  if (!delay) return 0;
  return delay.minMs + Math.floor(Math.random() * (delay.maxMs - delay.minMs + 1));
}

export const restoreJobRoutes: FastifyPluginAsync<RestoreJobRouteOptions> = async (app, options) => {
  const { catalog, rates, scenarios, global, enforceRateLimit } = options;
  const fail = (reply: FastifyReply, definition: AtlasErrorDefinition, admitted: Pick<Admitted, 'ctx' | 'format' | 'rate'>) =>
    sendAtlasError(reply, definition, admitted.ctx, admitted.format, admitted.rate);

  /** D1 up to the lookups; returns undefined when it has already replied. */
  function admit(request: JobRequest, reply: FastifyReply, scenario: AtlasErrorDefinition | undefined, invalidPrefer: string | undefined): Admitted | undefined {
    const { groupId, clusterName, restoreJobId } = request.params;
    const rate = rates.hit(request.principal || request.ip);
    const ctx: ErrorContext = {
      groupId, clusterName, restoreJobId, path: request.url.split('?', 1)[0] ?? '', ip: request.ip, rateLimit: rates.limit,
    };
    const readFormat = readReplyFormat(request.query);
    const format = isFormatProblem(readFormat) ? PLAIN_FORMAT : readFormat;
    const fires = (stage: Stage) => scenario !== undefined && stageOf(scenario) === stage;
    const admitted = { ctx, format, rate };

    if (fires('auth')) return void fail(reply, scenario as AtlasErrorDefinition, admitted);
    if (enforceRateLimit && rate.exceeded) return void fail(reply, getAtlasError('RATE_LIMITED'), admitted);
    if (fires('version') || !negotiateVersion(request.headers.accept)) {
      return void fail(reply, fires('version') ? (scenario as AtlasErrorDefinition) : getAtlasError('INVALID_VERSION_DATE'), admitted);
    }
    for (const [name, errorName] of PATH_PARAMETER_ERRORS) {
      if (!pathParameterValidators[name](request.params[name])) return void fail(reply, getAtlasError(errorName), admitted);
    }
    if (isFormatProblem(readFormat)) {
      return void fail(reply, getAtlasError('INVALID_QUERY_PARAMETER'), { ...admitted, ctx: { ...ctx, ...readFormat } });
    }
    if (invalidPrefer !== undefined) return void fail(reply, getAtlasError('INVALID_PREFER_CODE'), { ...admitted, ctx: { ...ctx, preferCode: invalidPrefer } });
    if (fires('validation')) return void fail(reply, scenario as AtlasErrorDefinition, admitted);
    return { ...admitted, scenario };
  }

  function answer(request: JobRequest, reply: FastifyReply, scenario: AtlasErrorDefinition | undefined, invalidPrefer: string | undefined): FastifyReply {
    const admitted = admit(request, reply, scenario, invalidPrefer);
    if (!admitted) return reply;
    const fires = (stage: Stage) => admitted.scenario !== undefined && stageOf(admitted.scenario) === stage;

    if (fires('lookup')) return fail(reply, admitted.scenario as AtlasErrorDefinition, admitted);
    const found = catalog.lookup(request.params);
    if (!found.found) {
      request.log.debug({ ids: request.params, error: found.error }, 'no such restore job: add a fixture or enable --generate');
      return fail(reply, getAtlasError(found.error), admitted);
    }
    if (fires('handler')) return fail(reply, admitted.scenario as AtlasErrorDefinition, admitted);
    return sendJob(reply, found.rendered(baseUrlOf(request)), admitted.format, admitted.rate);
  }

  app.get(RESTORE_JOB_URL, async (request: JobRequest, reply) => {
    const { groupId, restoreJobId } = request.params;
    const prefer = parsePrefer(request.headers.prefer);
    // Most specific first (README "Selecting an error"); rules are consulted once, as they count down.
    const rule = scenarios.size > 0 ? scenarios.match(request.params) : undefined;
    const fixture = catalog.fixture(request.params);
    const error = prefer.definition ?? wellKnownError(groupId, restoreJobId) ?? rule?.error ?? fixture?.error ?? global.error;
    const delay = prefer.delay ?? rule?.delay ?? fixture?.delay ?? global.delay;
    const fault: Fault | undefined = prefer.fault ?? rule?.fault ?? fixture?.fault ?? global.fault;

    if (delay) await sleep(pick(delay));
    if (fault === 'reset' || fault === 'empty') return breakConnection(reply, fault);
    if (fault === 'slow-body') request.slowBody = true;
    return answer(request, reply, error, prefer.invalid);
  });

  // D15: the Atlas CLI asks the flex API first and falls back to the dedicated route on this 400.
  // Scenarios are left to the dedicated route, so the CLI reaches it as it does against Atlas.
  app.get(FLEX_RESTORE_JOB_URL, async (request: JobRequest, reply) => {
    const admitted = admit(request, reply, undefined, undefined);
    if (!admitted) return reply;
    const cluster = catalog.clusterLookup(request.params.groupId, request.params.clusterName);
    if (!cluster.found) return fail(reply, getAtlasError(cluster.error), admitted);
    return fail(reply, getAtlasError('CANNOT_USE_NON_FLEX_CLUSTER_IN_FLEX_API'), admitted);
  });
};

/** `--scenario`, `--delay` and `--fault` as one effect. */
export function globalEffect(scenario: string, delay: DelayRange | undefined, fault: string): Effect {
  const effect: Effect = {};
  const error = scenario === 'none' ? undefined : findAtlasError(scenario);
  if (error) effect.error = error;
  if (delay) effect.delay = delay;
  if (fault !== 'none') effect.fault = fault as Fault;
  return effect;
}
