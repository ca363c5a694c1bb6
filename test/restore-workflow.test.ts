/**
 * The restore workflow through app.inject(): create, list and cancel, the lifecycle of created jobs on
 * the mock's clock, and everything the GET has (versions, envelope, pretty, roles, scenarios, Prefer,
 * faults, journal, control API). Every body is held to the official schema.
 */
import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../server/app.js';
import { CreatedJobs, DOWNLOAD_READY_SECONDS, RESTORE_SECONDS } from '../server/jobs/created-jobs.js';
import { checkCoherence } from '../server/jobs/job-coherence.js';
import { generatedJobIds } from '../server/jobs/job-list.js';
import type { MockOptions } from '../server/options.js';
import { validators } from '../server/validation/spec-schemas.js';
import { CLUSTER, GROUP, SUCCESS_TYPE, VERSIONED, assertKeysSortedDeep, assertMatchesSpec, jobUrl } from './helper.js';

const accept = { accept: VERSIONED };
const listUrl = (groupId = GROUP, clusterName = CLUSTER, query = '') => `/api/atlas/v2/groups/${groupId}/clusters/${clusterName}/backup/restoreJobs${query}`;
const OTHER_GROUP = '67c6d56bc41e7a0b934b81d2';

async function buildWith(t: TestContext, options: Partial<MockOptions> = {}) {
  const built = await buildApp({ logLevel: 'silent', auth: 'off', generate: false, control: true, ...options });
  t.after(() => built.app.close());
  await built.app.ready();
  return built;
}

/** A list reply held to PaginatedCloudBackupRestoreJobView, each result to the job schema and coherence rules. */
function assertList(res: { statusCode: number; body: string; headers: Record<string, unknown> }): { links: { href: string; rel: string }[]; results: any[]; totalCount: number; status?: number } {
  assert.equal(res.statusCode, 200, res.body);
  assert.equal(res.headers['content-type'], SUCCESS_TYPE);
  // Parsed JSON; its shape is asserted just below.
  const page = JSON.parse(res.body) as any;
  assert.ok(validators.restoreJobList(page as unknown), JSON.stringify(validators.restoreJobList.errors));
  for (const job of page.results) {
    assert.ok(validators.restoreJob(job as unknown), JSON.stringify(validators.restoreJob.errors));
    const { links: _links, ...record } = job;
    assert.deepEqual(checkCoherence(record), []);
  }
  assertKeysSortedDeep(page);
  return page;
}

/** The snapshots the shipped fixtures name for a cluster. */
async function snapshotsOf(app: FastifyInstance, groupId = GROUP, clusterName = CLUSTER): Promise<string[]> {
  const page = assertList(await app.inject({ url: listUrl(groupId, clusterName), headers: accept }));
  return [...new Set(page.results.map((j) => j.snapshotId as string))];
}

