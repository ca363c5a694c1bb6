/**
 * GET one restore job: the request every poll makes. The checks every route shares run first
 * (admission.ts); then the group, cluster and job are looked up and the job is sent. A created or
 * cancelled job is read on the lifecycle clock as it stands at this moment.
 */
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { findAtlasError, getAtlasError } from '../http/atlas-errors.js';
import { jobNow, type CreatedJobs } from '../jobs/created-jobs.js';
import type { JobIds } from '../jobs/generate-restore-job.js';
import type { MockClock } from '../control/mock-clock.js';
import { sendJob } from '../http/render-reply.js';
import type { DelayRange, Effect, Fault } from '../scenarios/scenario-book.js';
import { baseUrlOf } from '../http/request-path.js';
import { createAdmission, type AdmissionOptions, type Admitted, type AtlasRequest } from './admission.js';

export const RESTORE_JOB_URL = '/api/atlas/v2/groups/:groupId/clusters/:clusterName/backup/restoreJobs/:restoreJobId';

export interface RestoreJobRouteOptions extends Omit<AdmissionOptions, 'skipCheckedIds'> {
  /** jobs clients created or cancelled, read on the lifecycle clock */
  createdJobs: CreatedJobs;
  clock: MockClock;
}

export const restoreJobRoutes: FastifyPluginAsync<RestoreJobRouteOptions> = async (app, options) => {
  const { catalog, createdJobs, clock } = options;
  const { run, fail, failAt } = createAdmission({ ...options, skipCheckedIds: true });

  /** The lookups and the reply, once the checks have passed; the route's path always names a job. */
  function answer(request: AtlasRequest, reply: FastifyReply, admitted: Admitted): void {
    const ids = request.params as JobIds;
    if (failAt('lookup', request, reply, admitted)) return;
    // A created job, or a cancelled one, is found before the catalog's: the store is empty unless a
    // client created or cancelled one, and then costs one lookup.
    const stored = createdJobs.size === 0 ? undefined : createdJobs.find(ids.groupId, ids.clusterName, ids.restoreJobId);
    if (stored !== undefined) {
      if (failAt('handler', request, reply, admitted)) return;
      return void sendJob(reply, catalog.renderRecord(jobNow(stored, clock.now()), ids, baseUrlOf(request)), admitted.format, admitted.rate);
    }
    const found = catalog.lookup(ids, admitted.fixture);
    if (!found.found) {
      request.log.debug({ ids, error: found.error }, 'no such restore job: add a fixture or enable --generate');
      return fail(request, reply, getAtlasError(found.error), admitted);
    }
    if (failAt('handler', request, reply, admitted)) return;
    sendJob(reply, catalog.render(ids, admitted.fixture, baseUrlOf(request)), admitted.format, admitted.rate);
  }

  // Not an async function: most requests have no delay, and a promise per request is measurable.
  app.get(RESTORE_JOB_URL, (request: AtlasRequest, reply): Promise<void> | undefined => run(request, reply, answer));
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
