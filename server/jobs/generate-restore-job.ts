/**
 * Invents a realistic restore job for ids no fixture covers. Pure in effect: the result depends only on
 * (seed, groupId, clusterName, restoreJobId), never on the clock, so the same request gives the same
 * bytes across requests and restarts. Each deliveryType gets the fields and states Atlas records for
 * it, and the dates agree with the ObjectId times of the ids.
 */
import { createRequire } from 'node:module';
import { isoSeconds, objectIdAt, objectIdSeconds } from './object-id.js';
import { rememberLastOf3 } from '../caches/remember-last.js';
import type { RestoreJobRecord } from './restore-job-record.js';
import { cyrb128Finish, cyrb128Read, SeededStream } from './seeded-random.js';

export interface JobIds {
  groupId: string;
  clusterName: string;
  restoreJobId: string;
}

/** faker's English adjectives and nouns, each as it goes into a cluster name (clusterNameWord). */
export interface ClusterNameWords {
  adjectives: readonly string[];
  nouns: readonly string[];
}

/** Keeps what a cluster name allows of a word: ASCII letters, digits and dashes, in lower case. */
export const clusterNameWord = (word: string): string => word.replace(/[^a-zA-Z0-9-]/g, '').toLowerCase();

let words: ClusterNameWords | undefined;

/**
 * faker's word lists are loaded when the first job is generated, not at start-up: that is ~25 ms of
 * every start, and a run serving only fixtures never needs them. The English build only (the
 * package root loads all ~70 locales, ~230 ms and ~30 MiB). It is an ES module; Node >= 20.19
 * (package.json engines) can require() one, which keeps generation synchronous. Each word is made fit
 * for a cluster name once, here, rather than in every reply that uses it.
 */
export function clusterNameWords(): ClusterNameWords {
  if (words === undefined) {
    const { faker: english } = createRequire(import.meta.url)('@faker-js/faker/locale/en') as typeof import('@faker-js/faker/locale/en');
    words = { adjectives: english.definitions.word.adjective.map(clusterNameWord), nouns: english.definitions.word.noun.map(clusterNameWord) };
  }
  return words;
}

/**
 * One word of a list, drawn as faker.word.adjective() and .noun() draw theirs (helpers.arrayElement: one
 * draw scaled to the list's length), so the same stream gives the same words; a test holds the two
 * together. faker's own calls read their options, copy the list and go through three helpers for
 * every cluster name made of words.
 */
export function pickWord(list: readonly string[], random: SeededStream): string {
  return list[Math.floor(random.next() * list.length)] as string;
}

const MIN_PLAUSIBLE = Date.UTC(2016, 0, 1) / 1000; // Atlas cloud backups are younger than this
const MAX_PLAUSIBLE = Date.UTC(2036, 0, 1) / 1000;
const MINUTE = 60;
const HOUR = 3600;

type DownloadState = 'ready' | 'expired' | 'preparing' | 'cancelled' | 'failed';
type TargetState = 'finished' | 'running' | 'failed';
type Weighted<T> = ReadonlyArray<{ weight: number; value: T }>;

// How often each kind and state comes up (weightedPick). Built once: a fresh id's reply allocated these
// arrays on every request.
const DELIVERY_TYPES: Weighted<RestoreJobRecord['deliveryType']> = [
  { weight: 4, value: 'automated' },
  { weight: 4, value: 'download' },
  { weight: 2, value: 'pointInTime' },
];
const TARGET_STATES: Weighted<TargetState> = [
  { weight: 80, value: 'finished' },
  { weight: 12, value: 'running' },
  { weight: 8, value: 'failed' },
];
const DOWNLOAD_STATES: Weighted<DownloadState> = [
  { weight: 50, value: 'ready' },
  { weight: 20, value: 'expired' },
  { weight: 10, value: 'preparing' },
  { weight: 10, value: 'cancelled' },
  { weight: 10, value: 'failed' },
];

/**
 * faker.helpers.weightedArrayElement's choice, made here: one draw scaled to the total weight, then the
 * first entry whose running total exceeds it, the same arithmetic on the same stream, so the same
 * answers (the pinned digest in the tests holds them). faker's version checks its argument and reads
 * its options on every call, three times for every fresh reply.
 */
function weightedPick<T>(random: SeededStream, table: Weighted<T>): T {
  let total = 0;
  for (const entry of table) total += entry.weight;
  const drawn = random.next() * total;
  let running = 0;
  for (const entry of table) {
    running += entry.weight;
    if (drawn < running) return entry.value;
  }
  return (table[table.length - 1] as Weighted<T>[number]).value;
}

/**
 * The seed's hash state after the seed, group and cluster (cyrb128Read), kept for the next job: a client
 * asks about one cluster again and again, and those 35-odd characters were two thirds of the hashing of
 * every fresh reply. The job id is read on from there.
 */
const seedStateOf = rememberLastOf3((seed: number, groupId: string, clusterName: string) => cyrb128Read(undefined, [String(seed), groupId, clusterName]));

/** The 128-bit hash that seeds a generated job's draws. */
export type JobSeed = readonly [number, number, number, number];

/**
 * The hash of the seed and a job's address that seeds its draws: so also a well-mixed fingerprint of
 * the address, which the catalog's doorkeeper uses too.
 */
export function jobSeed(seed: number, ids: JobIds): JobSeed {
  return cyrb128Finish(cyrb128Read(seedStateOf(seed, ids.groupId, ids.clusterName), [ids.restoreJobId]));
}

