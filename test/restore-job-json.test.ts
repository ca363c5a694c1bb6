/**
 * restoreJobJson, which the catalog writes every default-mode job with (fixture, created and generated),
 * against the reference JSON.stringify(shapeRestoreJob(...)). It names the schema's fields itself and drops
 * any other, so these tests are what makes it safe: the same bytes for every shipped fixture and each
 * lifecycle state of it, for thousands of generated jobs, for a fixture with every field the fixture schema
 * allows, and for any body of schema fields in any key order; and every input on which it would differ is
 * one the fixture schema refuses at load.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import schemaDocument from '../schemas/restore-job.schema.json' with { type: 'json' };
import { generateRestoreJob, type JobIds } from '../server/jobs/generate-restore-job.js';
import { createBackupTopology } from '../server/jobs/backup-topology.js';
import { CreatedJobs, jobNow } from '../server/jobs/created-jobs.js';
import { createJobCatalog } from '../server/jobs/job-catalog.js';
import { planRestoreJob } from '../server/jobs/new-restore-job.js';
import { isRefusal, type RestoreRequest } from '../server/jobs/restore-request.js';
import { jobAt, checkLifecycle, type Lifecycle } from '../server/jobs/job-lifecycle.js';
import { loadFixtures, parseFixture } from '../server/jobs/load-fixtures.js';
import { DEFAULT_FIXTURES_DIR } from '../server/package-root.js';
import type { RestoreJobRecord } from '../server/jobs/restore-job-record.js';
import { restoreJobJson, shapeRestoreJob, type ShapeContext } from '../server/jobs/shape-restore-job.js';
import { validators } from '../server/validation/spec-schemas.js';
import { fixtureSchema } from '../server/validation/validator-schemas.js';
import { EVERY_FIELD, JOB_ID, PRIVATE, SNAPSHOT, URL } from './every-field-job.js';

type SchemaNode = { [key: string]: unknown };

const SEED = 20260828;
// The last one: a Host header is read as latin1, so a base URL can hold characters UTF-8 writes in two bytes.
const BASES = ['http://127.0.0.1:8080', 'https://mock.test', 'http://[::1]:1/prefix', 'http://b\u00fccher.test:8080'];
// Route parameters never need encoding (the spec's pattern), but the catalog can be called with any name.
const CLUSTER_NAMES = ['Cluster0', 'orders-prod', 'a b/c?d#e%f', 'Clüster"\\', '𝒳\u2028'];

const GROUP = '32b6e34b3d91647abb20e7b8';

const reference = (job: RestoreJobRecord, ctx: ShapeContext) => JSON.stringify(shapeRestoreJob(job, ctx));

function assertSameBytes(job: RestoreJobRecord, ctx: ShapeContext, what: string): void {
  assert.equal(restoreJobJson(job, ctx), reference(job, ctx), what);
}

const fixtureSet = await loadFixtures(DEFAULT_FIXTURES_DIR);
const fixtures = fixtureSet.list();

describe('restoreJobJson writes the reference bytes', () => {
  test('for every shipped fixture, on several base URLs and cluster names, some needing URL encoding in links', () => {
    assert.ok(fixtures.length >= 12, 'the shipped fixtures were found');
    for (const f of fixtures) {
      for (const baseUrl of BASES) {
        for (const clusterName of [f.clusterName, ...CLUSTER_NAMES]) {
          assertSameBytes(f.job, { baseUrl, groupId: f.groupId, clusterName, wireFidelity: false }, `${f.source} ${baseUrl} ${clusterName}`);
        }
      }
    }
  });

  test('for every lifecycle state of every shipped fixture that can have a lifecycle', () => {
    const ctx = (f: (typeof fixtures)[number]): ShapeContext => ({ baseUrl: BASES[0] as string, groupId: f.groupId, clusterName: f.clusterName, wireFidelity: false });
    const finished = Date.UTC(2026, 7, 10);
    // In progress, just finished, and two hours on (past a download's expiry).
    const moments = [[undefined, finished], [finished, finished], [finished, finished + 7200_000]] as const;
    let states = 0;
    for (const f of fixtures) {
      for (const outcome of ['finished', 'failed', 'cancelled'] as const) {
        const lifecycle: Lifecycle = { finishAfterSeconds: 60, outcome, ...(f.job.deliveryType === 'download' ? { expireAfterSeconds: 3600 } : {}) };
        if (checkLifecycle(lifecycle, f.job).length > 0) continue;
        for (const [finishedAtMs, nowMs] of moments) {
          assertSameBytes(jobAt(f.job, lifecycle, finishedAtMs, nowMs), ctx(f), `${f.source} ${outcome} at ${nowMs}`);
          states += 1;
        }
      }
    }
    assert.ok(states >= 30, `${states} lifecycle states checked`);
  });

  test('for jobs created by POST, of every delivery type and outcome, in every state', () => {
    const catalog = createJobCatalog(fixtureSet, { generate: true, seed: SEED, wireFidelity: false, cacheSize: 0 }, () => {
      throw new Error('no lifecycle fixture here');
    });
    const topology = createBackupTopology(fixtureSet, catalog, { generate: true, seed: SEED });
    const store = new CreatedJobs(1000);
    const nowMs = Date.UTC(2026, 7, 10, 3, 0, 0);
    const snapshotId = `${Math.floor(nowMs / 1000 - 7200).toString(16)}7c2e91d04b380111`;
    const target = { targetClusterName: 'Target-1', targetGroupId: '67c6d56bc41e7a0b934b81d2' };
    const requests: RestoreRequest[] = [
      { deliveryType: 'download', snapshotId },
      { deliveryType: 'automated', snapshotId, ...target },
      { deliveryType: 'pointInTime', snapshotId, pointInTimeUTCSeconds: nowMs / 1000 - 3600, ...target },
      { deliveryType: 'pointInTime', snapshotId, oplogTs: nowMs / 1000 - 3600, oplogInc: 3, ...target },
    ];
    const types = new Set<string>();
    let states = 0;
    for (const request of requests) {
      for (const outcome of [undefined, 'failed', 'cancelled'] as const) {
        for (const clusterName of ['Cluster0', CLUSTER_NAMES[2] as string]) {
          const stored = planRestoreJob(request, { groupId: GROUP, clusterName, nowMs, topology, store, ...(outcome ? { lifecycle: { outcome } } : {}) });
          assert.ok(!isRefusal(stored), `${JSON.stringify(request)} was refused`);
          types.add(request.deliveryType);
          const ctx = { baseUrl: BASES[3] as string, groupId: GROUP, clusterName, wireFidelity: false };
          const finishedMs = nowMs + stored.lifecycle.finishAfterSeconds * 1000;
          // Running, just finished, and past a download's expiry; then the same once a client cancelled it.
          for (const at of [nowMs, finishedMs, finishedMs + 7200_000]) {
            assertSameBytes(jobNow(stored, at), ctx, `${JSON.stringify(request)} ${outcome} at ${at}`);
            assertSameBytes(jobNow({ ...stored, cancelledAtMs: nowMs + 1000 }, at), ctx, `${JSON.stringify(request)} cancelled at ${at}`);
            states += 2;
          }
        }
      }
    }
    assert.deepEqual([...types].sort(), ['automated', 'download', 'pointInTime']);
    assert.ok(states >= 140, `${states} states of created jobs checked`);
  });

  test('for thousands of generated jobs, across seeds and ids', () => {
    const hex = (length: number) => fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: length, maxLength: length });
    // Mostly ObjectIds of plausible times (2016-2036), which set the job's dates, plus any 24 hex digits.
    const objectId = fc.oneof(
      fc.tuple(fc.integer({ min: 0x56860000, max: 0x83aa7e7f }), hex(16)).map(([seconds, rest]) => seconds.toString(16).padStart(8, '0') + rest),
      hex(24),
    );
    const ids: fc.Arbitrary<JobIds> = fc.record({
      groupId: objectId,
      clusterName: fc.oneof(fc.stringMatching(/^[a-zA-Z0-9][a-zA-Z0-9-]{0,63}$/), fc.string({ unit: 'binary', maxLength: 20 }), fc.constantFrom(...CLUSTER_NAMES)),
      restoreJobId: objectId,
    });
    const seed = fc.oneof(fc.constant(SEED), fc.integer());
    const types = new Map<string, number>();
    fc.assert(
      fc.property(seed, ids, fc.constantFrom(...BASES), (s, i, baseUrl) => {
        const job = generateRestoreJob(s, i);
        types.set(job.deliveryType, (types.get(job.deliveryType) ?? 0) + 1);
        const ctx = { baseUrl, groupId: i.groupId, clusterName: i.clusterName, wireFidelity: false };
        assertSameBytes(job, ctx, JSON.stringify([s, i]));
      }),
      { seed: SEED, numRuns: 5000, includeErrorInReport: true },
    );
    for (const type of ['automated', 'download', 'pointInTime']) assert.ok((types.get(type) ?? 0) > 500, `${type} jobs were checked`);
  });

  test('through the catalog, for fixtures and generated jobs; wire-fidelity mode keeps the reference path', () => {
    for (const wireFidelity of [false, true]) {
      const catalog = createJobCatalog(fixtureSet, { generate: true, seed: SEED, wireFidelity, cacheSize: 0 }, () => {
        throw new Error('no lifecycle fixture here');
      });
      for (const f of fixtures) {
        for (const baseUrl of BASES) {
          const ctx = { baseUrl, groupId: f.groupId, clusterName: f.clusterName, wireFidelity };
          const fixtureBody = catalog.render(f, catalog.fixture(f), baseUrl);
          assert.equal(fixtureBody.json, reference(f.job, ctx), `${f.source} wire ${wireFidelity}`);
          assert.equal(fixtureBody.bytes, Buffer.byteLength(fixtureBody.json), `${f.source} on ${baseUrl}: Content-Length`);
          const ids = { ...f, restoreJobId: `${f.restoreJobId.slice(0, 23)}${f.restoreJobId.endsWith('0') ? '1' : '0'}` };
          const generated = catalog.render(ids, undefined, baseUrl);
          assert.equal(generated.json, reference(generateRestoreJob(SEED, ids), ctx), `generated ${ids.restoreJobId} wire ${wireFidelity}`);
          assert.equal(generated.bytes, Buffer.byteLength(generated.json), `generated on ${baseUrl}: Content-Length`);
        }
      }
    }
  });
});

// ---------------------------------------------------------------------------------------------------
// Every field

const defs = schemaDocument.$defs as unknown as Record<string, SchemaNode>;
const resolve = (node: SchemaNode): SchemaNode => (typeof node.$ref === 'string' ? (defs[node.$ref.replace('#/$defs/', '')] as SchemaNode) : node);

/** The paths of every property a schema declares, array items as `[]`, e.g. `components[].downloadUrl`. */
function schemaPaths(node: SchemaNode, prefix = ''): string[] {
  const schema = resolve(node);
  if (schema.type === 'array') return schemaPaths(schema.items as SchemaNode, `${prefix}[]`);
  if (schema.type !== 'object') return [];
  return Object.entries(schema.properties as Record<string, SchemaNode>).flatMap(([name, child]) => {
    const path = prefix ? `${prefix}.${name}` : name;
    return [path, ...schemaPaths(child, path)];
  });
}

