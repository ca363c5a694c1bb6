/**
 * The restore jobs the mock holds beyond its fixtures and generator: jobs clients created with POST,
 * and fixture or generated downloads a client cancelled (kept here so every later read sees them
 * cancelled). A job is stored once, in its finished state, with when it started; how it looks at any
 * moment is derived from the lifecycle clock on each read (jobNow), so reads change nothing and
 * concurrent requests cannot tear a job.
 *
 * The store is bounded: when it is full, the oldest job that has ended (finished, failed, cancelled or
 * expired) is forgotten to make room; a store full of running jobs refuses new ones, because dropping a
 * job a client is still polling would turn its next poll into a 404.
 */
import { randomBytes } from 'node:crypto';
import { jobAt, type Lifecycle } from './job-lifecycle.js';
import type { RestoreJobRecord } from './restore-job-record.js';

/** How many jobs the store keeps, created and cancelled together. */
export const MAX_STORED_JOBS = 1000;

/** Seconds from creation until an automated or pointInTime restore finishes (real Atlas: 186-375 s, median 230 s). */
export const RESTORE_SECONDS = 230;
/** Seconds from creation until a download's URL is ready (real Atlas: 150-240 s, median 184 s). */
export const DOWNLOAD_READY_SECONDS = 185;
/** Seconds a ready download's URL lives (real Atlas: one hour). */
export const DOWNLOAD_EXPIRY_SECONDS = 3600;

/** A stored job's lifecycle: always timed (the clock), never counted in reads. */
export interface StoredLifecycle extends Lifecycle {
  finishAfterSeconds: number;
}

export interface StoredJob {
  readonly groupId: string;
  readonly clusterName: string;
  readonly id: string;
  /** mock-clock milliseconds: when it was created, or, for a cancelled fixture or generated job, cancelled */
  readonly startedAtMs: number;
  /** the job as it looks once it has finished well (a download: its URL ready) */
  readonly finished: RestoreJobRecord;
  readonly lifecycle: StoredLifecycle;
  /** `created` by POST (or the control API); `cancelled`: a fixture's or generated download, cancelled */
  readonly origin: 'created' | 'cancelled';
  /** mock-clock milliseconds of a client's cancel */
  cancelledAtMs: number | undefined;
}

const CANCELLED: Lifecycle = Object.freeze({ outcome: 'cancelled' });

/** The job as a read at `nowMs` sees it. Pure. */
export function jobNow(job: StoredJob, nowMs: number): RestoreJobRecord {
  if (job.cancelledAtMs !== undefined) return jobAt(job.finished, CANCELLED, job.cancelledAtMs, nowMs);
  const finishedAtMs = job.startedAtMs + job.lifecycle.finishAfterSeconds * 1000;
  return jobAt(job.finished, job.lifecycle, nowMs >= finishedAtMs ? finishedAtMs : undefined, nowMs);
}

/** Has the job ended: nothing more will happen to it (a ready download has not: its URL still expires). */
export function hasEnded(job: RestoreJobRecord): boolean {
  return job.finishedAt !== undefined || job.expired === true || job.cancelled === true || job.failed === true;
}

export class CreatedJobs {
  readonly #jobs = new Map<string, StoredJob>();
  // ObjectIds as MongoDB makes them: 4 bytes of time, 5 random bytes of this process, a 3-byte counter.
  readonly #processPart = randomBytes(5).toString('hex');
  #counter = randomBytes(3).readUIntBE(0, 3);

  constructor(readonly capacity = MAX_STORED_JOBS) {}

  get size(): number {
    return this.#jobs.size;
  }

  /** A fresh job id whose ObjectId time is `nowMs`. */
  nextId(nowMs: number): string {
    this.#counter = (this.#counter + 1) % 0x1000000;
    const seconds = Math.max(0, Math.min(0xffffffff, Math.floor(nowMs / 1000)));
    return `${seconds.toString(16).padStart(8, '0')}${this.#processPart}${this.#counter.toString(16).padStart(6, '0')}`;
  }

  get(id: string): StoredJob | undefined {
    return this.#jobs.get(id);
  }

  /** The job with this id at this group and cluster. */
  find(groupId: string, clusterName: string, id: string): StoredJob | undefined {
    const job = this.#jobs.get(id);
    return job !== undefined && job.groupId === groupId && job.clusterName === clusterName ? job : undefined;
  }

  /** Oldest first. */
  list(): StoredJob[] {
    return [...this.#jobs.values()];
  }

  ofCluster(groupId: string, clusterName: string): StoredJob[] {
    return this.list().filter((job) => job.groupId === groupId && job.clusterName === clusterName);
  }

  /**
   * Keeps a job, forgetting the oldest ended one when the store is full. False, and nothing changes,
   * when every stored job is still running.
   */
  add(job: StoredJob, nowMs: number): boolean {
    if (!this.#jobs.has(job.id) && this.#jobs.size >= this.capacity) {
      const ended = this.#oldestEnded(nowMs);
      if (ended === undefined) return false;
      this.#jobs.delete(ended.id);
    }
    this.#jobs.set(job.id, job);
    return true;
  }

  /** Maps iterate in insertion order, so the first ended job met is the oldest. */
  #oldestEnded(nowMs: number): StoredJob | undefined {
    for (const stored of this.#jobs.values()) if (hasEnded(jobNow(stored, nowMs))) return stored;
    return undefined;
  }

  remove(id: string): boolean {
    return this.#jobs.delete(id);
  }

  clear(): void {
    this.#jobs.clear();
  }

  /** Is an automated or pointInTime restore into this cluster still running (not finished, not failed)? */
  restoringInto(targetGroupId: string, targetClusterName: string, nowMs: number): boolean {
    for (const job of this.#jobs.values()) {
      if (job.finished.deliveryType === 'download') continue;
      if (job.finished.targetGroupId !== targetGroupId || job.finished.targetClusterName !== targetClusterName) continue;
      if (!hasEnded(jobNow(job, nowMs))) return true;
    }
    return false;
  }

  /** Is a download of this snapshot active: preparing, or ready and not expired? */
  downloading(snapshotId: string, nowMs: number): boolean {
    for (const job of this.#jobs.values()) {
      if (job.finished.deliveryType !== 'download' || job.finished.snapshotId !== snapshotId) continue;
      if (!hasEnded(jobNow(job, nowMs))) return true;
    }
    return false;
  }
}
