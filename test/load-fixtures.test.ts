import assert from 'node:assert/strict';
import { mkdtemp, mkdir, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { FixtureError, loadFixtures } from '../server/jobs/load-fixtures.js';
import { DEFAULT_FIXTURES_DIR } from '../server/package-root.js';
import { VERSIONED, assertMatchesSpec, build, jobUrl } from './helper.js';

const GROUP = '32b6e34b3d91647abb20e7b8';
const JOB = '6a880ef37c2e91d04b380240';

async function shippedFixtures(): Promise<Array<{ groupId: string; clusterName: string; restoreJobId: string; file: string }>> {
  const out = [];
  for (const groupId of await readdir(DEFAULT_FIXTURES_DIR)) {
    if (!/^[a-f0-9]{24}$/.test(groupId)) continue;
    for (const clusterName of await readdir(join(DEFAULT_FIXTURES_DIR, groupId))) {
      for (const file of await readdir(join(DEFAULT_FIXTURES_DIR, groupId, clusterName))) {
        out.push({ groupId, clusterName, restoreJobId: file.replace(/\.json$/, ''), file: join(DEFAULT_FIXTURES_DIR, groupId, clusterName, file) });
      }
    }
  }
  return out;
}

describe('the shipped fixtures', () => {
  test('cover every case the issue names', async () => {
    const jobs = await Promise.all((await shippedFixtures()).map(async (f) => JSON.parse(await readFile(f.file, 'utf8'))));
    const has = (predicate: (job: Record<string, any>) => boolean, what: string) => assert.ok(jobs.some(predicate), `no fixture is ${what}`);
    has((j) => j.deliveryType === 'automated' && j.finishedAt && !j.failed, 'a finished automated job');
    has((j) => j.deliveryType === 'download' && j.deliveryUrl.length > 0, 'a ready download');
    has((j) => j.deliveryType === 'pointInTime' && j.oplogTs && j.oplogInc, 'a pointInTime by oplog');
    has((j) => j.deliveryType === 'pointInTime' && j.pointInTimeUTCSeconds, 'a pointInTime by UTC seconds');
    has((j) => j.deliveryType === 'download' && j.deliveryUrl.length === 0 && !j.expiresAt && !j.finishedAt, 'a download still preparing');
    has((j) => j.cancelled && j.failed && j.finishedAt, 'a cancelled download');
    has((j) => j.failed && !j.cancelled, 'a failed job');
    has((j) => j.expired && j.expiresAt, 'an expired download');
    has((j) => (j.components ?? []).length >= 3, 'a sharded download with several components');
    has((j) => (j.privateDownloadDeliveryUrls ?? []).length > 0, 'a private-endpoint download');
  });

  test('each one is served, valid against the official schema, with id and links for its address', async (t) => {
    const app = await build(t, { generate: false });
    for (const f of await shippedFixtures()) {
      const res = await app.inject({ url: jobUrl(f.groupId, f.clusterName, f.restoreJobId), headers: { accept: VERSIONED } });
      assert.equal(res.statusCode, 200, f.file);
      const job = assertMatchesSpec(res);
      assert.equal(job.id, f.restoreJobId);
      assert.ok(job.links[0].href.endsWith(`/groups/${f.groupId}/clusters/${f.clusterName}/backup/restoreJobs/${f.restoreJobId}`));
      const { 'x-mock': _mock, ...file } = JSON.parse(await readFile(f.file, 'utf8'));
      const { links: _links, ...served } = job;
      assert.deepEqual(served, file, 'served as written, plus links');
    }
  });
});

const VALID_JOB = {
  cancelled: false,
  deliveryType: 'download',
  deliveryUrl: [],
  expired: false,
  failed: false,
  snapshotId: '6a7dc8a07c2e91d04b368a11',
  timestamp: '2026-08-14T10:00:00Z',
};

/** Every folder this file made, removed when its tests are done. */
const made: string[] = [];
after(() => Promise.all(made.map((dir) => rm(dir, { recursive: true, force: true }))));

async function folderWith(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'arm-fixtures-'));
  made.push(dir);
  for (const [path, content] of Object.entries(files)) {
    await mkdir(join(dir, path, '..'), { recursive: true });
    await writeFile(join(dir, path), content);
  }
  return dir;
}

