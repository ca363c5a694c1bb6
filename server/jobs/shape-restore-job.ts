/**
 * Turns a stored job into the body Atlas sends: links on the mock's own base URL (so clients can follow
 * them), keys in alphabetical order as Atlas writes them, and, in wire-fidelity mode, the undocumented
 * fields real Atlas adds.
 * shapeRestoreJob is the reference; restoreJobJson, what the catalog sends for every job, writes the same bytes faster.
 */
import type { DiskBackupSnapshotRestoreJob } from '../../schemas/types.js';
import type { RestoreJobRecord } from './restore-job-record.js';
import { streamFromText } from './seeded-random.js';

export interface ShapeContext {
  baseUrl: string;
  groupId: string;
  clusterName: string;
  wireFidelity: boolean;
}

export type AtlasJobBody = DiskBackupSnapshotRestoreJob & {
  targetDeploymentItemName?: string;
};

export function sortKeysDeep<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v: unknown) => sortKeysDeep(v)) as T;
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) out[key] = sortKeysDeep((value as Record<string, unknown>)[key]);
  return out as T;
}

export function restoreJobLinks(ctx: Pick<ShapeContext, 'baseUrl' | 'groupId' | 'clusterName'>, id: string, snapshotId: string | undefined) {
  const group = `${ctx.baseUrl}/api/atlas/v2/groups/${ctx.groupId}`;
  const cluster = `${group}/clusters/${encodeURIComponent(ctx.clusterName)}`;
  const links = [{ href: `${cluster}/backup/restoreJobs/${id}`, rel: 'self' }];
  if (snapshotId) links.push({ href: `${cluster}/backup/snapshots/${snapshotId}`, rel: 'https://cloud.mongodb.com/snapshot' });
  links.push({ href: cluster, rel: 'https://cloud.mongodb.com/cluster' }, { href: group, rel: 'https://cloud.mongodb.com/group' });
  return links;
}

/** Real automated jobs name the deployment item they restored into, e.g. `atlas-72ck1q`. */
function deploymentItemName(job: RestoreJobRecord): string {
  return `atlas-${streamFromText(`${job.targetGroupId}/${job.targetClusterName}`).lowerAlnum(6)}`;
}

export function shapeRestoreJob(job: RestoreJobRecord, ctx: ShapeContext): AtlasJobBody {
  const body = sortKeysDeep({ ...job, links: restoreJobLinks(ctx, job.id, job.snapshotId) }) as AtlasJobBody;
  if (!ctx.wireFidelity) return body;
  // Recorded on every real job, nulls in this key order, whatever the type, as recorded from Atlas.
  const wire: Record<string, unknown> = { ...body, desiredTimestamp: { increment: null, time: null, date: null } };
  if (job.deliveryType === 'automated') wire.targetDeploymentItemName = deploymentItemName(job);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(wire).sort()) out[key] = wire[key];
  // Wire mode breaks the spec's types on purpose (nulls in desiredTimestamp), hence the cast.
  return out as unknown as AtlasJobBody;
}

type PrivateUrl = { deliveryUrl?: string; endpointId?: string };
type Member = { downloadUrl?: string; privateDownloadDeliveryUrls?: PrivateUrl[]; replicaSetName?: string };

const privateUrl = (p: PrivateUrl) => ({ deliveryUrl: p.deliveryUrl, endpointId: p.endpointId });
const member = (m: Member) => ({ downloadUrl: m.downloadUrl, privateDownloadDeliveryUrls: m.privateDownloadDeliveryUrls?.map(privateUrl), replicaSetName: m.replicaSetName });

/**
 * JSON.stringify(shapeRestoreJob(job, ctx)), byte for byte (test/restore-job-json.test.ts), for every
 * job: fixture, created or generated. A job holds only the official schema's fields (fixtures are checked
 * against the closed fixture schema at load; the generator and the create route set nothing else), so
 * object literals naming those fields in Atlas's alphabetical order, nested objects included, fix the key
 * order whatever order the record was built in, and JSON.stringify leaves out the fields still undefined.
 * That costs less than sorting a copy first. Wire mode adds fields outside the schema, and a
 * desiredTimestamp out of alphabetical order: it keeps the reference path.
 */
export function restoreJobJson(job: RestoreJobRecord, ctx: ShapeContext): string {
  if (ctx.wireFidelity) return JSON.stringify(shapeRestoreJob(job, ctx));
  const desired = job.desiredTimestamp;
  return JSON.stringify({
    cancelled: job.cancelled,
    components: job.components?.map(member),
    deliveryType: job.deliveryType,
    deliveryUrl: job.deliveryUrl,
    desiredTimestamp: desired && { date: desired.date, increment: desired.increment },
    expired: job.expired,
    expiresAt: job.expiresAt,
    failed: job.failed,
    finishedAt: job.finishedAt,
    id: job.id,
    links: restoreJobLinks(ctx, job.id, job.snapshotId),
    oplogInc: job.oplogInc,
    oplogTs: job.oplogTs,
    pointInTimeUTCSeconds: job.pointInTimeUTCSeconds,
    privateDownloadDeliveryUrls: job.privateDownloadDeliveryUrls?.map(privateUrl),
    snapshotId: job.snapshotId,
    targetClusterName: job.targetClusterName,
    targetGroupId: job.targetGroupId,
    timestamp: job.timestamp,
  });
}
