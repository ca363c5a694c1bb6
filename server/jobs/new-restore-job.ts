/**
 * What a create request means once its body is well-formed (restore-request.ts): the rest of Atlas's
 * checks, first failure wins, and then the new job.
 *
 * 4. the snapshot: automated and download jobs need a known `snapshotId` (missing → SNAPSHOT_NOT_FOUND
 *    with a null id, as Atlas sends); a pointInTime job may leave it out;
 * 5. automated and pointInTime jobs need `targetClusterName` and `targetGroupId` (MISSING_ATTRIBUTE),
 *    naming a project and cluster that exist (GROUP_NOT_FOUND, CLUSTER_NOT_FOUND);
 * 6. a pointInTime job names its point either by `pointInTimeUTCSeconds` or by `oplogTs` + `oplogInc`,
 *    not both, not in the future and not before its snapshot (INVALID_PIT_RESTORE_TIME); without a
 *    snapshot it starts from the newest one taken before the point;
 * 7. conflicts: a restore into a cluster that another restore is still writing to
 *    (ATLAS_CLUSTER_RESTORE_IN_PROGRESS), a second active download of one snapshot
 *    (CANNOT_DOWNLOAD_SNAPSHOT_CONCURRENTLY).
 *
 * Fields that do not apply to a kind of job (targets of a download, points in time of an automated
 * restore) are ignored, as they would not appear on the job Atlas returns.
 */
import type { BackupTopology, Snapshot } from './backup-topology.js';
import { DOWNLOAD_EXPIRY_SECONDS, DOWNLOAD_READY_SECONDS, RESTORE_SECONDS, type CreatedJobs, type StoredJob, type StoredLifecycle } from './created-jobs.js';
import type { Lifecycle } from './job-lifecycle.js';
import { isoSeconds } from './object-id.js';
import type { RestoreJobRecord } from './restore-job-record.js';
import type { Refusal, RestoreRequest } from './restore-request.js';
import { getAtlasError } from '../http/atlas-errors.js';
import { streamFromText } from './seeded-random.js';

export interface NewJobContext {
  groupId: string;
  clusterName: string;
  /** the lifecycle clock's now, in milliseconds */
  nowMs: number;
  topology: BackupTopology;
  store: CreatedJobs;
  /** how the job should progress, where a test wants other than Atlas's usual timing */
  lifecycle?: Lifecycle;
}

const refuse = (name: Parameters<typeof getAtlasError>[0], ctx: Refusal['ctx'] = {}): Refusal => ({ refused: getAtlasError(name), ctx });

/** The new job, ready to store, or why Atlas would refuse it. Pure apart from drawing an id. */
export function planRestoreJob(request: RestoreRequest, context: NewJobContext): StoredJob | Refusal {
  const { groupId, clusterName, nowMs, topology, store } = context;
  const nowSeconds = Math.floor(nowMs / 1000);
  const pointInTime = request.deliveryType === 'pointInTime';

  let snapshot: Snapshot | undefined;
  if (request.snapshotId !== undefined) {
    snapshot = topology.snapshot(groupId, clusterName, request.snapshotId, nowSeconds);
    if (!snapshot) return refuse('SNAPSHOT_NOT_FOUND', { snapshotId: request.snapshotId, clusterName });
  } else if (!pointInTime) {
    return refuse('SNAPSHOT_NOT_FOUND', { snapshotId: null, clusterName });
  }

  if (request.deliveryType !== 'download') {
    for (const attribute of ['targetClusterName', 'targetGroupId'] as const) {
      if (request[attribute] === undefined) return refuse('MISSING_ATTRIBUTE', { attribute });
    }
    const target = topology.cluster(request.targetGroupId as string, request.targetClusterName as string);
    if (!target.found) return { refused: getAtlasError(target.error), ctx: { groupId: request.targetGroupId, clusterName: request.targetClusterName } };
  }

  let point: number | undefined;
  if (pointInTime) {
    const bySeconds = request.pointInTimeUTCSeconds !== undefined;
    const byOplog = request.oplogTs !== undefined || request.oplogInc !== undefined;
    const oplogComplete = request.oplogTs !== undefined && request.oplogInc !== undefined;
    if (bySeconds === byOplog || (byOplog && !oplogComplete)) return refuse('INVALID_PIT_RESTORE_TIME');
    point = (request.pointInTimeUTCSeconds ?? request.oplogTs) as number;
    if (point > nowSeconds || (snapshot && point < snapshot.takenAt)) return refuse('INVALID_PIT_RESTORE_TIME');
    snapshot ??= topology.snapshotBefore(groupId, clusterName, point);
    if (!snapshot) return refuse('UNABLE_T0_FIND_SNAPSHOT_PRIOR_TO_PIT_RESTORE_OPTIME', { clusterName });
  }
  const from = snapshot as Snapshot;

  if (request.deliveryType === 'download') {
    if (store.downloading(from.id, nowMs)) return refuse('CANNOT_DOWNLOAD_SNAPSHOT_CONCURRENTLY');
  } else if (store.restoringInto(request.targetGroupId as string, request.targetClusterName as string, nowMs)) {
    return refuse('ATLAS_CLUSTER_RESTORE_IN_PROGRESS');
  }

  const id = store.nextId(nowMs);
  return {
    groupId,
    clusterName,
    id,
    startedAtMs: nowMs,
    finished: finishedJob(id, request, from, point),
    lifecycle: lifecycleOf(request, context.lifecycle),
    origin: 'created',
    cancelledAtMs: undefined,
  };
}

/** Atlas's usual timing, unless the test asked for another. */
function lifecycleOf(request: RestoreRequest, wanted: Lifecycle | undefined): StoredLifecycle {
  const lifecycle: StoredLifecycle = {
    finishAfterSeconds: wanted?.finishAfterSeconds ?? (request.deliveryType === 'download' ? DOWNLOAD_READY_SECONDS : RESTORE_SECONDS),
  };
  if (wanted?.outcome !== undefined) lifecycle.outcome = wanted.outcome;
  if (request.deliveryType === 'download') lifecycle.expireAfterSeconds = wanted?.expireAfterSeconds ?? DOWNLOAD_EXPIRY_SECONDS;
  return lifecycle;
}

/** The job once it has finished well; job-lifecycle.ts derives every earlier and later state from it. */
function finishedJob(id: string, request: RestoreRequest, snapshot: Snapshot, point: number | undefined): RestoreJobRecord {
  const job: RestoreJobRecord = {
    cancelled: false,
    deliveryType: request.deliveryType,
    deliveryUrl: [],
    expired: false,
    failed: false,
    id,
    snapshotId: snapshot.id,
    timestamp: isoSeconds(snapshot.takenAt),
  };
  if (request.deliveryType === 'download') {
    // The archive's address as Atlas writes it; its host label and token are drawn from the job id.
    const random = streamFromText(`download:${id}`);
    job.deliveryUrl = [`https://restore-${id}.${random.lowerAlnum(6)}.mongodb.net:27017/${random.alnum(24)}/restore-${snapshot.id}.tar.gz`];
    return job;
  }
  job.targetClusterName = request.targetClusterName as string;
  job.targetGroupId = request.targetGroupId as string;
  if (point !== undefined) {
    if (request.pointInTimeUTCSeconds !== undefined) job.pointInTimeUTCSeconds = request.pointInTimeUTCSeconds;
    else {
      job.oplogTs = request.oplogTs as number;
      job.oplogInc = request.oplogInc as number;
    }
    job.desiredTimestamp = { date: isoSeconds(point) };
  }
  return job;
}