function post(app: FastifyInstance, body: unknown, options: { url?: string; headers?: Record<string, string> } = {}) {
  return app.inject({
    method: 'POST',
    url: options.url ?? listUrl(),
    headers: { ...accept, 'content-type': VERSIONED, ...options.headers },
    payload: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** A job reply held to the schema and the coherence rules. */
function assertJob(res: { statusCode: number; body: string; headers: Record<string, unknown> }, status = 200): any {
  assert.equal(res.statusCode, status, res.body);
  const job = assertMatchesSpec(res);
  if (status === 200) {
    const { links: _links, ...record } = job;
    assert.deepEqual(checkCoherence(record), [], res.body);
  }
  return job;
}

const automated = (snapshotId: string, target = CLUSTER) => ({ deliveryType: 'automated', snapshotId, targetClusterName: target, targetGroupId: GROUP });

describe('create (POST)', () => {
  test('automated: 200 with the new job in its first state, readable at once by GET and list', async (t) => {
    const { app } = await buildWith(t);
    const [snapshot] = await snapshotsOf(app);
    const before = Date.now();
    const res = await post(app, automated(snapshot as string));
    assert.equal(res.headers['content-type'], SUCCESS_TYPE);
    assert.equal(res.headers['ratelimit-limit'], '1200');
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    const job = assertJob(res);
    assert.deepEqual(Object.keys(job), ['cancelled', 'deliveryType', 'deliveryUrl', 'expired', 'failed', 'id', 'links', 'snapshotId', 'targetClusterName', 'targetGroupId', 'timestamp']);
    assert.deepEqual([job.cancelled, job.expired, job.failed, job.deliveryUrl], [false, false, false, []]);
    const idSeconds = Number.parseInt(job.id.slice(0, 8), 16);
    assert.ok(Math.abs(idSeconds - before / 1000) < 5, 'the id is an ObjectId of now');
    assert.deepEqual(job.links.map((l: { rel: string }) => l.rel), ['self', 'https://cloud.mongodb.com/snapshot', 'https://cloud.mongodb.com/cluster', 'https://cloud.mongodb.com/group']);
    const read = await app.inject({ url: jobUrl(GROUP, CLUSTER, job.id), headers: accept });
    assert.equal(read.body, res.body, 'the GET serves the created job byte for byte');
    const page = assertList(await app.inject({ url: listUrl(), headers: accept }));
    assert.equal(page.results[0].id, job.id, 'newest first');
  });

  test('download and pointInTime (both styles) carry their own fields only', async (t) => {
    const { app } = await buildWith(t);
    const [snapshot] = await snapshotsOf(app);
    const download = assertJob(await post(app, { deliveryType: 'download', snapshotId: snapshot, targetClusterName: 'ignored', oplogTs: 1760000000 }));
    assert.equal(download.targetClusterName, undefined);
    assert.equal(download.oplogTs, undefined);
    const now = Math.floor(Date.now() / 1000) - 60;
    const bySeconds = assertJob(await post(app, { deliveryType: 'pointInTime', pointInTimeUTCSeconds: now, targetClusterName: 'orders-prod', targetGroupId: OTHER_GROUP }));
    assert.equal(bySeconds.pointInTimeUTCSeconds, now);
    assert.equal(bySeconds.desiredTimestamp.date, new Date(now * 1000).toISOString().replace('.000Z', 'Z'));
    assert.ok(Date.parse(bySeconds.timestamp) <= now * 1000, 'started from a snapshot taken before the point');
    const byOplog = assertJob(await post(app, { deliveryType: 'pointInTime', oplogTs: now, oplogInc: 3, targetClusterName: 'ShardedCluster0', targetGroupId: GROUP }));
    assert.deepEqual([byOplog.oplogTs, byOplog.oplogInc, byOplog.pointInTimeUTCSeconds], [now, 3, undefined]);
  });

  test('read-only fields are ignored, whatever their value', async (t) => {
    const { app } = await buildWith(t);
    const [snapshot] = await snapshotsOf(app);
    const job = assertJob(await post(app, { ...automated(snapshot as string), id: 'not-an-id', cancelled: 'yes', links: 5, finishedAt: 'soon', desiredTimestamp: { date: 1 } }));
    assert.notEqual(job.id, 'not-an-id');
    assert.equal(job.cancelled, false);
    assert.equal(job.finishedAt, undefined);
  });

  test('body errors in Atlas order, each naming its field', async (t) => {
    const { app } = await buildWith(t);
    const [snapshot] = await snapshotsOf(app);
    const cases: [unknown, number, string, unknown[], string?][] = [
      ['{"deliveryType":', 400, 'MALFORMED_JSON', [], 'Received JSON is malformed.'],
      ['[1]', 400, 'MALFORMED_JSON', []],
      ['', 400, 'MALFORMED_JSON', []],
      [{ deliveryTyp: 'download', bogus: 1 }, 400, 'INVALID_ATTRIBUTE', ['deliveryTyp'], 'Invalid attribute deliveryTyp specified.'],
      [{ snapshotId: snapshot }, 400, 'MISSING_ATTRIBUTE', ['deliveryType'], 'The required attribute deliveryType was not specified.'],
      [{ deliveryType: null }, 400, 'MISSING_ATTRIBUTE', ['deliveryType']],
      [{ deliveryType: '' }, 400, 'INVALID_ENUM_VALUE', [''], 'An invalid enumeration value  was specified.'],
      [{ deliveryType: 'copy' }, 400, 'INVALID_ENUM_VALUE', ['copy']],
      [{ deliveryType: 'download', snapshotId: 'abc' }, 400, 'INVALID_JSON_ATTRIBUTE', ['snapshotId'], 'Received JSON for the snapshotId attribute does not match expected format.'],
      [{ deliveryType: 'pointInTime', oplogTs: 5, oplogInc: 0 }, 400, 'INVALID_JSON_ATTRIBUTE', ['oplogInc']],
      [{ deliveryType: 'download' }, 404, 'SNAPSHOT_NOT_FOUND', [null, CLUSTER], 'No snapshot with ID null exists for cluster Cluster0.'],
      [{ deliveryType: 'automated', snapshotId: 'aaaaaaaaaaaaaaaaaaaaaaaa' }, 404, 'SNAPSHOT_NOT_FOUND', ['aaaaaaaaaaaaaaaaaaaaaaaa', CLUSTER]],
      [{ deliveryType: 'automated', snapshotId: snapshot, targetGroupId: GROUP }, 400, 'MISSING_ATTRIBUTE', ['targetClusterName']],
      [{ deliveryType: 'automated', snapshotId: snapshot, targetClusterName: CLUSTER }, 400, 'MISSING_ATTRIBUTE', ['targetGroupId']],
      [{ ...automated(snapshot as string), targetGroupId: 'bbbbbbbbbbbbbbbbbbbbbbbb' }, 404, 'GROUP_NOT_FOUND', ['bbbbbbbbbbbbbbbbbbbbbbbb']],
      [automated(snapshot as string, 'nowhere'), 404, 'CLUSTER_NOT_FOUND', ['nowhere', GROUP], `No cluster named nowhere exists in group ${GROUP}.`],
      [{ deliveryType: 'pointInTime', targetClusterName: CLUSTER, targetGroupId: GROUP }, 400, 'INVALID_PIT_RESTORE_TIME', [], 'Please provide a valid UTC time or an operation time (ts).'],
      [{ deliveryType: 'pointInTime', targetClusterName: CLUSTER, targetGroupId: GROUP, pointInTimeUTCSeconds: 1760000000, oplogTs: 1760000000, oplogInc: 1 }, 400, 'INVALID_PIT_RESTORE_TIME', []],
      [{ deliveryType: 'pointInTime', targetClusterName: CLUSTER, targetGroupId: GROUP, oplogTs: 1760000000 }, 400, 'INVALID_PIT_RESTORE_TIME', []],
      [{ deliveryType: 'pointInTime', targetClusterName: CLUSTER, targetGroupId: GROUP, pointInTimeUTCSeconds: 2000000000 }, 400, 'INVALID_PIT_RESTORE_TIME', []],
      [{ deliveryType: 'pointInTime', targetClusterName: CLUSTER, targetGroupId: GROUP, pointInTimeUTCSeconds: 1199145600 }, 404, 'UNABLE_T0_FIND_SNAPSHOT_PRIOR_TO_PIT_RESTORE_OPTIME', [CLUSTER]],
    ];
    for (const [body, status, errorCode, parameters, detail] of cases) {
      const res = await post(app, body);
      assert.equal(res.statusCode, status, `${JSON.stringify(body)}: ${res.body}`);
      assert.equal(res.headers['x-error-code'], errorCode);
      assert.equal(res.headers['content-type'], 'application/json');
      const error = assertMatchesSpec(res);
      assert.equal(error.errorCode, errorCode, JSON.stringify(body));
      assert.deepEqual(error.parameters, parameters, JSON.stringify(body));
      if (detail) assert.equal(error.detail, detail);
      if (errorCode === 'INVALID_JSON_ATTRIBUTE') assert.equal(error.badRequestDetail.fields[0].field, parameters[0]);
    }
    assert.equal((await app.inject({ url: '/__mock/restoreJobs' })).json().restoreJobs.length, 0, 'no refused request left a job');
  });

  test('project and cluster are checked before the body; any Content-Type is read', async (t) => {
    const { app } = await buildWith(t);
    const group = await post(app, '{', { url: listUrl('cccccccccccccccccccccccc', CLUSTER) });
    assert.equal(assertMatchesSpec(group).errorCode, 'GROUP_NOT_FOUND');
    const cluster = await post(app, '{', { url: listUrl(GROUP, 'nope') });
    assert.equal(assertMatchesSpec(cluster).errorCode, 'CLUSTER_NOT_FOUND');
    const [snapshot] = await snapshotsOf(app);
    const form = await post(app, { deliveryType: 'download', snapshotId: snapshot }, { headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assertJob(form);
    const huge = await post(app, JSON.stringify({ deliveryType: 'download', snapshotId: snapshot, pad: 'x'.repeat(20_000) }));
    assert.equal(assertMatchesSpec(huge).errorCode, 'MALFORMED_JSON');
  });

  test('conflicts: a busy target cluster (409), a second active download of one snapshot (400); self-restore is fine', async (t) => {
    const { app } = await buildWith(t);
    const [snapshot] = await snapshotsOf(app);
    assertJob(await post(app, automated(snapshot as string)));
    const busy = await post(app, automated(snapshot as string));
    assert.equal(busy.statusCode, 409);
    assert.deepEqual(assertMatchesSpec(busy), { detail: 'Cluster restore already in progress.', error: 409, errorCode: 'ATLAS_CLUSTER_RESTORE_IN_PROGRESS', parameters: [], reason: 'Conflict' });
    assertJob(await post(app, automated(snapshot as string, 'ShardedCluster0')), 200);
    const download = assertJob(await post(app, { deliveryType: 'download', snapshotId: snapshot }));
    const again = await post(app, { deliveryType: 'download', snapshotId: snapshot });
    assert.equal(assertMatchesSpec(again).errorCode, 'CANNOT_DOWNLOAD_SNAPSHOT_CONCURRENTLY');
    assert.equal((await app.inject({ method: 'DELETE', url: jobUrl(GROUP, CLUSTER, download.id), headers: accept })).statusCode, 204);
    assertJob(await post(app, { deliveryType: 'download', snapshotId: snapshot }), 200);
  });

  test('with generation on, snapshots are known by their ObjectId time, clusters all exist', async (t) => {
    const { app } = await buildWith(t, { generate: true });
    const url = listUrl('aaaaaaaaaaaaaaaaaaaaaaaa', 'anything');
    const past = assertJob(await post(app, { deliveryType: 'download', snapshotId: '6500000000000000000000aa' }, { url }));
    assert.equal(past.timestamp, new Date(0x65000000 * 1000).toISOString().replace('.000Z', 'Z'));
    for (const snapshotId of ['0000000000000000000000aa', 'ffffffff00000000000000aa']) {
      assert.equal(assertMatchesSpec(await post(app, { deliveryType: 'download', snapshotId }, { url })).errorCode, 'SNAPSHOT_NOT_FOUND');
    }
    const missingTarget = await post(app, { deliveryType: 'automated', snapshotId: '6500000000000000000000aa', targetClusterName: 'x', targetGroupId: '000000000000000000000404' }, { url });
    assert.equal(assertMatchesSpec(missingTarget).errorCode, 'GROUP_NOT_FOUND');
  });
});

describe('lifecycle of created jobs on the mock clock', () => {
  test('automated: running, then finished after the restore time; download: preparing, ready, expired', async (t) => {
    const { app, state } = await buildWith(t);
    const [snapshot] = await snapshotsOf(app);
    const restore = assertJob(await post(app, automated(snapshot as string)));
    const download = assertJob(await post(app, { deliveryType: 'download', snapshotId: snapshot }));
    const read = async (id: string) => assertJob(await app.inject({ url: jobUrl(GROUP, CLUSTER, id), headers: accept }));
    state.clock.advance(DOWNLOAD_READY_SECONDS);
    const ready = await read(download.id);
    assert.equal(ready.deliveryUrl.length, 1);
    assert.match(ready.deliveryUrl[0], new RegExp(`^https://restore-${download.id}\\.[a-z0-9]{6}\\.mongodb\\.net:27017/[A-Za-z0-9]{24}/restore-${snapshot}\\.tar\\.gz$`));
    assert.equal(ready.finishedAt, undefined, 'a ready download has no finishedAt');
    assert.equal(Date.parse(ready.expiresAt) - Date.parse(ready.timestamp) > 0, true);
    assert.equal((await read(restore.id)).finishedAt, undefined);
    state.clock.advance(RESTORE_SECONDS - DOWNLOAD_READY_SECONDS);
    const done = await read(restore.id);
    assert.equal(Date.parse(done.finishedAt) - Number.parseInt(restore.id.slice(0, 8), 16) * 1000 >= RESTORE_SECONDS * 1000 - 1000, true);
    state.clock.advance(3600);
    const expired = await read(download.id);
    assert.deepEqual([expired.expired, expired.deliveryUrl, expired.finishedAt], [true, [], undefined]);
    assert.equal(expired.expiresAt, ready.expiresAt);
  });

  test('a test-made job can fail, or be cancelled by the system', async (t) => {
    const { app, restoreJobs } = await buildWith(t);
    const [snapshot] = await snapshotsOf(app);
    const failed = restoreJobs.create({ groupId: GROUP, clusterName: CLUSTER, job: automated(snapshot as string), lifecycle: { finishAfterSeconds: 0, outcome: 'failed' } });
    const got = assertJob(await app.inject({ url: jobUrl(GROUP, CLUSTER, failed.restoreJobId), headers: accept }));
    assert.deepEqual([got.failed, typeof got.finishedAt], [true, 'string']);
    const cancelled = restoreJobs.create({ groupId: GROUP, clusterName: CLUSTER, job: { deliveryType: 'download', snapshotId: snapshot }, lifecycle: { finishAfterSeconds: 0, outcome: 'cancelled' } });
    const seen = assertJob(await app.inject({ url: jobUrl(GROUP, CLUSTER, cancelled.restoreJobId), headers: accept }));
    assert.deepEqual([seen.cancelled, seen.failed, seen.deliveryUrl], [true, true, []]);
    assert.throws(() => restoreJobs.create({ groupId: GROUP, clusterName: CLUSTER, job: automated(snapshot as string, 'orders'), lifecycle: { outcome: 'cancelled' } }), /Atlas cancels only downloads/);
    assert.throws(() => restoreJobs.create({ groupId: GROUP, clusterName: CLUSTER, job: { deliveryType: 'download' } }), /SNAPSHOT_NOT_FOUND/);
  });
});

describe('list (GET)', () => {
  test('pagination: links, includeCount, past the end, bounds', async (t) => {
    const { app } = await buildWith(t);
    const all = assertList(await app.inject({ url: listUrl(), headers: accept }));
    assert.ok(all.totalCount >= 3);
    const self = `http://localhost:80${listUrl()}`;
    assert.deepEqual(all.links, [{ href: `${self}?includeCount=true&pageNum=1&itemsPerPage=100`, rel: 'self' }]);
    const times = all.results.map((j) => Number.parseInt(j.id.slice(0, 8), 16));
    assert.deepEqual(times, [...times].sort((a, b) => b - a), 'newest first');
    const second = assertList(await app.inject({ url: listUrl(GROUP, CLUSTER, '?pageNum=2&itemsPerPage=2&includeCount=TRUE'), headers: accept }));
    assert.deepEqual(second.results.map((j) => j.id), all.results.slice(2, 4).map((j) => j.id));
    assert.deepEqual(second.links.map((l) => l.rel), all.totalCount > 4 ? ['self', 'previous', 'next'] : ['self', 'previous']);
    assert.equal(second.links[1]?.href, `${self}?includeCount=true&itemsPerPage=2&pageNum=1`);
    const uncounted = assertList(await app.inject({ url: listUrl(GROUP, CLUSTER, '?includeCount=false&itemsPerPage=1'), headers: accept }));
    assert.deepEqual([uncounted.totalCount, uncounted.results.length, uncounted.links.length], [0, 1, 1]);
    const past = assertList(await app.inject({ url: listUrl(GROUP, CLUSTER, '?pageNum=99'), headers: accept }));
    assert.deepEqual([past.results, past.totalCount], [[], all.totalCount]);
    for (const [query, name] of [['?itemsPerPage=0', 'itemsPerPage'], ['?itemsPerPage=501', 'itemsPerPage'], ['?pageNum=0', 'pageNum'], ['?pageNum=x', 'pageNum'], ['?includeCount=yes', 'includeCount']]) {
      const res = await app.inject({ url: listUrl(GROUP, CLUSTER, query), headers: accept });
      const error = assertMatchesSpec(res);
      assert.deepEqual([res.statusCode, error.errorCode, error.parameters, error.detail], [400, 'INVALID_QUERY_PARAMETER', [name], `Invalid query parameter ${name} specified.`]);
    }
  });

  test('envelope adds status to the list itself; pretty uses Jackson layout; errors as for the GET', async (t) => {
    const { app } = await buildWith(t);
    const enveloped = await app.inject({ url: listUrl(GROUP, CLUSTER, '?envelope=true'), headers: accept });
    const body = JSON.parse(enveloped.body);
    assert.deepEqual(Object.keys(body), ['links', 'results', 'status', 'totalCount']);
    assert.equal(body.status, 200);
    assert.ok(validators.restoreJobList(body));
    const pretty = await app.inject({ url: listUrl(GROUP, CLUSTER, '?pretty=true'), headers: accept });
    assert.match(pretty.body, /^\{\n {2}"links" : \[ \{/);
    assert.equal((await app.inject({ url: listUrl(), headers: { accept: 'application/json' } })).statusCode, 406);
    assert.equal(assertMatchesSpec(await app.inject({ url: listUrl('xyz', CLUSTER), headers: accept })).errorCode, 'INVALID_GROUP_ID');
    assert.equal(assertMatchesSpec(await app.inject({ url: listUrl(GROUP, '-bad'), headers: accept })).errorCode, 'INVALID_CLUSTER_NAME');
    assert.equal(assertMatchesSpec(await app.inject({ url: listUrl(GROUP, 'nope'), headers: accept })).errorCode, 'CLUSTER_NOT_FOUND');
    const wrapped = await app.inject({ url: listUrl(GROUP, 'nope', '?envelope=true'), headers: accept });
    assert.deepEqual(Object.keys(JSON.parse(wrapped.body)), ['content', 'status']);
  });

  test('with generation on, a cluster has a deterministic past whose ids the GET serves byte for byte', async (t) => {
    const { app } = await buildWith(t, { generate: true, seed: 7 });
    const group = 'aaaaaaaaaaaaaaaaaaaaaaaa';
    const page = assertList(await app.inject({ url: listUrl(group, 'prod'), headers: accept }));
    const ids = generatedJobIds(7, group, 'prod');
    assert.deepEqual(new Set(page.results.map((j) => j.id)), new Set(ids));
    assert.ok(ids.length >= 2 && ids.length <= 6);
    const rawResults = JSON.parse(page.results.length ? (await app.inject({ url: listUrl(group, 'prod'), headers: accept })).body : '{}').results as unknown[];
    for (const job of rawResults as { id: string }[]) {
      const one = await app.inject({ url: jobUrl(group, 'prod', job.id), headers: accept });
      assert.equal(one.body, JSON.stringify(job));
    }
    const again = assertList(await app.inject({ url: listUrl(group, 'prod'), headers: accept }));
    assert.deepEqual(again, page);
  });
});

describe('cancel (DELETE)', () => {
  test('an active download: 204, empty body, then cancelled + failed with finishedAt; again: 204 unchanged', async (t) => {
    const { app } = await buildWith(t);
    const [snapshot] = await snapshotsOf(app);
    const download = assertJob(await post(app, { deliveryType: 'download', snapshotId: snapshot }));
    const res = await app.inject({ method: 'DELETE', url: jobUrl(GROUP, CLUSTER, download.id), headers: accept });
    assert.equal(res.statusCode, 204);
    assert.equal(res.body, '');
    assert.equal(res.headers['content-type'], SUCCESS_TYPE);
    assert.equal(res.headers['ratelimit-limit'], '1200');
    const after = assertJob(await app.inject({ url: jobUrl(GROUP, CLUSTER, download.id), headers: accept }));
    assert.deepEqual([after.cancelled, after.failed, after.deliveryUrl, after.expiresAt], [true, true, [], undefined]);
    const again = await app.inject({ method: 'DELETE', url: jobUrl(GROUP, CLUSTER, download.id), headers: accept });
    assert.equal(again.statusCode, 204);
    assert.equal((await app.inject({ url: jobUrl(GROUP, CLUSTER, download.id), headers: accept })).body, JSON.stringify(after));
    const enveloped = await app.inject({ method: 'DELETE', url: jobUrl(GROUP, CLUSTER, download.id, '?envelope=true'), headers: accept });
    assert.deepEqual([enveloped.statusCode, enveloped.body], [200, '{"status":204}']);
  });

  test('automated and pointInTime are refused; unknown jobs 404; a fixture download is kept cancelled until reset', async (t) => {
    const { app } = await buildWith(t);
    const [snapshot] = await snapshotsOf(app);
    const restore = assertJob(await post(app, automated(snapshot as string)));
    const refused = await app.inject({ method: 'DELETE', url: jobUrl(GROUP, CLUSTER, restore.id), headers: accept });
    assert.deepEqual(assertMatchesSpec(refused), { detail: 'Automated restore cannot be cancelled.', error: 400, errorCode: 'CANNOT_CANCEL_AUTOMATED_RESTORE', parameters: [], reason: 'Bad Request' });
    const missing = await app.inject({ method: 'DELETE', url: jobUrl(GROUP, CLUSTER, 'dddddddddddddddddddddddd'), headers: accept });
    assert.equal(assertMatchesSpec(missing).errorCode, 'RESTORE_JOB_NOT_FOUND');
    assert.equal(assertMatchesSpec(await app.inject({ method: 'DELETE', url: jobUrl(GROUP, CLUSTER, 'xyz'), headers: accept })).errorCode, 'INVALID_JOB_ID');
    const page = assertList(await app.inject({ url: listUrl(), headers: accept }));
    const active = page.results.find((j) => j.deliveryType === 'download' && !j.cancelled && !j.failed && !j.expired && j.id !== restore.id);
    assert.ok(active, 'the shipped fixtures hold an active download');
    assert.equal((await app.inject({ method: 'DELETE', url: jobUrl(GROUP, CLUSTER, active.id), headers: accept })).statusCode, 204);
    const cancelled = assertJob(await app.inject({ url: jobUrl(GROUP, CLUSTER, active.id), headers: accept }));
    assert.deepEqual([cancelled.cancelled, cancelled.failed, cancelled.deliveryUrl], [true, true, []]);
    const listed = assertList(await app.inject({ url: listUrl(), headers: accept })).results.find((j) => j.id === active.id);
    assert.equal(listed.cancelled, true);
    await app.inject({ method: 'POST', url: '/__mock/reset' });
    assert.equal(assertJob(await app.inject({ url: jobUrl(GROUP, CLUSTER, active.id), headers: accept })).cancelled, false);
  });

  test('405 for shard jobs is reachable through a scenario, after the job was found', async (t) => {
    const { app } = await buildWith(t);
    const [snapshot] = await snapshotsOf(app);
    const download = assertJob(await post(app, { deliveryType: 'download', snapshotId: snapshot }));
    const prefer = { ...accept, prefer: 'code=ATLAS_BACKUP_CANCEL_SHARD_RESTORE_JOB_NOT_ALLOWED' };
    const res = await app.inject({ method: 'DELETE', url: jobUrl(GROUP, CLUSTER, download.id), headers: prefer });
    assert.equal(res.statusCode, 405);
    assert.equal(assertMatchesSpec(res).reason, 'Method Not Allowed');
    assert.equal(assertJob(await app.inject({ url: jobUrl(GROUP, CLUSTER, download.id), headers: accept })).cancelled, false, 'nothing was cancelled');
    const unknown = await app.inject({ method: 'DELETE', url: jobUrl(GROUP, CLUSTER, 'dddddddddddddddddddddddd'), headers: prefer });
    assert.equal(unknown.statusCode, 404, 'an unknown job is not found first');
  });
});

describe('what works on the GET works here', () => {
  test('scenarios, Prefer, well-known ids and faults', async (t) => {
    const { app } = await buildWith(t);
    const [snapshot] = await snapshotsOf(app);
    const preferred = await post(app, automated(snapshot as string), { headers: { prefer: 'code=500' } });
    assert.equal(assertMatchesSpec(preferred).errorCode, 'UNEXPECTED_ERROR');
    const named = await post(app, automated(snapshot as string), { headers: { prefer: 'code=ATLAS_CLUSTER_RESTORE_IN_PROGRESS' } });
    assert.equal(named.statusCode, 409);
    const bad = await app.inject({ url: listUrl(), headers: { ...accept, prefer: 'code=418' } });
    assert.equal(assertMatchesSpec(bad).errorCode, 'INVALID_PREFER_CODE');
    await app.inject({ method: 'POST', url: '/__mock/scenarios', payload: { error: '503', clusterName: CLUSTER, times: 1 } });
    const unavailable = await app.inject({ url: listUrl(), headers: accept });
    assert.deepEqual([unavailable.statusCode, unavailable.headers['retry-after'] !== undefined], [503, true]);
    assertList(await app.inject({ url: listUrl(), headers: accept }));
    const wellKnown = await app.inject({ url: listUrl('000000000000000000000404', CLUSTER), headers: accept });
    assert.equal(assertMatchesSpec(wellKnown).errorCode, 'GROUP_NOT_FOUND');
    const delayed = Date.now();
    assertList(await app.inject({ url: listUrl(), headers: { ...accept, prefer: 'delay=150' } }));
    assert.ok(Date.now() - delayed >= 140);
    const jobs = (await app.inject({ url: '/__mock/restoreJobs' })).json().restoreJobs;
    assert.equal(jobs.length, 0, 'a refused create by scenario made no job');
  });

  test('roles: operators may change their own kind of job only (over Digest in restore-workflow-clients.test.ts)', async () => {
    const { mayChangeRestoreJobs, mayReadRestoreJobs } = await import('../server/auth/credentials.js');
    const grant = (role: string, groupIds = ['*']) => ({ kind: 'apiKey' as const, id: 'k', secret: 's', roles: [{ role, groupIds }] });
    assert.deepEqual([mayChangeRestoreJobs(grant('Project Backup Export Operator'), GROUP, 'download'), mayChangeRestoreJobs(grant('GROUP_BACKUP_EXPORT_OPERATOR'), GROUP, 'restore')], [true, false]);
    assert.deepEqual([mayChangeRestoreJobs(grant('GROUP_BACKUP_RECOVERY_OPERATOR'), GROUP, 'restore'), mayChangeRestoreJobs(grant('GROUP_BACKUP_RECOVERY_OPERATOR'), GROUP, 'download')], [true, false]);
    assert.deepEqual([mayChangeRestoreJobs(grant('GROUP_READ_ONLY'), GROUP, 'any'), mayReadRestoreJobs(grant('GROUP_BACKUP_EXPORT_OPERATOR'), GROUP)], [false, false]);
    assert.equal(mayChangeRestoreJobs(grant('GROUP_BACKUP_EXPORT_OPERATOR', [OTHER_GROUP]), GROUP, 'download'), false, 'on its projects only');
    assert.equal(mayChangeRestoreJobs(grant('GROUP_BACKUP_MANAGER'), GROUP, 'restore'), true);
  });

  test('the journal records request bodies; the control API lists, adds, removes and resets created jobs', async (t) => {
    const { app } = await buildWith(t);
    const [snapshot] = await snapshotsOf(app);
    const body = JSON.stringify({ deliveryType: 'download', snapshotId: snapshot });
    const created = assertJob(await post(app, body));
    const [entry] = (await app.inject({ url: '/__mock/requests?method=POST' })).json().requests;
    assert.deepEqual([entry.body, entry.status, entry.headers['content-type']], [body, 200, VERSIONED]);
    const added = await app.inject({ method: 'POST', url: '/__mock/restoreJobs', payload: { groupId: GROUP, clusterName: CLUSTER, job: automated(snapshot as string), lifecycle: { finishAfterSeconds: 5 } } });
    assert.equal(added.statusCode, 201, added.body);
    const addedJob = added.json();
    assert.equal(addedJob.origin, 'created');
    const listed = (await app.inject({ url: '/__mock/restoreJobs' })).json().restoreJobs;
    assert.deepEqual(listed.map((j: { restoreJobId: string }) => j.restoreJobId), [created.id, addedJob.restoreJobId]);
    const refused = await app.inject({ method: 'POST', url: '/__mock/restoreJobs', payload: { groupId: GROUP, clusterName: CLUSTER, job: { deliveryType: 'download' } } });
    assert.equal(refused.statusCode, 400);
    assert.deepEqual(assertMatchesSpec(refused).parameters, ['SNAPSHOT_NOT_FOUND']);
    assert.equal(assertMatchesSpec(await app.inject({ method: 'POST', url: '/__mock/restoreJobs', payload: {} })).errorCode, 'MOCK_INVALID_RESTORE_JOB');
    assert.equal((await app.inject({ method: 'DELETE', url: `/__mock/restoreJobs/${created.id}` })).statusCode, 204);
    assert.equal((await app.inject({ method: 'DELETE', url: `/__mock/restoreJobs/${created.id}` })).statusCode, 404);
    assert.equal((await app.inject({ url: jobUrl(GROUP, CLUSTER, created.id), headers: accept })).statusCode, 404);
    assert.equal((await app.inject({ method: 'DELETE', url: '/__mock/restoreJobs' })).statusCode, 204);
    assert.equal((await app.inject({ url: '/__mock/restoreJobs' })).json().restoreJobs.length, 0);
  });

  test('/openapi.json describes create, list, cancel, the flex siblings and the cluster route', async (t) => {
    const { app } = await buildWith(t);
    const document = (await app.inject({ url: '/openapi.json' })).json();
    const list = document.paths['/api/atlas/v2/groups/{groupId}/clusters/{clusterName}/backup/restoreJobs'];
    assert.equal(list.post.operationId, 'createGroupClusterBackupRestoreJob');
    assert.ok(list.post.requestBody.content['application/vnd.atlas.2023-01-01+json'].schema);
    assert.equal(list.get.operationId, 'listGroupClusterBackupRestoreJobs');
    assert.ok(document.paths['/api/atlas/v2/groups/{groupId}/clusters/{clusterName}/backup/restoreJobs/{restoreJobId}'].delete.responses['204']);
    assert.ok(document.paths['/api/atlas/v2/groups/{groupId}/flexClusters/{clusterName}/backup/restoreJobs'].get);
    assert.ok(document.paths['/api/atlas/v2/groups/{groupId}/clusters/{clusterName}'].get);
    assert.ok(document.paths['/__mock/restoreJobs'].post);
  });
});

describe('CLI support routes', () => {
  test('the cluster route answers with the 2024-08-05 media type; flex siblings refuse so the CLI falls back', async (t) => {
    const { app } = await buildWith(t);
    const cluster = await app.inject({ url: `/api/atlas/v2/groups/${GROUP}/clusters/ShardedCluster0`, headers: { accept: 'application/vnd.atlas.2024-08-05+json' } });
    assert.equal(cluster.headers['content-type'], 'application/vnd.atlas.2024-08-05+json;charset=utf-8');
    const body = cluster.json();
    assert.deepEqual([body.name, body.groupId, body.clusterType, body.stateName], ['ShardedCluster0', GROUP, 'SHARDED', 'IDLE']);
    assert.match(body.id, /^[a-f0-9]{24}$/);
    const old = await app.inject({ url: `/api/atlas/v2/groups/${GROUP}/clusters/${CLUSTER}`, headers: accept });
    assert.equal(old.headers['content-type'], 'application/vnd.atlas.2023-01-01+json;charset=utf-8');
    assert.equal(assertMatchesSpec(await app.inject({ url: `/api/atlas/v2/groups/${GROUP}/clusters/nope`, headers: accept })).errorCode, 'CLUSTER_NOT_FOUND');
    for (const method of ['GET', 'POST'] as const) {
      const flex = await app.inject({ method, url: `/api/atlas/v2/groups/${GROUP}/flexClusters/${CLUSTER}/backup/restoreJobs`, headers: accept, payload: method === 'POST' ? '{}' : undefined });
      assert.deepEqual(assertMatchesSpec(flex), { detail: `Cannot use non-flex cluster ${CLUSTER} in the flex API.`, error: 400, errorCode: 'CANNOT_USE_NON_FLEX_CLUSTER_IN_FLEX_API', parameters: [CLUSTER], reason: 'Bad Request' });
    }
  });
});

describe('bounded and safe under concurrency', () => {
  test('many concurrent creates and cancels: every job kept whole, conflicts refused exactly once', async (t) => {
    const { app } = await buildWith(t, { generate: true });
    const group = 'eeeeeeeeeeeeeeeeeeeeeeee';
    const snapshots = Array.from({ length: 60 }, (_, i) => `65${(i + 16).toString(16).padStart(6, '0')}00000000000000aa`);
    const creates = await Promise.all(
      [...snapshots, ...snapshots].map((snapshotId) => post(app, { deliveryType: 'download', snapshotId }, { url: listUrl(group, 'busy') })),
    );
    const ok = creates.filter((r) => r.statusCode === 200).map((r) => assertJob(r));
    assert.equal(ok.length, snapshots.length, 'one download per snapshot, the second refused');
    assert.equal(creates.filter((r) => r.statusCode === 400).length, snapshots.length);
    assert.equal(new Set(ok.map((j) => j.id)).size, ok.length, 'ids are unique');
    const cancels = await Promise.all(ok.flatMap((j) => [0, 1].map(() => app.inject({ method: 'DELETE', url: jobUrl(group, 'busy', j.id), headers: accept }))));
    assert.ok(cancels.every((r) => r.statusCode === 204));
    const page = assertList(await app.inject({ url: listUrl(group, 'busy', '?itemsPerPage=500'), headers: accept }));
    const created = page.results.filter((j) => ok.some((o) => o.id === j.id));
    assert.equal(created.length, ok.length);
    assert.ok(created.every((j) => j.cancelled && j.failed));
  });

  test('a full store forgets its oldest ended job, and refuses when every job is running', () => {
    const store = new CreatedJobs(2);
    const job = (id: string, finishAfterSeconds: number) => ({
      groupId: GROUP,
      clusterName: CLUSTER,
      id,
      startedAtMs: 0,
      finished: { cancelled: false, deliveryType: 'automated' as const, deliveryUrl: [], expired: false, failed: false, id, snapshotId: 'a'.repeat(24), targetClusterName: 'c', targetGroupId: GROUP, timestamp: '2025-01-01T00:00:00Z' },
      lifecycle: { finishAfterSeconds },
      origin: 'created' as const,
      cancelledAtMs: undefined,
    });
    assert.ok(store.add(job('a'.repeat(24), 10), 0));
    assert.ok(store.add(job('b'.repeat(24), 100), 0));
    assert.equal(store.add(job('c'.repeat(24), 100), 5_000), false, 'both running: refused');
    assert.ok(store.add(job('c'.repeat(24), 100), 20_000), 'the first has finished: it makes room');
    assert.deepEqual(store.list().map((j) => j.id[0]), ['b', 'c']);
  });
});
