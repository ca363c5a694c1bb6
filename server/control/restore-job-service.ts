/**
 * Restore jobs as tests drive them outside Atlas's API (control API, startMock): create one with the
 * same checks as a POST, optionally with its own lifecycle; list, remove and clear what the store holds.
 */
import type { BackupTopology } from '../jobs/backup-topology.js';
import { jobNow, type CreatedJobs, type StoredJob } from '../jobs/created-jobs.js';
import { atlasError } from '../http/atlas-errors.js';
import type { Lifecycle } from '../jobs/job-lifecycle.js';
import type { MockClock } from './mock-clock.js';
import { planRestoreJob } from '../jobs/new-restore-job.js';
import type { RestoreJobRecord } from '../jobs/restore-job-record.js';
import { isRefusal, readRestoreRequest } from '../jobs/restore-request.js';

/** A request to create a job where the test says, as Atlas's POST would. */
export interface RestoreJobInput {
  groupId: string;
  clusterName: string;
  /** the POST body: deliveryType, snapshotId, targetClusterName, targetGroupId, point-in-time fields */
  job: Record<string, unknown>;
  /** how it progresses instead of Atlas's usual timing: seconds to finish (or, for a download, to be ready), outcome, URL lifetime */
  lifecycle?: Pick<Lifecycle, 'finishAfterSeconds' | 'outcome' | 'expireAfterSeconds'>;
}

/** A stored job as the control API and startMock report it. */
export interface RestoreJobSummary {
  groupId: string;
  clusterName: string;
  restoreJobId: string;
  /** `created` by a POST or by a test; `cancelled`: a fixture's or generated download a client cancelled */
  origin: 'created' | 'cancelled';
  /** when it was created (or cancelled), on the lifecycle clock */
  startedAt: string;
  /** the job as a read sees it now, without links */
  job: RestoreJobRecord;
}

/** A create the mock refused: the Atlas error it would send, and each problem as `field "x": reason`. */
export class RestoreJobError extends Error {
  override name = 'RestoreJobError';

  constructor(
    message: string,
    readonly errorCode: string,
    readonly problems: readonly string[] = [],
  ) {
    super(message);
  }
}

const MAX_SECONDS = 31_536_000;

function lifecycleProblems(lifecycle: unknown, deliveryType: string): string[] {
  if (lifecycle === undefined) return [];
  if (lifecycle === null || typeof lifecycle !== 'object' || Array.isArray(lifecycle)) return ['field "lifecycle": must be an object'];
  const problems: string[] = [];
  for (const [name, value] of Object.entries(lifecycle)) {
    if (name === 'finishAfterSeconds' || name === 'expireAfterSeconds') {
      const min = name === 'finishAfterSeconds' ? 0 : 1;
      if (!Number.isInteger(value) || (value as number) < min || (value as number) > MAX_SECONDS) problems.push(`field "lifecycle.${name}": an integer from ${min} to ${MAX_SECONDS}, got ${JSON.stringify(value)}`);
    } else if (name === 'outcome') {
      if (!['finished', 'failed', 'cancelled'].includes(value as string)) problems.push(`field "lifecycle.outcome": finished, failed or cancelled, got ${JSON.stringify(value)}`);
      else if (value === 'cancelled' && deliveryType !== 'download') problems.push('field "lifecycle.outcome": Atlas cancels only downloads; use finished or failed');
    } else {
      problems.push(`field "lifecycle.${name}": unknown; use finishAfterSeconds, outcome or expireAfterSeconds`);
    }
  }
  if (deliveryType !== 'download' && 'expireAfterSeconds' in lifecycle) problems.push('field "lifecycle.expireAfterSeconds": only download URLs expire');
  return problems;
}

export interface RestoreJobService {
  /** Creates a job as a POST would (same checks, same conflicts); throws RestoreJobError when refused. */
  create(input: RestoreJobInput): RestoreJobSummary;
  list(): RestoreJobSummary[];
  remove(restoreJobId: string): boolean;
  clear(): void;
}

export function createRestoreJobService(topology: BackupTopology, store: CreatedJobs, clock: MockClock): RestoreJobService {
  const summary = (stored: StoredJob, nowMs: number): RestoreJobSummary => ({
    groupId: stored.groupId,
    clusterName: stored.clusterName,
    restoreJobId: stored.id,
    origin: stored.origin,
    startedAt: new Date(stored.startedAtMs).toISOString(),
    job: jobNow(stored, nowMs),
  });
  return {
    create({ groupId, clusterName, job, lifecycle }) {
      const request = readRestoreRequest(JSON.stringify(job ?? null));
      const refusal = (refused: { refused: Parameters<typeof atlasError>[0]; ctx: Parameters<typeof atlasError>[1] }) => {
        const error = atlasError(refused.refused, { groupId, clusterName, ...refused.ctx });
        return new RestoreJobError(`Atlas would refuse this restore job: ${error.errorCode}: ${error.detail}`, error.errorCode, [`field "job": ${error.detail}`]);
      };
      if (isRefusal(request)) throw refusal(request);
      const problems = lifecycleProblems(lifecycle, request.deliveryType);
      if (problems.length > 0) throw new RestoreJobError(`The lifecycle was refused: ${problems.join('; ')}`, 'MOCK_INVALID_LIFECYCLE', problems);
      const cluster = topology.cluster(groupId, clusterName);
      if (!cluster.found) throw new RestoreJobError(`No cluster ${clusterName} in project ${groupId}: ${cluster.error}`, cluster.error, [`field "clusterName": ${cluster.error}`]);
      const nowMs = clock.now();
      const planned = planRestoreJob(request, { groupId, clusterName, nowMs, topology, store, ...(lifecycle ? { lifecycle } : {}) });
      if (isRefusal(planned)) throw refusal(planned);
      if (!store.add(planned, nowMs)) throw new RestoreJobError(`The mock already holds ${store.size} unfinished restore jobs, as many as it keeps.`, 'RESTORE_JOB_LIMIT_REACHED');
      return summary(planned, nowMs);
    },
    list: () => {
      const nowMs = clock.now();
      return store.list().map((stored) => summary(stored, nowMs));
    },
    remove: (restoreJobId) => store.remove(restoreJobId),
    clear: () => store.clear(),
  };
}
