/**
 * The compact JSON of a generated job, written directly: the same bytes as restoreJobJson (keys in
 * schema order, which is alphabetical, D7), about a third of its cost. A fresh id is rendered on every
 * request, and most of that render went to escaping checks on strings that need none (issue 6).
 *
 * Every string of a generated job is JSON-safe as it stands (no quote, backslash, control or non-ASCII
 * character) when its ids match the spec's patterns: they come from hex, base-36, ISO dates, the
 * generator's fixed words and those ids. Ids that do not (the route refuses them, other callers may not)
 * and wire-fidelity mode take restoreJobJson. The base URL comes from the Host header and is escaped
 * here. test/generated-job-json.test.ts compares these bytes with the reference for any ids and base URL.
 * Fixture jobs can hold any string and always take the general path.
 */
import type { RestoreJobRecord } from './restore-job-record.js';
import { rememberLast, rememberLastOf3 } from './remember-last.js';
import { restoreJobJson, type ShapeContext } from './shape-restore-job.js';
import { pathParameterValidators } from './spec-schemas.js';

type Members = NonNullable<RestoreJobRecord['components']>;
type PrivateUrls = NonNullable<RestoreJobRecord['privateDownloadDeliveryUrls']>;

// The spec's checks for the path's ids, the ones the route applies (a name that passes them is also
// what restoreJobLinks leaves unencoded).
const { groupId: isGroupId, clusterName: isClusterName, restoreJobId: isRestoreJobId } = pathParameterValidators;

/** Characters JSON would escape in a string (and lone surrogates, which it escapes too). */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/** The base URL as it stands inside a JSON string; a client keeps to one, so the last is remembered. */
const jsonBase = rememberLast((baseUrl) => (NEEDS_ESCAPE.test(baseUrl) ? JSON.stringify(baseUrl).slice(1, -1) : baseUrl));

/**
 * The links' text around the two ids that vary, for one address: made once per address rather than
 * joined again for every reply, as a client asks about one cluster again and again (issue 6).
 */
interface LinkText {
  /** after the job id's value: `","links":[{"href":"…/backup/restoreJobs/` */
  self: string;
  /** after the job id again, when a snapshot link follows: `","rel":"self"},{"href":"…/backup/snapshots/` */
  selfThenSnapshot: string;
  /** after the job id again, when none does: `","rel":"self"}` */
  selfOnly: string;
  /** after the snapshot id: `","rel":"…/snapshot"}` */
  snapshot: string;
  /** the cluster and group links and the end of the array */
  rest: string;
}

// As restoreJobLinks builds them (encodeURIComponent leaves a name of the spec's pattern as it is).
const linkText = rememberLastOf3((base: string, groupId: string, clusterName: string): LinkText => {
  const group = `${base}/api/atlas/v2/groups/${groupId}`;
  const cluster = `${group}/clusters/${clusterName}`;
  return {
    self: `","links":[{"href":"${cluster}/backup/restoreJobs/`,
    selfThenSnapshot: `","rel":"self"},{"href":"${cluster}/backup/snapshots/`,
    selfOnly: '","rel":"self"}',
    snapshot: '","rel":"https://cloud.mongodb.com/snapshot"}',
    rest: `,{"href":"${cluster}","rel":"https://cloud.mongodb.com/cluster"},{"href":"${group}","rel":"https://cloud.mongodb.com/group"}]`,
  };
});

function strings(values: readonly string[]): string {
  let out = '[';
  for (let i = 0; i < values.length; i++) out += (i === 0 ? '"' : ',"') + values[i] + '"';
  return out + ']';
}

function privateUrls(urls: PrivateUrls): string {
  let out = '[';
  for (let i = 0; i < urls.length; i++) {
    const { deliveryUrl, endpointId } = urls[i] as PrivateUrls[number];
    let item = '';
    if (deliveryUrl !== undefined) item += `,"deliveryUrl":"${deliveryUrl}"`;
    if (endpointId !== undefined) item += `,"endpointId":"${endpointId}"`;
    out += (i === 0 ? '{' : ',{') + item.slice(1) + '}';
  }
  return out + ']';
}

