/**
 * server/generated-job-json.ts writes a generated job's JSON without escaping its strings. These tests
 * hold it to the reference, JSON.stringify(shapeRestoreJob(...)), byte for byte: for thousands of
 * generated jobs with any ids, cluster names and base URLs (those that need escaping or encoding take
 * the general path), and for a record with every field the schema has.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { generateRestoreJob, type JobIds } from '../server/generate-restore-job.js';
import { generatedJobJson } from '../server/generated-job-json.js';
import type { RestoreJobRecord } from '../server/restore-job-record.js';
import { shapeRestoreJob, type ShapeContext } from '../server/shape-restore-job.js';
import { validators } from '../server/spec-schemas.js';
import { EVERY_FIELD } from './every-field-job.js';

const SEED = 20261129;
const reference = (job: RestoreJobRecord, ctx: ShapeContext) => JSON.stringify(shapeRestoreJob(job, ctx));

const hex = (length: number) => fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: length, maxLength: length });
// Mostly ObjectIds of plausible times (they set the job's dates), plus any 24 hex digits and ids the route would refuse.
const objectId = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(fc.integer({ min: 0x56860000, max: 0x83aa7e7f }), hex(16)).map(([s, rest]) => s.toString(16).padStart(8, '0') + rest) },
  { weight: 2, arbitrary: hex(24) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }) },
);
const clusterName = fc.oneof(
  { weight: 6, arbitrary: fc.stringMatching(/^[a-zA-Z0-9][a-zA-Z0-9-]{0,63}$/) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
  { weight: 1, arbitrary: fc.constantFrom('a b/c?d#e%f', 'Clüster"\\', '𝒳\u2028', '') },
);
// What `${protocol}://${host}` can be: the Host header is the client's, quotes and all.
const baseUrl = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('http://127.0.0.1:8080', 'https://mock.test', 'http://[::1]:1') },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }).map((host) => `http://${host}`) },
  { weight: 1, arbitrary: fc.constantFrom('http://a"b', 'http://a\\b', 'http://\u0001', 'http://\ud800x', 'http://😀') },
);

test('writes the reference bytes for thousands of generated jobs, any ids, cluster names and base URLs', () => {
  const kinds = new Map<string, number>();
  fc.assert(
    fc.property(fc.oneof(fc.constant(SEED), fc.integer()), fc.record({ groupId: objectId, clusterName, restoreJobId: objectId }), baseUrl, fc.boolean(), (seed, ids: JobIds, base, wireFidelity) => {
      const job = generateRestoreJob(seed, ids);
      const ctx: ShapeContext = { baseUrl: base, groupId: ids.groupId, clusterName: ids.clusterName, wireFidelity };
      const json = generatedJobJson(job, ctx);
      assert.equal(json, reference(job, ctx));
      // The route serves only ids of the spec's patterns; jobs for those are held to the spec too.
      const routable = /^[a-f0-9]{24}$/.test(ids.groupId) && /^[a-f0-9]{24}$/.test(ids.restoreJobId) && /^[a-zA-Z0-9][a-zA-Z0-9-]{0,63}$/.test(ids.clusterName);
      // What the catalog calls for them, saying the route checked the ids: the same bytes.
      if (routable) assert.equal(generatedJobJson(job, ctx, true), json);
      if (routable && !wireFidelity) assert.ok(validators.restoreJob(JSON.parse(json)), JSON.stringify(validators.restoreJob.errors));
      const kind = `${job.deliveryType}${job.components ? ' sharded' : ''}${job.privateDownloadDeliveryUrls ? ' private' : ''}${job.oplogTs !== undefined ? ' oplog' : ''}`;
      kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    }),
    { seed: SEED, numRuns: 6000, includeErrorInReport: true },
  );
  for (const kind of ['automated', 'download', 'download sharded', 'download private', 'pointInTime', 'pointInTime oplog']) {
    assert.ok((kinds.get(kind) ?? 0) >= 20, `${kind} jobs were checked (${kinds.get(kind) ?? 0})`);
  }
});

test('writes every field the schema has, in schema order, as the reference does', () => {
  const job: RestoreJobRecord = EVERY_FIELD;
  const ctx: ShapeContext = { baseUrl: 'http://127.0.0.1:8080', groupId: '32b6e34b3d91647abb20e7b8', clusterName: 'Cluster0', wireFidelity: false };
  assert.equal(generatedJobJson(job, ctx), reference(job, ctx));
  const { cancelled: _c, components: _m, desiredTimestamp: _d, snapshotId: _s, ...fewer } = job;
  assert.equal(generatedJobJson(fewer, ctx), reference(fewer, ctx), 'without the optional members around deliveryType and snapshotId');
});

test('writes the reference bytes for any subset of the fields, with empty and one-element arrays and partial timestamps', () => {
  const ctx: ShapeContext = { baseUrl: 'http://127.0.0.1:8080', groupId: '32b6e34b3d91647abb20e7b8', clusterName: 'Cluster0', wireFidelity: false };
  const optional = Object.keys(EVERY_FIELD).filter((key) => key !== 'deliveryType' && key !== 'id') as (keyof RestoreJobRecord)[];
  const variants = fc.record({
    keep: fc.subarray(optional),
    deliveryUrl: fc.constantFrom([], [EVERY_FIELD.deliveryUrl[0] as string], EVERY_FIELD.deliveryUrl),
    desiredTimestamp: fc.constantFrom({}, { date: '2026-08-10T03:40:10Z' }, { increment: 7 }, EVERY_FIELD.desiredTimestamp),
    components: fc.constantFrom([], EVERY_FIELD.components),
    privateDownloadDeliveryUrls: fc.constantFrom([], EVERY_FIELD.privateDownloadDeliveryUrls),
    flags: fc.tuple(fc.boolean(), fc.boolean(), fc.boolean()),
  });
  fc.assert(
    fc.property(variants, ({ keep, deliveryUrl, desiredTimestamp, components, privateDownloadDeliveryUrls, flags: [cancelled, expired, failed] }) => {
      const full: RestoreJobRecord = { ...EVERY_FIELD, deliveryUrl, desiredTimestamp, components, privateDownloadDeliveryUrls, cancelled, expired, failed };
      const job: RestoreJobRecord = { deliveryType: full.deliveryType, id: full.id };
      for (const key of keep) Object.assign(job, { [key]: full[key] });
      assert.equal(generatedJobJson(job, ctx, true), reference(job, ctx), JSON.stringify(job));
    }),
    { seed: SEED, numRuns: 3000 },
  );
});
