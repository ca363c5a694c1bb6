/**
 * The rules that make a restore job look like one Atlas could send.
 * The schema only says which fields exist; these say which fields go together. Fixtures are checked at
 * start-up, and the tests hold every generated job to the same rules.
 */
import { parseIsoSeconds } from './object-id.js';
import type { RestoreJobRecord } from './restore-job-record.js';

const SECOND_PRECISION = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const ALWAYS_PRESENT = ['cancelled', 'deliveryType', 'deliveryUrl', 'expired', 'failed', 'id', 'snapshotId', 'timestamp'] as const;
const DATE_FIELDS = ['timestamp', 'finishedAt', 'expiresAt'] as const;

/** Each problem as `field "name": what is wrong; how to fix it`. Empty when the job is coherent. */
export function checkCoherence(job: RestoreJobRecord): string[] {
  const problems: string[] = [];
  const problem = (field: string, text: string) => problems.push(`field "${field}": ${text}`);

  for (const field of ALWAYS_PRESENT) {
    if (job[field] === undefined) problem(field, 'is always present on real Atlas jobs; add it (deliveryUrl is [] when there is no URL)');
  }
  for (const field of DATE_FIELDS) {
    const value = job[field];
    if (value !== undefined && !SECOND_PRECISION.test(value)) {
      problem(field, `Atlas writes date-times at second precision in UTC, like 2026-08-10T03:40:10Z (got ${JSON.stringify(value)})`);
    }
  }
  if (job.desiredTimestamp?.date !== undefined && !SECOND_PRECISION.test(job.desiredTimestamp.date)) {
    problem('desiredTimestamp.date', 'must be a second-precision UTC date-time like 2026-08-10T03:40:10Z');
  }

  const hasUrls = (job.deliveryUrl?.length ?? 0) > 0 || (job.components ?? []).some((c) => c.downloadUrl !== undefined);
  const finishedLike = job.failed === true || job.cancelled === true;

  if (job.deliveryType === 'download') {
    for (const field of ['targetClusterName', 'targetGroupId'] as const) {
      if (job[field] !== undefined) problem(field, 'download jobs have no target; remove it or use deliveryType automated/pointInTime');
    }
    if (job.finishedAt !== undefined && !finishedLike) {
      problem('finishedAt', 'Atlas never sets finishedAt on a download unless it was cancelled or failed; remove it (use expiresAt for a ready URL)');
    }
    if (hasUrls && job.expiresAt === undefined) problem('expiresAt', 'a download with a URL expires; add expiresAt (about 1 hour after the URL became ready)');
    if (job.expired === true && job.expiresAt === undefined) problem('expiresAt', 'an expired download needs the time it expired at');
    if (job.expiresAt !== undefined && !hasUrls && job.expired !== true) {
      problem('expiresAt', 'only a download whose URL is ready (deliveryUrl or components[].downloadUrl) or has expired has expiresAt');
    }
    if (job.cancelled === true && job.failed !== true) problem('failed', 'Atlas marks a cancelled download failed too; set failed: true');
  } else {
    for (const field of ['targetClusterName', 'targetGroupId'] as const) {
      if (job[field] === undefined) problem(field, `${job.deliveryType} jobs restore into a target cluster; add ${field}`);
    }
    for (const field of ['expiresAt', 'privateDownloadDeliveryUrls', 'components'] as const) {
      if (job[field] !== undefined) problem(field, `only download jobs have ${field}; remove it`);
    }
    if (hasUrls) problem('deliveryUrl', `${job.deliveryType} jobs have no download URL; use []`);
    if (job.cancelled === true) problem('cancelled', `Atlas cannot cancel ${job.deliveryType} jobs; only downloads are cancelled`);
    if (job.expired === true) problem('expired', 'only download URLs expire');
  }

  if (finishedLike) {
    if (job.finishedAt === undefined) problem('finishedAt', 'a failed or cancelled job has finished; add finishedAt');
    if (hasUrls) problem('deliveryUrl', 'a failed or cancelled job has no download URL; use []');
    if (job.expiresAt !== undefined) problem('expiresAt', 'a failed or cancelled job has no URL to expire; remove it');
  }

  checkPointInTime(job, problem);
  checkOrder(job, problem);
  return problems;
}

function checkPointInTime(job: RestoreJobRecord, problem: (field: string, text: string) => void): void {
  const byOplog = job.oplogTs !== undefined || job.oplogInc !== undefined;
  const bySeconds = job.pointInTimeUTCSeconds !== undefined;
  if (job.deliveryType !== 'pointInTime') {
    for (const field of ['oplogTs', 'oplogInc', 'pointInTimeUTCSeconds', 'desiredTimestamp'] as const) {
      if (job[field] !== undefined) problem(field, `only pointInTime jobs have ${field}; remove it`);
    }
    return;
  }
  if (byOplog === bySeconds) {
    problem('pointInTimeUTCSeconds', 'a pointInTime job names its point either by oplogTs + oplogInc or by pointInTimeUTCSeconds, exactly one of them');
    return;
  }
  if (byOplog && (job.oplogTs === undefined || job.oplogInc === undefined)) {
    problem(job.oplogTs === undefined ? 'oplogTs' : 'oplogInc', 'oplogTs and oplogInc go together; add the other one');
    return;
  }
  const point = (job.oplogTs ?? job.pointInTimeUTCSeconds) as number;
  if (job.timestamp !== undefined && point < parseIsoSeconds(job.timestamp)) {
    problem(byOplog ? 'oplogTs' : 'pointInTimeUTCSeconds', 'the point in time cannot be before the snapshot it starts from (timestamp)');
  }
  if (job.finishedAt !== undefined && point > parseIsoSeconds(job.finishedAt)) {
    problem(byOplog ? 'oplogTs' : 'pointInTimeUTCSeconds', 'the point in time cannot be after the job finished (finishedAt)');
  }
  if (job.desiredTimestamp !== undefined && job.desiredTimestamp.date !== undefined && parseIsoSeconds(job.desiredTimestamp.date) !== point) {
    problem('desiredTimestamp.date', 'must be the point in time the job restores to');
  }
}

function checkOrder(job: RestoreJobRecord, problem: (field: string, text: string) => void): void {
  if (job.timestamp === undefined || !SECOND_PRECISION.test(job.timestamp)) return;
  const taken = parseIsoSeconds(job.timestamp);
  for (const field of ['finishedAt', 'expiresAt'] as const) {
    const value = job[field];
    if (value !== undefined && SECOND_PRECISION.test(value) && parseIsoSeconds(value) < taken) {
      problem(field, `cannot be before the snapshot was taken (timestamp ${job.timestamp})`);
    }
  }
}
