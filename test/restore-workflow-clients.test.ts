/**
 * The restore workflow over a real socket, through the clients users point at the mock: startMock with
 * Node's fetch (the whole cycle, as a user's test would run it), curl --digest, digest-fetch and
 * mongodb-atlas-api-client, and backup-operator roles over Digest in strict mode.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { startMock, type MockServer } from '../server/index.js';
import { validators } from '../server/validation/spec-schemas.js';
import { CLUSTER, GROUP, SUCCESS_TYPE, VERSIONED, assertMatchesSpec, jobUrl } from './helper.js';
import { DigestClient, getMongodbAtlasApiClient } from './clients.js';

const run = promisify(execFile);

const listPath = (groupId = GROUP, clusterName = CLUSTER) => `/api/atlas/v2/groups/${groupId}/clusters/${clusterName}/backup/restoreJobs`;

async function reply(res: Response) {
  return { statusCode: res.status, headers: Object.fromEntries(res.headers), body: await res.text() };
}

/** curl, returning the last response's status, headers and body (with --digest curl prints both). */
async function curl(args: string[]): Promise<{ statusCode: number; headers: Record<string, string>; body: string }> {
  const { stdout } = await run('curl', ['-s', '-i', ...args], { encoding: 'utf8' });
  const last = stdout.slice(stdout.lastIndexOf('HTTP/1.1 '));
  const split = last.indexOf('\r\n\r\n');
  const [statusLine = '', ...lines] = last.slice(0, split).split('\r\n');
  const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
  return { statusCode: Number(statusLine.split(' ')[1]), headers, body: last.slice(split + 4) };
}

function assertPage(body: string): { results: { id: string; snapshotId: string; deliveryType: string; cancelled: boolean; failed: boolean; expired: boolean }[]; totalCount: number } {
  const page = JSON.parse(body) as ReturnType<typeof assertPage>;
  assert.ok(validators.restoreJobList(page as unknown), JSON.stringify(validators.restoreJobList.errors));
  for (const job of page.results) assert.ok(validators.restoreJob(job as unknown));
  return page;
}

describe('the whole cycle, as a user test runs it (startMock + fetch, clock sped up)', () => {
  let mock: MockServer;
  before(async () => {
    mock = await startMock({ auth: 'off', generate: false, clockSpeed: 600 });
  });
  after(() => mock.close());

  test('create, poll until finished, list, cancel another, check the journal', async () => {
    const headers = { accept: VERSIONED, 'content-type': VERSIONED };
    const listed = await reply(await fetch(`${mock.url}${listPath()}`, { headers }));
    const snapshotId = assertPage(listed.body).results[0]?.snapshotId as string;

    const createBody = JSON.stringify({ deliveryType: 'automated', snapshotId, targetClusterName: 'orders-prod', targetGroupId: '67c6d56bc41e7a0b934b81d2' });
    const created = await reply(await fetch(`${mock.url}${listPath()}`, { method: 'POST', headers, body: createBody }));
    assert.equal(created.statusCode, 200);
    const job = assertMatchesSpec(created);

    // Poll as the Atlas CLI's watch does, until it is done; 230 s of restore at 600x is well under a second.
    let polled = job;
    let polls = 0;
    while (!(polled.finishedAt || polled.failed || polled.cancelled || polled.expired)) {
      assert.ok(++polls < 200, 'polling ends');
      await new Promise((resolve) => setTimeout(resolve, 25));
      const res = await reply(await fetch(`${mock.url}${jobUrl(GROUP, CLUSTER, job.id)}`, { headers: { accept: VERSIONED } }));
      assert.equal(res.statusCode, 200);
      polled = assertMatchesSpec(res);
    }
    assert.equal(polled.failed, false);
    assert.ok(polls > 1, 'it was running before it finished');

    const download = assertMatchesSpec(await reply(await fetch(`${mock.url}${listPath()}`, { method: 'POST', headers, body: JSON.stringify({ deliveryType: 'download', snapshotId }) })));
    const page = assertPage((await reply(await fetch(`${mock.url}${listPath()}?includeCount=true&itemsPerPage=100&pageNum=1`, { headers }))).body);
    assert.deepEqual(page.results.slice(0, 2).map((j) => j.id), [download.id, job.id], 'newest first');

    const cancelled = await fetch(`${mock.url}${jobUrl(GROUP, CLUSTER, download.id)}`, { method: 'DELETE', headers: { accept: VERSIONED } });
    assert.equal(cancelled.status, 204);
    assert.equal(cancelled.headers.get('content-type'), SUCCESS_TYPE);
    assert.equal(await cancelled.text(), '');
    const after = assertMatchesSpec(await reply(await fetch(`${mock.url}${jobUrl(GROUP, CLUSTER, download.id)}`, { headers: { accept: VERSIONED } })));
    assert.deepEqual([after.cancelled, after.failed], [true, true]);

    const posts = mock.requests({ method: 'POST', path: `${listPath()}` });
    assert.deepEqual(posts.map((r) => [r.status, r.body]), [
      [200, createBody],
      [200, JSON.stringify({ deliveryType: 'download', snapshotId })],
    ]);
    assert.equal(mock.requests({ method: 'GET', path: jobUrl(GROUP, CLUSTER, job.id) }).length, polls);
    assert.deepEqual(mock.requests({ method: 'DELETE' }).map((r) => r.status), [204]);
    assert.deepEqual(mock.restoreJobs().map((j) => j.restoreJobId), [job.id, download.id]);
    mock.reset();
    assert.equal(mock.restoreJobs().length, 0);
  });

  test('advanceClock finishes a created job without waiting; createRestoreJob takes a lifecycle', async () => {
    const snapshotId = assertPage(await (await fetch(`${mock.url}${listPath()}`, { headers: { accept: VERSIONED } })).text()).results[0]?.snapshotId as string;
    const made = mock.createRestoreJob({ groupId: GROUP, clusterName: CLUSTER, job: { deliveryType: 'download', snapshotId }, lifecycle: { finishAfterSeconds: 10_000 } });
    assert.deepEqual(made.job.deliveryUrl, []);
    mock.advanceClock(10_000);
    const ready = assertMatchesSpec(await reply(await fetch(`${mock.url}${jobUrl(GROUP, CLUSTER, made.restoreJobId)}`, { headers: { accept: VERSIONED } })));
    assert.equal(ready.deliveryUrl.length, 1);
    assert.ok(mock.removeRestoreJob(made.restoreJobId));
    mock.clearRestoreJobs();
  });
});