function members(components: Members): string {
  let out = '[';
  for (let i = 0; i < components.length; i++) {
    const { downloadUrl, privateDownloadDeliveryUrls, replicaSetName } = components[i] as Members[number];
    let item = '';
    if (downloadUrl !== undefined) item += `,"downloadUrl":"${downloadUrl}"`;
    if (privateDownloadDeliveryUrls !== undefined) item += `,"privateDownloadDeliveryUrls":${privateUrls(privateDownloadDeliveryUrls)}`;
    if (replicaSetName !== undefined) item += `,"replicaSetName":"${replicaSetName}"`;
    out += (i === 0 ? '{' : ',{') + item.slice(1) + '}';
  }
  return out + ']';
}

/**
 * restoreJobJson(job, ctx), byte for byte, for a job generateRestoreJob made.
 *
 * @param idsChecked the caller has already checked the job id, group id and cluster name against the
 *   spec's patterns (the route has, for every job it renders), so they are not checked twice: ~2,000
 *   instructions of a fresh id's reply (issue 6).
 */
export function generatedJobJson(job: RestoreJobRecord, ctx: ShapeContext, idsChecked = false): string {
  const idsSafe = idsChecked || (isRestoreJobId(job.id) && isGroupId(ctx.groupId) && isClusterName(ctx.clusterName));
  if (ctx.wireFidelity || !idsSafe) return restoreJobJson(job, ctx);
  const links = linkText(jsonBase(ctx.baseUrl), ctx.groupId, ctx.clusterName);

  // deliveryType is required: members before it end with a comma, members after it start with one.
  let out = '{';
  if (job.cancelled !== undefined) out += `"cancelled":${job.cancelled},`;
  if (job.components !== undefined) out += `"components":${members(job.components)},`;
  out += `"deliveryType":"${job.deliveryType}"`;
  if (job.deliveryUrl !== undefined) out += `,"deliveryUrl":${strings(job.deliveryUrl)}`;
  if (job.desiredTimestamp !== undefined) {
    const { date, increment } = job.desiredTimestamp;
    let item = '';
    if (date !== undefined) item += `,"date":"${date}"`;
    if (increment !== undefined) item += `,"increment":${increment}`;
    out += `,"desiredTimestamp":{${item.slice(1)}}`;
  }
  if (job.expired !== undefined) out += `,"expired":${job.expired}`;
  if (job.expiresAt !== undefined) out += `,"expiresAt":"${job.expiresAt}"`;
  if (job.failed !== undefined) out += `,"failed":${job.failed}`;
  if (job.finishedAt !== undefined) out += `,"finishedAt":"${job.finishedAt}"`;
  out += `,"id":"${job.id}${links.self}${job.id}`;
  out += job.snapshotId ? links.selfThenSnapshot + job.snapshotId + links.snapshot : links.selfOnly;
  out += links.rest;
  if (job.oplogInc !== undefined) out += `,"oplogInc":${job.oplogInc}`;
  if (job.oplogTs !== undefined) out += `,"oplogTs":${job.oplogTs}`;
  if (job.pointInTimeUTCSeconds !== undefined) out += `,"pointInTimeUTCSeconds":${job.pointInTimeUTCSeconds}`;
  if (job.privateDownloadDeliveryUrls !== undefined) out += `,"privateDownloadDeliveryUrls":${privateUrls(job.privateDownloadDeliveryUrls)}`;
  if (job.snapshotId !== undefined) out += `,"snapshotId":"${job.snapshotId}"`;
  if (job.targetClusterName !== undefined) out += `,"targetClusterName":"${job.targetClusterName}"`;
  if (job.targetGroupId !== undefined) out += `,"targetGroupId":"${job.targetGroupId}"`;
  if (job.timestamp !== undefined) out += `,"timestamp":"${job.timestamp}"`;
  return `${out}}`;
}
