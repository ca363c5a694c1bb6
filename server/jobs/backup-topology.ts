/**
 * Which projects, clusters and snapshots exist as far as the mock is concerned, for the requests that
 * name them without naming a job (create, list, the cluster route). The rule is the GET's, extended:
 *
 * - Fixtures define projects and clusters (a folder per project, one per cluster), and every
 *   `snapshotId` a fixture job of a cluster names is a snapshot of that cluster, taken at the job's
 *   `timestamp`.
 * - With generation on, every project and cluster exists (as for the GET), except the well-known
 *   project id `000000000000000000000404`; and a snapshot exists when its id's ObjectId time lies
 *   between 2016 (before any Atlas cloud backup) and the mock's now, taken at that time. A snapshot id
 *   from the future or from 1970 is unknown: that is how a test asks for SNAPSHOT_NOT_FOUND.
 */
import type { JobCatalog, Missing } from './job-catalog.js';
import type { FixtureSet } from './load-fixtures.js';
import { isoSeconds, objectIdAt, objectIdSeconds, parseIsoSeconds } from './object-id.js';
import { streamFromText } from './seeded-random.js';

export interface Snapshot {
  id: string;
  /** when it was taken, in Unix seconds */
  takenAt: number;
}

export interface BackupTopology {
  /** does this cluster exist, or which not-found error */
  cluster(groupId: string, clusterName: string): Missing | { found: true };
  /** the snapshot of this cluster with this id, if it exists at `nowSeconds` */
  snapshot(groupId: string, clusterName: string, snapshotId: string, nowSeconds: number): Snapshot | undefined;
  /** the newest snapshot of this cluster taken at or before `pointSeconds` (a pointInTime restore starts from it) */
  snapshotBefore(groupId: string, clusterName: string, pointSeconds: number): Snapshot | undefined;
  /** do the cluster's fixtures show it sharded (jobs with per-shard components) */
  sharded(groupId: string, clusterName: string): boolean;
}

/** Atlas cloud backups are younger than this. */
export const FIRST_SNAPSHOT_SECONDS = Date.UTC(2016, 0, 1) / 1000;
const UNKNOWN_GROUP = '000000000000000000000404';
const HOUR = 3600;

export function createBackupTopology(fixtures: FixtureSet, catalog: JobCatalog, options: { generate: boolean; seed: number }): BackupTopology {
  const fixtureSnapshots = (groupId: string, clusterName: string): Snapshot[] =>
    fixtures
      .list()
      .filter((f) => f.groupId === groupId && f.clusterName === clusterName && f.job.snapshotId !== undefined)
      .map((f) => ({ id: f.job.snapshotId as string, takenAt: parseIsoSeconds(f.job.timestamp as string) }));

  return {
    cluster(groupId, clusterName) {
      if (options.generate && groupId === UNKNOWN_GROUP) return { found: false, error: 'GROUP_NOT_FOUND' };
      return catalog.clusterLookup(groupId, clusterName);
    },
    snapshot(groupId, clusterName, snapshotId, nowSeconds) {
      const known = fixtureSnapshots(groupId, clusterName).find((s) => s.id === snapshotId);
      if (known) return known;
      if (!options.generate) return undefined;
      const takenAt = objectIdSeconds(snapshotId);
      return takenAt >= FIRST_SNAPSHOT_SECONDS && takenAt <= nowSeconds ? { id: snapshotId, takenAt } : undefined;
    },
    snapshotBefore(groupId, clusterName, pointSeconds) {
      let best: Snapshot | undefined;
      for (const s of fixtureSnapshots(groupId, clusterName)) if (s.takenAt <= pointSeconds && (!best || s.takenAt > best.takenAt)) best = s;
      if (best || !options.generate || pointSeconds < FIRST_SNAPSHOT_SECONDS) return best;
      // Generated clusters take a snapshot every hour, on the hour; its id is the same on every run.
      const takenAt = pointSeconds - (pointSeconds % HOUR);
      return { id: objectIdAt(takenAt, streamFromText(`snapshot:${options.seed}:${groupId}:${clusterName}:${isoSeconds(takenAt)}`)), takenAt };
    },
    sharded: (groupId, clusterName) => fixtures.list().some((f) => f.groupId === groupId && f.clusterName === clusterName && f.job.components !== undefined),
  };
}
