/**
 * The server runs validators that ajv compiled ahead of time (schemas/validators.ts,
 * schemas/credentials-validator.ts). These tests hold them to the schemas: the committed files are what
 * the generator writes now, and every generated validator gives the same verdict and the same error objects
 * as the same schema compiled at run time, because start-up and control-API messages are built from those
 * errors.
 */
import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { parse as parseYaml } from 'yaml';
import { SCHEMAS_DIR, generateValidatorFiles } from '../schemas/generate-validators.js';
import { VALIDATOR_SETS, compileValidatorSet, type ValidatorSet } from '../server/validation/compile-validators.js';
import { DEFAULT_FIXTURES_DIR, PACKAGE_ROOT } from '../server/package-root.js';
import { pathParameterValidators, validators } from '../server/validation/spec-schemas.js';

type Json = Record<string, unknown>;
type Validate = ((data: unknown) => boolean) & { errors?: unknown };

function setOf(file: string): ValidatorSet {
  const set = VALIDATOR_SETS.find((s) => s.file === file);
  if (!set) throw new Error(`no validator set writes ${file}`);
  return set;
}

async function loadGenerated(file: string): Promise<Record<string, Validate>> {
  return (await import(`../schemas/${file.replace(/\.ts$/, '.js')}`)) as Record<string, Validate>;
}

/** Same verdict and deep-equal `errors` for every sample; returns how many samples were valid. */
function assertAgree(name: string, generated: Validate, compiled: Validate, samples: readonly unknown[]): number {
  let valid = 0;
  for (const sample of samples) {
    const verdict = generated(sample);
    assert.equal(verdict, compiled(sample), `${name}: verdicts differ for ${JSON.stringify(sample)}`);
    assert.deepStrictEqual(generated.errors, compiled.errors, `${name}: errors differ for ${JSON.stringify(sample)}`);
    if (verdict) valid += 1;
  }
  return valid;
}

async function shippedFixtures(): Promise<Json[]> {
  const jobs: Json[] = [];
  for (const group of await readdir(DEFAULT_FIXTURES_DIR)) {
    if (!/^[a-f0-9]{24}$/.test(group)) continue;
    for (const cluster of await readdir(join(DEFAULT_FIXTURES_DIR, group))) {
      for (const file of await readdir(join(DEFAULT_FIXTURES_DIR, group, cluster))) {
        jobs.push(JSON.parse(await readFile(join(DEFAULT_FIXTURES_DIR, group, cluster, file), 'utf8')) as Json);
      }
    }
  }
  return jobs;
}

/** Deliberately broken copies of a job: every kind of error the schemas report, alone and together. */
function brokenJobs(job: Json): Json[] {
  const { deliveryType: _dropped, ...withoutDeliveryType } = job;
  return [
    withoutDeliveryType,
    { ...job, deliveryTpye: job.deliveryType },
    { ...job, deliveryType: 'tape' },
    { ...job, cancelled: 'no', failed: null },
    { ...job, timestamp: '2026-13-45T25:61:00Z', finishedAt: 'yesterday' },
    { ...job, id: '6A880EF37C2E91D04B380240', snapshotId: 'x', targetGroupId: 42, targetClusterName: '-bad' },
    { ...job, oplogTs: 2 ** 40, oplogInc: 0, pointInTimeUTCSeconds: 1.5 },
    { ...job, deliveryUrl: ['ok', 7], components: [{ downloadUrl: 5, extra: true, replicaSetName: null }, 'shard'] },
    { ...job, privateDownloadDeliveryUrls: [{ endpointId: 'vpce-bad', deliveryUrl: [] }, {}] },
    { ...job, desiredTimestamp: { date: 'nope', increment: 0, time: 1 } },
    { ...job, links: [{ href: 1, rel: 'self', title: 'x' }] },
    { ...job, 'x-mock': { fault: 'explode', delay: 1.5, error: 500, lifecycle: { finishAfterReads: -1, later: 1 }, extra: 1 } },
    { ...job, 'x-mock': { delay: '100-200', lifecycle: { outcome: 'exploded', finishAfterSeconds: 1e9, expireAfterSeconds: 0 } } },
    { ...job, 'x-mock': 'yes', ...(JSON.parse('{"__proto__": {"polluted": true}}') as Json) },
  ];
}

const NOT_OBJECTS = [null, [], 'job', 42, true, undefined];

const PATH_VALUES = [
  '32b6e34b3d91647abb20e7b8', '6a880ef37c2e91d04b380240', '000000000000000000000404', '32B6E34B3D91647ABB20E7B8',
  '32b6e34b3d91647abb20e7b', '32b6e34b3d91647abb20e7b80', 'Cluster0', 'orders-prod', 'a', '-bad', 'bad-', 'bad_name',
  'Clüster', '', ' ', 'not-an-id', '𝒳'.repeat(24), 'a'.repeat(10_000), 42, null, undefined, {}, ['Cluster0'],
];

