/**
 * The generator (server/jobs/generate-restore-job.ts) and the catalog around it: coherence, schema
 * validity after shaping, coverage of every state a real job goes through, determinism,
 * wire-fidelity output, the bounded render cache, and the not-found errors with generation off.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { Doorkeeper } from '../server/caches/doorkeeper.js';
import { clusterNameWord, clusterNameWords, generateRestoreJob, jobSeed, pickWord, type JobIds } from '../server/jobs/generate-restore-job.js';
import { createJobCatalog, type JobBody } from '../server/jobs/job-catalog.js';
import { loadFixtures } from '../server/jobs/load-fixtures.js';
import { isoSeconds, objectIdAt as makeObjectIdAt, objectIdSeconds as readObjectIdSeconds } from '../server/jobs/object-id.js';
import { SeededStream } from '../server/jobs/seeded-random.js';
import { checkCoherence } from '../server/jobs/job-coherence.js';
import { DEFAULT_FIXTURES_DIR } from '../server/package-root.js';
import type { RestoreJobRecord } from '../server/jobs/restore-job-record.js';
import { shapeRestoreJob } from '../server/jobs/shape-restore-job.js';
import { SUCCESS_TYPE, VERSIONED, assertKeysSortedDeep, assertMatchesSpec, build, isSorted, jobUrl, keyOrder } from './helper.js';

const SEED = 20260828;
const IDS_SEED = 4_242_424;
const HOST = 'mock.test:9000';
const BASE = `http://${HOST}`;

/** A body's JSON, after checking that the length it came with is its length in UTF-8 bytes. */
function jsonOf(body: JobBody): string {
  assert.equal(body.bytes, Buffer.byteLength(body.json), 'the body knows its Content-Length');
  return body.json;
}
const SECOND_PRECISION = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const PLAUSIBLE_FROM = Date.UTC(2016, 0, 1) / 1000;
const PLAUSIBLE_TO = Date.UTC(2036, 0, 1) / 1000;
const WIRE_DESIRED_TIMESTAMP = '"desiredTimestamp":{"increment":null,"time":null,"date":null}';
const headers = { accept: VERSIONED, host: HOST };

// ---------------------------------------------------------------------------------------------------
// Ids

const hex = (length: number) => fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: length, maxLength: length });
const objectIdAt = (from: number, to: number) =>
  fc.tuple(fc.integer({ min: from, max: to - 1 }), hex(16)).map(([seconds, rest]) => seconds.toString(16).padStart(8, '0') + rest);
/** Ids like 000000000000000000000404 select an error scenario on the HTTP route; not jobs. */
const WELL_KNOWN_ID = /^0{21}\d{3}$/;

/** Mostly ObjectIds of plausible times, plus ids whose time is before 2016, after 2036, or random. */
const restoreJobIdArb = fc
  .oneof(
    { weight: 6, arbitrary: objectIdAt(PLAUSIBLE_FROM, PLAUSIBLE_TO) },
    { weight: 1, arbitrary: objectIdAt(0, PLAUSIBLE_FROM) },
    { weight: 1, arbitrary: objectIdAt(PLAUSIBLE_TO, 0xffffffff) },
    { weight: 2, arbitrary: hex(24) },
  )
  .filter((id) => !WELL_KNOWN_ID.test(id));

const idsArb: fc.Arbitrary<JobIds> = fc.record({
  groupId: fc.oneof(objectIdAt(PLAUSIBLE_FROM, PLAUSIBLE_TO), hex(24)).filter((id) => !WELL_KNOWN_ID.test(id)),
  clusterName: fc.stringMatching(/^[a-zA-Z0-9][a-zA-Z0-9-]{0,63}$/),
  restoreJobId: restoreJobIdArb,
});

/** `count` seeded, distinct (by all three ids) well-formed id triples. */
function sampleIds(count: number, seed: number): JobIds[] {
  const out = new Map<string, JobIds>();
  for (const ids of fc.sample(idsArb, { seed, numRuns: count * 2 })) {
    out.set(`${ids.groupId}/${ids.clusterName}/${ids.restoreJobId}`, ids);
    if (out.size === count) break;
  }
  assert.equal(out.size, count, 'enough distinct ids were sampled');
  return [...out.values()];
}

// ---------------------------------------------------------------------------------------------------
// Helpers

const seconds = (iso: string) => Date.parse(iso) / 1000;
const objectIdSeconds = (id: string) => Number.parseInt(id.slice(0, 8), 16);

function expectedLinks(base: string, ids: JobIds, snapshotId: string) {
  const group = `${base}/api/atlas/v2/groups/${ids.groupId}`;
  const cluster = `${group}/clusters/${ids.clusterName}`;
  return [
    { href: `${cluster}/backup/restoreJobs/${ids.restoreJobId}`, rel: 'self' },
    { href: `${cluster}/backup/snapshots/${snapshotId}`, rel: 'https://cloud.mongodb.com/snapshot' },
    { href: cluster, rel: 'https://cloud.mongodb.com/cluster' },
    { href: group, rel: 'https://cloud.mongodb.com/group' },
  ];
}

