/**
 * Routes the Atlas CLI reads around the restore workflow, answered as Atlas answers them for a
 * dedicated cluster, so that the CLI goes on to the restore-job routes as it does against Atlas:
 *
 * - `list`, `describe` and `watch` try the flex-cluster API first and fall back to the dedicated routes
 *   on its 400 CANNOT_USE_NON_FLEX_CLUSTER_IN_FLEX_API. Selected errors are left to the dedicated
 *   routes, which the CLI then reaches.
 * - `start` reads the cluster before it creates, and aborts on any error.
 */
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { getAtlasError } from '../http/atlas-errors.js';
import { clusterBody, clusterContentType } from '../http/cluster-resource.js';
import { sendResource } from '../http/render-reply.js';
import { baseUrlOf } from '../http/request-path.js';
import { MAX_BODY_BYTES, readBodiesAsText } from '../http/text-bodies.js';
import type { BackupTopology } from '../jobs/backup-topology.js';
import type { Missing } from '../jobs/job-catalog.js';
import { createAdmission, type AdmissionOptions, type Admitted, type AtlasRequest } from './admission.js';

export const FLEX_RESTORE_JOB_URL = '/api/atlas/v2/groups/:groupId/flexClusters/:clusterName/backup/restoreJobs/:restoreJobId';
export const FLEX_RESTORE_JOBS_URL = '/api/atlas/v2/groups/:groupId/flexClusters/:clusterName/backup/restoreJobs';
export const CLUSTER_URL = '/api/atlas/v2/groups/:groupId/clusters/:clusterName';

export interface CliSupportRouteOptions extends AdmissionOptions {
  topology: BackupTopology;
  seed: number;
}

export const cliSupportRoutes: FastifyPluginAsync<CliSupportRouteOptions> = async (app, options) => {
  const { catalog, topology } = options;
  const { run, admit, fail, failAt } = createAdmission(options);
  // The flex create takes a body, read as the dedicated create reads it.
  readBodiesAsText(app);

  /** The flex refusal, after the checks; each flex route looks its cluster up as its dedicated route does. */
  const flexRefusal = (clusterOf: (groupId: string, clusterName: string) => Missing | { found: true }) => (request: AtlasRequest, reply: FastifyReply): void => {
    const admitted = admit(request, reply);
    if (!admitted) return;
    const cluster = clusterOf(request.params.groupId, request.params.clusterName);
    fail(request, reply, getAtlasError(cluster.found ? 'CANNOT_USE_NON_FLEX_CLUSTER_IN_FLEX_API' : cluster.error), admitted);
  };
  app.get(FLEX_RESTORE_JOB_URL, flexRefusal(catalog.clusterLookup));
  const flexRestoreJobs = flexRefusal(topology.cluster);
  app.get(FLEX_RESTORE_JOBS_URL, flexRestoreJobs);
  app.post(FLEX_RESTORE_JOBS_URL, { bodyLimit: MAX_BODY_BYTES }, flexRestoreJobs);

  function readCluster(request: AtlasRequest, reply: FastifyReply, admitted: Admitted): void {
    if (failAt('lookup', request, reply, admitted)) return;
    const { groupId, clusterName } = request.params;
    const cluster = topology.cluster(groupId, clusterName);
    if (!cluster.found) return fail(request, reply, getAtlasError(cluster.error), admitted);
    if (failAt('handler', request, reply, admitted)) return;
    const body = clusterBody({ groupId, clusterName, sharded: topology.sharded(groupId, clusterName), seed: options.seed }, baseUrlOf(request));
    sendResource(reply, body, clusterContentType(request.headers.accept), admitted.format, admitted.rate);
  }
  app.get(CLUSTER_URL, (request: AtlasRequest, reply) => run(request, reply, readCluster));
};
