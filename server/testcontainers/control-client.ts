/**
 * The control API over HTTP, for a mock that runs in another process or a container: the same helpers
 * `startMock()` gives in-process (reset, setScenario, addFixture, advanceClock, requests, …), each a
 * request to /__mock/ with the control token in X-Mock-Token. A refusal throws MockControlError with
 * the error code and detail the mock sent.
 */
import type { FixtureInput } from '../index.js';
import type { JournalEntry, JournalFilter } from '../control/request-journal.js';
import type { ScenarioRule, ScenarioRuleInput } from '../scenarios/scenario-book.js';

const CONTROL_PREFIX = '/__mock';

/** A fixture as `GET /__mock/fixtures` lists it. */
export interface FixtureSummary {
  groupId: string;
  clusterName: string;
  restoreJobId: string;
  deliveryType: string;
  /** the file it came from, or the control request that put it */
  source: string;
  description?: string;
  error?: string;
  lifecycle?: unknown;
}

/** The lifecycle clock as the mock reports it. */
export interface ClockState {
  /** ISO 8601 */
  now: string;
  speed: number;
}

/** A control request the mock refused, with what it said (its body has the Atlas error shape). */
export class MockControlError extends Error {
  override name = 'MockControlError';
  constructor(
    readonly status: number,
    readonly errorCode: string,
    readonly detail: string,
    readonly fields: readonly { field: string; description: string }[] = [],
  ) {
    super(`${errorCode} (${status}): ${detail}`);
  }
}

interface ErrorBody {
  errorCode?: unknown;
  detail?: unknown;
  badRequestDetail?: { fields?: { field: string; description: string }[] };
}

export class MockControlClient {
  /**
   * @param baseUrl where the mock answers, e.g. `http://localhost:32768`
   * @param token the mock's control token; empty when it needs none
   */
  constructor(
    readonly baseUrl: string,
    private readonly token = '',
  ) {}

  /** Back to the start-up state: fixtures, scenario rules, journal, clock and rate counters. */
  async reset(): Promise<void> {
    await this.call('POST', '/reset', 204);
  }

  /**
   * Adds a scenario rule (newest wins). A string is shorthand for `{ error }`. Returns the rule with
   * its id; throws MockControlError (MOCK_INVALID_SCENARIO) naming each bad field.
   */
  async setScenario(rule: ScenarioRuleInput | string): Promise<ScenarioRule> {
    return (await this.call('POST', '/scenarios', 201, typeof rule === 'string' ? { error: rule } : rule)) as ScenarioRule;
  }

  /** The scenario rules in force, oldest first. */
  async scenarios(): Promise<ScenarioRule[]> {
    return ((await this.call('GET', '/scenarios', 200)) as { scenarios: ScenarioRule[] }).scenarios;
  }

  /** Removes one rule, or all rules when no id is given. */
  async clearScenarios(id?: string): Promise<void> {
    await this.call('DELETE', id === undefined ? '/scenarios' : `/scenarios/${encodeURIComponent(id)}`, 204);
  }

  /**
   * Adds or replaces a fixture, checked like a fixture file; throws MockControlError
   * (MOCK_INVALID_FIXTURE, MOCK_CONFLICT) naming the field. Says whether it replaced one.
   */
  async addFixture({ groupId, clusterName, restoreJobId, job }: FixtureInput): Promise<{ replaced: boolean }> {
    const body = (await this.call('PUT', `/fixtures/${this.address(groupId, clusterName, restoreJobId)}`, [200, 201], job)) as { replaced: boolean };
    return { replaced: body.replaced };
  }

  /** Removes a fixture; throws MockControlError (MOCK_NOT_FOUND) when there is none at that address. */
  async removeFixture(groupId: string, clusterName: string, restoreJobId: string): Promise<void> {
    await this.call('DELETE', `/fixtures/${this.address(groupId, clusterName, restoreJobId)}`, 204);
  }

  /** Every fixture the mock serves. */
  async fixtures(): Promise<FixtureSummary[]> {
    return ((await this.call('GET', '/fixtures', 200)) as { fixtures: FixtureSummary[] }).fixtures;
  }

  /** Moves the lifecycle clock forward, so progressing jobs finish or expire without waiting. */
  async advanceClock(seconds: number): Promise<ClockState> {
    return (await this.call('POST', '/clock', 200, { advanceSeconds: seconds })) as ClockState;
  }

  async clock(): Promise<ClockState> {
    return (await this.call('GET', '/clock', 200)) as ClockState;
  }

  /** The requests received so far (oldest first), optionally filtered by path (`*` suffix = prefix), status, method. */
  async requests(filter: JournalFilter = {}): Promise<JournalEntry[]> {
    const query = new URLSearchParams();
    if (filter.path !== undefined) query.set('path', filter.path);
    if (filter.status !== undefined) query.set('status', String(filter.status));
    if (filter.method !== undefined) query.set('method', filter.method);
    const search = query.size > 0 ? `?${query}` : '';
    return ((await this.call('GET', `/requests${search}`, 200)) as { requests: JournalEntry[] }).requests;
  }

  /** Empties the request journal. */
  async clearRequests(): Promise<void> {
    await this.call('DELETE', '/requests', 204);
  }

  private address(groupId: string, clusterName: string, restoreJobId: string): string {
    return [groupId, clusterName, restoreJobId].map(encodeURIComponent).join('/');
  }

  private async call(method: string, path: string, expected: number | number[], body?: unknown): Promise<unknown> {
    const headers: Record<string, string> = {};
    if (this.token) headers['x-mock-token'] = this.token;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${this.baseUrl}${CONTROL_PREFIX}${path}`, {
      method,
      headers,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    if (([] as number[]).concat(expected).includes(response.status)) return text === '' ? undefined : JSON.parse(text);
    let error: ErrorBody = {};
    try {
      error = JSON.parse(text) as ErrorBody;
    } catch {
      // Not the mock's JSON (a proxy, another server on that port): the text itself is the detail.
    }
    throw new MockControlError(
      response.status,
      typeof error.errorCode === 'string' ? error.errorCode : 'UNEXPECTED_RESPONSE',
      typeof error.detail === 'string' ? error.detail : `${method} ${CONTROL_PREFIX}${path} answered ${response.status}: ${text.slice(0, 200)}`,
      error.badRequestDetail?.fields ?? [],
    );
  }
}
