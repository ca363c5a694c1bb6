/**
 * GET one restore job, and its flex-cluster sibling (D15). Each handler reads top to bottom in the
 * order of decision D1: (auth, in a hook) → scenarios that fire at auth → Accept/version (406) →
 * path parameters (400) → query and Prefer (400) → group → cluster → job → reply.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { negotiateVersion } from '../api-version.js';
import { findAtlasError, getAtlasError, type AtlasErrorDefinition, type ErrorContext } from '../atlas-errors.js';
import type { JobCatalog } from '../job-catalog.js';
import type { RateCounter } from '../rate-counter.js';
import { PLAIN_FORMAT, isFormatProblem, readReplyFormat, type ReplyFormat } from '../reply-format.js';
import { sendAtlasError, sendJob } from '../render-reply.js';
import { parsePrefer, stageOf, wellKnownError, type Stage } from '../scenarios.js';
import { pathParameterValidators, type PathParameterName } from '../spec-schemas.js';

export const RESTORE_JOB_URL = '/api/atlas/v2/groups/:groupId/clusters/:clusterName/backup/restoreJobs/:restoreJobId';
export const FLEX_RESTORE_JOB_URL = '/api/atlas/v2/groups/:groupId/flexClusters/:clusterName/backup/restoreJobs/:restoreJobId';

export interface RestoreJobRouteOptions {
  catalog: JobCatalog;
  rates: RateCounter;
  /** `--scenario`, already resolved; undefined for none */
  scenario: AtlasErrorDefinition | undefined;
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

/** What the common first steps of both handlers learned, or the reply they already sent. */
interface Admitted {
  ctx: ErrorContext;
  format: ReplyFormat;
  /** the scenario chosen for this request, if any, still to fire at its stage */
  scenario: AtlasErrorDefinition | undefined;
  /** whom the rate-limit headers count for: the credential, else the IP, as Atlas counts per caller */
  caller: string;
}

export function baseUrlOf(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}`;
}

export const restoreJobRoutes: FastifyPluginAsync<RestoreJobRouteOptions> = async (app, { catalog, rates, scenario: globalScenario }) => {
  const fail = (reply: FastifyReply, definition: AtlasErrorDefinition, admitted: Pick<Admitted, 'ctx' | 'format' | 'caller'>) =>
    sendAtlasError(reply, definition, admitted.ctx, admitted.format, rates.hit(admitted.caller));

  /** D1 up to the lookups; returns undefined when it has already replied. */
  function admit(request: JobRequest, reply: FastifyReply, useScenarios: boolean): Admitted | undefined {
    const { groupId, clusterName, restoreJobId } = request.params;
    const ctx: ErrorContext = {
      groupId, clusterName, restoreJobId, path: request.url.split('?', 1)[0] ?? '', ip: request.ip, rateLimit: rates.limit,
    };
    const readFormat = readReplyFormat(request.query);
    const format = isFormatProblem(readFormat) ? PLAIN_FORMAT : readFormat;
    const prefer = useScenarios ? parsePrefer(request.headers.prefer) : {};
    // Most specific first; a fixture's own error is known here already, so it fires at its stage too.
    const scenario = useScenarios
      ? (prefer.definition ?? wellKnownError(groupId, restoreJobId) ?? catalog.fixture(request.params)?.error ?? globalScenario)
      : undefined;
    const fires = (stage: Stage) => scenario !== undefined && stageOf(scenario) === stage;
    const caller = request.principal || request.ip;

    if (fires('auth')) return void fail(reply, scenario as AtlasErrorDefinition, { ctx, format, caller });
    if (fires('version') || !negotiateVersion(request.headers.accept)) {
      return void fail(reply, fires('version') ? (scenario as AtlasErrorDefinition) : getAtlasError('INVALID_VERSION_DATE'), { ctx, format, caller });
    }
    for (const [name, errorName] of PATH_PARAMETER_ERRORS) {
      if (!pathParameterValidators[name](request.params[name])) return void fail(reply, getAtlasError(errorName), { ctx, format, caller });
    }
    if (isFormatProblem(readFormat)) {
      return void fail(reply, getAtlasError('INVALID_QUERY_PARAMETER'), { ctx: { ...ctx, ...readFormat }, format, caller });
    }
    if (prefer.invalid !== undefined) return void fail(reply, getAtlasError('INVALID_PREFER_CODE'), { ctx: { ...ctx, preferCode: prefer.invalid }, format, caller });
    if (fires('validation')) return void fail(reply, scenario as AtlasErrorDefinition, { ctx, format, caller });
    return { ctx, format, scenario, caller };
  }

  app.get(RESTORE_JOB_URL, async (request: JobRequest, reply) => {
    const admitted = admit(request, reply, true);
    if (!admitted) return reply;
    const { format, scenario } = admitted;
    const fires = (stage: Stage) => scenario !== undefined && stageOf(scenario) === stage;

    if (fires('lookup')) return fail(reply, scenario as AtlasErrorDefinition, admitted);
    const found = catalog.lookup(request.params);
    if (!found.found) {
      request.log.debug({ ids: request.params, error: found.error }, 'no such restore job: add a fixture or enable --generate');
      return fail(reply, getAtlasError(found.error), admitted);
    }
    if (fires('handler')) return fail(reply, scenario as AtlasErrorDefinition, admitted);
    return sendJob(reply, found.rendered(baseUrlOf(request)), format, rates.hit(admitted.caller));
  });

  // D15: the Atlas CLI asks the flex API first and falls back to the dedicated route on this 400.
  // Scenarios are left to the dedicated route, so the CLI reaches it as it does against Atlas.
  app.get(FLEX_RESTORE_JOB_URL, async (request: JobRequest, reply) => {
    const admitted = admit(request, reply, false);
    if (!admitted) return reply;
    const cluster = catalog.clusterLookup(request.params.groupId, request.params.clusterName);
    if (!cluster.found) return fail(reply, getAtlasError(cluster.error), admitted);
    return fail(reply, getAtlasError('CANNOT_USE_NON_FLEX_CLUSTER_IN_FLEX_API'), admitted);
  });
};

/** `--scenario` as a definition; `none` is undefined. */
export function resolveGlobalScenario(value: string): AtlasErrorDefinition | undefined {
  return value === 'none' ? undefined : findAtlasError(value);
}
