/**
 * Everything about the mock that tests may change while it runs, in one place: fixtures added at
 * runtime, scenario rules, the request journal, the lifecycle clock and each lifecycle job's progress,
 * and the restore jobs clients created or cancelled.
 * The control API and startMock() both act through it; reset() returns it to its start-up state.
 */
import { CreatedJobs } from '../jobs/created-jobs.js';
import type { Fixture, FixtureSet } from '../jobs/load-fixtures.js';
import { readJob, type Progress } from '../jobs/job-lifecycle.js';
import type { MockClock } from './mock-clock.js';
import type { RateCounter } from '../http/rate-counter.js';
import type { RequestJournal } from './request-journal.js';
import type { RestoreJobRecord } from '../jobs/restore-job-record.js';
import type { ScenarioBook } from '../scenarios/scenario-book.js';

const addressOf = (f: Pick<Fixture, 'groupId' | 'clusterName' | 'restoreJobId'>) => `${f.groupId}/${f.clusterName}/${f.restoreJobId}`;

export class MockState {
  readonly #progress = new Map<string, Progress>();
  /** called when fixtures change, so rendered bodies are not served stale */
  #onFixturesChanged: () => void = () => {};

  constructor(
    readonly fixtures: FixtureSet,
    readonly scenarios: ScenarioBook,
    readonly journal: RequestJournal,
    readonly clock: MockClock,
    readonly rates: RateCounter,
    readonly createdJobs: CreatedJobs = new CreatedJobs(),
  ) {}

  onFixturesChanged(listener: () => void): void {
    this.#onFixturesChanged = listener;
  }

  /** Adds or replaces a checked fixture; its lifecycle starts now. False if its job id is taken elsewhere. */
  putFixture(fixture: Fixture): boolean {
    if (!this.fixtures.put(fixture)) return false;
    this.#progress.set(addressOf(fixture), { startedAtMs: this.clock.now(), reads: 0 });
    this.#onFixturesChanged();
    return true;
  }

  removeFixture(groupId: string, clusterName: string, restoreJobId: string): boolean {
    const removed = this.fixtures.remove(groupId, clusterName, restoreJobId);
    this.#progress.delete(addressOf({ groupId, clusterName, restoreJobId }));
    // A cancel kept for the fixture goes with it; a job created with that id is not the fixture's.
    if (this.createdJobs.find(groupId, clusterName, restoreJobId)?.origin === 'cancelled') this.createdJobs.remove(restoreJobId);
    if (removed) this.#onFixturesChanged();
    return removed;
  }

  /** The job a read of a lifecycle fixture sees now; counts the read. Loaded fixtures start with the clock. */
  readLifecycleJob(fixture: Fixture): RestoreJobRecord {
    const key = addressOf(fixture);
    let progress = this.#progress.get(key);
    if (!progress) {
      progress = { startedAtMs: this.clock.origin(), reads: 0 };
      this.#progress.set(key, progress);
    }
    return readJob(fixture.job, fixture.lifecycle ?? {}, progress, this.clock.now());
  }

  reset(): void {
    this.fixtures.reset();
    this.scenarios.clear();
    this.journal.clear();
    this.clock.reset();
    this.rates.reset();
    this.createdJobs.clear();
    this.#progress.clear();
    this.#onFixturesChanged();
  }
}
