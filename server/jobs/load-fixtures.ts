/**
 * Reads a fixture folder laid out like the URL it answers:
 *
 *   <folder>/<groupId>/<clusterName>/<restoreJobId>.json
 *
 * Each file is one restore job as Atlas sends it, without `links`, plus an optional `x-mock` object.
 * Every file is checked against the official schema (closed against unknown fields) and the coherence
 * rules; the first bad file stops start-up with its path, the field and the fix.
 */
import { lstat, readFile, readdir, realpath, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { findAtlasError, type AtlasErrorDefinition, atlasErrorChoices } from '../http/atlas-errors.js';
import { checkCoherence } from './job-coherence.js';
import { checkLifecycle, type Lifecycle } from './job-lifecycle.js';
import { parseDelay, type DelayRange, type Fault } from '../scenarios/scenario-book.js';
import type { RestoreJobRecord } from './restore-job-record.js';
import { describeAjvErrors, pathParameterValidators, validators } from '../validation/spec-schemas.js';

export const MAX_FIXTURE_BYTES = 1024 * 1024;

export interface Fixture {
  groupId: string;
  clusterName: string;
  restoreJobId: string;
  job: RestoreJobRecord;
  /** the error these ids answer with instead of the job (`x-mock.error`) */
  error?: AtlasErrorDefinition;
  delay?: DelayRange;
  fault?: Fault;
  /** the job progresses over time (`x-mock.lifecycle`); `job` is its finished state */
  lifecycle?: Lifecycle;
  description?: string;
  /** where it came from, for messages */
  source: string;
}

export interface FixtureSet {
  readonly folder: string;
  readonly count: number;
  get(groupId: string, clusterName: string, restoreJobId: string): Fixture | undefined;
  hasGroup(groupId: string): boolean;
  hasCluster(groupId: string, clusterName: string): boolean;
  /** every fixture, loaded and added, in address order */
  list(): Fixture[];
  /** adds or replaces one at runtime (already checked by parseFixture); false if its job id is used elsewhere */
  put(fixture: Fixture): boolean;
  remove(groupId: string, clusterName: string, restoreJobId: string): boolean;
  /** back to the fixtures loaded at start-up */
  reset(): void;
}

export class FixtureError extends Error {
  override name = 'FixtureError';

  constructor(
    message: string,
    /** each problem as `field "name": reason`, for callers that report fields (the control API) */
    readonly problems: readonly string[] = [],
  ) {
    super(message);
  }
}

const LAYOUT_HINT = 'Fixtures are laid out <groupId>/<clusterName>/<restoreJobId>.json (see fixtures/README.md).';

function fail(source: string, problems: readonly string[]): never {
  throw new FixtureError(
    `Fixture ${source} is invalid:\n${problems.map((p) => `  - ${p}`).join('\n')}\nFix the file or remove it. ${LAYOUT_HINT}`,
    problems,
  );
}

/**
 * Checks one fixture's text; pure, so the same rules serve start-up and runtime additions.
 * `source` names the file in messages.
 */
export function parseFixture(source: string, address: { groupId: string; clusterName: string; restoreJobId: string }, text: string): Fixture {
  const addressProblems: string[] = [];
  if (!pathParameterValidators.groupId(address.groupId)) addressProblems.push(`folder "${address.groupId}": a groupId is 24 lowercase hex characters`);
  if (!pathParameterValidators.clusterName(address.clusterName)) {
    addressProblems.push(`folder "${address.clusterName}": a cluster name is letters, digits and hyphens, not starting with a hyphen`);
  }
  if (!pathParameterValidators.restoreJobId(address.restoreJobId)) {
    addressProblems.push(`file name "${address.restoreJobId}.json": a restoreJobId is 24 lowercase hex characters`);
  }
  if (addressProblems.length > 0) fail(source, addressProblems);

  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    fail(source, [`not valid JSON: ${(error as Error).message}`]);
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) fail(source, ['the file must hold one JSON object: the restore job']);
  const record = data as Record<string, unknown>;
  if ('links' in record) fail(source, ['field "links": the mock builds links on its own base URL; remove the field']);
  if (!validators.fixture(record)) fail(source, describeAjvErrors(validators.fixture.errors, record));
  if (record.id !== undefined && record.id !== address.restoreJobId) {
    fail(source, [`field "id": ${JSON.stringify(record.id)} differs from the file name; make them equal or drop "id"`]);
  }

  const { 'x-mock': mock, ...fields } = record as Record<string, unknown> & {
    'x-mock'?: { description?: string; error?: string; delay?: string | number; fault?: Fault; lifecycle?: Lifecycle };
  };
  const job = { ...fields, id: address.restoreJobId } as RestoreJobRecord;
  const coherence = checkCoherence(job);
  if (coherence.length > 0) fail(source, coherence);

  const fixture: Fixture = { ...address, job, source };
  if (mock?.description !== undefined) fixture.description = mock.description;
  if (mock?.error !== undefined) {
    const error = findAtlasError(mock.error);
    if (!error) fail(source, [`field "x-mock.error": ${JSON.stringify(mock.error)} names no error; use one of ${atlasErrorChoices().join(', ')}`]);
    fixture.error = error;
  }
  if (mock?.delay !== undefined) {
    const delay = parseDelay(mock.delay);
    if (!delay) fail(source, [`field "x-mock.delay": ${JSON.stringify(mock.delay)} is not a delay; write 300 or 100-500 (ms)`]);
    fixture.delay = delay;
  }
  if (mock?.fault !== undefined) fixture.fault = mock.fault;
  if (mock?.lifecycle !== undefined) {
    const problems = checkLifecycle(mock.lifecycle, job);
    if (problems.length > 0) fail(source, problems);
    fixture.lifecycle = mock.lifecycle;
  }
  return fixture;
}

