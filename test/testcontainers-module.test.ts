/**
 * `atlas-restore-mock/testcontainers` without a Docker engine: the package surface (subpath export,
 * optional peer dependency, a main entry that never loads testcontainers), the container's settings
 * against the option table, and the control helpers over HTTP against an in-process mock. The same
 * module against a real engine: test-docker/testcontainers.test.ts (`npm run test:docker`).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Wait } from 'testcontainers';
import { startMock, type MockServer } from '../server/index.js';
import { OPTIONS } from '../server/options.js';
import { PACKAGE_ROOT } from '../server/package-root.js';
import {
  ATLAS_RESTORE_MOCK_PORT,
  AtlasRestoreMockContainer,
  DEFAULT_IMAGE,
  FIXTURES_IN_CONTAINER,
  MockControlClient,
  MockControlError,
} from '../server/testcontainers/index.js';
import { CLUSTER, GROUP, VERSIONED, assertMatchesSpec, jobUrl } from './helper.js';

const manifest = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as {
  exports: Record<string, Record<string, string>>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  devDependencies: Record<string, string>;
};

/** The container's settings as GenericContainer keeps them (protected fields, read by a subclass as modules do). */
class InspectedContainer extends AtlasRestoreMockContainer {
  inspect() {
    return { image: this.imageName.string, env: { ...this.environment }, ports: this.exposedPorts, copies: this.directoriesToCopy, wait: this.waitStrategy, timeout: this.startupTimeoutMs };
  }
}

describe('the package surface', () => {
  test('the subpath export points at built files that exist, types first', () => {
    const entry = manifest.exports['./testcontainers'];
    assert.ok(entry, 'package.json exports "./testcontainers"');
    assert.deepEqual(Object.keys(entry), ['types', 'import', 'default']);
    for (const target of Object.values(entry)) assert.ok(readFileSync(join(PACKAGE_ROOT, target)).length > 0, target);
  });

  test('testcontainers is an optional peer dependency, and a dev dependency for the tests', () => {
    assert.ok(manifest.peerDependencies?.testcontainers, 'a peer dependency');
    assert.equal(manifest.peerDependenciesMeta?.testcontainers?.optional, true);
    assert.ok(manifest.devDependencies.testcontainers);
  });

  test('the main entry loads without testcontainers: importing it never reaches the module', () => {
    const script = `
      import { createRequire } from 'node:module';
      const mock = await import('atlas-restore-mock');
      const loaded = Object.keys(createRequire(import.meta.url).cache).filter((p) => p.includes('/node_modules/testcontainers/'));
      console.log(JSON.stringify({ startMock: typeof mock.startMock, loaded: loaded.length }));`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: PACKAGE_ROOT, encoding: 'utf8' });
    assert.deepEqual(JSON.parse(out), { startMock: 'function', loaded: 0 });
  });
});

describe('AtlasRestoreMockContainer settings', () => {
  const envOf = (key: string) => OPTIONS.find((o) => o.key === key)?.env as string;

  test('defaults: the image, port 8080, an HTTP wait on /health that gives up when the container exits', async () => {
    const settings = new InspectedContainer().inspect();
    assert.equal(settings.image, DEFAULT_IMAGE);
    assert.deepEqual(settings.ports, [ATLAS_RESTORE_MOCK_PORT]);
    assert.equal(ATLAS_RESTORE_MOCK_PORT, OPTIONS.find((o) => o.key === 'port')?.default);
    assert.equal(settings.wait.constructor, Wait.forHttp('/', 1).constructor);
    // Its fields are private; read as testcontainers' own tests of the strategy do.
    const wait = settings.wait as unknown as { path: string; port: number; options: object; predicates: ((r: { status: number }) => Promise<boolean>)[] };
    assert.deepEqual({ path: wait.path, port: wait.port, options: wait.options }, { path: '/health', port: 8080, options: { abortOnContainerExit: true } });
    assert.deepEqual(await Promise.all([200, 503].map((status) => wait.predicates[0]?.({ status }))), [true, false]);
    assert.equal(settings.timeout, 60_000);
    assert.deepEqual(settings.env, {});
    assert.equal(new InspectedContainer('registry.example/atlas-restore-mock:1.2').inspect().image, 'registry.example/atlas-restore-mock:1.2');
  });

  test('each with... method sets the env var the option table names', () => {
    const settings = new InspectedContainer()
      .withAuth('strict')
      .withApiKey('abcdefgh', 'private-key')
      .withServiceAccount('mdb_sa_id_x', 'mdb_sa_sk_y')
      .withSeed(42)
      .withScenario('CLUSTER_NOT_FOUND')
      .withFixtures('/tmp/my-fixtures')
      .withControlApi('sesame')
      .inspect();
    assert.deepEqual(settings.env, {
      [envOf('auth')]: 'strict',
      [envOf('apiKey')]: 'abcdefgh:private-key',
      [envOf('serviceAccount')]: 'mdb_sa_id_x:mdb_sa_sk_y',
      [envOf('seed')]: '42',
      [envOf('scenario')]: 'CLUSTER_NOT_FOUND',
      [envOf('fixtures')]: FIXTURES_IN_CONTAINER,
      [envOf('control')]: 'true',
      [envOf('controlToken')]: 'sesame',
    });
    assert.deepEqual(settings.copies, [{ source: '/tmp/my-fixtures', target: FIXTURES_IN_CONTAINER }]);
  });

  test('withControlApi without a token makes a random one, as the mock requires beyond loopback', () => {
    const a = new InspectedContainer().withControlApi().inspect().env[envOf('controlToken')];
    const b = new InspectedContainer().withControlApi().inspect().env[envOf('controlToken')];
    assert.match(a ?? '', /^[0-9a-f-]{36}$/);
    assert.notEqual(a, b);
  });

  test('a bad setting is refused at once, naming the method and what it wants', () => {
    const c = new AtlasRestoreMockContainer();
    assert.throws(() => c.withSeed(-1), /withSeed: seed must be an integer from 0 to 4294967295, got -1/);
    assert.throws(() => c.withSeed(1.5), /withSeed/);
    assert.throws(() => c.withApiKey('has:colon', 'x'), /withApiKey: publicKey must not contain ":"/);
    assert.throws(() => c.withApiKey('abc', ''), /withApiKey: privateKey must be a non-empty string/);
    assert.throws(() => c.withServiceAccount('', 'x'), /withServiceAccount: clientId/);
    assert.throws(() => c.withScenario(' '), /withScenario/);
    assert.throws(() => c.withAuth('maybe' as 'any'), /withAuth: mode must be any, strict or off/);
    assert.throws(() => c.withControlApi(''), /withControlApi/);
  });
});

