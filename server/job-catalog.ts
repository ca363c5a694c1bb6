/**
 * Where a job comes from: a fixture first, else (with generation on) the generator. With generation
 * off, unknown ids answer D4's not-found errors in Atlas's order: group, then cluster, then job.
 * Rendered bodies (compact JSON strings) are kept in an LRU keyed by base URL and ids, so memory stays
 * bounded however many distinct ids are asked for; a generated job enters it on its second request.
 */
import { LRUCache } from 'lru-cache';
import type { AtlasErrorName } from './atlas-errors.js';
import { Doorkeeper } from './doorkeeper.js';
import { generateRestoreJob, type JobIds } from './generate-restore-job.js';
import { generatedJobJson } from './generated-job-json.js';
import type { Fixture, FixtureSet } from './load-fixtures.js';
import type { RestoreJobRecord } from './restore-job-record.js';
import { restoreJobJson, type ShapeContext } from './shape-restore-job.js';

export interface Missing {
  found: false;
  error: Extract<AtlasErrorName, 'GROUP_NOT_FOUND' | 'CLUSTER_NOT_FOUND' | 'RESTORE_JOB_NOT_FOUND'>;
}

export type Lookup = { found: true } | Missing;

export interface JobCatalogOptions {
  generate: boolean;
  seed: number;
  wireFidelity: boolean;
  cacheSize: number;
}

export interface JobCatalog {
  /** the fixture at these ids, if any */
  fixture(ids: JobIds): Fixture | undefined;
  /** is there a job at these ids (given the fixture found there, if any), or which not-found error */
  lookup(ids: JobIds, fixture: Fixture | undefined): Lookup;
  /** the job's body as compact JSON, links on `baseUrl`; only after lookup found it */
  render(ids: JobIds, fixture: Fixture | undefined, baseUrl: string): string;
  /** forget rendered bodies, after fixtures changed */
  clearCache(): void;
  /** how many rendered bodies the cache holds now */
  readonly cachedBodies: number;
  /** does the cluster exist, as far as the mock is concerned (for the flex route) */
  clusterLookup(groupId: string, clusterName: string): Missing | { found: true };
}

const FOUND: Lookup = Object.freeze({ found: true });

/**
 * @param readLifecycleJob how a fixture with `x-mock.lifecycle` looks at this read; such jobs change
 *   over time, so they are rendered per read and never cached.
 */
export function createJobCatalog(
  fixtures: FixtureSet,
  options: JobCatalogOptions,
  readLifecycleJob: (fixture: Fixture) => RestoreJobRecord,
): JobCatalog {
  const cache = options.cacheSize > 0 ? new LRUCache<string, string>({ max: options.cacheSize }) : undefined;
  const doorkeeper = new Doorkeeper();
  // Each fixture's last body with the base URL it was rendered on: clients keep to one host, and this
  // spares the LRU's long key, built and hashed per request (issue 6). One entry per fixture, so bounded.
  let lastFixtureBody = new WeakMap<Fixture, { baseUrl: string; body: string }>();
  const context = (ids: JobIds, baseUrl: string): ShapeContext => ({ baseUrl, groupId: ids.groupId, clusterName: ids.clusterName, wireFidelity: options.wireFidelity });
  const shape = (record: RestoreJobRecord, ids: JobIds, baseUrl: string) => restoreJobJson(record, context(ids, baseUrl));

  const clusterLookup = (groupId: string, clusterName: string): Missing | { found: true } => {
    if (options.generate) return FOUND;
    if (!fixtures.hasGroup(groupId)) return { found: false, error: 'GROUP_NOT_FOUND' };
    if (!fixtures.hasCluster(groupId, clusterName)) return { found: false, error: 'CLUSTER_NOT_FOUND' };
    return FOUND;
  };

  return {
    get cachedBodies() {
      return cache?.size ?? 0;
    },
    clusterLookup,
    clearCache: () => {
      cache?.clear();
      lastFixtureBody = new WeakMap();
      doorkeeper.clear();
    },
    fixture: (ids) => fixtures.get(ids.groupId, ids.clusterName, ids.restoreJobId),
    lookup(ids, fixture) {
      if (fixture) return FOUND;
      const cluster = clusterLookup(ids.groupId, ids.clusterName);
      if (!cluster.found) return cluster;
      return options.generate ? FOUND : { found: false, error: 'RESTORE_JOB_NOT_FOUND' };
    },
    render(ids, fixture, baseUrl) {
      if (fixture?.lifecycle) return shape(readLifecycleJob(fixture), ids, baseUrl);
      const last = fixture && cache ? lastFixtureBody.get(fixture) : undefined;
      if (last !== undefined && last.baseUrl === baseUrl) return last.body;
      const key = `${baseUrl} ${ids.groupId} ${ids.clusterName} ${ids.restoreJobId}`;
      const cached = cache?.get(key);
      if (cached !== undefined) return cached;
      const body = fixture ? shape(fixture.job, ids, baseUrl) : generatedJobJson(generateRestoreJob(options.seed, ids), context(ids, baseUrl));
      // Fixtures are few and asked for again and again; generated jobs wait for their second request.
      if (cache && (fixture || doorkeeper.seenBefore(key))) cache.set(key, body);
      if (fixture && cache) lastFixtureBody.set(fixture, { baseUrl, body });
      return body;
    },
  };
}