async function listDirectory(path: string, source: string): Promise<string[]> {
  try {
    return (await readdir(path)).filter((name) => !name.startsWith('.')).sort();
  } catch (error) {
    throw new FixtureError(`Fixture folder ${source} cannot be read: ${(error as NodeJS.ErrnoException).code ?? String(error)}. Fix: check the path and its permissions.`);
  }
}

async function isDirectory(path: string): Promise<boolean> {
  return (await stat(path)).isDirectory();
}

/** Loads and checks every fixture below `folder`. */
export async function loadFixtures(folder: string): Promise<FixtureSet> {
  let root: string;
  try {
    root = await realpath(folder);
    if (!(await isDirectory(root))) throw new Error('not a folder');
  } catch {
    throw new FixtureError(
      `Fixture folder ${folder} (--fixtures / ATLAS_MOCK_FIXTURES) does not exist or is not a folder. ` +
        'Fix: point it at a folder of fixtures, or leave it unset to serve the shipped set.',
    );
  }

  const fixtures = new Map<string, Fixture>();
  const seenIds = new Map<string, string>();
  const show = (path: string) => join(folder, relative(root, path));

  for (const groupId of await listDirectory(root, folder)) {
    const groupPath = join(root, groupId);
    if (!(await isDirectory(groupPath))) {
      if (groupId.endsWith('.json')) throw new FixtureError(`Fixture ${show(groupPath)} is misplaced. ${LAYOUT_HINT}`);
      continue; // README.md and the like
    }
    for (const clusterName of await listDirectory(groupPath, show(groupPath))) {
      const clusterPath = join(groupPath, clusterName);
      if (!(await isDirectory(clusterPath))) {
        if (clusterName.endsWith('.json')) throw new FixtureError(`Fixture ${show(clusterPath)} is misplaced. ${LAYOUT_HINT}`);
        continue;
      }
      for (const fileName of await listDirectory(clusterPath, show(clusterPath))) {
        if (!fileName.endsWith('.json')) continue;
        const filePath = join(clusterPath, fileName);
        const source = show(filePath);
        const restoreJobId = fileName.slice(0, -'.json'.length);
        const fixture = await readFixtureFile(root, filePath, source, { groupId, clusterName, restoreJobId });
        fixtures.set(`${groupId}/${clusterName}/${restoreJobId}`, fixture);
        const earlier = seenIds.get(restoreJobId);
        if (earlier) throw new FixtureError(`Fixture ${source} repeats restore job id ${restoreJobId} of ${earlier}. Fix: restore job ids are unique in Atlas; rename one.`);
        seenIds.set(restoreJobId, source);
      }
    }
  }
  if (fixtures.size === 0) {
    throw new FixtureError(
      `Fixture folder ${folder} holds no fixture (no <groupId>/<clusterName>/<restoreJobId>.json). ` +
        'Fix: add fixtures (see fixtures/README.md), check the path (docker -v creates an empty folder for a wrong one), or leave --fixtures unset.',
    );
  }
  return fixtureSet(folder, fixtures);
}

