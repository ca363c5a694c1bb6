/**
 * The restore workflow beside the GET of one job: create (POST), list (GET) and cancel (DELETE). Each
 * handler runs the checks every route shares (admission.ts), then the project and cluster, then what the
 * operation itself checks, then replies.
 */
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { mayChangeRestoreJobs, type RestoreJobChange } from '../auth/credentials.js';
import type { MockClock } from '../control/mock-clock.js';
import { getAtlasError } from '../http/atlas-errors.js';
import { sendJob, sendNoContent } from '../http/render-reply.js';
import { baseUrlOf, pathOf } from '../http/request-path.js';
import { MAX_BODY_BYTES, readBodiesAsText } from '../http/text-bodies.js';
import type { BackupTopology } from '../jobs/backup-topology.js';
import { hasEnded, jobNow, type CreatedJobs, type StoredJob } from '../jobs/created-jobs.js';
import type { JobIds } from '../jobs/generate-restore-job.js';
import { measured } from '../jobs/job-catalog.js';
import { generatedJobIds, isListQueryProblem, listBody, readListQuery, type ListedJob } from '../jobs/job-list.js';
import type { FixtureSet } from '../jobs/load-fixtures.js';
import { planRestoreJob } from '../jobs/new-restore-job.js';
import { objectIdSeconds } from '../jobs/object-id.js';
import { isRefusal, readRestoreRequest, type Refusal } from '../jobs/restore-request.js';
import type { RestoreJobRecord } from '../jobs/restore-job-record.js';
import { createAdmission, type AdmissionOptions, type Admitted, type AtlasRequest } from './admission.js';

export const RESTORE_JOBS_URL = '/api/atlas/v2/groups/:groupId/clusters/:clusterName/backup/restoreJobs';
export const CANCEL_RESTORE_JOB_URL = '/api/atlas/v2/groups/:groupId/clusters/:clusterName/backup/restoreJobs/:restoreJobId';

export interface RestoreJobsRouteOptions extends AdmissionOptions {
  topology: BackupTopology;
  fixtures: FixtureSet;
  createdJobs: CreatedJobs;
  clock: MockClock;
  /** list a deterministic past of generated jobs for every cluster */
  generate: boolean;
  seed: number;
}