describe('the committed standalone validators', () => {
  test('are what npm run validators generates from the schemas now', async () => {
    const files = generateValidatorFiles();
    assert.deepEqual(Object.keys(files).sort(), VALIDATOR_SETS.map((s) => s.file).sort());
    for (const [name, content] of Object.entries(files)) {
      const committed = await readFile(join(SCHEMAS_DIR, name), 'utf8');
      assert.equal(committed, content, `schemas/${name} is out of date: run npm run validators and commit the result`);
    }
    assert.deepEqual(generateValidatorFiles(), files, 'generating again in the same process gives the same files');
  });

  test('export every validator of their set, and nothing needs require() in an ES module', async () => {
    for (const set of VALIDATOR_SETS) {
      const generated = await loadGenerated(set.file);
      assert.deepEqual(Object.keys(generated).sort(), Object.keys(set.exports).sort(), set.file);
      assert.doesNotMatch(await readFile(join(SCHEMAS_DIR, set.file), 'utf8'), /\brequire\(/, set.file);
    }
  });

  test('are the ones the server runs', async () => {
    const generated = await loadGenerated('validators.ts');
    assert.equal(validators.fixture, generated.fixture);
    assert.equal(validators.restoreJob, generated.restoreJob);
    assert.equal(validators.apiError, generated.apiError);
    for (const name of ['groupId', 'clusterName', 'restoreJobId'] as const) assert.equal(pathParameterValidators[name], generated[name]);
  });
});

describe('standalone and runtime-compiled validators agree', async () => {
  const spec = setOf('validators.ts');
  const credentials = setOf('credentials-validator.ts');
  const generated = await loadGenerated(spec.file);
  const compiled = compileValidatorSet(spec);
  const agree = (name: string, samples: readonly unknown[]) => assertAgree(name, generated[name] as Validate, compiled[name] as Validate, samples);
  const fixtures = await shippedFixtures();

  test('fixture files: every shipped fixture, and broken copies of each', () => {
    const samples = [...fixtures, ...fixtures.flatMap(brokenJobs), ...NOT_OBJECTS];
    assert.equal(agree('fixture', fixtures), fixtures.length, 'every shipped fixture is valid');
    assert.equal(agree('fixture', samples), fixtures.length, 'only the shipped fixtures are valid');
  });

  test('jobs as sent (with links), and broken copies', () => {
    const jobs = fixtures.map(({ 'x-mock': _mock, ...job }) => ({ ...job, links: [{ href: 'http://127.0.0.1/x', rel: 'self' }] }));
    assert.equal(agree('restoreJob', jobs), jobs.length, 'every job is valid');
    // The reply schema is open (unknown fields and x-mock pass), so only some broken copies are invalid.
    const broken = [...jobs.flatMap(brokenJobs), ...NOT_OBJECTS];
    assert.ok(agree('restoreJob', broken) < broken.length);
  });

  test('Atlas errors, and broken ones', () => {
    const error = { detail: 'No group with ID x exists.', error: 404, errorCode: 'GROUP_NOT_FOUND', parameters: ['x', 1, null], reason: 'Not Found' };
    const badRequest = { ...error, error: 400, badRequestDetail: { fields: [{ field: 'groupId', description: 'must match' }] } };
    const samples = [
      error, badRequest, { ...error, detail: null },
      { ...error, error: '404' }, { ...error, error: 2 ** 31 }, { detail: 'x' },
      { ...badRequest, badRequestDetail: { fields: [{ field: 1 }, 'x'] } }, { ...error, parameters: 'x' }, ...NOT_OBJECTS,
    ];
    assert.equal(agree('apiError', samples), 3);
  });

  test('path parameters', () => {
    for (const name of ['groupId', 'clusterName', 'restoreJobId']) assert.ok(agree(name, PATH_VALUES) >= 1, name);
  });

  test('scenario rules', () => {
    const samples = [
      { error: '500' }, { delay: '100-200', times: 2 }, { fault: 'reset', probability: 0.5, groupId: '32b6e34b3d91647abb20e7b8' }, {},
      { probability: 1.5 }, { fault: 'boom' }, { groupId: 'XYZ', clusterName: '-x', restoreJobId: 7 }, { times: 0 }, { times: 1.5 },
      { extra: 1, error: 500 }, { delay: 1.5 }, { delay: null }, ...NOT_OBJECTS,
    ];
    assert.equal(agree('scenarioRule', samples), 4);
  });

  test('random values in any field of any fixture', () => {
    const keys = [...new Set(fixtures.flatMap((f) => Object.keys(f))), 'x-mock', 'links', 'unknown'];
    fc.assert(
      fc.property(fc.constantFrom(...fixtures), fc.constantFrom(...keys), fc.jsonValue(), (fixture, key, value) => {
        const sample = { ...fixture, [key]: value };
        agree('fixture', [sample]);
        agree('restoreJob', [sample]);
      }),
      { numRuns: 300 },
    );
  });

  test('credentials files: the example, and broken copies (verbose errors, schema nodes included)', async () => {
    const generatedCredentials = await loadGenerated(credentials.file);
    const compiledCredentials = compileValidatorSet(credentials);
    const example = parseYaml(await readFile(join(PACKAGE_ROOT, 'examples/credentials.example.yaml'), 'utf8')) as { apiKeys: Json[]; serviceAccounts: Json[] };
    const [key] = example.apiKeys as [Json];
    const samples = [
      example,
      { apiKeys: [] },
      { apiKeys: [{ ...key, roles: [] }] },
      { apiKeys: [{ ...key, roleName: 'GROUP_OWNER', publicKey: 'has space', privateKey: '' }] },
      { apiKeys: [{ ...key, privateKey: '🔑'.repeat(200), description: 'x'.repeat(251) }] },
      { apiKeys: [{ ...key, accessList: [], roles: [{ role: '', groupIds: ['x'] }, { groupIds: [] }] }] },
      { serviceAccounts: [{ clientId: 'id', roles: [{ role: 'ORG_OWNER' }] }], secret: 'x' },
      { apiKeys: 'abc', serviceAccounts: [7] },
      ...NOT_OBJECTS,
    ];
    assert.equal(assertAgree('credentialsFile', generatedCredentials.credentialsFile as Validate, compiledCredentials.credentialsFile as Validate, samples), 2);
  });
});
