/**
 * The rest of the restore workflow beside the GET of one job: create (POST), list (GET) and cancel
 * (DELETE), the flex-cluster siblings the Atlas CLI tries first, and the cluster route it reads before a
 * create. Every handler runs the GET's order of checks: (auth, in a hook) → scenarios that fire at auth,
 * and the rate limit → Accept/version (406) → path parameters (400) → query and Prefer (400) → project →
 * cluster → what the operation itself checks → reply. A delay or connection fault wraps the reply.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { setTimeout as sleep } from 'node:timers/promises';
import { negotiateVersion } from '../http/api-version.js';
import { getAtlasError, type AtlasErrorDefinition, type AtlasErrorName, type ErrorContext } from '../http/atlas-errors.js';
import { mayChangeRestoreJobs, type RestoreJobChange } from '../auth/credentials.js';
import type { BackupTopology } from '../jobs/backup-topology.js';
import { hasEnded, jobNow, type CreatedJobs, type StoredJob } from '../jobs/created-jobs.js';
import { breakConnection } from '../scenarios/faults.js';
import type { JobCatalog } from '../jobs/job-catalog.js';
import { generatedJobIds, isListQueryProblem, listBody, readListQuery, type ListedJob } from '../jobs/job-list.js';
import type { MockClock } from '../control/mock-clock.js';
import type { FixtureSet } from '../jobs/load-fixtures.js';
import { planRestoreJob } from '../jobs/new-restore-job.js';
import { objectIdSeconds } from '../jobs/object-id.js';
import type { RateCounter } from '../http/rate-counter.js';
import { PLAIN_FORMAT, isFormatProblem, readReplyFormat, type ReplyFormat } from '../http/reply-format.js';
import { sendAtlasError, sendJob, sendNoContent, sendResource, type RateLimitState } from '../http/render-reply.js';
import { clusterBody, clusterContentType } from '../http/cluster-resource.js';
import { pathOf } from '../http/request-path.js';
import { isRefusal, readRestoreRequest, type Refusal } from '../jobs/restore-request.js';
import type { RestoreJobRecord } from '../jobs/restore-job-record.js';
import type { DelayRange, Effect, Fault, ScenarioBook } from '../scenarios/scenario-book.js';
import { parsePrefer, stageOf, wellKnownError, type Stage } from '../scenarios/scenarios.js';
import { pathParameterValidators } from '../validation/spec-schemas.js';
import { baseUrlOf } from './restore-job-route.js';

export const RESTORE_JOBS_URL = '/api/atlas/v2/groups/:groupId/clusters/:clusterName/backup/restoreJobs';
export const CANCEL_RESTORE_JOB_URL = '/api/atlas/v2/groups/:groupId/clusters/:clusterName/backup/restoreJobs/:restoreJobId';
export const FLEX_RESTORE_JOBS_URL = '/api/atlas/v2/groups/:groupId/flexClusters/:clusterName/backup/restoreJobs';
export const CLUSTER_URL = '/api/atlas/v2/groups/:groupId/clusters/:clusterName';

/** A restore request is a few hundred bytes; this bounds what a create, and the journal, hold. */
export const MAX_BODY_BYTES = 16 * 1024;

export interface RestoreJobsRouteOptions {
  catalog: JobCatalog;
  topology: BackupTopology;
  fixtures: FixtureSet;
  createdJobs: CreatedJobs;
  clock: MockClock;
  rates: RateCounter;
  scenarios: ScenarioBook;
  global: Effect;
  enforceRateLimit: boolean;
  generate: boolean;
  seed: number;
}

interface Params {
  groupId: string;
  clusterName: string;
  restoreJobId?: string;
}

type WorkflowRequest = FastifyRequest<{ Params: Params; Querystring: Record<string, string | string[] | undefined>; Body: string | undefined }>;

/** What the common first steps learned: how to answer, and which scenario error waits at a later stage. */
interface Admitted {
  format: ReplyFormat;
  rate: RateLimitState;
  scenario: AtlasErrorDefinition | undefined;
  stage: Stage | undefined;
}

function pick(delay: DelayRange): number {
  return delay.minMs + Math.floor(Math.random() * (delay.maxMs - delay.minMs + 1));
}

