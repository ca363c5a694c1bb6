/**
 * startMock() used the way a user's node:test (or vitest) suite would: one mock for the file, scenario
 * rules changed between tests, the journal checked, reset after each test.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import { FixtureError, ScenarioError, startMock, type MockServer } from '../server/index.js';
import { CLUSTER, GROUP, VERSIONED, assertMatchesSpec, jobUrl } from './helper.js';

const JOB = '6a7ddc837c2e91d04b368d39';
const headers = { accept: VERSIONED };

async function get(mock: MockServer, path: string, extra: Record<string, string> = {}) {
  const res = await fetch(`${mock.url}${path}`, { headers: { ...headers, ...extra } });
  return { statusCode: res.status, headers: Object.fromEntries(res.headers), body: await res.text() };
}

describe('startMock', () => {
  let mock: MockServer;
  before(async () => {
    mock = await startMock({ auth: 'off' });
  });
  afterEach(() => mock.reset());
  after(() => mock.close());

  test('listens on a free loopback port and serves jobs', async () => {
    assert.match(mock.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.ok(mock.port > 0);
    const res = await get(mock, jobUrl(GROUP, CLUSTER, JOB));
    assert.equal(res.statusCode, 200);
    assert.equal(assertMatchesSpec(res).id, JOB);
  });

  test('setScenario for the next request only, then the job again', async () => {
    const rule = mock.setScenario({ error: '500', times: 1 });
    assert.match(rule.id, /^s\d+$/);
    const first = await get(mock, jobUrl(GROUP, CLUSTER, JOB));
    assert.equal(first.statusCode, 500);
    assertMatchesSpec(first);
    const second = await get(mock, jobUrl(GROUP, CLUSTER, JOB));
    assert.equal(second.statusCode, 200);
    assertMatchesSpec(second);
  });

  test('a scenario can target one id; newest rule wins; a string is an error', async () => {
    mock.setScenario('404');
    mock.setScenario({ error: 'CLUSTER_NOT_FOUND', restoreJobId: JOB });
    const targeted = await get(mock, jobUrl(GROUP, CLUSTER, JOB));
    assert.equal(assertMatchesSpec(targeted).errorCode, 'CLUSTER_NOT_FOUND');
    const other = await get(mock, jobUrl(GROUP, CLUSTER, 'aaaaaaaaaaaaaaaaaaaaaaaa'));
    assert.equal(assertMatchesSpec(other).errorCode, 'RESTORE_JOB_NOT_FOUND');
    mock.clearScenarios();
    const cleared = await get(mock, jobUrl(GROUP, CLUSTER, JOB));
    assert.equal(cleared.statusCode, 200);
    assertMatchesSpec(cleared);
  });

  test('bad scenario rules are refused naming the field', () => {
    assert.throws(() => mock.setScenario({ error: '418' }), (e: unknown) => e instanceof ScenarioError && /field "error": "418" names no error/.test(e.message));
    assert.throws(() => mock.setScenario({ probability: 2, error: '500' }), (e: unknown) => e instanceof ScenarioError && /field "probability"/.test(e.message));
    assert.throws(() => mock.setScenario({}), /the rule does nothing/);
  });

  test('a probability of 0 never fires and 1 always does', async () => {
    mock.setScenario({ error: '503', probability: 0 });
    for (let i = 0; i < 5; i++) assert.equal((await get(mock, jobUrl(GROUP, CLUSTER, JOB))).statusCode, 200);
    mock.setScenario({ error: '503', probability: 1 });
    const res = await get(mock, jobUrl(GROUP, CLUSTER, JOB));
    assert.equal(res.statusCode, 503);
    assertMatchesSpec(res);
  });

  test('addFixture serves a job from code, checked like a file', async () => {
    const restoreJobId = '6b0000000000000000000001';
    mock.addFixture({
      groupId: GROUP,
      clusterName: 'FromCode',
      restoreJobId,
      job: { cancelled: false, deliveryType: 'download', deliveryUrl: [], expired: false, failed: false, snapshotId: '6a7dc8a07c2e91d04b368a11', timestamp: '2026-08-14T10:00:00Z' },
    });
    const res = await get(mock, jobUrl(GROUP, 'FromCode', restoreJobId));
    assert.equal(assertMatchesSpec(res).deliveryType, 'download');
    assert.throws(
      () => mock.addFixture({ groupId: GROUP, clusterName: 'FromCode', restoreJobId, job: { deliveryType: 'download', cancelled: 'no' } }),
      (e: unknown) => e instanceof FixtureError && /field "cancelled": must be boolean/.test(e.message),
    );
  });

  test('requests() shows what the code sent: how often, with which Accept, and what it got', async () => {
    await get(mock, jobUrl(GROUP, CLUSTER, JOB));
    await get(mock, jobUrl(GROUP, CLUSTER, 'nothex'));
    const all = mock.requests({ path: '/api/atlas/v2/*' });
    assert.equal(all.length, 2);
    assert.equal(all[0]?.headers.accept, VERSIONED);
    assert.equal(all[0]?.status, 200);
    assert.deepEqual(mock.requests({ status: 400 }).map((r) => r.path), [jobUrl(GROUP, CLUSTER, 'nothex')]);
    assert.equal(mock.requests({ path: jobUrl(GROUP, CLUSTER, JOB) }).length, 1);
    // Plain objects, so a strict deep-equal in a user's test compares what was sent, nothing else.
    assert.deepStrictEqual(all[0]?.query, {});
    await get(mock, jobUrl(GROUP, CLUSTER, JOB, '?pretty=true&envelope=false'));
    assert.deepStrictEqual(mock.requests().at(-1)?.query, { pretty: 'true', envelope: 'false' });
  });

  test('a download job progresses with the clock: preparing, ready, expired', async () => {
    const restoreJobId = '6b0000000000000000000002';
    mock.addFixture({
      groupId: GROUP,
      clusterName: CLUSTER,
      restoreJobId,
      job: {
        cancelled: false, deliveryType: 'download', expired: false, failed: false, snapshotId: '6a7dc8a07c2e91d04b368a11', timestamp: '2026-08-14T10:00:00Z',
        deliveryUrl: [`https://restore-${restoreJobId}.q4zk9w.mongodb.net:27017/BksLbdNDlUd1cdLjRbPsgFYj/restore-6a7dc8a07c2e91d04b368a11.tar.gz`],
        expiresAt: '2026-08-14T11:00:00Z',
        'x-mock': { lifecycle: { finishAfterSeconds: 600, expireAfterSeconds: 3600 } },
      },
    });
    const read = async () => assertMatchesSpec(await get(mock, jobUrl(GROUP, CLUSTER, restoreJobId)));
    const preparing = await read();
    assert.deepEqual(preparing.deliveryUrl, []);
    assert.equal(preparing.expiresAt, undefined);
    mock.advanceClock(601);
    const ready = await read();
    assert.equal(ready.deliveryUrl.length, 1);
    assert.ok(ready.expiresAt);
    assert.equal(ready.finishedAt, undefined, 'a ready download has no finishedAt');
    mock.advanceClock(3600);
    const expired = await read();
    assert.equal(expired.expired, true);
    assert.deepEqual(expired.deliveryUrl, []);
  });

  test('reset() drops runtime fixtures, rules and the journal', async () => {
    mock.setScenario('500');
    await get(mock, jobUrl(GROUP, CLUSTER, JOB));
    mock.reset();
    assert.equal(mock.requests().length, 0);
    const res = await get(mock, jobUrl(GROUP, CLUSTER, JOB));
    assert.equal(res.statusCode, 200);
    assertMatchesSpec(res);
  });
});

test('close() ends keep-alive sockets so the process can exit', async () => {
  const mock = await startMock({ auth: 'off' });
  const res = await fetch(`${mock.url}/health`, { headers: { connection: 'keep-alive' } });
  assert.equal(res.status, 200);
  await res.text();
  await mock.close();
  await assert.rejects(fetch(`${mock.url}/health`), 'nothing listens after close()');
});

test('startMock refuses bad options like the CLI', async () => {
  await assert.rejects(startMock({ port: 70000 }), /Invalid value "70000" for port/);
});
