/**
 * `atlas-restore-mock/testcontainers`: the mock as a Testcontainers module, in the manner of the official
 * `@testcontainers/*` modules. The container knows the image, the port and when the mock is ready
 * (`/health` answers); the `with...` methods set what tests change most; the started container gives
 * the base URL, the credentials and the control helpers.
 *
 * `testcontainers` is an optional peer dependency, imported only here: the main entry never loads it.
 *
 * @example
 * ```ts
 * import { AtlasRestoreMockContainer } from 'atlas-restore-mock/testcontainers';
 * const mock = await new AtlasRestoreMockContainer().withApiKey('abcdefgh', 'secret').withControlApi().start();
 * // point the client at mock.getBaseUrl() …
 * await mock.setScenario({ error: '503', times: 1 });
 * await mock.stop();
 * ```
 */
import { randomUUID } from 'node:crypto';
import { AbstractStartedContainer, GenericContainer, Wait, type StartedTestContainer } from 'testcontainers';
import type { FixtureInput } from '../index.js';
import type { JournalEntry, JournalFilter } from '../control/request-journal.js';
import type { ScenarioRule, ScenarioRuleInput } from '../scenarios/scenario-book.js';
import { MockControlClient, type ClockState, type FixtureSummary } from './control-client.js';

export { MockControlClient, MockControlError, type ClockState, type FixtureSummary } from './control-client.js';
export type { FixtureInput, JournalEntry, JournalFilter, ScenarioRule, ScenarioRuleInput } from '../index.js';

/** The port the mock listens on inside the image. */
export const ATLAS_RESTORE_MOCK_PORT = 8080;
/** The tag `docker build -t atlas-restore-mock .` gives the repo's Dockerfile. */
export const DEFAULT_IMAGE = 'atlas-restore-mock:latest';
/** Where withFixtures copies the folder to inside the container. */
export const FIXTURES_IN_CONTAINER = '/fixtures';

export type AuthMode = 'any' | 'strict' | 'off';

export interface ApiKey {
  publicKey: string;
  privateKey: string;
}

export interface ServiceAccount {
  clientId: string;
  secret: string;
}

/** What the started container needs to know of the settings. */
interface Settings {
  apiKey?: ApiKey;
  serviceAccount?: ServiceAccount;
  /** undefined: the control API is off */
  controlToken?: string;
}

/** A credential part goes into `<a>:<b>` of an env var: it may hold neither a colon (in the first) nor be empty. */
function checkPair(method: string, first: [string, string], second: [string, string]): void {
  for (const [name, value] of [first, second]) {
    if (typeof value !== 'string' || value === '') throw new TypeError(`${method}: ${name} must be a non-empty string.`);
  }
  if (first[1].includes(':')) throw new TypeError(`${method}: ${first[0]} must not contain ":" (the mock reads <${first[0]}>:<${second[0]}>).`);
}

export class AtlasRestoreMockContainer extends GenericContainer {
  private readonly settings: Settings = {};

  /** @param image an image built from the repo's Dockerfile; default `atlas-restore-mock:latest` */
  constructor(image = DEFAULT_IMAGE) {
    super(image);
    this.withExposedPorts(ATLAS_RESTORE_MOCK_PORT)
      // A mock refused at start-up (a bad fixture, a bad setting) exits at once: the wait ends there and
      // the error carries its last log lines, which name the field and the fix.
      .withWaitStrategy(Wait.forHttp('/health', ATLAS_RESTORE_MOCK_PORT, { abortOnContainerExit: true }).forStatusCode(200))
      .withStartupTimeout(60_000);
  }

  /**
   * any: any well-formed Digest or Bearer credential; strict: only the configured ones (the default
   * once withApiKey or withServiceAccount is called); off: no authentication.
   */
  withAuth(mode: AuthMode): this {
    if (!['any', 'strict', 'off'].includes(mode)) throw new TypeError(`withAuth: mode must be any, strict or off, got ${JSON.stringify(mode)}.`);
    return this.withEnvironment({ ATLAS_MOCK_AUTH: mode });
  }

  /** One API key (HTTP Digest), Project Owner on every project. */
  withApiKey(publicKey: string, privateKey: string): this {
    checkPair('withApiKey', ['publicKey', publicKey], ['privateKey', privateKey]);
    this.settings.apiKey = { publicKey, privateKey };
    return this.withEnvironment({ ATLAS_MOCK_API_KEY: `${publicKey}:${privateKey}` });
  }

  /** One service account (OAuth client credentials at /api/oauth/token), Project Owner on every project. */
  withServiceAccount(clientId: string, secret: string): this {
    checkPair('withServiceAccount', ['clientId', clientId], ['secret', secret]);
    this.settings.serviceAccount = { clientId, secret };
    return this.withEnvironment({ ATLAS_MOCK_SERVICE_ACCOUNT: `${clientId}:${secret}` });
  }