describe('MockControlClient against an in-process mock with the control API', () => {
  const TOKEN = 'sesame';
  let mock: MockServer;
  let control: MockControlClient;
  before(async () => {
    mock = await startMock({ auth: 'off', control: true, controlToken: TOKEN, generate: false });
    control = new MockControlClient(mock.url, TOKEN);
  });
  after(() => mock.close());

  const job = async (restoreJobId: string, cluster = CLUSTER) => {
    const res = await fetch(`${mock.url}${jobUrl(GROUP, cluster, restoreJobId)}`, { headers: { accept: VERSIONED } });
    return { statusCode: res.status, headers: Object.fromEntries(res.headers), body: await res.text() };
  };

  test('setScenario, scenarios, clearScenarios and requests', async () => {
    await control.reset();
    const rule = await control.setScenario({ error: '503', times: 1 });
    assert.deepEqual(await control.scenarios(), [rule]);
    assert.equal((await job('6a7ddc837c2e91d04b368d39')).statusCode, 503);
    assert.equal((await job('6a7ddc837c2e91d04b368d39')).statusCode, 200);
    await control.setScenario('CLUSTER_NOT_FOUND');
    assert.equal(assertMatchesSpec(await job('6a7ddc837c2e91d04b368d39')).errorCode, 'CLUSTER_NOT_FOUND');
    await control.clearScenarios();
    assert.deepEqual(await control.scenarios(), []);
    assert.deepEqual((await control.requests({ path: '/api/atlas/v2/*', method: 'GET' })).map((r) => r.status), [503, 200, 404]);
    assert.deepEqual((await control.requests({ status: 404 })).length, 1);
    await control.clearRequests();
    assert.deepEqual(await control.requests(), []);
  });

  test('addFixture, fixtures, removeFixture; advanceClock and clock; reset', async () => {
    const id = '6a7ddc837c2e91d04b36ffff';
    const fixture = { cancelled: false, deliveryType: 'download', deliveryUrl: [], expired: false, failed: false, snapshotId: '6a7dc8a07c2e91d04b368a11', timestamp: '2026-08-14T10:00:00Z' };
    assert.deepEqual(await control.addFixture({ groupId: GROUP, clusterName: 'Other', restoreJobId: id, job: fixture }), { replaced: false });
    assert.deepEqual(await control.addFixture({ groupId: GROUP, clusterName: 'Other', restoreJobId: id, job: fixture }), { replaced: true });
    assert.ok((await control.fixtures()).some((f) => f.restoreJobId === id && f.clusterName === 'Other'));
    assert.equal(assertMatchesSpec(await job(id, 'Other')).id, id);
    await control.removeFixture(GROUP, 'Other', id);
    assert.equal((await job(id, 'Other')).statusCode, 404);
    const before = await control.clock();
    const after = await control.advanceClock(86_400);
    assert.ok(Date.parse(after.now) - Date.parse(before.now) >= 86_400_000);
    assert.equal(after.speed, 1);
    await control.addFixture({ groupId: GROUP, clusterName: 'Other', restoreJobId: id, job: fixture });
    await control.reset();
    assert.ok(!(await control.fixtures()).some((f) => f.restoreJobId === id), 'reset drops fixtures added since start-up');
  });

  test('a refusal throws MockControlError with the status, code, detail and fields the mock sent', async () => {
    await assert.rejects(control.setScenario({ error: 'NOPE', times: 0 }), (error: unknown) => {
      assert.ok(error instanceof MockControlError);
      assert.equal(error.status, 400);
      assert.equal(error.errorCode, 'MOCK_INVALID_SCENARIO');
      assert.ok(error.fields.length >= 1, JSON.stringify(error.fields));
      assert.match(error.message, /^MOCK_INVALID_SCENARIO \(400\): /);
      return true;
    });
    await assert.rejects(control.removeFixture(GROUP, CLUSTER, '000000000000000000000001'), { name: 'MockControlError', status: 404, errorCode: 'MOCK_NOT_FOUND' });
    await assert.rejects(control.addFixture({ groupId: GROUP, clusterName: CLUSTER, restoreJobId: '000000000000000000000001', job: { deliveryType: 'nope' } }), {
      errorCode: 'MOCK_INVALID_FIXTURE',
    });
    await assert.rejects(new MockControlClient(mock.url, 'wrong').reset(), { status: 401, errorCode: 'MOCK_UNAUTHORIZED' });
    await assert.rejects(new MockControlClient(mock.url).reset(), { status: 401, errorCode: 'MOCK_UNAUTHORIZED' }, 'no token where one is set');
  });
});
