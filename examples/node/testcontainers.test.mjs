// A Node test of "your" code against the mock in a container, started by Testcontainers.
// Needs Docker, `npm install --save-dev atlas-restore-mock testcontainers`, and the image, built from
// the mock's Dockerfile in a checkout of its repo: docker build -t atlas-restore-mock:latest .
// Run: node --test examples/node/testcontainers.test.mjs
import assert from 'node:assert/strict';
import { after, afterEach, before, test } from 'node:test';
import { AtlasRestoreMockContainer } from 'atlas-restore-mock/testcontainers';

/** The code under test: fetch a restore job, retrying once on 5xx, as a real client might. */
async function getRestoreJob(baseUrl, groupId, clusterName, restoreJobId) {
  const url = `${baseUrl}/api/atlas/v2/groups/${groupId}/clusters/${clusterName}/backup/restoreJobs/${restoreJobId}`;
  for (let attempt = 1; ; attempt++) {
    const res = await fetch(url, { headers: { Accept: 'application/vnd.atlas.2023-01-01+json' } });
    if (res.status >= 500 && attempt < 2) continue;
    const body = await res.json();
    if (!res.ok) throw Object.assign(new Error(body.detail), { status: res.status, errorCode: body.errorCode });
    return body;
  }
}

const GROUP = '32b6e34b3d91647abb20e7b8';
let mock;
before(async () => {
  mock = await new AtlasRestoreMockContainer('atlas-restore-mock:latest').withAuth('off').withControlApi().start();
}, { timeout: 120_000 });
afterEach(() => mock.reset());
after(() => mock.stop());

test('reads a ready download job', async () => {
  const job = await getRestoreJob(mock.getBaseUrl(), GROUP, 'Cluster0', '6a880ef37c2e91d04b380240');
  assert.equal(job.deliveryType, 'download');
  assert.equal(job.deliveryUrl.length, 1);
});

test('retries once on a 503', async () => {
  await mock.setScenario({ error: '503', times: 1 });
  const job = await getRestoreJob(mock.getBaseUrl(), GROUP, 'Cluster0', '6a880ef37c2e91d04b380240');
  assert.equal(job.id, '6a880ef37c2e91d04b380240');
  assert.deepEqual((await mock.requests({ path: '/api/atlas/v2/*' })).map((r) => r.status), [503, 200]);
});

test('surfaces Atlas error codes', async () => {
  await assert.rejects(getRestoreJob(mock.getBaseUrl(), GROUP, 'Cluster0', '000000000000000000000404'), { status: 404, errorCode: 'RESTORE_JOB_NOT_FOUND' });
});
