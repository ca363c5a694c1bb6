/**
 * The programmatic API: start the mock inside a Node test process, drive it between tests, and
 * check what the code under test sent.
 *
 * @example
 * ```ts
 * import { startMock } from 'atlas-restore-mock';
 * const mock = await startMock({ auth: 'off' });
 * // point the client at mock.url …
 * mock.setScenario({ error: '500', times: 1 });
 * assert.equal(mock.requests({ path: '/api/atlas/v2/*' }).length, 2);
 * await mock.close();
 * ```
 */
import { buildApp } from './app.js';
import { parseFixture } from './jobs/load-fixtures.js';
import type { MockOptions } from './options.js';
import type { JournalEntry, JournalFilter } from './control/request-journal.js';
import type { ScenarioRule, ScenarioRuleInput } from './scenarios/scenario-book.js';
import type { RestoreJobInput, RestoreJobSummary } from './control/restore-job-service.js';

export type { MockOptions } from './options.js';
export type { JournalEntry, JournalFilter } from './control/request-journal.js';
export type { ScenarioRule, ScenarioRuleInput, Fault } from './scenarios/scenario-book.js';
export type { Lifecycle } from './jobs/job-lifecycle.js';
export type { DiskBackupSnapshotRestoreJob, ApiError } from '../schemas/types.js';
export { FixtureError } from './jobs/load-fixtures.js';
export { ScenarioError } from './scenarios/scenario-book.js';
export { OptionError } from './options.js';
export { CredentialsError } from './auth/credentials.js';
export { RestoreJobError } from './control/restore-job-service.js';
export type { RestoreJobInput, RestoreJobSummary } from './control/restore-job-service.js';

/** A fixture given in code: where it answers, and the job as a fixture file would hold it. */
export interface FixtureInput {
  groupId: string;
  clusterName: string;
  restoreJobId: string;
  /** the restore job without `links`; may carry `x-mock` (description, error, delay, fault, lifecycle) */
  job: Record<string, unknown>;
}

/** A running mock. */
export interface MockServer {
  /** base URL, e.g. `http://127.0.0.1:54321`: give it to the SDK as its base URL */
  readonly url: string;
  readonly port: number;
  /** Stops listening and ends keep-alive sockets, so the test runner can exit. */
  close(): Promise<void>;
  /** Back to the start-up state: fixtures, scenario rules, journal, clock, rate counters and created restore jobs. */
  reset(): void;
  /**
   * Adds a scenario rule (newest wins): an error, delay or fault for every request or some ids, for the
   * next `times` requests or with a `probability`. A string is shorthand for `{ error }`. Returns the
   * rule with its id. Throws ScenarioError naming each bad field.
   */
  setScenario(rule: ScenarioRuleInput | string): ScenarioRule;
  /** Removes one rule, or all rules when no id is given. */
  clearScenarios(id?: string): void;
  /** Adds or replaces a fixture, checked like a fixture file; throws FixtureError naming the field. */
  addFixture(fixture: FixtureInput): void;
  /** Moves the lifecycle clock forward, so progressing jobs finish or expire without waiting. */
  advanceClock(seconds: number): void;
  /** The requests received so far (oldest first), optionally filtered by path (`*` suffix = prefix), status, method. */
  requests(filter?: JournalFilter): JournalEntry[];
  /**
   * Creates a restore job with the checks of a POST to .../backup/restoreJobs, optionally with its own
   * lifecycle (`{ finishAfterSeconds: 0, outcome: 'failed' }`). Throws RestoreJobError naming what Atlas
   * would have answered.
   */
  createRestoreJob(input: RestoreJobInput): RestoreJobSummary;
  /** The restore jobs clients created, and fixture or generated downloads they cancelled, oldest first. */
  restoreJobs(): RestoreJobSummary[];
  /** Forgets one created or cancelled job (a cancelled fixture job is then as it was); false if there is none. */
  removeRestoreJob(restoreJobId: string): boolean;
  /** Forgets every created and cancelled job. */
  clearRestoreJobs(): void;
}

/**
 * Starts the mock. Takes the same options as the CLI (see `--help`), with two defaults for tests:
 * port 0 (a free port) and a silent log.
 */
export async function startMock(options: Partial<MockOptions> = {}): Promise<MockServer> {
  const { app, state, restoreJobs } = await buildApp({ port: 0, logLevel: 'silent', ...options });
  await app.listen({ port: options.port ?? 0, host: options.host ?? '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const host = options.host && options.host !== '0.0.0.0' ? options.host : '127.0.0.1';
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    async close() {
      // Keep-alive sockets would otherwise hold the test process open.
      app.server.closeAllConnections();
      await app.close();
    },
    reset: () => state.reset(),
    setScenario: (rule) => state.scenarios.add(typeof rule === 'string' ? { error: rule } : rule),
    clearScenarios(id) {
      if (id === undefined) state.scenarios.clear();
      else state.scenarios.remove(id);
    },
    addFixture({ groupId, clusterName, restoreJobId, job }) {
      const fixture = parseFixture(`addFixture(${groupId}/${clusterName}/${restoreJobId})`, { groupId, clusterName, restoreJobId }, JSON.stringify(job));
      if (!state.putFixture(fixture)) {
        throw new Error(`addFixture: restore job id ${restoreJobId} already belongs to a fixture of another cluster or group`);
      }
    },
    advanceClock: (seconds) => state.clock.advance(seconds),
    requests: (filter) => state.journal.list(filter),
    createRestoreJob: (input) => restoreJobs.create(input),
    restoreJobs: () => restoreJobs.list(),
    removeRestoreJob: (restoreJobId) => restoreJobs.remove(restoreJobId),
    clearRestoreJobs: () => restoreJobs.clear(),
  };
}