async function readFixtureFile(
  root: string,
  filePath: string,
  source: string,
  address: { groupId: string; clusterName: string; restoreJobId: string },
): Promise<Fixture> {
  const info = await lstat(filePath);
  if (info.isSymbolicLink()) {
    const target = await realpath(filePath).catch(() => '');
    if (!target || !(target + sep).startsWith(root + sep) || target === root) {
      throw new FixtureError(`Fixture ${source} is a symbolic link that leads outside the fixture folder (or nowhere). Fix: copy the file in instead.`);
    }
  }
  const target = await stat(filePath);
  if (!target.isFile()) throw new FixtureError(`Fixture ${source} is not a regular file. Fix: a fixture is one JSON file; rename or remove this entry.`);
  const size = target.size;
  if (size > MAX_FIXTURE_BYTES) {
    throw new FixtureError(`Fixture ${source} is ${size} bytes; a restore job fixture is at most ${MAX_FIXTURE_BYTES} bytes. Fix: it is not a restore job; remove it.`);
  }
  let text: string;
  try {
    text = await readFile(filePath, 'utf8');
  } catch (error) {
    throw new FixtureError(`Fixture ${source} cannot be read: ${(error as NodeJS.ErrnoException).code ?? String(error)}. Fix: check its permissions.`);
  }
  return parseFixture(source, address, text);
}

const addressOf = (g: string, c: string, j: string) => `${g}/${c}/${j}`;

export function fixtureSet(folder: string, loaded: ReadonlyMap<string, Fixture>): FixtureSet {
  let fixtures = new Map(loaded);
  // The same fixtures by job id, which is unique among them (put() and loading refuse a repeat): every
  // request looks its ids up here, and hashing the 24-character id the router sliced out of the URL is
  // cheaper than building and hashing the whole address.
  let byJobId = new Map<string, Fixture>();
  // Counts, so removing one fixture keeps its group and cluster while others remain there.
  let groups = new Map<string, number>();
  let clusters = new Map<string, number>();
  const count = (map: Map<string, number>, key: string, delta: number) => {
    const next = (map.get(key) ?? 0) + delta;
    if (next > 0) map.set(key, next);
    else map.delete(key);
  };
  const index = (f: Fixture, delta: number) => {
    count(groups, f.groupId, delta);
    count(clusters, `${f.groupId}/${f.clusterName}`, delta);
    if (delta > 0) byJobId.set(f.restoreJobId, f);
    else byJobId.delete(f.restoreJobId);
  };
  const rebuild = () => {
    fixtures = new Map(loaded);
    groups = new Map();
    clusters = new Map();
    byJobId = new Map();
    for (const f of fixtures.values()) index(f, 1);
  };
  rebuild();
  const remove = (g: string, c: string, j: string) => {
    const existing = fixtures.get(addressOf(g, c, j));
    if (!existing) return false;
    fixtures.delete(addressOf(g, c, j));
    index(existing, -1);
    return true;
  };
  return {
    folder,
    get count() {
      return fixtures.size;
    },
    get(g, c, j) {
      const fixture = byJobId.get(j);
      return fixture !== undefined && fixture.groupId === g && fixture.clusterName === c ? fixture : undefined;
    },
    hasGroup: (g) => groups.has(g),
    hasCluster: (g, c) => clusters.has(`${g}/${c}`),
    list: () => [...fixtures.keys()].sort().map((k) => fixtures.get(k) as Fixture),
    put(fixture) {
      const address = addressOf(fixture.groupId, fixture.clusterName, fixture.restoreJobId);
      for (const [other, f] of fixtures) if (other !== address && f.restoreJobId === fixture.restoreJobId) return false;
      remove(fixture.groupId, fixture.clusterName, fixture.restoreJobId);
      fixtures.set(address, fixture);
      index(fixture, 1);
      return true;
    },
    remove,
    reset: rebuild,
  };
}