/** What the mock should send for generated ids: the generator's job, shaped, as compact JSON. */
function expectedBody(seed: number, ids: JobIds, wireFidelity = false): string {
  return JSON.stringify(shapeRestoreJob(generateRestoreJob(seed, ids), { baseUrl: BASE, groupId: ids.groupId, clusterName: ids.clusterName, wireFidelity }));
}

/** The states of a real job's life that a job is in. */
function statesOf(job: RestoreJobRecord): string[] {
  const states: string[] = [job.deliveryType];
  if (job.deliveryType === 'pointInTime') states.push(job.oplogTs !== undefined ? 'pointInTime by oplogTs+oplogInc' : 'pointInTime by pointInTimeUTCSeconds');
  if (job.deliveryType === 'download') {
    const hasUrl = (job.deliveryUrl ?? []).length > 0 || (job.components ?? []).some((c) => c.downloadUrl !== undefined);
    if (job.cancelled) states.push('download cancelled');
    else if (job.failed) states.push('download failed');
    else if (job.expired) states.push('download expired');
    else states.push(hasUrl ? 'download ready' : 'download preparing');
    if (job.components) states.push('sharded components');
    if (job.privateDownloadDeliveryUrls) states.push('private endpoint');
  } else if (job.failed) {
    states.push('target failed');
  } else {
    states.push(job.finishedAt === undefined ? 'target running' : 'target finished');
  }
  return states;
}

const REQUIRED_STATES = [
  'automated',
  'download',
  'pointInTime',
  'pointInTime by oplogTs+oplogInc',
  'pointInTime by pointInTimeUTCSeconds',
  'download preparing',
  'download ready',
  'download expired',
  'download cancelled',
  'download failed',
  'sharded components',
  'private endpoint',
  'target running',
  'target finished',
  'target failed',
];

/** Every HTTP body goes through the official-schema check; errors must also be shaped like Atlas's. */
// The entity's shape depends on the status; callers narrow it with assertions.
function atlasEntity(res: LightMyRequestResponse, options: { wire?: boolean } = {}): any {
  const entity = assertMatchesSpec(res, options);
  if (res.statusCode === 200) {
    assert.equal(res.headers['content-type'], SUCCESS_TYPE);
  } else {
    assert.equal(res.headers['content-type'], 'application/json');
    assert.equal(res.headers['x-error-code'], entity.errorCode);
    assert.deepEqual(keyOrder(res.body), ['detail', 'error', 'errorCode', 'parameters', 'reason']);
  }
  return entity;
}

async function get(app: FastifyInstance, ids: JobIds, query = ''): Promise<LightMyRequestResponse> {
  return app.inject({ url: jobUrl(ids.groupId, ids.clusterName, ids.restoreJobId, query), headers });
}

// ---------------------------------------------------------------------------------------------------

