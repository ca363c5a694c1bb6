/**
 * What every Atlas route of the restore workflow does before its own work, in the order Atlas does it:
 * (authentication, in a hook) → a selected error that fires at authentication, and the rate limit →
 * Accept/version (406) → path parameters (400) → `envelope`/`pretty` and `Prefer` (400). The route then
 * looks up the project, cluster and job, and a selected 404 or 500 fires there (`Admitted.stage`).
 *
 * Before the checks, a request's error, delay and fault are selected, most specific first: `Prefer`,
 * then a well-known id, a rule, the fixture's `x-mock`, and `--scenario`. A delay or connection fault
 * wraps whatever reply comes out.
 *
 * The GET of one job runs through here on every poll, so per request this makes one `Admitted` record
 * and nothing else; a closure and a promise only when a delay is selected.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { setTimeout as sleep } from 'node:timers/promises';
import { rememberLast } from '../caches/remember-last.js';
import { negotiateVersion } from '../http/api-version.js';
import { getAtlasError, type AtlasErrorDefinition, type AtlasErrorName, type ErrorContext } from '../http/atlas-errors.js';
import type { RateCounter } from '../http/rate-counter.js';
import { sendAtlasError, type RateLimitState } from '../http/render-reply.js';
import { PLAIN_FORMAT, isFormatProblem, readReplyFormat, type ReplyFormat } from '../http/reply-format.js';
import { pathOf } from '../http/request-path.js';
import type { JobIds } from '../jobs/generate-restore-job.js';
import type { JobCatalog } from '../jobs/job-catalog.js';
import type { Fixture } from '../jobs/load-fixtures.js';
import { breakConnection, type Fault } from '../scenarios/faults.js';
import type { DelayRange, Effect, ScenarioBook } from '../scenarios/scenario-book.js';
import { parsePrefer, stageOf, wellKnownError, type Stage } from '../scenarios/scenarios.js';
import { pathParameterValidators } from '../validation/spec-schemas.js';

/** The path parameters of the routes; create and list have no job id. */
export interface JobPathParams {
  groupId: string;
  clusterName: string;
  restoreJobId?: string;
}

export type AtlasRequest = FastifyRequest<{
  Params: JobPathParams;
  Querystring: Record<string, string | string[] | undefined>;
  Body: string | undefined;
}>;

/** What the checks learned: how to answer, and which selected error waits for a later stage. */
export interface Admitted {
  format: ReplyFormat;
  /** this request's count against its caller's rate limit (the credential, else the IP) */
  rate: RateLimitState;
  /** the fixture at the request's ids, when it names a job */
  fixture: Fixture | undefined;
  /** the selected error, if it fires at the lookup or in the handler ('lookup' or 'handler') */
  scenario: AtlasErrorDefinition | undefined;
  stage: Stage | undefined;
}

export type AdmittedHandler = (request: AtlasRequest, reply: FastifyReply, admitted: Admitted) => void;

export interface AdmissionOptions {
  catalog: JobCatalog;
  rates: RateCounter;
  /** rules set at runtime (control API, startMock) */
  scenarios: ScenarioBook;
  /** `--scenario`, `--delay`, `--fault`, already resolved */
  global: Effect;
  /** `--enforce-rate-limit`: answer 429 past the limit instead of only counting */
  enforceRateLimit: boolean;
  /**
   * Ids the catalog holds (a fixture's, a cached job's) passed the path checks before, so the GET of one
   * job does not run them again; other routes leave this out.
   */
  skipCheckedIds?: boolean;
}

export interface Admission {
  /** Selects the request's error, delay and fault, applies them, runs the checks, then `handle`. */
  run(request: AtlasRequest, reply: FastifyReply, handle: AdmittedHandler): Promise<void> | undefined;
  /** The checks alone, with nothing selected (the flex siblings); undefined when it has replied. */
  admit(request: AtlasRequest, reply: FastifyReply): Admitted | undefined;
  /** Answers with an Atlas error; its text's context is built only now, as errors are the rarer path. */
  fail(request: AtlasRequest, reply: FastifyReply, definition: AtlasErrorDefinition, admitted: Admitted, extra?: Partial<ErrorContext>): void;
  /** Sends the selected error that fires at this stage, if there is one; true when it has replied. */
  failAt(stage: 'lookup' | 'handler', request: AtlasRequest, reply: FastifyReply, admitted: Admitted): boolean;
}

// A client asks about one group and cluster request after request: a repeat of the last one is not
// matched against the spec's pattern again. Job ids change from request to request and are matched
// every time.
const isGroupId = rememberLast(pathParameterValidators.groupId);
const isClusterName = rememberLast(pathParameterValidators.clusterName);
const { restoreJobId: isRestoreJobId } = pathParameterValidators;

/**
 * The error for the first path parameter that breaks the spec's pattern, in path order. Written out
 * rather than looped over names, so each check reads one known property.
 */
