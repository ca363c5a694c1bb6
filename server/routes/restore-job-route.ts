/**
 * GET one restore job, and its flex-cluster sibling (D15). Each handler reads top to bottom in the
 * order of decision D1: (auth, in a hook) → scenarios that fire at auth, and the rate limit →
 * Accept/version (406) → path parameters (400) → query and Prefer (400) → group → cluster → job → reply.
 * A delay or connection fault, when one is selected, wraps whatever reply comes out.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { setTimeout as sleep } from 'node:timers/promises';
import { negotiateVersion } from '../http/api-version.js';
import { findAtlasError, getAtlasError, type AtlasErrorDefinition, type AtlasErrorName, type ErrorContext } from '../http/atlas-errors.js';
import { breakConnection } from '../scenarios/faults.js';
import { jobNow, type CreatedJobs } from '../jobs/created-jobs.js';
import type { JobCatalog } from '../jobs/job-catalog.js';
import type { MockClock } from '../control/mock-clock.js';
import type { Fixture } from '../jobs/load-fixtures.js';
import type { RateCounter } from '../http/rate-counter.js';
import { PLAIN_FORMAT, isFormatProblem, readReplyFormat, type ReplyFormat } from '../http/reply-format.js';
import { sendAtlasError, sendJob, type RateLimitState } from '../http/render-reply.js';
import type { DelayRange, Effect, Fault, ScenarioBook } from '../scenarios/scenario-book.js';
import { parsePrefer, stageOf, wellKnownError } from '../scenarios/scenarios.js';
import { pathParameterValidators, type PathParameterName } from '../validation/spec-schemas.js';
import { rememberLast } from '../caches/remember-last.js';
import { pathOf } from '../http/request-path.js';

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
  /** jobs clients created or cancelled, read on the lifecycle clock */
  createdJobs: CreatedJobs;
  clock: MockClock;
}

type JobRequest = FastifyRequest<{
  Params: Record<PathParameterName, string>;
  Querystring: Record<string, string | string[] | undefined>;
}>;

// A client asks about one group and cluster request after request: a repeat of the last one is not
// matched against the spec's pattern again (remember-last.ts). Job ids change from request to request
// and are matched every time.
const isGroupId = rememberLast(pathParameterValidators.groupId);
const isClusterName = rememberLast(pathParameterValidators.clusterName);
const { restoreJobId: isRestoreJobId } = pathParameterValidators;

/**
 * The error for the first path parameter that breaks the spec's pattern, in path order. Written out
 * rather than looped over names, so each check reads one known property.
 */
function firstInvalidParameter(params: Record<PathParameterName, string>): AtlasErrorName | undefined {
  if (!isGroupId(params.groupId)) return 'INVALID_GROUP_ID';
  if (!isClusterName(params.clusterName)) return 'INVALID_CLUSTER_NAME';
  if (!isRestoreJobId(params.restoreJobId)) return 'INVALID_JOB_ID';
  return undefined;
}

/** What the common first steps of both handlers learned. */
interface Admitted {
  format: ReplyFormat;
  /** this request's count against its caller's rate limit (the credential, else the IP) */
  rate: RateLimitState;
}

// Clients keep to one host, so a repeat gets the very string made for the last one, which the
// catalog's cache then compares by identity.
const httpBaseUrl = rememberLast((host) => `http://${host}`);

export function baseUrlOf(request: FastifyRequest): string {
  const { protocol } = request;
  return protocol === 'http' ? httpBaseUrl(request.host) : `${protocol}://${request.host}`;
}

function pick(delay: DelayRange | undefined): number {
  if (!delay) return 0;
  return delay.minMs + Math.floor(Math.random() * (delay.maxMs - delay.minMs + 1));
}

