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
import { flatText } from './flat-text.js';
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
  /** after the snapshot id: its rel, the cluster and group links and the end of the array */
  snapshotThenRest: string;
  /** after the job id again, when no snapshot link follows: the self rel, cluster and group links, end */
  selfThenRest: string;
}

// As restoreJobLinks builds them (encodeURIComponent leaves a name of the spec's pattern as it is).
const linkText = rememberLastOf3((base: string, groupId: string, clusterName: string): LinkText => {
  const group = `${base}/api/atlas/v2/groups/${groupId}`;
  const cluster = `${group}/clusters/${clusterName}`;
  const rest = `,{"href":"${cluster}","rel":"https://cloud.mongodb.com/cluster"},{"href":"${group}","rel":"https://cloud.mongodb.com/group"}]`;
  return {
    self: flatText(`","links":[{"href":"${cluster}/backup/restoreJobs/`),
    selfThenSnapshot: flatText(`","rel":"self"},{"href":"${cluster}/backup/snapshots/`),
    snapshotThenRest: flatText(`","rel":"https://cloud.mongodb.com/snapshot"}${rest}`),
    selfThenRest: flatText(`","rel":"self"}${rest}`),
  };
});

/**
 * What is still to be written of the member before the next key: nothing yet (the object's `{`),
 * nothing (the value is complete), or the end of a string value, alone or closing an array or object.
 * A string value's closing quote is written with the key after it, and a key with its value's opening
 * quote, so the JSON is made of fewer, longer pieces: Node walks a reply's pieces one by one to join
 * them when it writes the body, and each piece was also a join and a young object of its own (a
 * generated reply had ~45 pieces; at ~30, ~1,100 instructions fewer, issue 6).
 */
type After = 0 | 1 | 2 | 3 | 4;
const START: After = 0;
const VALUE: After = 1;
const STRING: After = 2;
const STRING_IN_ARRAY: After = 3;
const STRING_IN_OBJECT: After = 4;
/** One text for each After. */
type ByAfter = readonly [string, string, string, string, string];
const AT_END: ByAfter = ['{}', '}', '"}', '"]}', '"}}'];

/** A key's text after each state; `opening` is what its value starts with when the key writes it. */
function keyText(name: string, opening = ''): ByAfter {
  const text = `"${name}":${opening}`;
  return [flatText(`{${text}`), flatText(`,${text}`), flatText(`",${text}`), flatText(`"],${text}`), flatText(`"},${text}`)];
}
/** A boolean member whole: [false, true] texts after each state. */
const flagText = (name: string) => [keyText(name, 'false'), keyText(name, 'true')] as const;

const KEY = {
  cancelled: flagText('cancelled'),
  components: keyText('components'),
  deliveryType: keyText('deliveryType', '"'),
  deliveryUrl: keyText('deliveryUrl', '["'),
  noDeliveryUrl: keyText('deliveryUrl', '[]'),
  date: keyText('desiredTimestamp', '{"date":"'),
  desiredTimestamp: keyText('desiredTimestamp'),
  expired: flagText('expired'),
  expiresAt: keyText('expiresAt', '"'),
  failed: flagText('failed'),
  finishedAt: keyText('finishedAt', '"'),
  id: keyText('id', '"'),
  oplogInc: keyText('oplogInc'),
  oplogTs: keyText('oplogTs'),
  pointInTimeUTCSeconds: keyText('pointInTimeUTCSeconds'),
  privateDownloadDeliveryUrls: keyText('privateDownloadDeliveryUrls'),
  snapshotId: keyText('snapshotId', '"'),
  targetClusterName: keyText('targetClusterName', '"'),
  targetGroupId: keyText('targetGroupId', '"'),
  timestamp: keyText('timestamp', '"'),
};

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

  // Members in schema order; `after` says what the last one left to write (After). One piece per
  // `+=`: Node joins a chain of pieces added one at a time in a loop, where `out += a + b` makes it
  // descend into the small tree of a and b (the links' five pieces appended one by one: ~200
  // instructions fewer a reply, issue 6).
  let out = '';
  let after = START;
  if (job.cancelled !== undefined) {
    out += (job.cancelled ? KEY.cancelled[1] : KEY.cancelled[0])[after];
    after = VALUE;
  }
  if (job.components !== undefined) {
    out += KEY.components[after];
    out += members(job.components);
    after = VALUE;
  }
  out += KEY.deliveryType[after];
  out += job.deliveryType;
  after = STRING;
  if (job.deliveryUrl !== undefined) {
    const urls = job.deliveryUrl;
    if (urls.length === 0) {
      out += KEY.noDeliveryUrl[after];
      after = VALUE;
    } else {
      out += KEY.deliveryUrl[after];
      out += urls.length === 1 ? urls[0] : urls.join('","');
      after = STRING_IN_ARRAY;
    }
  }
  if (job.desiredTimestamp !== undefined) {
    const { date, increment } = job.desiredTimestamp;
    if (date !== undefined && increment === undefined) {
      out += KEY.date[after];
      out += date;
      after = STRING_IN_OBJECT;
    } else {
      let item = '';
      if (date !== undefined) item += `,"date":"${date}"`;
      if (increment !== undefined) item += `,"increment":${increment}`;
      out += `${KEY.desiredTimestamp[after]}{${item.slice(1)}}`;
      after = VALUE;
    }
  }
  if (job.expired !== undefined) {
    out += (job.expired ? KEY.expired[1] : KEY.expired[0])[after];
    after = VALUE;
  }
  if (job.expiresAt !== undefined) {
    out += KEY.expiresAt[after];
    out += job.expiresAt;
    after = STRING;
  }
  if (job.failed !== undefined) {
    out += (job.failed ? KEY.failed[1] : KEY.failed[0])[after];
    after = VALUE;
  }
  if (job.finishedAt !== undefined) {
    out += KEY.finishedAt[after];
    out += job.finishedAt;
    after = STRING;
  }
  out += KEY.id[after];
  out += job.id;
  out += links.self;
  out += job.id;
  if (job.snapshotId) {
    out += links.selfThenSnapshot;
    out += job.snapshotId;
    out += links.snapshotThenRest;
  } else {
    out += links.selfThenRest;
  }
  after = VALUE;
  if (job.oplogInc !== undefined) {
    out += KEY.oplogInc[after];
    out += job.oplogInc;
    after = VALUE;
  }
  if (job.oplogTs !== undefined) {
    out += KEY.oplogTs[after];
    out += job.oplogTs;
    after = VALUE;
  }
  if (job.pointInTimeUTCSeconds !== undefined) {
    out += KEY.pointInTimeUTCSeconds[after];
    out += job.pointInTimeUTCSeconds;
    after = VALUE;
  }
  if (job.privateDownloadDeliveryUrls !== undefined) {
    out += KEY.privateDownloadDeliveryUrls[after];
    out += privateUrls(job.privateDownloadDeliveryUrls);
    after = VALUE;
  }
  if (job.snapshotId !== undefined) {
    out += KEY.snapshotId[after];
    out += job.snapshotId;
    after = STRING;
  }
  if (job.targetClusterName !== undefined) {
    out += KEY.targetClusterName[after];
    out += job.targetClusterName;
    after = STRING;
  }
  if (job.targetGroupId !== undefined) {
    out += KEY.targetGroupId[after];
    out += job.targetGroupId;
    after = STRING;
  }
  if (job.timestamp !== undefined) {
    out += KEY.timestamp[after];
    out += job.timestamp;
    after = STRING;
  }
  return out + AT_END[after];
}