async function refusal(files: Record<string, string>): Promise<string> {
  const dir = await folderWith(files);
  const error = await loadFixtures(dir).then(
    () => assert.fail('expected the folder to be refused'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof FixtureError, String(error));
  return error.message;
}

const path = (job = JOB, cluster = 'Cluster0', group = GROUP) => `${group}/${cluster}/${job}.json`;

describe('bad fixtures stop start-up naming the file, the field and the fix', () => {
  const cases: Array<[string, Record<string, string>, RegExp[]]> = [
    ['invalid JSON', { [path()]: '{"deliveryType": ' }, [/not valid JSON/]],
    ['not an object', { [path()]: '[]' }, [/one JSON object/]],
    ['a wrong type', { [path()]: JSON.stringify({ ...VALID_JOB, cancelled: 'no' }) }, [/field "cancelled": must be boolean \(got "no"\)/]],
    ['an unknown field', { [path()]: JSON.stringify({ ...VALID_JOB, finishedAT: '2026-08-14T10:00:00Z' }) }, [/field "finishedAT": unknown field/]],
    ['a bad enum', { [path()]: JSON.stringify({ ...VALID_JOB, deliveryType: 'copy' }) }, [/field "deliveryType": must be equal to one of the allowed values/]],
    ['links', { [path()]: JSON.stringify({ ...VALID_JOB, links: [] }) }, [/field "links": the mock builds links/]],
    ['an id that differs from the file name', { [path()]: JSON.stringify({ ...VALID_JOB, id: 'aaaaaaaaaaaaaaaaaaaaaaaa' }) }, [/field "id"/]],
    ['an incoherent job', { [path()]: JSON.stringify({ ...VALID_JOB, finishedAt: '2026-08-14T11:00:00Z' }) }, [/field "finishedAt": Atlas never sets finishedAt on a download/]],
    ['a millisecond date', { [path()]: JSON.stringify({ ...VALID_JOB, timestamp: '2026-08-14T10:00:00.123Z' }) }, [/second precision/]],
    ['a bad folder name', { [path(JOB, 'Cluster0', 'not-a-group')]: JSON.stringify(VALID_JOB) }, [/folder "not-a-group"/]],
    ['a bad file name', { [path('job-1')]: JSON.stringify(VALID_JOB) }, [/file name "job-1.json"/]],
    ['an unknown x-mock error', { [path()]: JSON.stringify({ ...VALID_JOB, 'x-mock': { error: 'TEAPOT' } }) }, [/field "x-mock.error": "TEAPOT" names no error/]],
    ['a __proto__ key', { [path()]: `{"__proto__": {"polluted": true}, ${JSON.stringify(VALID_JOB).slice(1)}` }, [/field "__proto__": unknown field/]],
    ['a misplaced file', { [`${GROUP}/${JOB}.json`]: JSON.stringify(VALID_JOB) }, [/is misplaced/]],
    ['a duplicate job id', { [path()]: JSON.stringify(VALID_JOB), [path(JOB, 'Other')]: JSON.stringify(VALID_JOB) }, [/repeats restore job id/]],
    ['an empty folder', { 'README.md': 'nothing here' }, [/holds no fixture/, /leave --fixtures unset/]],
  ];
  for (const [what, files, patterns] of cases) {
    test(what, async () => {
      const message = await refusal(files);
      for (const pattern of patterns) assert.match(message, pattern);
      if (Object.keys(files).some((f) => f.endsWith('.json')) && !/holds no fixture|misplaced/.test(message)) {
        assert.match(message, /^Fixture .*\.json (is invalid|repeats)/, 'names the file');
      }
      assert.equal(({} as Record<string, unknown>).polluted, undefined, 'no prototype pollution');
    });
  }

  test('a missing folder names the option and the fix', async () => {
    const error = await loadFixtures('/nonexistent/fixtures').catch((e: Error) => e);
    assert.ok(error instanceof FixtureError);
    assert.match(error.message, /--fixtures \/ ATLAS_MOCK_FIXTURES/);
  });

  test('a symbolic link out of the folder is refused', async () => {
    const outside = await folderWith({ 'job.json': JSON.stringify(VALID_JOB) });
    const dir = await folderWith({});
    await mkdir(join(dir, GROUP, 'Cluster0'), { recursive: true });
    await symlink(join(outside, 'job.json'), join(dir, path()));
    const error = await loadFixtures(dir).catch((e: Error) => e);
    assert.ok(error instanceof FixtureError);
    assert.match(error.message, /symbolic link that leads outside/);
  });

  test('a huge file is refused before it is read', async () => {
    const message = await refusal({ [path()]: `{"pad": "${'x'.repeat(1024 * 1024 + 10)}"}` });
    assert.match(message, /is \d+ bytes; a restore job fixture is at most 1048576 bytes/);
  });

  test('a fixture that is a folder, not a file, is refused', async () => {
    const dir = await folderWith({ [`${GROUP}/Cluster0/${JOB}.json/inner.txt`]: 'x' });
    const error = await loadFixtures(dir).catch((e: Error) => e);
    assert.ok(error instanceof FixtureError, String(error));
    assert.match(error.message, new RegExp(`${JOB}\\.json is not a regular file`));
  });

  test('a user folder replaces the shipped set and other files are ignored', async (t) => {
    const dir = await folderWith({ [path()]: JSON.stringify(VALID_JOB), 'README.md': '# mine', [`${GROUP}/notes.txt`]: 'x' });
    const set = await loadFixtures(dir);
    assert.equal(set.count, 1);
    const app = await build(t, { fixtures: dir, generate: false });
    const res = await app.inject({ url: jobUrl(GROUP, 'Cluster0', JOB), headers: { accept: VERSIONED } });
    assert.equal(res.statusCode, 200);
    assert.equal(assertMatchesSpec(res).id, JOB);
  });
});
