/**
 * The control API driven only over a socket, as a Go or Python suite (or a docker user) would: the
 * built bin runs as a child process with --control, and every change goes through /__mock/.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';
import { PACKAGE_ROOT } from '../server/package-root.js';
import { CLUSTER, GROUP, VERSIONED, assertAtlasError, assertMatchesSpec, exitWithin, jobUrl, spawnOwned, startProcess } from './helper.js';

const CLI = join(PACKAGE_ROOT, 'dist', 'server', 'cli.js');
const JOB = '6a7ddc837c2e91d04b368d39';

function startBin(args: string[]) {
  return startProcess(process.execPath, [CLI, '--port', '0', ...args]);
}

async function call(url: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${url}${path}`, {
    signal: AbortSignal.timeout(10_000),
    method,
    headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { statusCode: res.status, headers: Object.fromEntries(res.headers), body: text, json: text ? JSON.parse(text) : undefined };
}

const job = (path: string) => call(server.url, 'GET', path, undefined, { accept: VERSIONED });
let server: { child: ChildProcess; url: string };

describe('control API over a socket', { timeout: 60_000 }, () => {
  before(async () => {
    server = await startBin(['--auth', 'off', '--control', '--no-generate']);
  });
  afterEach(async () => {
    assert.equal((await call(server.url, 'POST', '/__mock/reset')).statusCode, 204);
  });
  after(() => server.child.kill('SIGKILL'));

  test('PUT a fixture, read it through the Atlas route, list it, delete it', async () => {
    const restoreJobId = '6b1000000000000000000001';
    const fixture = { cancelled: false, deliveryType: 'download', deliveryUrl: [], expired: false, failed: false, snapshotId: '6a7dc8a07c2e91d04b368a11', timestamp: '2026-08-14T10:00:00Z', 'x-mock': { description: 'added by a test' } };
    const put = await call(server.url, 'PUT', `/__mock/fixtures/${GROUP}/NewCluster/${restoreJobId}`, fixture);
    assert.equal(put.statusCode, 201);
    assert.deepEqual(put.json, { groupId: GROUP, clusterName: 'NewCluster', restoreJobId, replaced: false });
    const served = await job(jobUrl(GROUP, 'NewCluster', restoreJobId));
    assert.equal(assertMatchesSpec(served).id, restoreJobId);
    const list = await call(server.url, 'GET', '/__mock/fixtures');
    assert.ok(list.json.fixtures.some((f: { restoreJobId: string; description?: string }) => f.restoreJobId === restoreJobId && f.description === 'added by a test'));
    assert.equal((await call(server.url, 'DELETE', `/__mock/fixtures/${GROUP}/NewCluster/${restoreJobId}`)).statusCode, 204);
    const gone = await job(jobUrl(GROUP, 'NewCluster', restoreJobId));
    assert.equal(assertMatchesSpec(gone).errorCode, 'CLUSTER_NOT_FOUND', 'with --no-generate the cluster is gone with its only fixture');
  });

  test('a bad fixture is refused with a 400 naming the field, and nothing changes', async () => {
    const before = await call(server.url, 'GET', '/__mock/fixtures');
    const bad = await call(server.url, 'PUT', `/__mock/fixtures/${GROUP}/${CLUSTER}/${JOB}`, { deliveryType: 'download', cancelled: 'no', deliveryUrl: [], expired: false, failed: false, snapshotId: '6a7dc8a07c2e91d04b368a11', timestamp: '2026-08-14T10:00:00Z' });
    const error = assertAtlasError(bad, { status: 400 });
    assert.equal(error.errorCode, 'MOCK_INVALID_FIXTURE');
    assert.equal(error.badRequestDetail.fields[0].field, 'cancelled');
    const proto = await call(server.url, 'PUT', `/__mock/fixtures/${GROUP}/${CLUSTER}/${JOB}`, '{"__proto__":{"x":1},"deliveryType":"download"}');
    assert.equal(proto.statusCode, 400);
    assert.ok(assertMatchesSpec(proto).badRequestDetail.fields.some((f: { field: string }) => f.field === '__proto__'));
    const notJson = await call(server.url, 'PUT', `/__mock/fixtures/${GROUP}/${CLUSTER}/${JOB}`, '{oops');
    assert.equal(notJson.statusCode, 400);
    assertMatchesSpec(notJson);
    assert.deepEqual((await call(server.url, 'GET', '/__mock/fixtures')).json, before.json);
    const still = await job(jobUrl(GROUP, CLUSTER, JOB));
    assert.equal(assertMatchesSpec(still).deliveryType, 'automated', 'the shipped fixture still answers');
  });

  test('scenario rules: for the next N requests, per id, listed and deleted', async () => {
    const created = await call(server.url, 'POST', '/__mock/scenarios', { error: '503', restoreJobId: JOB, times: 2 });
    assert.equal(created.statusCode, 201);
    assert.equal(created.json.times, 2);
    for (let i = 0; i < 2; i++) assert.equal(assertMatchesSpec(await job(jobUrl(GROUP, CLUSTER, JOB))).errorCode, 'SERVICE_UNAVAILABLE');
    const after = await job(jobUrl(GROUP, CLUSTER, JOB));
    assert.equal(after.statusCode, 200);
    assertMatchesSpec(after);
    const rule = await call(server.url, 'POST', '/__mock/scenarios', { error: 'GROUP_NOT_FOUND' });
    assert.deepEqual((await call(server.url, 'GET', '/__mock/scenarios')).json.scenarios.map((s: { id: string }) => s.id), [rule.json.id]);
    assert.equal((await call(server.url, 'DELETE', `/__mock/scenarios/${rule.json.id}`)).statusCode, 204);
    assert.equal((await call(server.url, 'DELETE', '/__mock/scenarios/s999')).statusCode, 404);
    const bad = await call(server.url, 'POST', '/__mock/scenarios', { error: '500', times: 0, colour: 'red' });
    assert.equal(bad.statusCode, 400);
    const fields = assertMatchesSpec(bad).badRequestDetail.fields.map((f: { field: string }) => f.field);
    assert.ok(fields.includes('times') && fields.includes('colour'), JSON.stringify(fields));
  });

  test('the journal records what was sent, filterable by path and status, and can be cleared', async () => {
    await job(jobUrl(GROUP, CLUSTER, JOB));
    await call(server.url, 'GET', jobUrl(GROUP, CLUSTER, JOB), undefined, { accept: 'application/json' });
    const all = await call(server.url, 'GET', `/__mock/requests?path=${encodeURIComponent('/api/atlas/*')}`);
    assert.equal(all.json.requests.length, 2);
    assert.deepEqual(all.json.requests.map((r: { status: number }) => r.status), [200, 406]);
    assert.equal(all.json.requests[0].headers.accept, VERSIONED);
    const refused = await call(server.url, 'GET', '/__mock/requests?status=406');
    assert.equal(refused.json.requests.length, 1);
    assert.equal(refused.json.requests[0].headers.accept, 'application/json');
    assert.equal((await call(server.url, 'DELETE', '/__mock/requests')).statusCode, 204);
    assert.equal((await call(server.url, 'GET', '/__mock/requests')).json.requests.length, 0);
  });

  test('a job declared to finish after 2 reads reads as running twice, then finished', async () => {
    const restoreJobId = '6b1000000000000000000002';
    const fixture = {
      cancelled: false, deliveryType: 'automated', deliveryUrl: [], expired: false, failed: false, snapshotId: '6a7dc8a07c2e91d04b368a11',
      targetClusterName: 'Cluster0-restore', targetGroupId: GROUP, timestamp: '2026-08-14T10:00:00Z', finishedAt: '2026-08-14T10:20:00Z',
      'x-mock': { lifecycle: { finishAfterReads: 2 } },
    };
    assert.equal((await call(server.url, 'PUT', `/__mock/fixtures/${GROUP}/${CLUSTER}/${restoreJobId}`, fixture)).statusCode, 201);
    for (let i = 0; i < 2; i++) assert.equal(assertMatchesSpec(await job(jobUrl(GROUP, CLUSTER, restoreJobId))).finishedAt, undefined);
    const done = assertMatchesSpec(await job(jobUrl(GROUP, CLUSTER, restoreJobId)));
    assert.match(done.finishedAt, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
  });

  test('the clock moves forward on request; a bad advance is a 400', async () => {
    const restoreJobId = '6b1000000000000000000003';
    const fixture = {
      cancelled: false, deliveryType: 'download', deliveryUrl: [`https://restore-${restoreJobId}.q4zk9w.mongodb.net:27017/BksLbdNDlUd1cdLjRbPsgFYj/restore-6a7dc8a07c2e91d04b368a11.tar.gz`],
      expired: false, failed: false, snapshotId: '6a7dc8a07c2e91d04b368a11', timestamp: '2026-08-14T10:00:00Z', expiresAt: '2026-08-14T11:00:00Z',
      'x-mock': { lifecycle: { finishAfterSeconds: 3600, outcome: 'cancelled' } },
    };
    assert.equal((await call(server.url, 'PUT', `/__mock/fixtures/${GROUP}/${CLUSTER}/${restoreJobId}`, fixture)).statusCode, 201);
    assert.equal(assertMatchesSpec(await job(jobUrl(GROUP, CLUSTER, restoreJobId))).cancelled, false);
    const moved = await call(server.url, 'POST', '/__mock/clock', { advanceSeconds: 3600 });
    assert.equal(moved.statusCode, 200);
    const cancelled = assertMatchesSpec(await job(jobUrl(GROUP, CLUSTER, restoreJobId)));
    assert.equal(cancelled.cancelled, true);
    assert.equal(cancelled.failed, true);
    assert.ok(cancelled.finishedAt);
    const bad = await call(server.url, 'POST', '/__mock/clock', { advanceSeconds: -5 });
    assert.equal(bad.statusCode, 400);
    assertMatchesSpec(bad);
  });
});

describe('control API guard', { timeout: 30_000 }, () => {
  test('off by default: /__mock/ is an unknown route', async (t) => {
    const plain = await startBin(['--auth', 'off']);
    t.after(() => plain.child.kill('SIGKILL'));
    const res = await call(plain.url, 'POST', '/__mock/reset');
    assertAtlasError(res, { status: 404, errorCode: 'RESOURCE_NOT_FOUND' });
  });

  test('with a token, requests without X-Mock-Token are refused', async (t) => {
    const guarded = await startBin(['--auth', 'off', '--control', '--control-token', 'sesame']);
    t.after(() => guarded.child.kill('SIGKILL'));
    const refused = await call(guarded.url, 'GET', '/__mock/scenarios');
    assertAtlasError(refused, { status: 401, errorCode: 'MOCK_UNAUTHORIZED' });
    const wrong = await call(guarded.url, 'GET', '/__mock/scenarios', undefined, { 'x-mock-token': 'sesame!' });
    assert.equal(wrong.statusCode, 401);
    assertMatchesSpec(wrong);
    const ok = await call(guarded.url, 'GET', '/__mock/scenarios', undefined, { 'x-mock-token': 'sesame' });
    assert.equal(ok.statusCode, 200);
    assert.deepEqual(ok.json, { scenarios: [] });
  });

  test('beyond loopback without a token, start-up stops naming the fix', async (t) => {
    const child = spawnOwned(t, process.execPath, [CLI, '--port', '0', '--host', '0.0.0.0', '--control']);
    let err = '';
    child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
    assert.equal(await exitWithin(child, 15_000), 2);
    assert.match(err, /--control on --host 0\.0\.0\.0 .* Fix: set --control-token/);
  });
});