/** @param seedHash jobSeed(seed, ids), when the caller has it already */
export function generateRestoreJob(seed: number, ids: JobIds, seedHash: JobSeed = jobSeed(seed, ids)): RestoreJobRecord {
  const random = new SeededStream(seedHash);

  // The job id's ObjectId time is when the job was created; ids without a plausible time get one.
  const idTime = objectIdSeconds(ids.restoreJobId);
  const created =
    idTime >= MIN_PLAUSIBLE && idTime < MAX_PLAUSIBLE
      ? idTime
      : Date.UTC(2025, 0, 1) / 1000 + random.int(0, 670 * 24 * HOUR);
  const snapshotTaken = created - random.int(5 * MINUTE, 3 * 24 * HOUR);

  const deliveryType = weightedPick(random, DELIVERY_TYPES);

  // Every field the generator can set is here from the start, in one order, undefined until set, so
  // every generated job has the same shape; JSON and every reader of a job take undefined as absent.
  // Nested objects are built with their keys in alphabetical order too, Atlas's, though restoreJobJson
  // names every key itself and does not rely on it.
  const job: RestoreJobRecord = {
    cancelled: false,
    components: undefined,
    deliveryType,
    deliveryUrl: [],
    desiredTimestamp: undefined,
    expired: false,
    expiresAt: undefined,
    failed: false,
    finishedAt: undefined,
    id: ids.restoreJobId,
    oplogInc: undefined,
    oplogTs: undefined,
    pointInTimeUTCSeconds: undefined,
    privateDownloadDeliveryUrls: undefined,
    snapshotId: objectIdAt(snapshotTaken, random),
    targetClusterName: undefined,
    targetGroupId: undefined,
    timestamp: isoSeconds(snapshotTaken),
  };

  if (deliveryType === 'download') {
    addDownloadFields(job, created, random);
  } else {
    addTargetFields(job, ids, created, snapshotTaken, random);
  }
  return job;
}

function addTargetFields(job: RestoreJobRecord, ids: JobIds, created: number, snapshotTaken: number, random: SeededStream): void {
  const state = weightedPick(random, TARGET_STATES);
  job.targetGroupId = random.next() < 0.6 ? ids.groupId : objectIdAt(created - random.int(30, 900) * 24 * HOUR, random);
  job.targetClusterName = targetClusterName(ids.clusterName, random);
  if (state !== 'running') job.finishedAt = isoSeconds(created + random.int(3 * MINUTE, 45 * MINUTE));
  if (state === 'failed') job.failed = true;

  if (job.deliveryType === 'pointInTime') {
    // The point in time lies between the snapshot it starts from and the job's creation.
    const pointInTime = random.int(snapshotTaken, created - 1);
    if (random.next() < 0.5) {
      job.oplogTs = pointInTime;
      job.oplogInc = random.int(1, 40);
    } else {
      job.pointInTimeUTCSeconds = pointInTime;
    }
    job.desiredTimestamp = { date: isoSeconds(pointInTime) };
  }
}

function targetClusterName(source: string, random: SeededStream): string {
  const style = random.next();
  if (style < 0.3) return `${source}-restore`.slice(0, 64);
  if (style < 0.7) {
    // clusterNameWord keeps dashes, so this is what cleaning the joined name would give.
    const { adjectives, nouns } = clusterNameWords();
    return `${pickWord(adjectives, random)}-${pickWord(nouns, random)}`;
  }
  return `Cluster${random.int(1, 9)}`;
}

function addDownloadFields(job: RestoreJobRecord, created: number, random: SeededStream): void {
  const state = weightedPick(random, DOWNLOAD_STATES);
  const layout = random.next();
  const sharded = layout < 0.15;
  const privateEndpoint = !sharded && layout < 0.3;
  const urlReady = created + random.int(2 * MINUTE, 20 * MINUTE);
  // The archive host's name is `restore-<job id>.<label>.mongodb.net:27017`, in each URL.
  const label = random.lowerAlnum(6);
  const token = random.alnum(24);
  const snapshotId = job.snapshotId as string;

  switch (state) {
    case 'preparing':
      break;
    case 'cancelled':
      // Recorded Atlas marks a cancelled download failed too, with finishedAt.
      job.cancelled = true;
      job.failed = true;
      job.finishedAt = isoSeconds(created + random.int(MINUTE, 30 * MINUTE));
      break;
    case 'failed':
      job.failed = true;
      job.finishedAt = isoSeconds(created + random.int(MINUTE, 40 * MINUTE));
      break;
    case 'expired':
      job.expired = true;
      job.expiresAt = isoSeconds(urlReady + HOUR + random.int(0, 5 * MINUTE));
      break;
    case 'ready': {
      job.expiresAt = isoSeconds(urlReady + HOUR + random.int(0, 5 * MINUTE));
      if (sharded) {
        job.components = shardComponents(job.id, label, token, snapshotId, random);
      } else {
        job.deliveryUrl = [`https://restore-${job.id}.${label}.mongodb.net:27017/${token}/restore-${snapshotId}.tar.gz`];
        if (privateEndpoint) {
          job.privateDownloadDeliveryUrls = [
            {
              deliveryUrl: `https://restore-${job.id}-pl-0.${random.lowerAlnum(6)}.mongodb.net:27017/${token}/restore-${snapshotId}.tar.gz`,
              endpointId: `vpce-${random.hex(17)}`,
            },
          ];
        }
      }
      break;
    }
  }
}

function shardComponents(jobId: string, label: string, token: string, snapshotId: string, random: SeededStream): RestoreJobRecord['components'] {
  const prefix = `atlas-${random.lowerAlnum(6)}`;
  const shards = random.int(2, 4);
  const names = [...Array.from({ length: shards }, (_, i) => `${prefix}-shard-${i}`), `${prefix}-config-0`];
  return names.map((replicaSetName) => ({
    downloadUrl: `https://restore-${jobId}.${label}.mongodb.net:27017/${token}/restore-${snapshotId}-${replicaSetName}.tar.gz`,
    replicaSetName,
  }));
}