describe('1,000 generated jobs', () => {
  const ids = sampleIds(1000, IDS_SEED);
  const jobs = ids.map((i) => ({ ids: i, job: generateRestoreJob(SEED, i) }));

  test('are coherent, schema-valid after shaping, sorted, second-precise, and ordered in time', () => {
    let plausible = 0;
    for (const { ids: i, job } of jobs) {
      const what = JSON.stringify({ ids: i, job });
      assert.deepEqual(checkCoherence(job), [], what);

      const body = shapeRestoreJob(job, { baseUrl: BASE, groupId: i.groupId, clusterName: i.clusterName, wireFidelity: false });
      const text = JSON.stringify(body);
      const parsed = assertMatchesSpec({ statusCode: 200, headers: {}, body: text });
      assertKeysSortedDeep(parsed);
      assert.equal(parsed.id, i.restoreJobId, what);
      assert.deepEqual(parsed.links, expectedLinks(BASE, i, job.snapshotId as string), what);
      assert.equal(parsed.targetDeploymentItemName, undefined, `${what}: only in wire-fidelity mode`);
      if (job.deliveryType !== 'pointInTime') assert.equal(parsed.desiredTimestamp, undefined, `${what}: desiredTimestamp only on pointInTime jobs`);

      for (const field of ['timestamp', 'finishedAt', 'expiresAt'] as const) {
        if (job[field] !== undefined) assert.match(job[field] as string, SECOND_PRECISION, `${what}: ${field}`);
      }
      if (job.desiredTimestamp?.date !== undefined) assert.match(job.desiredTimestamp.date, SECOND_PRECISION, what);

      const taken = seconds(job.timestamp as string);
      if (job.finishedAt !== undefined) assert.ok(taken <= seconds(job.finishedAt), `${what}: timestamp <= finishedAt`);
      if (job.expiresAt !== undefined) assert.ok(taken <= seconds(job.expiresAt), `${what}: timestamp <= expiresAt`);
      assert.equal(objectIdSeconds(job.snapshotId as string), taken, `${what}: the snapshot id's ObjectId time is the snapshot's timestamp`);

      const created = objectIdSeconds(i.restoreJobId);
      if (created >= PLAUSIBLE_FROM && created < PLAUSIBLE_TO) {
        plausible++;
        assert.ok(taken < created, `${what}: the snapshot was taken before the job was created`);
        if (job.finishedAt !== undefined) assert.ok(seconds(job.finishedAt) > created, `${what}: finishedAt after the job was created`);
        if (job.expiresAt !== undefined) assert.ok(seconds(job.expiresAt) > created, `${what}: expiresAt after the job was created`);
      }
    }
    assert.ok(plausible > 400 && plausible < 1000, `both plausible (${plausible}) and implausible ObjectId times were generated`);
  });

  test('cover every deliveryType and the main states', () => {
    const counts = new Map<string, number>();
    for (const { job } of jobs) for (const state of statesOf(job)) counts.set(state, (counts.get(state) ?? 0) + 1);
    for (const state of REQUIRED_STATES) assert.ok((counts.get(state) ?? 0) > 0, `no generated job is "${state}": ${JSON.stringify(Object.fromEntries(counts))}`);
    for (const type of ['automated', 'download', 'pointInTime']) {
      assert.ok((counts.get(type) ?? 0) >= 100, `${type} is common enough: ${counts.get(type)}`);
    }
  });

  test('follow the URL and naming shapes of the shipped fixtures for each download state', () => {
    for (const { job } of jobs) {
      const what = JSON.stringify(job);
      if (job.deliveryType !== 'download') {
        assert.ok(job.targetClusterName !== undefined && /^[a-zA-Z0-9][a-zA-Z0-9-]*$/.test(job.targetClusterName), what);
        continue;
      }
      const snapshotId = job.snapshotId as string;
      for (const url of job.deliveryUrl ?? []) {
        assert.match(url, new RegExp(`^https://restore-${job.id}\\.[a-z0-9]{6}\\.mongodb\\.net:27017/[A-Za-z0-9]{24}/restore-${snapshotId}\\.tar\\.gz$`), what);
      }
      if (job.components) {
        assert.deepEqual(job.deliveryUrl, [], `${what}: a sharded download has its URLs in components`);
        const names = job.components.map((c) => c.replicaSetName as string);
        assert.ok(names.length >= 3 && names.some((n) => /-config-0$/.test(n)), `${what}: shards plus the config server`);
        for (const c of job.components) {
          assert.match(c.replicaSetName as string, /^atlas-[a-z0-9]{6}-(shard-\d+|config-0)$/, what);
          assert.ok((c.downloadUrl as string).endsWith(`/restore-${snapshotId}-${c.replicaSetName}.tar.gz`), what);
        }
      }
      for (const p of job.privateDownloadDeliveryUrls ?? []) {
        assert.equal(job.deliveryUrl?.length, 1, `${what}: the private URL comes beside the public one`);
        assert.match(p.deliveryUrl as string, new RegExp(`^https://restore-${job.id}-pl-0\\.[a-z0-9]{6}\\.mongodb\\.net:27017/`), what);
        assert.match(p.endpointId as string, /^vpce-[0-9a-f]{17}$/, what);
      }
      if (job.expired) assert.deepEqual(job.deliveryUrl, [], `${what}: an expired URL is gone`);
    }
  });
});