export const restoreJobRoutes: FastifyPluginAsync<RestoreJobRouteOptions> = async (app, options) => {
  const { catalog, rates, scenarios, global, enforceRateLimit, createdJobs, clock } = options;

  /** Answers with an Atlas error; the context its text needs is built only now, as errors are the rarer path. */
  function fail(request: JobRequest, reply: FastifyReply, definition: AtlasErrorDefinition, admitted: Admitted, extra?: Partial<ErrorContext>): void {
    const { groupId, clusterName, restoreJobId } = request.params;
    const ctx: ErrorContext = { groupId, clusterName, restoreJobId, path: pathOf(request.url), ip: request.ip, rateLimit: rates.limit, ...extra };
    sendAtlasError(reply, definition, ctx, admitted.format, admitted.rate);
  }

  /** D1 up to the lookups; returns undefined when it has already replied. */
  function admit(
    request: JobRequest,
    reply: FastifyReply,
    fixture: Fixture | undefined,
    scenario: AtlasErrorDefinition | undefined,
    invalidPrefer: string | undefined,
  ): Admitted | undefined {
    const rate = rates.hit(request.principal || request.ip);
    const readFormat = readReplyFormat(request.query);
    const admitted: Admitted = { format: isFormatProblem(readFormat) ? PLAIN_FORMAT : readFormat, rate };
    const stage = scenario === undefined ? undefined : stageOf(scenario);

    if (stage === 'auth') return void fail(request, reply, scenario as AtlasErrorDefinition, admitted);
    if (enforceRateLimit && rate.exceeded) return void fail(request, reply, getAtlasError('RATE_LIMITED'), admitted);
    if (stage === 'version') return void fail(request, reply, scenario as AtlasErrorDefinition, admitted);
    if (!negotiateVersion(request.headers.accept)) return void fail(request, reply, getAtlasError('INVALID_VERSION_DATE'), admitted);
    // Ids the catalog holds (a fixture's, a cached job's) passed these checks before, so they are not
    // run again.
    const invalidParameter = catalog.checkedBefore(request.params, fixture) ? undefined : firstInvalidParameter(request.params);
    if (invalidParameter !== undefined) return void fail(request, reply, getAtlasError(invalidParameter), admitted);
    if (isFormatProblem(readFormat)) return void fail(request, reply, getAtlasError('INVALID_QUERY_PARAMETER'), admitted, readFormat);
    if (invalidPrefer !== undefined) return void fail(request, reply, getAtlasError('INVALID_PREFER_CODE'), admitted, { preferCode: invalidPrefer });
    if (stage === 'validation') return void fail(request, reply, scenario as AtlasErrorDefinition, admitted);
    return admitted;
  }

  function answer(request: JobRequest, reply: FastifyReply, fixture: Fixture | undefined, scenario: AtlasErrorDefinition | undefined, invalidPrefer: string | undefined): void {
    const admitted = admit(request, reply, fixture, scenario, invalidPrefer);
    if (!admitted) return;
    const stage = scenario === undefined ? undefined : stageOf(scenario);

    if (stage === 'lookup') return fail(request, reply, scenario as AtlasErrorDefinition, admitted);
    // A created job, or a cancelled one, is found before the catalog's: the store is empty unless a
    // client created or cancelled one, and then costs one lookup.
    const stored = createdJobs.size === 0 ? undefined : createdJobs.find(request.params.groupId, request.params.clusterName, request.params.restoreJobId);
    if (stored !== undefined) {
      if (stage === 'handler') return fail(request, reply, scenario as AtlasErrorDefinition, admitted);
      return void sendJob(reply, catalog.renderRecord(jobNow(stored, clock.now()), request.params, baseUrlOf(request)), admitted.format, admitted.rate);
    }
    const found = catalog.lookup(request.params, fixture);
    if (!found.found) {
      request.log.debug({ ids: request.params, error: found.error }, 'no such restore job: add a fixture or enable --generate');
      return fail(request, reply, getAtlasError(found.error), admitted);
    }
    if (stage === 'handler') return fail(request, reply, scenario as AtlasErrorDefinition, admitted);
    sendJob(reply, catalog.render(request.params, fixture, baseUrlOf(request)), admitted.format, admitted.rate);
  }

  // Not an async function: most requests have no delay, and a promise per request is measurable.
  app.get(RESTORE_JOB_URL, (request: JobRequest, reply): Promise<void> | undefined => {
    const { groupId, restoreJobId } = request.params;
    const prefer = parsePrefer(request.headers.prefer);
    // Most specific first (README "Selecting an error"); rules are consulted once, as they count down.
    const rule = scenarios.size > 0 ? scenarios.match(request.params) : undefined;
    const fixture = catalog.fixture(request.params);
    const error = prefer.definition ?? wellKnownError(groupId, restoreJobId) ?? rule?.error ?? fixture?.error ?? global.error;
    const delay = prefer.delay ?? rule?.delay ?? fixture?.delay ?? global.delay;
    const fault: Fault | undefined = prefer.fault ?? rule?.fault ?? fixture?.fault ?? global.fault;

    const go = () => {
      if (fault === 'reset' || fault === 'empty') return void breakConnection(reply, fault);
      if (fault === 'slow-body') request.slowBody = true;
      answer(request, reply, fixture, error, prefer.invalid);
    };
    if (delay) return sleep(pick(delay)).then(go);
    go();
    return undefined;
  });

  // D15: the Atlas CLI asks the flex API first and falls back to the dedicated route on this 400.
  // Scenarios are left to the dedicated route, so the CLI reaches it as it does against Atlas.
  app.get(FLEX_RESTORE_JOB_URL, (request: JobRequest, reply): void => {
    const admitted = admit(request, reply, undefined, undefined, undefined);
    if (!admitted) return;
    const cluster = catalog.clusterLookup(request.params.groupId, request.params.clusterName);
    fail(request, reply, getAtlasError(cluster.found ? 'CANNOT_USE_NON_FLEX_CLUSTER_IN_FLEX_API' : cluster.error), admitted);
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
