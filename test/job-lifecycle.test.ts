import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkCoherence } from '../server/jobs/job-coherence.js';
import { checkLifecycle, jobAt, readJob, type Lifecycle } from '../server/jobs/job-lifecycle.js';
import type { RestoreJobRecord } from '../server/jobs/restore-job-record.js';
import { shapeRestoreJob } from '../server/jobs/shape-restore-job.js';
import { validators } from '../server/validation/spec-schemas.js';

const T0 = Date.UTC(2026, 10, 1, 12, 0, 0);
const DOWNLOAD: RestoreJobRecord = {
  cancelled: false, deliveryType: 'download', expired: false, failed: false, id: '6b2000000000000000000001', snapshotId: '6a7dc8a07c2e91d04b368a11', timestamp: '2026-08-14T10:00:00Z',
  deliveryUrl: ['https://restore-6b2000000000000000000001.q4zk9w.mongodb.net:27017/BksLbdNDlUd1cdLjRbPsgFYj/restore-6a7dc8a07c2e91d04b368a11.tar.gz'],
  expiresAt: '2026-08-14T11:00:00Z',
  components: undefined,
};
delete DOWNLOAD.components;
const SHARDED: RestoreJobRecord = {
  ...DOWNLOAD, id: '6b2000000000000000000002', deliveryUrl: [],
  components: [{ replicaSetName: 'atlas-abc123-shard-0', downloadUrl: 'https://x/restore-a.tar.gz' }, { replicaSetName: 'atlas-abc123-config-0', downloadUrl: 'https://x/restore-b.tar.gz' }],
};
const AUTOMATED: RestoreJobRecord = {
  cancelled: false, deliveryType: 'automated', deliveryUrl: [], expired: false, failed: false, id: '6b2000000000000000000003', snapshotId: '6a7dc8a07c2e91d04b368a11',
  targetClusterName: 'Cluster0-restore', targetGroupId: '32b6e34b3d91647abb20e7b8', timestamp: '2026-08-14T10:00:00Z', finishedAt: '2026-08-14T10:20:00Z',
};

function assertValidState(job: RestoreJobRecord, what: string): void {
  assert.deepEqual(checkCoherence(job), [], `${what} is coherent`);
  const body = shapeRestoreJob(job, { baseUrl: 'http://mock', groupId: '32b6e34b3d91647abb20e7b8', clusterName: 'Cluster0', wireFidelity: false });
  assert.ok(validators.restoreJob(body), `${what} is schema-valid: ${JSON.stringify(validators.restoreJob.errors)}`);
}

describe('every state of every lifecycle is coherent and schema-valid', () => {
  const cases: Array<[string, RestoreJobRecord, Lifecycle]> = [
    ['download finished', DOWNLOAD, { finishAfterSeconds: 60 }],
    ['download failed', DOWNLOAD, { finishAfterSeconds: 60, outcome: 'failed' }],
    ['download cancelled', DOWNLOAD, { finishAfterSeconds: 60, outcome: 'cancelled' }],
    ['sharded download', SHARDED, { finishAfterSeconds: 60, expireAfterSeconds: 120 }],
    ['automated finished', AUTOMATED, { finishAfterSeconds: 60 }],
    ['automated failed', AUTOMATED, { finishAfterSeconds: 60, outcome: 'failed' }],
  ];
  for (const [what, job, lifecycle] of cases) {
    test(what, () => {
      assert.deepEqual(checkLifecycle(lifecycle, job), []);
      const running = jobAt(job, lifecycle, undefined, T0);
      assertValidState(running, `${what}, running`);
      assert.equal(running.finishedAt, undefined);
      assert.deepEqual(running.deliveryUrl, []);
      const finished = jobAt(job, lifecycle, T0 + 60_000, T0 + 61_000);
      assertValidState(finished, `${what}, at its end`);
      assert.equal(finished.failed, lifecycle.outcome === 'failed' || lifecycle.outcome === 'cancelled');
      const later = jobAt(job, lifecycle, T0 + 60_000, T0 + 60_000 + 4_000_000);
      assertValidState(later, `${what}, much later`);
      if (job.deliveryType === 'download' && (lifecycle.outcome ?? 'finished') === 'finished') assert.equal(later.expired, true);
    });
  }
});

test('finishAfterReads counts reads; finishAfterSeconds follows the clock', () => {
  const byReads = { startedAtMs: T0, reads: 0 };
  assert.equal(readJob(AUTOMATED, { finishAfterReads: 2 }, byReads, T0).finishedAt, undefined);
  assert.equal(readJob(AUTOMATED, { finishAfterReads: 2 }, byReads, T0).finishedAt, undefined);
  assert.equal(readJob(AUTOMATED, { finishAfterReads: 2 }, byReads, T0 + 5000).finishedAt, '2026-11-01T12:00:05Z');
  const bySeconds = { startedAtMs: T0, reads: 0 };
  assert.equal(readJob(AUTOMATED, { finishAfterSeconds: 30 }, bySeconds, T0 + 29_000).finishedAt, undefined);
  assert.equal(readJob(AUTOMATED, { finishAfterSeconds: 30 }, bySeconds, T0 + 90_000).finishedAt, '2026-11-01T12:00:30Z');
});

test('impossible lifecycles are refused naming the field', () => {
  assert.match(checkLifecycle({}, AUTOMATED).join(), /exactly one of finishAfterSeconds or finishAfterReads/);
  assert.match(checkLifecycle({ finishAfterSeconds: 1, outcome: 'cancelled' }, AUTOMATED).join(), /cannot cancel automated/);
  assert.match(checkLifecycle({ finishAfterSeconds: 1, expireAfterSeconds: 5 }, AUTOMATED).join(), /only download URLs expire/);
  assert.match(checkLifecycle({ finishAfterSeconds: 1 }, { ...AUTOMATED, failed: true }).join(), /write the job as it looks when it finished well/);
});