/** The same paths, of the fields a value has. */
function valuePaths(value: unknown, prefix = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((item) => valuePaths(item, `${prefix}[]`));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([name, child]) => {
    const path = prefix ? `${prefix}.${name}` : name;
    return [path, ...valuePaths(child, path)];
  });
}

/** The same fields split into jobs Atlas could send (coherent), loaded the way fixture files are. */
const COHERENT_FIXTURES: Record<string, RestoreJobRecord> = {
  'pointInTime by oplog': {
    cancelled: false, deliveryType: 'pointInTime', deliveryUrl: [], expired: false, failed: false, finishedAt: '2026-08-10T04:00:00Z', id: JOB_ID,
    desiredTimestamp: { date: '2026-08-10T03:40:10Z', increment: 1786000000 }, oplogInc: 7, oplogTs: 1786333210, snapshotId: SNAPSHOT,
    targetClusterName: 'Target-1', targetGroupId: '67c6d56bc41e7a0b934b81d2', timestamp: '2026-08-10T03:00:00Z',
  },
  'pointInTime by seconds': {
    cancelled: false, deliveryType: 'pointInTime', deliveryUrl: [], expired: false, failed: true, finishedAt: '2026-08-10T04:00:00Z', id: JOB_ID,
    pointInTimeUTCSeconds: 1786333210, snapshotId: SNAPSHOT, targetClusterName: 'Target-1', targetGroupId: GROUP, timestamp: '2026-08-10T03:00:00Z',
  },
  'sharded download behind private endpoints': {
    cancelled: false, components: EVERY_FIELD.components, deliveryType: 'download', deliveryUrl: [`${URL}.tar.gz`], expired: false,
    expiresAt: '2026-08-10T05:00:00Z', failed: false, id: JOB_ID, privateDownloadDeliveryUrls: [PRIVATE], snapshotId: SNAPSHOT, timestamp: '2026-08-10T03:00:00Z',
  },
};

