/**
 * Where a job comes from: a fixture first, else (with generation on) the generator. With generation
 * off, unknown ids answer Atlas's not-found errors in Atlas's order: group, then cluster, then job.
 * A fixture keeps its last rendered body (compact JSON) with the base URL it was rendered on. Generated
 * bodies are kept in an LRU by restore job id, each with the address and base URL it was rendered for,
 * so memory stays bounded however many distinct ids are asked for; a generated job enters it on its
 * second request.
 */
import { LRUCache } from 'lru-cache';
import type { AtlasErrorName } from '../http/atlas-errors.js';
import { Doorkeeper } from '../caches/doorkeeper.js';
import { generateRestoreJob, jobSeed, type JobIds } from './generate-restore-job.js';
import type { Fixture, FixtureSet } from './load-fixtures.js';
import type { RestoreJobRecord } from './restore-job-record.js';
import { restoreJobJson, type ShapeContext } from './shape-restore-job.js';

export interface Missing {
  found: false;
  error: Extract<AtlasErrorName, 'GROUP_NOT_FOUND' | 'CLUSTER_NOT_FOUND' | 'RESTORE_JOB_NOT_FOUND'>;
}

export type Lookup = { found: true } | Missing;

/**
 * A job's compact JSON and its length in UTF-8 bytes, the reply's Content-Length. Kept together so a
 * body kept in the cache is measured once, not on every reply.
 */
export interface JobBody {
  readonly json: string;
  readonly bytes: number;
}

export interface JobCatalogOptions {
  generate: boolean;
  seed: number;
  wireFidelity: boolean;
  cacheSize: number;
}

export interface JobCatalog {
  /** the fixture at these ids, if any */
  fixture(ids: JobIds): Fixture | undefined;
  /**
   * True when these exact ids already passed the spec's path patterns: a fixture's address was checked
   * when it was loaded, and a generated job is rendered (and cached) only after its ids were checked.
   */
  checkedBefore(ids: JobIds, fixture: Fixture | undefined): boolean;
  /** is there a job at these ids (given the fixture found there, if any), or which not-found error */
  lookup(ids: JobIds, fixture: Fixture | undefined): Lookup;
  /**
   * the job's body as compact JSON, links on `baseUrl`; only after lookup found it
   */
  render(ids: JobIds, fixture: Fixture | undefined, baseUrl: string): JobBody;
  /** a job the catalog does not hold (a created one), shaped like every other: never cached */
  renderRecord(record: RestoreJobRecord, ids: JobIds, baseUrl: string): JobBody;
  /** forget rendered bodies, after fixtures changed */
  clearCache(): void;
  /** how many rendered bodies the cache holds now */
  readonly cachedBodies: number;
  /** does the cluster exist, as far as the mock is concerned (for the flex route) */
  clusterLookup(groupId: string, clusterName: string): Missing | { found: true };
}

const FOUND: Lookup = Object.freeze({ found: true });

/** A generated job's body and what it was rendered for. */
interface Rendered extends JobBody {
  groupId: string;
  clusterName: string;
  baseUrl: string;
}

/** A compact JSON body with its length in bytes, measured once. */
export const measured = (json: string): JobBody => ({ json, bytes: Buffer.byteLength(json) });

/**
 * @param readLifecycleJob how a fixture with `x-mock.lifecycle` looks at this read; such jobs change
 *   over time, so they are rendered per read and never cached.
 */
export function createJobCatalog(
  fixtures: FixtureSet,
  options: JobCatalogOptions,
  readLifecycleJob: (fixture: Fixture) => RestoreJobRecord,
): JobCatalog {
  // Keyed by job id alone: Atlas's job ids are unique, and hashing the 24 characters the router sliced
  // out of the URL is cheaper than building and hashing a whole address per request. An id
  // asked for at another address or host replaces the entry: bodies are never mixed up, and a client
  // normally keeps to one of each.
  const cache = options.cacheSize > 0 ? new LRUCache<string, Rendered>({ max: options.cacheSize }) : undefined;
  const doorkeeper = new Doorkeeper();
  // Each fixture's last body with the base URL it was rendered on: clients keep to one host. One entry
  // per fixture, so bounded.
  let lastFixtureBody = new WeakMap<Fixture, JobBody & { baseUrl: string }>();
  // The route asks twice per request with the same ids object (checkedBefore, then render): the second
  // answer is the first one's, which saves a lookup and two string comparisons per cached reply.
  let lastIds: JobIds | undefined;
  let lastRendered: Rendered | undefined;
  const cachedAt = (ids: JobIds): Rendered | undefined => {
    if (ids === lastIds) return lastRendered;
    const rendered = cache?.peek(ids.restoreJobId);
    lastIds = ids;
    lastRendered = rendered !== undefined && rendered.groupId === ids.groupId && rendered.clusterName === ids.clusterName ? rendered : undefined;
    return lastRendered;
  };
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
      lastIds = undefined;
      lastRendered = undefined;
      lastFixtureBody = new WeakMap();
      doorkeeper.clear();
    },
    fixture: (ids) => fixtures.get(ids.groupId, ids.clusterName, ids.restoreJobId),
    renderRecord: (record, ids, baseUrl) => measured(shape(record, ids, baseUrl)),
    checkedBefore: (ids, fixture) => fixture !== undefined || cachedAt(ids) !== undefined,
    lookup(ids, fixture) {
      if (fixture) return FOUND;
      const cluster = clusterLookup(ids.groupId, ids.clusterName);
      if (!cluster.found) return cluster;
      return options.generate ? FOUND : { found: false, error: 'RESTORE_JOB_NOT_FOUND' };
    },
    render(ids, fixture, baseUrl) {
      if (fixture?.lifecycle) return measured(shape(readLifecycleJob(fixture), ids, baseUrl));
      if (fixture) {
        const last = cache ? lastFixtureBody.get(fixture) : undefined;
        if (last !== undefined && last.baseUrl === baseUrl) return last;
        const json = shape(fixture.job, ids, baseUrl);
        const body = { baseUrl, ...measured(json) };
        if (cache) lastFixtureBody.set(fixture, body);
        return body;
      }
      const cached = cachedAt(ids);
      if (cached !== undefined && cached.baseUrl === baseUrl) {
        cache?.get(ids.restoreJobId); // marks it recently used
        return cached;
      }
      const seedHash = jobSeed(options.seed, ids);
      const body = measured(restoreJobJson(generateRestoreJob(options.seed, ids, seedHash), context(ids, baseUrl)));
      // Generated jobs wait for their second request (at one address: the seed hashes all of it), so
      // ids asked for once never fill the cache.
      if (cache && doorkeeper.seenBefore(seedHash[0])) {
        cache.set(ids.restoreJobId, { groupId: ids.groupId, clusterName: ids.clusterName, baseUrl, ...body });
        lastIds = undefined; // the remembered answer for these ids is now out of date
      }
      return body;
    },
  };
}