  /** Seed of generated jobs: the same seed and ids give byte-identical jobs. */
  withSeed(seed: number): this {
    if (!Number.isInteger(seed) || seed < 0 || seed > 4294967295) throw new TypeError(`withSeed: seed must be an integer from 0 to 4294967295, got ${seed}.`);
    return this.withEnvironment({ ATLAS_MOCK_SEED: String(seed) });
  }

  /** Answers every restore-job request with this error: a status (`'404'`) or an error name (`'CLUSTER_NOT_FOUND'`). */
  withScenario(scenario: string): this {
    if (typeof scenario !== 'string' || scenario.trim() === '') throw new TypeError('withScenario: give a status such as "404" or an error name such as "CLUSTER_NOT_FOUND".');
    return this.withEnvironment({ ATLAS_MOCK_SCENARIO: scenario });
  }

  /**
   * Serves the fixture jobs of this host folder (`<groupId>/<clusterName>/<restoreJobId>.json`) instead
   * of the shipped set. The folder is copied in, so it works with a remote Docker engine too.
   */
  withFixtures(hostFolder: string): this {
    return this.withCopyDirectoriesToContainer([{ source: hostFolder, target: FIXTURES_IN_CONTAINER }])
      .withEnvironment({ ATLAS_MOCK_FIXTURES: FIXTURES_IN_CONTAINER });
  }

  /**
   * Turns on the control API (/__mock/) that the started container's helpers call. The mock listens
   * beyond loopback in a container, where it requires a token: this one, or a random one.
   */
  withControlApi(token: string = randomUUID()): this {
    if (typeof token !== 'string' || token === '') throw new TypeError('withControlApi: the token must be a non-empty string (or leave it out for a random one).');
    this.settings.controlToken = token;
    return this.withEnvironment({ ATLAS_MOCK_CONTROL: 'true', ATLAS_MOCK_CONTROL_TOKEN: token });
  }

  override async start(): Promise<StartedAtlasRestoreMockContainer> {
    return new StartedAtlasRestoreMockContainer(await super.start(), { ...this.settings });
  }
}

export class StartedAtlasRestoreMockContainer extends AbstractStartedContainer {
  private readonly control: MockControlClient | undefined;

  constructor(
    startedTestContainer: StartedTestContainer,
    private readonly settings: Settings,
  ) {
    super(startedTestContainer);
    this.control = settings.controlToken === undefined ? undefined : new MockControlClient(this.getBaseUrl(), settings.controlToken);
  }

  getPort(): number {
    return this.getMappedPort(ATLAS_RESTORE_MOCK_PORT);
  }

  /** `http://host:port`: give it to the client as its base URL (the API is under /api/atlas/v2). */
  getBaseUrl(): string {
    const host = this.getHost();
    return `http://${host.includes(':') ? `[${host}]` : host}:${this.getPort()}`;
  }

  getApiKey(): ApiKey | undefined {
    return this.settings.apiKey && { ...this.settings.apiKey };
  }

  getServiceAccount(): ServiceAccount | undefined {
    return this.settings.serviceAccount && { ...this.settings.serviceAccount };
  }

  /** undefined when the control API is off */
  getControlToken(): string | undefined {
    return this.settings.controlToken;
  }

  /** The control API's client, for what the helpers below do not cover. */
  getControlClient(): MockControlClient {
    if (this.control === undefined) {
      throw new Error('The control API is off in this container. Fix: call withControlApi() on the AtlasRestoreMockContainer before start().');
    }
    return this.control;
  }

  /** Back to the start-up state: fixtures, scenario rules, journal, clock and rate counters. */
  async reset(): Promise<void> {
    return await this.getControlClient().reset();
  }

  /** Adds a scenario rule (newest wins); a string is shorthand for `{ error }`. */
  async setScenario(rule: ScenarioRuleInput | string): Promise<ScenarioRule> {
    return await this.getControlClient().setScenario(rule);
  }

  /** Removes one rule, or all rules when no id is given. */
  async clearScenarios(id?: string): Promise<void> {
    return await this.getControlClient().clearScenarios(id);
  }

  /** Adds or replaces a fixture, checked like a fixture file. */
  async addFixture(fixture: FixtureInput): Promise<{ replaced: boolean }> {
    return await this.getControlClient().addFixture(fixture);
  }

  async removeFixture(groupId: string, clusterName: string, restoreJobId: string): Promise<void> {
    return await this.getControlClient().removeFixture(groupId, clusterName, restoreJobId);
  }

  async fixtures(): Promise<FixtureSummary[]> {
    return await this.getControlClient().fixtures();
  }

  /** Moves the lifecycle clock forward, so progressing jobs finish or expire without waiting. */
  async advanceClock(seconds: number): Promise<ClockState> {
    return await this.getControlClient().advanceClock(seconds);
  }

  /** The requests received so far (oldest first), optionally filtered by path (`*` suffix = prefix), status, method. */
  async requests(filter?: JournalFilter): Promise<JournalEntry[]> {
    return await this.getControlClient().requests(filter);
  }
}