describe('Digest clients in strict mode, with backup-operator roles', () => {
  let mock: MockServer;
  let snapshotId: string;
  const keys = {
    owner: ['ownerkey', 'owner-secret', 'GROUP_OWNER'],
    exporter: ['exporter', 'exporter-secret', 'Project Backup Export Operator'],
    recoverer: ['recoverer', 'recoverer-secret', 'Project Backup Recovery Operator'],
    reader: ['readonly', 'readonly-secret', 'GROUP_READ_ONLY'],
  } as const;
  before(async () => {
    const folder = await mkdtemp(join(tmpdir(), 'restore-roles-'));
    const file = join(folder, 'credentials.json');
    const apiKeys = Object.values(keys).map(([publicKey, privateKey, role]) => ({ publicKey, privateKey, roles: [{ role, groupIds: ['*'] }] }));
    await writeFile(file, JSON.stringify({ apiKeys }));
    mock = await startMock({ auth: 'strict', credentials: file, generate: false });
    const client = new DigestClient(keys.owner[0], keys.owner[1]);
    snapshotId = assertPage(await (await client.fetch(`${mock.url}${listPath()}`, { headers: { accept: VERSIONED } })).text()).results[0]?.snapshotId as string;
  });
  after(() => mock.close());

  const automated = () => ({ deliveryType: 'automated', snapshotId, targetClusterName: CLUSTER, targetGroupId: GROUP });

  test('curl --digest: create, cancel and list as Atlas answers them', async () => {
    const auth = ['--digest', '-u', `${keys.owner[0]}:${keys.owner[1]}`, '-H', `Accept: ${VERSIONED}`, '-H', `Content-Type: ${VERSIONED}`];
    const created = await curl([...auth, '-X', 'POST', '-d', JSON.stringify({ deliveryType: 'download', snapshotId }), `${mock.url}${listPath()}`]);
    assert.equal(created.statusCode, 200, created.body);
    assert.equal(created.headers['content-type'], SUCCESS_TYPE);
    const job = assertMatchesSpec(created);
    const cancelled = await curl([...auth, '-X', 'DELETE', `${mock.url}${jobUrl(GROUP, CLUSTER, job.id)}`]);
    assert.deepEqual([cancelled.statusCode, cancelled.body, cancelled.headers['content-type']], [204, '', SUCCESS_TYPE]);
    const refused = await curl([...auth, '-X', 'POST', '-d', '{"deliveryType":"download"}', `${mock.url}${listPath()}`]);
    assert.equal(refused.statusCode, 404);
    assert.equal(refused.headers['x-error-code'], 'SNAPSHOT_NOT_FOUND');
    assertMatchesSpec(refused);
    const listed = await curl([...auth, `${mock.url}${listPath()}?itemsPerPage=1`]);
    assert.equal(assertPage(listed.body).results.length, 1);
    const unauthenticated = await curl(['-H', `Accept: ${VERSIONED}`, '-X', 'POST', '-d', '{}', `${mock.url}${listPath()}`]);
    assert.equal(unauthenticated.statusCode, 401);
    assert.match(unauthenticated.headers['www-authenticate'] ?? '', /^Digest realm="MMS Public API"/);
  });

  test('digest-fetch: an export operator creates and cancels downloads but not automated restores', async () => {
    const exporter = new DigestClient(keys.exporter[0], keys.exporter[1]);
    const post = (body: object) => exporter.fetch(`${mock.url}${listPath()}`, { method: 'POST', headers: { accept: VERSIONED, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const download = assertMatchesSpec(await reply(await post({ deliveryType: 'download', snapshotId })));
    const restore = await reply(await post(automated()));
    assert.equal(restore.statusCode, 401);
    assert.equal(assertMatchesSpec(restore).errorCode, 'USER_UNAUTHORIZED');
    const cancel = await exporter.fetch(`${mock.url}${jobUrl(GROUP, CLUSTER, download.id)}`, { method: 'DELETE', headers: { accept: VERSIONED } });
    assert.equal(cancel.status, 204);
    const read = await reply(await exporter.fetch(`${mock.url}${jobUrl(GROUP, CLUSTER, download.id)}`, { headers: { accept: VERSIONED } }));
    assert.equal(assertMatchesSpec(read).errorCode, 'USER_UNAUTHORIZED', 'an operator may act but not read, as Atlas grants it');
  });

  test('digest-fetch: a recovery operator restores but cannot download; a read-only key may do neither', async () => {
    const recoverer = new DigestClient(keys.recoverer[0], keys.recoverer[1]);
    const post = (client: InstanceType<typeof DigestClient>, body: object) => client.fetch(`${mock.url}${listPath()}`, { method: 'POST', headers: { accept: VERSIONED, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const restore = assertMatchesSpec(await reply(await post(recoverer, automated())));
    assert.equal(restore.deliveryType, 'automated');
    const cannotCancel = await reply(await recoverer.fetch(`${mock.url}${jobUrl(GROUP, CLUSTER, restore.id)}`, { method: 'DELETE', headers: { accept: VERSIONED } }));
    assert.equal(assertMatchesSpec(cannotCancel).errorCode, 'CANNOT_CANCEL_AUTOMATED_RESTORE');
    assert.equal(assertMatchesSpec(await reply(await post(recoverer, { deliveryType: 'download', snapshotId }))).errorCode, 'USER_UNAUTHORIZED');
    const reader = new DigestClient(keys.reader[0], keys.reader[1]);
    const refused = await reply(await post(reader, automated()));
    assert.deepEqual([refused.statusCode, assertMatchesSpec(refused).errorCode], [401, 'USER_UNAUTHORIZED']);
  });

  test('mongodb-atlas-api-client: createSnapshotRestoreJob, then getSnapshotRestoreJob', async () => {
    const client = getMongodbAtlasApiClient({ baseUrl: `${mock.url}/api/atlas/v2`, projectId: '67c6d56bc41e7a0b934b81d2', publicKey: keys.owner[0], privateKey: keys.owner[1] });
    // httpOptions.headers replaces the client's own headers, Content-Type included: without it urllib
    // sends the body form-encoded, which Atlas (and the mock) refuse as malformed JSON.
    const formEncoded = (await client.cloudBackup.createSnapshotRestoreJob('orders-prod', { deliveryType: 'download' }, { httpOptions: { headers: { accept: VERSIONED } } })) as { errorCode: string };
    assert.equal(formEncoded.errorCode, 'MALFORMED_JSON');
    assert.equal(mock.requests({ method: 'POST', status: 400 }).at(-1)?.body, 'deliveryType=download');
    const options = { httpOptions: { headers: { accept: VERSIONED, 'content-type': 'application/json' } } };
    const created = (await client.cloudBackup.createSnapshotRestoreJob('orders-prod', { deliveryType: 'pointInTime', pointInTimeUTCSeconds: Math.floor(Date.now() / 1000) - 600, targetClusterName: 'orders-prod', targetGroupId: '67c6d56bc41e7a0b934b81d2' }, options)) as { id: string; error?: number };
    assert.equal(created.error, undefined, JSON.stringify(created));
    assertMatchesSpec({ statusCode: 200, headers: {}, body: JSON.stringify(created) });
    const read = (await client.cloudBackup.getSnapshotRestoreJob('orders-prod', created.id, options)) as { id: string };
    assert.equal(read.id, created.id);
    const conflict = (await client.cloudBackup.createSnapshotRestoreJob('orders-prod', { deliveryType: 'pointInTime', pointInTimeUTCSeconds: Math.floor(Date.now() / 1000) - 600, targetClusterName: 'orders-prod', targetGroupId: '67c6d56bc41e7a0b934b81d2' }, options)) as { errorCode: string };
    // The library hands back the body only; the journal shows the status the mock sent with it.
    assert.deepEqual(conflict, { detail: 'Cluster restore already in progress.', error: 409, errorCode: 'ATLAS_CLUSTER_RESTORE_IN_PROGRESS', parameters: [], reason: 'Conflict' });
    assert.equal(mock.requests({ method: 'POST', status: 409 }).length, 1);
  });
});