export const restoreJobsRoutes: FastifyPluginAsync<RestoreJobsRouteOptions> = async (app, options) => {
  const { catalog, topology, fixtures, createdJobs, clock, rates, scenarios, global, enforceRateLimit } = options;

  // Bodies are read as text whatever their Content-Type (Atlas takes application/json and its versioned
  // type; curl -d sends a form type), so that a body that is not JSON gets Atlas's MALFORMED_JSON.
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

  function fail(request: WorkflowRequest, reply: FastifyReply, definition: AtlasErrorDefinition, admitted: Pick<Admitted, 'format' | 'rate'>, extra?: Partial<ErrorContext>): void {
    const { groupId, clusterName, restoreJobId } = request.params;
    const ctx: ErrorContext = { groupId, clusterName, path: pathOf(request.url), ip: request.ip, rateLimit: rates.limit, ...extra };
    if (restoreJobId !== undefined) ctx.restoreJobId = restoreJobId;
    sendAtlasError(reply, definition, ctx, admitted.format, admitted.rate);
  }

  const refuse = (request: WorkflowRequest, reply: FastifyReply, refusal: Refusal, admitted: Admitted) => fail(request, reply, refusal.refused, admitted, refusal.ctx);

  function firstInvalidParameter(params: Params): AtlasErrorName | undefined {
    if (!pathParameterValidators.groupId(params.groupId)) return 'INVALID_GROUP_ID';
    if (!pathParameterValidators.clusterName(params.clusterName)) return 'INVALID_CLUSTER_NAME';
    if (params.restoreJobId !== undefined && !pathParameterValidators.restoreJobId(params.restoreJobId)) return 'INVALID_JOB_ID';
    return undefined;
  }

  /** The common first steps, up to the lookups; undefined when it has already replied. */
  function admit(request: WorkflowRequest, reply: FastifyReply, scenario: AtlasErrorDefinition | undefined, invalidPrefer: string | undefined): Admitted | undefined {
    const rate = rates.hit(request.principal || request.ip);
    const readFormat = readReplyFormat(request.query);
    const stage = scenario === undefined ? undefined : stageOf(scenario);
    const admitted: Admitted = { format: isFormatProblem(readFormat) ? PLAIN_FORMAT : readFormat, rate, scenario, stage };
    if (stage === 'auth') return void fail(request, reply, scenario as AtlasErrorDefinition, admitted);
    if (enforceRateLimit && rate.exceeded) return void fail(request, reply, getAtlasError('RATE_LIMITED'), admitted);
    if (stage === 'version') return void fail(request, reply, scenario as AtlasErrorDefinition, admitted);
    if (!negotiateVersion(request.headers.accept)) return void fail(request, reply, getAtlasError('INVALID_VERSION_DATE'), admitted);
    const invalidParameter = firstInvalidParameter(request.params);
    if (invalidParameter !== undefined) return void fail(request, reply, getAtlasError(invalidParameter), admitted);
    if (isFormatProblem(readFormat)) return void fail(request, reply, getAtlasError('INVALID_QUERY_PARAMETER'), admitted, readFormat);
    if (invalidPrefer !== undefined) return void fail(request, reply, getAtlasError('INVALID_PREFER_CODE'), admitted, { preferCode: invalidPrefer });
    if (stage === 'validation') return void fail(request, reply, scenario as AtlasErrorDefinition, admitted);
    return admitted;
  }

  /** Project and cluster, after a scenario that fires at lookup; false when it has already replied. */
  function clusterFound(request: WorkflowRequest, reply: FastifyReply, admitted: Admitted): boolean {
    if (admitted.stage === 'lookup') return void fail(request, reply, admitted.scenario as AtlasErrorDefinition, admitted), false;
    const cluster = topology.cluster(request.params.groupId, request.params.clusterName);
    if (!cluster.found) return void fail(request, reply, getAtlasError(cluster.error), admitted), false;
    return true;
  }

  /** A scenario error that fires in the handler, after every check; true when it has replied. */
  function handlerScenario(request: WorkflowRequest, reply: FastifyReply, admitted: Admitted): boolean {
    if (admitted.stage !== 'handler') return false;
    fail(request, reply, admitted.scenario as AtlasErrorDefinition, admitted);
    return true;
  }

  /** Is the caller's role enough for this change (configured credentials only)? */
  function mayChange(request: WorkflowRequest, change: RestoreJobChange): boolean {
    return request.credential === null || mayChangeRestoreJobs(request.credential, request.params.groupId, change);
  }
  const changeOf = (deliveryType: RestoreJobRecord['deliveryType']): RestoreJobChange => (deliveryType === 'download' ? 'download' : 'restore');

  /**
   * Selects the request's error, delay and fault (most specific first, as for the GET), applies the
   * delay and fault, and runs the common steps before `handle`.
   */
  function run(request: WorkflowRequest, reply: FastifyReply, handle: (admitted: Admitted) => void): Promise<void> | undefined {
    const { groupId, clusterName, restoreJobId } = request.params;
    const ids = { groupId, clusterName, restoreJobId: restoreJobId ?? '' };
    const prefer = parsePrefer(request.headers.prefer);
    const rule = scenarios.size > 0 ? scenarios.match(ids) : undefined;
    const fixture = restoreJobId === undefined ? undefined : catalog.fixture(ids);
    const error = prefer.definition ?? wellKnownError(groupId, ids.restoreJobId) ?? rule?.error ?? fixture?.error ?? global.error;
    const delay = prefer.delay ?? rule?.delay ?? fixture?.delay ?? global.delay;
    const fault: Fault | undefined = prefer.fault ?? rule?.fault ?? fixture?.fault ?? global.fault;
    const go = () => {
      if (fault === 'reset' || fault === 'empty') return void breakConnection(reply, fault);
      if (fault === 'slow-body') request.slowBody = true;
      const admitted = admit(request, reply, error, prefer.invalid);
      if (admitted) handle(admitted);
    };
    if (delay) return sleep(pick(delay)).then(go);
    go();
    return undefined;
  }

  // --- create ----------------------------------------------------------------------------------------
  app.post(RESTORE_JOBS_URL, { bodyLimit: MAX_BODY_BYTES }, (request: WorkflowRequest, reply) =>
    run(request, reply, (admitted) => {
      if (!clusterFound(request, reply, admitted)) return;
      const restore = readRestoreRequest(request.body);
      if (isRefusal(restore)) return refuse(request, reply, restore, admitted);
      if (!mayChange(request, changeOf(restore.deliveryType))) return fail(request, reply, getAtlasError('USER_UNAUTHORIZED'), admitted);
      const { groupId, clusterName } = request.params;
      // From here to the store nothing waits, so concurrent creates cannot both pass a conflict check.
      const nowMs = clock.now();
      const job = planRestoreJob(restore, { groupId, clusterName, nowMs, topology, store: createdJobs });
      if (isRefusal(job)) return refuse(request, reply, job, admitted);
      if (handlerScenario(request, reply, admitted)) return;
      if (!createdJobs.add(job, nowMs)) return fail(request, reply, getAtlasError('RESTORE_JOB_LIMIT_REACHED'), admitted, { value: createdJobs.size });
      sendJob(reply, catalog.renderRecord(jobNow(job, nowMs), { groupId, clusterName, restoreJobId: job.id }, baseUrlOf(request)), admitted.format, admitted.rate);
    }),
  );

  // --- list ------------------------------------------------------------------------------------------
  /** Every job of the cluster: its fixtures, generated past and stored jobs, a stored one replacing its twin. */
  function jobsOf(groupId: string, clusterName: string, baseUrl: string, nowMs: number): ListedJob[] {
    const listed = new Map<string, ListedJob>();
    const entry = (restoreJobId: string, json: () => string): ListedJob => ({ id: restoreJobId, createdSeconds: objectIdSeconds(restoreJobId), json });
    if (options.generate) {
      for (const restoreJobId of generatedJobIds(options.seed, groupId, clusterName)) {
        const ids = { groupId, clusterName, restoreJobId };
        listed.set(restoreJobId, entry(restoreJobId, () => catalog.render(ids, undefined, baseUrl).json));
      }
    }
    for (const fixture of fixtures.list()) {
      if (fixture.groupId !== groupId || fixture.clusterName !== clusterName) continue;
      listed.set(fixture.restoreJobId, entry(fixture.restoreJobId, () => catalog.render(fixture, fixture, baseUrl).json));
    }
    for (const stored of createdJobs.ofCluster(groupId, clusterName)) {
      listed.set(stored.id, entry(stored.id, () => catalog.renderRecord(jobNow(stored, nowMs), { groupId, clusterName, restoreJobId: stored.id }, baseUrl).json));
    }
    return [...listed.values()];
  }

  app.get(RESTORE_JOBS_URL, (request: WorkflowRequest, reply) =>
    run(request, reply, (admitted) => {
      const query = readListQuery(request.query);
      if (isListQueryProblem(query)) return fail(request, reply, getAtlasError('INVALID_PAGINATION_PARAMETER'), admitted, query);
      if (!clusterFound(request, reply, admitted)) return;
      if (handlerScenario(request, reply, admitted)) return;
      const { groupId, clusterName } = request.params;
      const baseUrl = baseUrlOf(request);
      const json = listBody(`${baseUrl}${pathOf(request.url)}`, jobsOf(groupId, clusterName, baseUrl, clock.now()), query, admitted.format.envelope);
      // The list is its own envelope (listBody adds `status`), so only `pretty` is left to apply.
      sendJob(reply, { json, bytes: Buffer.byteLength(json) }, { envelope: false, pretty: admitted.format.pretty }, admitted.rate);
    }),
  );

  // --- cancel ----------------------------------------------------------------------------------------
  /** The job at these ids as a read now sees it, and where it is kept; undefined when there is none. */
  function currentJob(params: Required<Params>, nowMs: number, baseUrl: string): { job: RestoreJobRecord; stored?: StoredJob } | undefined {
    const stored = createdJobs.find(params.groupId, params.clusterName, params.restoreJobId);
    if (stored) return { job: jobNow(stored, nowMs), stored };
    const fixture = catalog.fixture(params);
    if (!catalog.lookup(params, fixture).found) return undefined;
    // Read back from the body the GET would send, so the kept job is exactly what clients saw.
    const { links: _links, ...job } = JSON.parse(catalog.render(params, fixture, baseUrl).json) as RestoreJobRecord & { links?: unknown };
    return { job };
  }

  app.delete(CANCEL_RESTORE_JOB_URL, { bodyLimit: MAX_BODY_BYTES }, (request: WorkflowRequest, reply) =>
    run(request, reply, (admitted) => {
      if (!clusterFound(request, reply, admitted)) return;
      const params = request.params as Required<Params>;
      const nowMs = clock.now();
      const found = currentJob(params, nowMs, baseUrlOf(request));
      if (!found) return fail(request, reply, getAtlasError('RESTORE_JOB_NOT_FOUND'), admitted);
      if (!mayChange(request, changeOf(found.job.deliveryType))) return fail(request, reply, getAtlasError('USER_UNAUTHORIZED'), admitted);
      if (found.job.deliveryType !== 'download') return fail(request, reply, getAtlasError('CANNOT_CANCEL_AUTOMATED_RESTORE'), admitted);
      if (handlerScenario(request, reply, admitted)) return;
      // A download that has ended stays as it is; cancelling it again is not an error.
      if (!hasEnded(found.job)) {
        if (found.stored) found.stored.cancelledAtMs = nowMs;
        else {
          const kept: StoredJob = {
            groupId: params.groupId,
            clusterName: params.clusterName,
            id: params.restoreJobId,
            startedAtMs: nowMs,
            finished: found.job,
            lifecycle: { finishAfterSeconds: 0 },
            origin: 'cancelled',
            cancelledAtMs: nowMs,
          };
          if (!createdJobs.add(kept, nowMs)) return fail(request, reply, getAtlasError('RESTORE_JOB_LIMIT_REACHED'), admitted, { value: createdJobs.size });
        }
      }
      sendNoContent(reply, admitted.format, admitted.rate);
    }),
  );

  // --- what the Atlas CLI asks first -----------------------------------------------------------------
  // The CLI tries the flex API for list and describe, and falls back to the dedicated routes on this
  // 400; scenarios are left to the dedicated routes, which the CLI then reaches as against Atlas.
  const flexRefusal = (request: WorkflowRequest, reply: FastifyReply) => {
    const admitted = admit(request, reply, undefined, undefined);
    if (!admitted) return;
    const cluster = topology.cluster(request.params.groupId, request.params.clusterName);
    fail(request, reply, cluster.found ? getAtlasError('CANNOT_USE_NON_FLEX_CLUSTER_IN_FLEX_API') : getAtlasError(cluster.error), admitted);
  };
  app.get(FLEX_RESTORE_JOBS_URL, flexRefusal);
  app.post(FLEX_RESTORE_JOBS_URL, { bodyLimit: MAX_BODY_BYTES }, flexRefusal);

  // `atlas backups restores start` reads the cluster before it creates, and aborts on any error.
  app.get(CLUSTER_URL, (request: WorkflowRequest, reply) =>
    run(request, reply, (admitted) => {
      if (!clusterFound(request, reply, admitted)) return;
      if (handlerScenario(request, reply, admitted)) return;
      const { groupId, clusterName } = request.params;
      const cluster = clusterBody({ groupId, clusterName, sharded: topology.sharded(groupId, clusterName), seed: options.seed }, baseUrlOf(request));
      sendResource(reply, cluster, clusterContentType(request.headers.accept), admitted.format, admitted.rate);
    }),
  );
};
