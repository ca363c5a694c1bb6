/**
 * Where a job comes from: a fixture first, else (with generation on) the generator. With generation
 * off, unknown ids answer D4's not-found errors in Atlas's order: group, then cluster, then job.
 * Rendered bodies are kept in an LRU keyed by base URL and ids, so memory stays bounded however many
 * distinct ids are asked for.
 */
import { LRUCache } from 'lru-cache';
import type { AtlasErrorName } from './atlas-errors.js';
import { generateRestoreJob, type JobIds } from './generate-restore-job.js';
import type { Fixture, FixtureSet } from './load-fixtures.js';
import { renderJob, type RenderedJob } from './render-reply.js';
import type { RestoreJobRecord } from './restore-job-record.js';
import { shapeRestoreJob } from './shape-restore-job.js';

export interface Missing {
  found: false;
  error: Extract<AtlasErrorName, 'GROUP_NOT_FOUND' | 'CLUSTER_NOT_FOUND' | 'RESTORE_JOB_NOT_FOUND'>;
}

export type Lookup = { found: true; fixture: Fixture | undefined; rendered: (baseUrl: string) => RenderedJob } | Missing;

export interface JobCatalogOptions {
  generate: boolean;
  seed: number;
  wireFidelity: boolean;
  cacheSize: number;
}

export interface JobCatalog {
  lookup(ids: JobIds): Lookup;
  /** forget rendered bodies, after fixtures changed */
  clearCache(): void;
  /** the fixture at these ids, if any */
  fixture(ids: JobIds): Fixture | undefined;
  /** does the cluster exist, as far as the mock is concerned (for the flex route) */
  clusterLookup(groupId: string, clusterName: string): Missing | { found: true };
}

/**
 * @param readLifecycleJob how a fixture with `x-mock.lifecycle` looks at this read; such jobs change
 *   over time, so they are rendered per read and never cached.
 */
export function createJobCatalog(
  fixtures: FixtureSet,
  options: JobCatalogOptions,
  readLifecycleJob: (fixture: Fixture) => RestoreJobRecord,
): JobCatalog {
  const cache = options.cacheSize > 0 ? new LRUCache<string, RenderedJob>({ max: options.cacheSize }) : undefined;
  const shape = (record: RestoreJobRecord, ids: JobIds, baseUrl: string) =>
    renderJob(shapeRestoreJob(record, { baseUrl, groupId: ids.groupId, clusterName: ids.clusterName, wireFidelity: options.wireFidelity }));

  const render = (ids: JobIds, fixture: Fixture | undefined) => (baseUrl: string): RenderedJob => {
    if (fixture?.lifecycle) return shape(readLifecycleJob(fixture), ids, baseUrl);
    const key = `${baseUrl} ${ids.groupId} ${ids.clusterName} ${ids.restoreJobId}`;
    const cached = cache?.get(key);
    if (cached) return cached;
    const record = fixture?.job ?? generateRestoreJob(options.seed, ids);
    const rendered = shape(record, ids, baseUrl);
    cache?.set(key, rendered);
    return rendered;
  };

  const clusterLookup = (groupId: string, clusterName: string): Missing | { found: true } => {
    if (options.generate) return { found: true };
    if (!fixtures.hasGroup(groupId)) return { found: false, error: 'GROUP_NOT_FOUND' };
    if (!fixtures.hasCluster(groupId, clusterName)) return { found: false, error: 'CLUSTER_NOT_FOUND' };
    return { found: true };
  };

  return {
    clusterLookup,
    clearCache: () => cache?.clear(),
    fixture: (ids) => fixtures.get(ids.groupId, ids.clusterName, ids.restoreJobId),
    lookup(ids) {
      const fixture = fixtures.get(ids.groupId, ids.clusterName, ids.restoreJobId);
      if (!fixture) {
        const cluster = clusterLookup(ids.groupId, ids.clusterName);
        if (!cluster.found) return cluster;
        if (!options.generate) return { found: false, error: 'RESTORE_JOB_NOT_FOUND' };
      }
      return { found: true, fixture, rendered: render(ids, fixture) };
    },
  };
}