function firstInvalidParameter(params: JobPathParams): AtlasErrorName | undefined {
  if (!isGroupId(params.groupId)) return 'INVALID_GROUP_ID';
  if (!isClusterName(params.clusterName)) return 'INVALID_CLUSTER_NAME';
  if (params.restoreJobId !== undefined && !isRestoreJobId(params.restoreJobId)) return 'INVALID_JOB_ID';
  return undefined;
}

function pick(delay: DelayRange): number {
  return delay.minMs + Math.floor(Math.random() * (delay.maxMs - delay.minMs + 1));
}

export function createAdmission(options: AdmissionOptions): Admission {
  const { catalog, rates, scenarios, global, enforceRateLimit, skipCheckedIds = false } = options;

  function fail(request: AtlasRequest, reply: FastifyReply, definition: AtlasErrorDefinition, admitted: Admitted, extra?: Partial<ErrorContext>): void {
    const { groupId, clusterName, restoreJobId } = request.params;
    const ctx: ErrorContext = { groupId, clusterName, restoreJobId, path: pathOf(request.url), ip: request.ip, rateLimit: rates.limit, ...extra };
    sendAtlasError(reply, definition, ctx, admitted.format, admitted.rate);
  }

  function check(request: AtlasRequest, reply: FastifyReply, fixture: Fixture | undefined, scenario: AtlasErrorDefinition | undefined, invalidPrefer: string | undefined): Admitted | undefined {
    const rate = rates.hit(request.principal || request.ip);
    const readFormat = readReplyFormat(request.query);
    const stage = scenario === undefined ? undefined : stageOf(scenario);
    const admitted: Admitted = { format: isFormatProblem(readFormat) ? PLAIN_FORMAT : readFormat, rate, fixture, scenario, stage };

    if (stage === 'auth') return void fail(request, reply, scenario as AtlasErrorDefinition, admitted);
    if (enforceRateLimit && rate.exceeded) return void fail(request, reply, getAtlasError('RATE_LIMITED'), admitted);
    if (stage === 'version') return void fail(request, reply, scenario as AtlasErrorDefinition, admitted);
    if (!negotiateVersion(request.headers.accept)) return void fail(request, reply, getAtlasError('INVALID_VERSION_DATE'), admitted);
    const checkedBefore = skipCheckedIds && catalog.checkedBefore(request.params as JobIds, fixture);
    const invalidParameter = checkedBefore ? undefined : firstInvalidParameter(request.params);
    if (invalidParameter !== undefined) return void fail(request, reply, getAtlasError(invalidParameter), admitted);
    if (isFormatProblem(readFormat)) return void fail(request, reply, getAtlasError('INVALID_QUERY_PARAMETER'), admitted, readFormat);
    if (invalidPrefer !== undefined) return void fail(request, reply, getAtlasError('INVALID_PREFER_CODE'), admitted, { preferCode: invalidPrefer });
    if (stage === 'validation') return void fail(request, reply, scenario as AtlasErrorDefinition, admitted);
    return admitted;
  }

  /** After the delay: a connection fault, or the checks and the handler. */
  function proceed(
    request: AtlasRequest,
    reply: FastifyReply,
    handle: AdmittedHandler,
    fixture: Fixture | undefined,
    error: AtlasErrorDefinition | undefined,
    fault: Fault | undefined,
    invalidPrefer: string | undefined,
  ): void {
    if (fault === 'reset' || fault === 'empty') return void breakConnection(reply, fault);
    if (fault === 'slow-body') request.slowBody = true;
    const admitted = check(request, reply, fixture, error, invalidPrefer);
    if (admitted) handle(request, reply, admitted);
  }

  return {
    fail,
    failAt(stage, request, reply, admitted) {
      if (admitted.stage !== stage) return false;
      fail(request, reply, admitted.scenario!, admitted);
      return true;
    },
    admit: (request, reply) => check(request, reply, undefined, undefined, undefined),
    run(request, reply, handle) {
      const { params } = request;
      const ids = params.restoreJobId === undefined ? undefined : (params as JobIds);
      const prefer = parsePrefer(request.headers.prefer);
      // Rules are consulted once per request, as they count down.
      const rule = scenarios.size > 0 ? scenarios.match(ids ?? { groupId: params.groupId, clusterName: params.clusterName, restoreJobId: '' }) : undefined;
      const fixture = ids === undefined ? undefined : catalog.fixture(ids);
      const error = prefer.definition ?? wellKnownError(params.groupId, params.restoreJobId ?? '') ?? rule?.error ?? fixture?.error ?? global.error;
      const delay = prefer.delay ?? rule?.delay ?? fixture?.delay ?? global.delay;
      const fault = prefer.fault ?? rule?.fault ?? fixture?.fault ?? global.fault;
      if (delay) return sleep(pick(delay)).then(() => proceed(request, reply, handle, fixture, error, fault, prefer.invalid));
      proceed(request, reply, handle, fixture, error, fault, prefer.invalid);
      return undefined;
    },
  };
}
