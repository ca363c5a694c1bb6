/**
 * Restore jobs that progress like real ones: in progress until a number of
 * seconds or reads has passed, then finished (or failed, or cancelled), and a download's URL expires
 * later. The fixture holds the finished job; every other state is derived from it here, purely, and each
 * state obeys the same coherence rules (tested).
 */
import { isoSeconds } from './object-id.js';
import type { RestoreJobRecord } from './restore-job-record.js';

export interface Lifecycle {
  /** finished this many seconds (mock clock) after the fixture was loaded, added or reset */
  finishAfterSeconds?: number;
  /** or: the first N reads see it in progress, the next one finished */
  finishAfterReads?: number;
  /** how it ends; `cancelled` only for downloads. Default finished. */
  outcome?: 'finished' | 'failed' | 'cancelled';
  /** a download's URL expires this many seconds after it became ready (Atlas: about an hour) */
  expireAfterSeconds?: number;
}

export const LIFECYCLE_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    finishAfterSeconds: { type: 'integer', minimum: 0, maximum: 31536000 },
    finishAfterReads: { type: 'integer', minimum: 0, maximum: 1000000 },
    outcome: { type: 'string', enum: ['finished', 'failed', 'cancelled'] },
    expireAfterSeconds: { type: 'integer', minimum: 1, maximum: 31536000 },
  },
} as const;

const DEFAULT_EXPIRY_SECONDS = 3600;

/** Problems a lifecycle has with its job, as `field "…": reason` lines (empty when fine). */
export function checkLifecycle(lifecycle: Lifecycle, job: RestoreJobRecord): string[] {
  const problems: string[] = [];
  if ((lifecycle.finishAfterSeconds === undefined) === (lifecycle.finishAfterReads === undefined)) {
    problems.push('field "x-mock.lifecycle": give exactly one of finishAfterSeconds or finishAfterReads');
  }
  if (job.deliveryType !== 'download') {
    if (lifecycle.outcome === 'cancelled') problems.push(`field "x-mock.lifecycle.outcome": Atlas cannot cancel ${job.deliveryType} jobs; use finished or failed`);
    if (lifecycle.expireAfterSeconds !== undefined) problems.push('field "x-mock.lifecycle.expireAfterSeconds": only download URLs expire');
  }
  if (job.failed || job.cancelled || job.expired) {
    problems.push('field "x-mock.lifecycle": write the job as it looks when it finished well; the lifecycle derives failed, cancelled and expired');
  }
  return problems;
}

/** Where one lifecycle job stands; kept by the mock's state. */
export interface Progress {
  startedAtMs: number;
  reads: number;
  /** when it finished, once it has */
  finishedAtMs?: number;
}

/** Counts a read and settles the finish time, then returns the job as that read sees it. */
export function readJob(job: RestoreJobRecord, lifecycle: Lifecycle, progress: Progress, nowMs: number): RestoreJobRecord {
  progress.reads += 1;
  if (progress.finishedAtMs === undefined) {
    if (lifecycle.finishAfterSeconds !== undefined && nowMs >= progress.startedAtMs + lifecycle.finishAfterSeconds * 1000) {
      progress.finishedAtMs = progress.startedAtMs + lifecycle.finishAfterSeconds * 1000;
    } else if (lifecycle.finishAfterReads !== undefined && progress.reads > lifecycle.finishAfterReads) {
      progress.finishedAtMs = nowMs;
    }
  }
  return jobAt(job, lifecycle, progress.finishedAtMs, nowMs);
}

function withoutUrls(job: RestoreJobRecord): RestoreJobRecord {
  const out: RestoreJobRecord = { ...job, deliveryUrl: [] };
  delete out.expiresAt;
  delete out.privateDownloadDeliveryUrls;
  if (job.components) out.components = job.components.map(({ downloadUrl: _url, privateDownloadDeliveryUrls: _private, ...member }) => member);
  return out;
}

/** The job at `nowMs`, given when (if ever) it finished. Pure. */
export function jobAt(job: RestoreJobRecord, lifecycle: Lifecycle, finishedAtMs: number | undefined, nowMs: number): RestoreJobRecord {
  if (finishedAtMs === undefined) {
    const running = { ...withoutUrls(job), cancelled: false, expired: false, failed: false };
    delete running.finishedAt;
    return running;
  }
  const finishedAt = isoSeconds(finishedAtMs / 1000);
  const outcome = lifecycle.outcome ?? 'finished';
  if (outcome !== 'finished') {
    return { ...withoutUrls(job), cancelled: outcome === 'cancelled', expired: false, failed: true, finishedAt };
  }
  if (job.deliveryType !== 'download') return { ...job, finishedAt };

  // A ready download has no finishedAt; its URL lives until expiresAt.
  const expiresAtMs = finishedAtMs + (lifecycle.expireAfterSeconds ?? DEFAULT_EXPIRY_SECONDS) * 1000;
  const ready: RestoreJobRecord = { ...job, expiresAt: isoSeconds(expiresAtMs / 1000) };
  delete ready.finishedAt;
  if (nowMs < expiresAtMs) return ready;
  return { ...withoutUrls(ready), expired: true, expiresAt: ready.expiresAt as string };
}