describe('a fixture with every field the fixture schema allows', () => {
  const allowed = schemaPaths(fixtureSchema()).filter((path) => path !== 'x-mock' && !path.startsWith('x-mock.'));

  test('has them all, and the fixture schema accepts it', () => {
    assert.deepEqual([...new Set(valuePaths(EVERY_FIELD))].sort(), [...allowed].sort(), 'every field of the fixture schema, and only those');
    assert.ok(validators.fixture(EVERY_FIELD), JSON.stringify(validators.fixture.errors));
  });

  test('is written byte for byte as the reference writes it', () => {
    for (const clusterName of CLUSTER_NAMES) {
      assertSameBytes(EVERY_FIELD, { baseUrl: BASES[0] as string, groupId: GROUP, clusterName, wireFidelity: false }, clusterName);
    }
    const body = restoreJobJson(EVERY_FIELD, { baseUrl: BASES[0] as string, groupId: GROUP, clusterName: 'Cluster0', wireFidelity: false });
    const { links, ...rest } = JSON.parse(body) as Record<string, unknown>;
    assert.deepEqual(rest, EVERY_FIELD, 'nothing dropped or changed');
    assert.equal((links as unknown[]).length, 4);
  });

  test('and split into coherent jobs, loaded as fixture files are, every field is written as the reference writes it', () => {
    const seen = new Set<string>();
    for (const [name, job] of Object.entries(COHERENT_FIXTURES)) {
      const fixture = parseFixture(name, { groupId: GROUP, clusterName: 'Cluster0', restoreJobId: JOB_ID }, JSON.stringify(job));
      assertSameBytes(fixture.job, { baseUrl: BASES[0] as string, groupId: GROUP, clusterName: 'Cluster0', wireFidelity: false }, name);
      for (const path of valuePaths(fixture.job)) seen.add(path);
    }
    assert.deepEqual([...seen].sort(), [...allowed].sort(), 'together they have every field');
  });
});