export const restoreJobsRoutes: FastifyPluginAsync<RestoreJobsRouteOptions> = async (app, options) => {
  const { catalog, topology, fixtures, createdJobs, clock } = options;
  const { run, fail, failAt } = createAdmission(options);
  readBodiesAsText(app);
  const refuse = (request: AtlasRequest, reply: FastifyReply, refusal: Refusal, admitted: Admitted) => fail(request, reply, refusal.refused, admitted, refusal.ctx);

  /** Project and cluster, after a selected error that fires at the lookup; false when it has replied. */
  function clusterFound(request: AtlasRequest, reply: FastifyReply, admitted: Admitted): boolean {
    if (failAt('lookup', request, reply, admitted)) return false;
    const cluster = topology.cluster(request.params.groupId, request.params.clusterName);
    if (!cluster.found) return void fail(request, reply, getAtlasError(cluster.error), admitted), false;
    return true;
  }

  /** Is the caller's role enough for this change (configured credentials only)? */
  function mayChange(request: AtlasRequest, change: RestoreJobChange): boolean {
    return request.credential === null || mayChangeRestoreJobs(request.credential, request.params.groupId, change);
  }
  const changeOf = (deliveryType: RestoreJobRecord['deliveryType']): RestoreJobChange => (deliveryType === 'download' ? 'download' : 'restore');

  // --- create ----------------------------------------------------------------------------------------
  function create(request: AtlasRequest, reply: FastifyReply, admitted: Admitted): void {
    if (!clusterFound(request, reply, admitted)) return;
    const restore = readRestoreRequest(request.body);
    if (isRefusal(restore)) return refuse(request, reply, restore, admitted);
    if (!mayChange(request, changeOf(restore.deliveryType))) return fail(request, reply, getAtlasError('USER_UNAUTHORIZED'), admitted);
    const { groupId, clusterName } = request.params;
    // From here to the store nothing waits, so concurrent creates cannot both pass a conflict check.
    const nowMs = clock.now();
    const job = planRestoreJob(restore, { groupId, clusterName, nowMs, topology, store: createdJobs });
    if (isRefusal(job)) return refuse(request, reply, job, admitted);
    if (failAt('handler', request, reply, admitted)) return;
    if (!createdJobs.add(job, nowMs)) return fail(request, reply, getAtlasError('RESTORE_JOB_LIMIT_REACHED'), admitted, { value: createdJobs.size });
    sendJob(reply, catalog.renderRecord(jobNow(job, nowMs), { groupId, clusterName, restoreJobId: job.id }, baseUrlOf(request)), admitted.format, admitted.rate);
  }
  app.post(RESTORE_JOBS_URL, { bodyLimit: MAX_BODY_BYTES }, (request: AtlasRequest, reply) => run(request, reply, create));

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

  function list(request: AtlasRequest, reply: FastifyReply, admitted: Admitted): void {
    const query = readListQuery(request.query);
    if (isListQueryProblem(query)) return fail(request, reply, getAtlasError('INVALID_PAGINATION_PARAMETER'), admitted, query);
    if (!clusterFound(request, reply, admitted)) return;
    if (failAt('handler', request, reply, admitted)) return;
    const { groupId, clusterName } = request.params;
    const baseUrl = baseUrlOf(request);
    const json = listBody(`${baseUrl}${pathOf(request.url)}`, jobsOf(groupId, clusterName, baseUrl, clock.now()), query, admitted.format.envelope);
    // The list is its own envelope (listBody adds `status`), so only `pretty` is left to apply.
    sendJob(reply, measured(json), { envelope: false, pretty: admitted.format.pretty }, admitted.rate);
  }
  app.get(RESTORE_JOBS_URL, (request: AtlasRequest, reply) => run(request, reply, list));

  // --- cancel ----------------------------------------------------------------------------------------
  /** The job at these ids as a read now sees it, and where it is kept; undefined when there is none. */
  function currentJob(params: JobIds, nowMs: number, baseUrl: string): { job: RestoreJobRecord; stored?: StoredJob } | undefined {
    const stored = createdJobs.find(params.groupId, params.clusterName, params.restoreJobId);
    if (stored) return { job: jobNow(stored, nowMs), stored };
    const fixture = catalog.fixture(params);
    if (!catalog.lookup(params, fixture).found) return undefined;
    // Read back from the body the GET would send, so the kept job is exactly what clients saw.
    const { links: _links, ...job } = JSON.parse(catalog.render(params, fixture, baseUrl).json) as RestoreJobRecord & { links?: unknown };
    return { job };
  }

  function cancel(request: AtlasRequest, reply: FastifyReply, admitted: Admitted): void {
    if (!clusterFound(request, reply, admitted)) return;
    const params = request.params as JobIds;
    const nowMs = clock.now();
    const found = currentJob(params, nowMs, baseUrlOf(request));
    if (!found) return fail(request, reply, getAtlasError('RESTORE_JOB_NOT_FOUND'), admitted);
    if (!mayChange(request, changeOf(found.job.deliveryType))) return fail(request, reply, getAtlasError('USER_UNAUTHORIZED'), admitted);
    if (found.job.deliveryType !== 'download') return fail(request, reply, getAtlasError('CANNOT_CANCEL_AUTOMATED_RESTORE'), admitted);
    if (failAt('handler', request, reply, admitted)) return;
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
  }
  app.delete(CANCEL_RESTORE_JOB_URL, { bodyLimit: MAX_BODY_BYTES }, (request: AtlasRequest, reply) => run(request, reply, cancel));

};