describe('dates', () => {
  test('isoSeconds writes what Date#toISOString does, to the second, for any time', () => {
    const reference = (seconds: number) => new Date(Math.floor(seconds) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    // Every year 0-9999 takes the arithmetic path; beyond it (six-digit years) the fallback.
    const edges = [-62_167_219_200, -62_167_219_201, 253_402_300_799, 253_402_300_800, 0, -1, 951_782_400, 951_868_799, 4_107_542_400];
    for (const s of edges) assert.equal(isoSeconds(s), reference(s), String(s));
    fc.assert(
      fc.property(fc.double({ min: -8.64e12, max: 8.64e12, noNaN: true }), (s) => isoSeconds(s) === reference(s)),
      { numRuns: 20_000 },
    );
    // Runs of times on a few days, as a job's dates are: recent days' dates are reused, never a stale one.
    fc.assert(
      fc.property(fc.integer({ min: -719_528, max: 2_932_896 }), fc.array(fc.integer({ min: -2 * 86_400, max: 3 * 86_400 }), { minLength: 2, maxLength: 12 }), (day, offsets) =>
        offsets.every((offset) => isoSeconds(day * 86_400 + offset) === reference(day * 86_400 + offset)),
      ),
      { numRuns: 5_000 },
    );
  });

  test('objectIdAt writes the padded hex of the time and 16 random hex digits, for any time', () => {
    // The implementation before it was made in one string, on a twin of the same stream.
    const reference = (seconds: number, random: SeededStream) => Math.floor(seconds).toString(16).padStart(8, '0').slice(-8) + random.hex(16);
    const edges = [0, 1, 0.5, 15.99, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 17, -1, -0.5, -(2 ** 31), 1.7e9, 4e12, -4e12];
    const check = (seconds: number, seed: number) => {
      const mine = makeObjectIdAt(seconds, new SeededStream([seed, 1, 2, 3]));
      assert.equal(mine, reference(seconds, new SeededStream([seed, 1, 2, 3])), `${seconds}`);
    };
    edges.forEach((s, i) => check(s, i));
    fc.assert(
      fc.property(fc.oneof(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.double({ min: -1e13, max: 1e13, noNaN: true })), fc.integer(), (s, seed) => check(s, seed)),
      { numRuns: 10_000 },
    );
  });

  test("objectIdSeconds reads an id's first eight characters as parseInt does, whatever they are", () => {
    const reference = (id: string) => Number.parseInt(id.slice(0, 8), 16);
    const edges = ['', '0', 'ffffffff', 'FFFFFFFF0000', '00000000', '0x123456789', ' 1234567', '-1234567', '+abcdef0', '1234567g', '12345678', 'ü1234567'];
    for (const id of edges) assert.ok(Object.is(readObjectIdSeconds(id), reference(id)), JSON.stringify(id));
    const hexish = fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEFxX+- g'), maxLength: 12 });
    fc.assert(
      fc.property(fc.oneof(hexish, fc.string({ unit: 'binary', maxLength: 12 })), (id) => Object.is(readObjectIdSeconds(id), reference(id))),
      { numRuns: 20_000 },
    );
  });
});

describe('cluster names made of words', () => {
  test("pickWord draws as faker.word.adjective() and .noun() draw, over the same stream", async () => {
    const { faker: english } = await import('@faker-js/faker/locale/en');
    const FakerClass = english.constructor as typeof import('@faker-js/faker').Faker;
    const { adjectives, nouns } = clusterNameWords();
    assert.ok(adjectives.length > 100 && nouns.length > 100);
    for (let seed = 0; seed < 300; seed++) {
      const twin = new SeededStream([seed, 7, 11, 13]);
      const faker = new FakerClass({ locale: english.rawDefinitions, randomizer: { next: () => twin.next(), seed: () => undefined } });
      const random = new SeededStream([seed, 7, 11, 13]);
      for (let i = 0; i < 20; i++) {
        assert.equal(pickWord(adjectives, random), clusterNameWord(faker.word.adjective()), `seed ${seed}, adjective ${i}`);
        assert.equal(pickWord(nouns, random), clusterNameWord(faker.word.noun()), `seed ${seed}, noun ${i}`);
      }
    }
  });

  test('clusterNameWord keeps what a cluster name allows, so a name of two words is a valid one', () => {
    assert.equal(clusterNameWord("Jack-o'-Lantern Über 2"), 'jack-o-lanternber2');
    const { adjectives, nouns } = clusterNameWords();
    for (const word of [...adjectives, ...nouns]) assert.match(word, /^[a-z0-9][a-z0-9-]*$/, word);
  });
});

describe('determinism', () => {
  const ids = sampleIds(60, IDS_SEED + 1);

  test('the same (seed, ids) gives deep-equal jobs from two calls, whatever was generated in between', () => {
    for (const [index, i] of ids.entries()) {
      const first = generateRestoreJob(SEED, i);
      generateRestoreJob(SEED + 1, ids[(index + 1) % ids.length] as JobIds); // no state may leak between calls
      const second = generateRestoreJob(SEED, i);
      assert.deepEqual(second, first);
      assert.notEqual(second, first, 'a fresh object each time');
    }
  });

  test('a seed and ids give the bytes they gave in earlier versions (a pinned digest of 500 jobs)', () => {
    // Users pin --seed for data that stays put across upgrades; a change to the generator's draws or
    // formatting, even one that keeps every other test green, changes this digest. Change PINNED only
    // for a deliberate change of the generated data, and say so in the README.
    const PINNED = 'b13df10a0f4215c89606adcb33c100e92f04cd11ff798229f0890812a3622d27';
    const digest = createHash('sha256');
    for (let i = 0; i < 500; i++) {
      const restoreJobId = (0x5f000000 + i * 86_413).toString(16).padStart(8, '0') + ((i * 2_654_435_761) >>> 0).toString(16).padStart(16, '0');
      digest.update(expectedBody(SEED, { groupId: '32b6e34b3d91647abb20e7b8', clusterName: i % 3 === 0 ? 'Cluster0' : `prod-${i}`, restoreJobId })).update('\n');
    }
    assert.equal(digest.digest('hex'), PINNED);
  });

  test('a different seed or a different id gives a different job', () => {
    const strip = (job: RestoreJobRecord) => {
      const { id: _id, ...rest } = job;
      return rest;
    };
    for (const i of ids) {
      const job = generateRestoreJob(SEED, i);
      assert.notDeepEqual(generateRestoreJob(SEED + 1, i), job, 'another seed');
      assert.notDeepEqual(generateRestoreJob(0, i), job, 'seed 0');
      const otherJob = { ...i, restoreJobId: (objectIdSeconds(i.restoreJobId) ^ 1).toString(16).padStart(8, '0') + i.restoreJobId.slice(8) };
      assert.notDeepEqual(strip(generateRestoreJob(SEED, otherJob)), strip(job), 'another restore job id changes more than the id');
      assert.notDeepEqual(generateRestoreJob(SEED, { ...i, clusterName: `${i.clusterName}x` }), job, 'another cluster');
      const otherGroup = `${i.groupId.slice(0, 23)}${i.groupId.endsWith('a') ? 'b' : 'a'}`;
      assert.notDeepEqual(generateRestoreJob(SEED, { ...i, groupId: otherGroup }), job, 'another group');
    }
  });

  test('a job is the same whether its seed, group and cluster were the last ones asked about or not', () => {
    // The generator keeps the seed's hash state for the last seed, group and cluster (seedStateOf):
    // each job here is made once right after another address (state computed) and once right after
    // another job at its own address (state reused).
    for (const [n, i] of ids.entries()) {
      generateRestoreJob(SEED, ids[(n + 1) % ids.length] as JobIds);
      const cold = generateRestoreJob(SEED, i);
      const sibling = { ...i, restoreJobId: `${i.restoreJobId.slice(0, 23)}${i.restoreJobId.endsWith('0') ? '1' : '0'}` };
      generateRestoreJob(SEED, sibling);
      assert.deepEqual(generateRestoreJob(SEED, { ...i }), cold, `${i.groupId}/${i.clusterName}/${i.restoreJobId}`);
    }
  });

  test('two separately built apps with the same seed send byte-identical bodies, equal to the generator\'s', async (t) => {
    const one = await build(t, { seed: SEED });
    const two = await build(t, { seed: SEED });
    const other = await build(t, { seed: SEED + 1 });
    for (const i of ids) {
      for (const query of ['', '?pretty=true', '?envelope=true']) {
        const a = await get(one, i, query);
        const b = await get(two, i, query);
        const entity = atlasEntity(a);
        atlasEntity(b);
        assert.equal(a.statusCode, 200);
        assert.equal(entity.id, i.restoreJobId);
        assert.equal(b.body, a.body, `${JSON.stringify(i)}${query}`);
        assert.equal(b.headers['content-length'], a.headers['content-length']);
        if (query === '') assert.equal(a.body, expectedBody(SEED, i), 'the HTTP body is the generator\'s job, shaped');
      }
      const c = await get(other, i);
      atlasEntity(c);
      assert.notEqual(c.body, (await get(one, i)).body, 'another seed, another body');
    }
  });
});

describe('wire-fidelity mode', () => {
  test('desiredTimestamp nulls on every job, targetDeploymentItemName on automated jobs only, the rest as in default mode', async (t) => {
    const wire = await build(t, { wireFidelity: true, seed: SEED });
    const plain = await build(t, { seed: SEED });
    const types = new Map<string, number>();
    for (const i of sampleIds(120, IDS_SEED + 2)) {
      const res = await get(wire, i);
      const what = `${JSON.stringify(i)} ${res.body}`;
      assert.equal(res.statusCode, 200, what);
      const job = atlasEntity(res, { wire: true });
      assert.ok(res.body.includes(WIRE_DESIRED_TIMESTAMP), what);
      assert.equal(res.body.split('"desiredTimestamp"').length, 2, `${what}: one desiredTimestamp`);
      assert.ok(isSorted(keyOrder(res.body)), `${what}: top-level keys in alphabetical order`);
      types.set(job.deliveryType, (types.get(job.deliveryType) ?? 0) + 1);
      if (job.deliveryType === 'automated') assert.match(job.targetDeploymentItemName, /^atlas-[a-z0-9]{6}$/, what);
      else assert.equal(job.targetDeploymentItemName, undefined, what);
      assert.equal(res.body, expectedBody(SEED, i, true), 'the HTTP body is the generator\'s job in wire shape');

      const strict = atlasEntity(await get(plain, i));
      const { desiredTimestamp: _wireTimestamp, targetDeploymentItemName: _item, ...wireRest } = job;
      const { desiredTimestamp: _plainTimestamp, ...plainRest } = strict;
      assert.deepEqual(wireRest, plainRest, `${what}: nothing else differs from default mode`);
      // The strict official schema refuses exactly what real Atlas sends.
      assert.throws(() => assertMatchesSpec(res), /does not match the official schema/);
    }
    for (const type of ['automated', 'download', 'pointInTime']) assert.ok((types.get(type) ?? 0) > 0, `a ${type} job was checked`);
  });

  test('fixtures get the wire fields too', async (t) => {
    const wire = await build(t, { wireFidelity: true });
    for (const f of await shippedFixtures()) {
      const res = await get(wire, f);
      const job = atlasEntity(res, { wire: true });
      assert.ok(res.body.includes(WIRE_DESIRED_TIMESTAMP), f.restoreJobId);
      assert.equal(job.targetDeploymentItemName !== undefined, job.deliveryType === 'automated', f.restoreJobId);
    }
  });
});

describe('the render cache (memory stays bounded)', () => {
  test('the doorkeeper remembers keys it saw, in a fixed table, and forgets them on clear', () => {
    const door = new Doorkeeper(4);
    const a = 0x9e3779b9;
    assert.equal(door.seenBefore(a), false, 'first sight');
    assert.equal(door.seenBefore(a), true, 'second sight');
    assert.equal(door.seenBefore(a + 1), false);
    assert.equal(door.seenBefore(0), false, 'a zero hash is a key like any other');
    assert.equal(door.seenBefore(0), true);
    door.clear();
    assert.equal(door.seenBefore(a), false, 'forgotten after clear');
    // 16 slots and 1,000 keys: collisions overwrite older keys, they never fail or grow the table.
    const keys = Array.from({ length: 1000 }, (_, i) => jobSeed(SEED, { groupId: 'g', clusterName: 'c', restoreJobId: `key ${i}` })[0]);
    for (const k of keys) door.seenBefore(k);
    assert.equal(door.seenBefore(keys[999] as number), true, 'the newest key is remembered');
    assert.equal(door.seenBefore(keys[0] as number), false, 'the oldest was overwritten by later keys in its slot');
  });

  test('a generated job enters the cache on its second request, a fixture never does, and both answer the same bytes', async () => {
    const fixtures = await loadFixtures(DEFAULT_FIXTURES_DIR);
    const catalog = createJobCatalog(fixtures, { generate: true, seed: SEED, wireFidelity: false, cacheSize: 10 }, () => {
      throw new Error('no lifecycle fixture is read here');
    });
    const render = (ids: JobIds) => jsonOf(catalog.render(ids, catalog.fixture(ids), BASE));
    const ids = sampleIds(20, IDS_SEED + 5);
    const once = ids.map(render);
    assert.equal(catalog.cachedBodies, 0, 'ids asked for once are not cached');
    ids.forEach((i, n) => assert.equal(once[n], expectedBody(SEED, i)));
    const i = ids[0] as JobIds;
    assert.equal(render(i), once[0]);
    assert.equal(catalog.cachedBodies, 1, 'the second request admits it');
    assert.equal(render(i), once[0], 'and the cached body is the same');
    const f = (await shippedFixtures())[0] as ShippedFixture;
    const fixtureBody = render(f);
    assert.equal(render(f), fixtureBody, 'a fixture keeps its last body itself');
    assert.equal(catalog.cachedBodies, 1, 'so the cache holds generated jobs only');
    assert.deepEqual(withoutLinks(JSON.parse(fixtureBody) as Record<string, unknown>), f.job);
    catalog.clearCache();
    assert.equal(catalog.cachedBodies, 0);
    render(i);
    assert.equal(catalog.cachedBodies, 0, 'clearCache also forgets which ids were seen');
  });

  test('one job id at two addresses or hosts never gets the other one’s body, and only checked ids are vouched for', async () => {
    const fixtures = await loadFixtures(DEFAULT_FIXTURES_DIR);
    const catalog = createJobCatalog(fixtures, { generate: true, seed: SEED, wireFidelity: false, cacheSize: 10 }, () => {
      throw new Error('no lifecycle fixture is read here');
    });
    const [here, other] = sampleIds(2, IDS_SEED + 6) as [JobIds, JobIds];
    const there: JobIds = { ...other, restoreJobId: here.restoreJobId };
    const otherBase = 'http://mock.internal:9999';
    const expected = (ids: JobIds, base: string) =>
      JSON.stringify(shapeRestoreJob(generateRestoreJob(SEED, ids), { baseUrl: base, groupId: ids.groupId, clusterName: ids.clusterName, wireFidelity: false }));

    assert.equal(catalog.checkedBefore(here, undefined), false, 'an id never rendered is checked by the route');
    // Alternating addresses and hosts, each twice in a row so the second one is cached.
    for (let round = 0; round < 3; round++) {
      for (const [ids, base] of [[here, BASE], [there, BASE], [here, otherBase]] as const) {
        assert.equal(jsonOf(catalog.render(ids, undefined, base)), expected(ids, base));
        assert.equal(jsonOf(catalog.render(ids, undefined, base)), expected(ids, base));
      }
    }
    assert.equal(catalog.cachedBodies, 1, 'one entry per job id');
    assert.equal(catalog.checkedBefore(here, undefined), true, 'the cached job was rendered at exactly these ids');
    assert.equal(catalog.checkedBefore(there, undefined), false, 'the same job id at another address is not vouched for');
    assert.equal(catalog.checkedBefore({ ...here, groupId: 'not-hex' }, undefined), false);

    const f = (await shippedFixtures())[0] as ShippedFixture;
    assert.equal(catalog.checkedBefore(f, catalog.fixture(f)), true, 'a fixture’s address was checked when it was loaded');
    assert.equal(catalog.fixture({ ...f, clusterName: 'Elsewhere' }), undefined, 'a fixture is found at its own address only');
    catalog.clearCache();
    assert.equal(catalog.checkedBefore(here, undefined), false, 'forgotten with the cache');
  });

  test('one ids object asked about again after its job was cached sees the cached job', async () => {
    // The route asks checkedBefore and then render with one params object, and the catalog remembers
    // its last answer for that object; a render that caches the job must not leave that answer stale.
    const fixtures = await loadFixtures(DEFAULT_FIXTURES_DIR);
    const catalog = createJobCatalog(fixtures, { generate: true, seed: SEED, wireFidelity: false, cacheSize: 10 }, () => {
      throw new Error('no lifecycle fixture is read here');
    });
    const [ids] = sampleIds(1, IDS_SEED + 7) as [JobIds];
    const body = expectedBody(SEED, ids);
    assert.equal(catalog.checkedBefore(ids, undefined), false);
    assert.equal(jsonOf(catalog.render(ids, undefined, BASE)), body, 'first request: generated, not cached yet');
    assert.equal(catalog.checkedBefore(ids, undefined), false);
    assert.equal(jsonOf(catalog.render(ids, undefined, BASE)), body, 'second request: generated and cached');
    assert.equal(catalog.cachedBodies, 1);
    assert.equal(catalog.checkedBefore(ids, undefined), true, 'the same object now sees the cached job');
    assert.equal(jsonOf(catalog.render(ids, undefined, BASE)), body);
    catalog.clearCache();
    assert.equal(catalog.checkedBefore(ids, undefined), false, 'and forgets it with the cache');
  });

  test('with cacheSize 50, 2,000 distinct ids and then evicted ones are all answered correctly', async (t) => {
    const app = await build(t, { cacheSize: 50, seed: SEED });
    const ids = sampleIds(2000, IDS_SEED + 3);
    const first = new Map<JobIds, string>();
    for (const i of ids) {
      const res = await get(app, i);
      assert.equal(res.statusCode, 200, JSON.stringify(i));
      assert.equal(atlasEntity(res).id, i.restoreJobId);
      assert.equal(res.body, expectedBody(SEED, i), JSON.stringify(i));
      first.set(i, res.body);
    }
    // The first ones were evicted long ago; the last 50 may still be cached. Both must answer the same bytes.
    for (const i of [...ids.slice(0, 200), ...ids.slice(-50)]) {
      const res = await get(app, i);
      atlasEntity(res);
      assert.equal(res.body, first.get(i), `re-rendered ${JSON.stringify(i)}`);
    }
    // The same (still cached) ids on another base URL are other cache entries, with their own links.
    const i = ids[ids.length - 1] as JobIds;
    const elsewhere = await app.inject({ url: jobUrl(i.groupId, i.clusterName, i.restoreJobId), headers: { accept: VERSIONED, host: 'other.test:1' } });
    const job = atlasEntity(elsewhere);
    assert.ok(job.links.every((l: { href: string }) => l.href.startsWith('http://other.test:1/api/atlas/v2/groups/')), elsewhere.body);
    // Fixtures still answer after the churn.
    for (const f of await shippedFixtures()) {
      const res = await get(app, f);
      assert.equal(res.statusCode, 200, f.restoreJobId);
      assert.deepEqual(withoutLinks(atlasEntity(res)), f.job);
    }
  });

  test('cacheSize 0 (no cache) answers the same bytes as the default cache', async (t) => {
    const uncached = await build(t, { cacheSize: 0, seed: SEED });
    const cached = await build(t, { seed: SEED });
    for (const i of sampleIds(100, IDS_SEED + 4)) {
      const a = await get(uncached, i);
      const b = await get(cached, i);
      atlasEntity(a);
      atlasEntity(b);
      assert.equal(a.body, b.body);
      assert.equal((await get(uncached, i)).body, a.body, 'and again');
    }
  });
});

// ---------------------------------------------------------------------------------------------------
// Generation off

interface ShippedFixture extends JobIds {
  job: Record<string, unknown>;
}

async function shippedFixtures(): Promise<ShippedFixture[]> {
  const out: ShippedFixture[] = [];
  for (const groupId of (await readdir(DEFAULT_FIXTURES_DIR)).sort()) {
    if (!/^[a-f0-9]{24}$/.test(groupId)) continue;
    for (const clusterName of (await readdir(join(DEFAULT_FIXTURES_DIR, groupId))).sort()) {
      for (const file of (await readdir(join(DEFAULT_FIXTURES_DIR, groupId, clusterName))).sort()) {
        if (!file.endsWith('.json')) continue;
        const { 'x-mock': _mock, ...job } = JSON.parse(await readFile(join(DEFAULT_FIXTURES_DIR, groupId, clusterName, file), 'utf8')) as Record<string, unknown>;
        out.push({ groupId, clusterName, restoreJobId: file.slice(0, -'.json'.length), job });
      }
    }
  }
  assert.ok(out.length >= 12, 'the shipped fixtures were found');
  return out;
}

function withoutLinks(job: Record<string, unknown>): Record<string, unknown> {
  const { links: _links, ...rest } = job;
  return rest;
}

describe('with generation off', () => {
  test('unknown group, then unknown cluster, then unknown job: the exact Atlas errors, parameters in order', async (t) => {
    const app = await build(t, { generate: false });
    const fixtures = await shippedFixtures();
    const groups = [...new Set(fixtures.map((f) => f.groupId))];
    const clusters = [...new Map(fixtures.map((f) => [`${f.groupId}/${f.clusterName}`, f])).values()];
    const isFixture = (g: string, c: string, j: string) => fixtures.some((f) => f.groupId === g && f.clusterName === c && f.restoreJobId === j);
    const hasCluster = (g: string, c: string) => clusters.some((f) => f.groupId === g && f.clusterName === c);
    const knownJobIds = fixtures.map((f) => f.restoreJobId);
    const knownNames = [...new Set(fixtures.map((f) => f.clusterName))];

    const groupId = fc.oneof(fc.constantFrom(...groups), idsArb.map((i) => i.groupId));
    const clusterName = fc.oneof(fc.constantFrom(...knownNames), idsArb.map((i) => i.clusterName));
    const restoreJobId = fc.oneof(fc.constantFrom(...knownJobIds), restoreJobIdArb);
    const seen = new Set<string>();
    await fc.assert(
      fc.asyncProperty(groupId, clusterName, restoreJobId, async (g, c, j) => {
        const res = await get(app, { groupId: g, clusterName: c, restoreJobId: j });
        const what = `${g}/${c}/${j}: ${res.body}`;
        const entity = atlasEntity(res);
        if (!groups.includes(g)) {
          seen.add('GROUP_NOT_FOUND');
          assert.equal(res.statusCode, 404, what);
          assert.equal(entity.errorCode, 'GROUP_NOT_FOUND', what);
          assert.equal(entity.detail, `No group with ID ${g} exists.`, what);
          assert.deepEqual(entity.parameters, [g], what);
          assert.equal(entity.reason, 'Not Found', what);
        } else if (!hasCluster(g, c)) {
          seen.add('CLUSTER_NOT_FOUND');
          assert.equal(res.statusCode, 404, what);
          assert.equal(entity.errorCode, 'CLUSTER_NOT_FOUND', what);
          assert.equal(entity.detail, `No cluster named ${c} exists in group ${g}.`, what);
          assert.deepEqual(entity.parameters, [c, g], what);
        } else if (!isFixture(g, c, j)) {
          seen.add('RESTORE_JOB_NOT_FOUND');
          assert.equal(res.statusCode, 404, what);
          assert.equal(entity.errorCode, 'RESTORE_JOB_NOT_FOUND', what);
          assert.equal(entity.detail, `No restore job with ID ${j} exists for cluster ${c}.`, what);
          assert.deepEqual(entity.parameters, [j, c], what);
        } else {
          seen.add('fixture');
          assert.equal(res.statusCode, 200, what);
          assert.equal(entity.id, j, what);
        }
      }),
      { seed: SEED, numRuns: 600, includeErrorInReport: true },
    );
    assert.deepEqual([...seen].sort(), ['CLUSTER_NOT_FOUND', 'GROUP_NOT_FOUND', 'RESTORE_JOB_NOT_FOUND', 'fixture']);
  });

  test('ids that exist elsewhere do not leak: a fixture job under another cluster, a cluster under another group', async (t) => {
    const app = await build(t, { generate: false });
    const fixtures = await shippedFixtures();
    for (const f of fixtures) {
      for (const o of fixtures) {
        if (o.groupId === f.groupId && o.clusterName === f.clusterName) continue;
        const res = await get(app, { groupId: o.groupId, clusterName: o.clusterName, restoreJobId: f.restoreJobId });
        assert.equal(atlasEntity(res).errorCode, 'RESTORE_JOB_NOT_FOUND', `${f.restoreJobId} asked under ${o.groupId}/${o.clusterName}`);
        if (o.groupId !== f.groupId) {
          const cross = await get(app, { groupId: o.groupId, clusterName: f.clusterName, restoreJobId: f.restoreJobId });
          const error = atlasEntity(cross);
          const clusterThere = fixtures.some((x) => x.groupId === o.groupId && x.clusterName === f.clusterName);
          assert.equal(error.errorCode, clusterThere ? 'RESTORE_JOB_NOT_FOUND' : 'CLUSTER_NOT_FOUND');
          if (!clusterThere) assert.deepEqual(error.parameters, [f.clusterName, o.groupId]);
        }
      }
    }
  });

  test('every shipped fixture still answers 200 with its own content and links on the mock\'s base URL', async (t) => {
    const app = await build(t, { generate: false });
    for (const f of await shippedFixtures()) {
      const res = await get(app, f);
      assert.equal(res.statusCode, 200, `${f.groupId}/${f.clusterName}/${f.restoreJobId}`);
      const job = atlasEntity(res);
      assertKeysSortedDeep(job);
      assert.deepEqual(withoutLinks(job), f.job);
      assert.deepEqual(job.links, expectedLinks(BASE, f, f.job.snapshotId as string));
    }
  });
});