// ---------------------------------------------------------------------------------------------------
// Any body of schema fields

/** Strings JSON escapes in every way: quotes, backslashes, controls, lone surrogates, U+2028. */
const shortString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 50 }),
  fc.string({ unit: fc.constantFrom('a', 'é', '"', '\\', '\n', '\u0000', '\u001f', '\u007f', '\u2028', '\ud800', '\udfff', '😀'), maxLength: 60 }),
);
// Long strings too (JSON.stringify's escaping has no length cut-off, but a reference is only as good as its
// inputs). Repeating a short string reaches those lengths without the cost of generating each character.
const longString = fc
  .tuple(shortString.filter((s) => s.length > 0), fc.oneof(fc.integer({ min: 42, max: 200 }), fc.integer({ min: 4990, max: 5010 })))
  .map(([s, length]) => s.repeat(Math.ceil(length / s.length)).slice(0, length));
const anyString = fc.oneof({ weight: 4, arbitrary: shortString }, { weight: 1, arbitrary: longString });
const anyInteger = fc.oneof(fc.integer(), fc.maxSafeInteger(), fc.constantFrom(-0, 0, 1e21, -(2 ** 53)));

/** Any value the official schema types a node as (formats, patterns and enums aside), every property optional. */
function valueOf(node: SchemaNode): fc.Arbitrary<unknown> {
  const schema = resolve(node);
  switch (schema.type) {
    case 'object': {
      const properties = schema.properties as Record<string, SchemaNode>;
      return fc.record(Object.fromEntries(Object.entries(properties).map(([name, child]) => [name, valueOf(child)])), { requiredKeys: [] });
    }
    case 'array':
      return fc.array(valueOf(schema.items as SchemaNode), { maxLength: 4 });
    case 'string':
      return Array.isArray(schema.enum) ? fc.constantFrom(...(schema.enum as string[])) : anyString;
    case 'integer':
      return anyInteger;
    case 'boolean':
      return fc.boolean();
    default:
      throw new Error(`no arbitrary for ${JSON.stringify(schema)}`);
  }
}

