/**
 * A restore-job record with every field the fixture schema has, for the tests that hold a writer of job
 * JSON to the reference (test/restore-job-json.test.ts). Its strings need no JSON escaping.
 */
import type { RestoreJobRecord } from '../server/jobs/restore-job-record.js';

export const JOB_ID = '6a880ef37c2e91d04b380240';
export const SNAPSHOT = '6a8800a17c2e91d04b380111';
export const URL = `https://restore-${JOB_ID}.ab12cd.mongodb.net:27017/Tok3n/restore-${SNAPSHOT}`;
export const PRIVATE = { deliveryUrl: `https://restore-${JOB_ID}-pl-0.ab12cd.mongodb.net:27017/Tok3n/restore-${SNAPSHOT}.tar.gz`, endpointId: 'vpce-0123456789abcdef0' };

/** Every field of the fixture schema at once: valid against the schema, though no Atlas job has them all. */
export const EVERY_FIELD = {
  cancelled: false,
  components: [
    { downloadUrl: `${URL}-shard-0.tar.gz`, privateDownloadDeliveryUrls: [PRIVATE, { ...PRIVATE, endpointId: 'vpce-fedcba98765432100' }], replicaSetName: 'atlas-ab12cd-shard-0' },
    { replicaSetName: 'atlas-ab12cd-config-0' },
    {},
  ],
  deliveryType: 'pointInTime',
  deliveryUrl: [`${URL}.tar.gz`, `${URL}-2.tar.gz`],
  desiredTimestamp: { date: '2026-08-10T03:40:10Z', increment: 1786000000 },
  expired: true,
  expiresAt: '2026-08-10T05:00:00Z',
  failed: true,
  finishedAt: '2026-08-10T04:00:00Z',
  id: JOB_ID,
  oplogInc: 7,
  oplogTs: 1786000000,
  pointInTimeUTCSeconds: 2147483647,
  privateDownloadDeliveryUrls: [PRIVATE],
  snapshotId: SNAPSHOT,
  targetClusterName: 'Target-1',
  targetGroupId: '67c6d56bc41e7a0b934b81d2',
  timestamp: '2026-08-10T03:00:00Z',
} satisfies RestoreJobRecord;