/** The same value with every object's keys in reverse order, as a fixture file may write them. */
function reverseKeysDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reverseKeysDeep);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).reverse().map(([key, child]) => [key, reverseKeysDeep(child)]));
}

const ANY_CTX: ShapeContext = { baseUrl: BASES[2] as string, groupId: GROUP, clusterName: CLUSTER_NAMES[2] as string, wireFidelity: false };

describe('any body of the schema\'s fields with the schema\'s types', () => {
  const job = defs.DiskBackupSnapshotRestoreJob as SchemaNode;

  test('is written as the reference writes it, whatever the order of its keys', () => {
    fc.assert(
      fc.property(valueOf(job), (body) => {
        // links are the mock's own, made from the base URL; a stored job has none.
        const { links: _links, ...fields } = body as Record<string, unknown>;
        const record = fields as unknown as RestoreJobRecord;
        assert.equal(restoreJobJson(record, ANY_CTX), reference(record, ANY_CTX));
        const reversed = reverseKeysDeep(fields) as RestoreJobRecord;
        assert.equal(restoreJobJson(reversed, ANY_CTX), reference(record, ANY_CTX), 'keys in reverse order');
      }),
      { seed: SEED, numRuns: 1000, includeErrorInReport: true },
    );
  });

  test('what it would drop or change, the fixture schema refuses', () => {
    const [first] = fixtures;
    assert.ok(first);
    const fixture = first.job;
    assert.ok(validators.fixture(fixture), 'the unchanged fixture is valid');
    const differs = (sample: Record<string, unknown>) => {
      const record = sample as unknown as RestoreJobRecord;
      try {
        return restoreJobJson(record, ANY_CTX) !== reference(record, ANY_CTX);
      } catch {
        return true; // it throws on some wrong types (an object where an array belongs)
      }
    };
    const samples: Record<string, unknown>[] = [
      { ...fixture, unknownField: 1 },
      { ...fixture, components: [{ replicaSetName: 'rs0', extra: true }] },
      { ...fixture, components: [{ privateDownloadDeliveryUrls: [{ deliveryUrl: 'https://x.test', extra: 1 }] }] },
      { ...fixture, desiredTimestamp: { date: '2026-08-10T03:40:10Z', time: 1 } },
      { ...fixture, desiredTimestamp: 1786333210 },
      { ...fixture, privateDownloadDeliveryUrls: [{ deliveryUrl: 'https://x.test', extra: 1 }] },
      { ...fixture, components: {} },
      { ...fixture, privateDownloadDeliveryUrls: 'https://x.test' },
    ];
    for (const sample of samples) {
      const what = JSON.stringify(sample);
      assert.ok(differs(sample), `restoreJobJson writes ${what} as the reference does`);
      assert.equal(validators.fixture(sample), false, `the fixture schema accepts ${what}`);
    }
  });
});
