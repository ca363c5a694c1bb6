/**
 * The same seed gives the same bytes whenever the mock runs: two mock processes whose wall clocks are
 * years apart (test/shifted-clock.ts) answer every kind of id byte for byte alike, and those bytes are
 * the ones pinned here. The ids are chosen so that every branch of generation is taken (each
 * deliveryType and state, each download layout, each point-in-time style and target-name style, for
 * ids with a plausible and with an implausible ObjectId time), next to every shipped fixture and the
 * well-known error ids, plain, pretty and enveloped.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { test } from 'node:test';
import { generateRestoreJob, type JobIds } from '../server/jobs/generate-restore-job.js';
import { DEFAULT_FIXTURES_DIR, PACKAGE_ROOT } from '../server/package-root.js';
import type { RestoreJobRecord } from '../server/jobs/restore-job-record.js';
import { VERSIONED, assertMatchesSpec, jobUrl, startProcess } from './helper.js';

const CLI = join(PACKAGE_ROOT, 'dist', 'server', 'cli.js');
const SHIFTED_CLOCK = join(PACKAGE_ROOT, 'dist', 'test', 'shifted-clock.js');
const SEED = 3;
const HOST = 'mock.test:9000';
const YEAR_MS = 365.25 * 24 * 3600 * 1000;
const GROUP = '0123456789abcdef01234567';

/**
 * The bytes of every reply below, as one sha256. Change it only for a deliberate change of the
 * generated data, fixtures or error texts (users pin --seed for data that stays put across upgrades),
 * and say so in the change's notes.
 */
const PINNED = 'c934c5ca970985c7d36be34af50aae26fbd4b845f5d7173b9f539509425cad74';

/** The branches generation can take, named by what they put in the job. */
function branchesOf(job: RestoreJobRecord, ids: JobIds, plausible: boolean): string[] {
  const time = plausible ? 'plausible time' : 'implausible time';
  const names = [`${time}: ${job.deliveryType}`];
  if (job.deliveryType === 'download') {
    const state = job.cancelled ? 'cancelled' : job.failed ? 'failed' : job.expired ? 'expired' : job.expiresAt ? 'ready' : 'preparing';
    names.push(`download ${state}`);
    if (state === 'ready') names.push(job.components ? 'ready sharded' : job.privateDownloadDeliveryUrls ? 'ready private endpoint' : 'ready plain');
  } else {
    names.push(`${job.deliveryType} ${job.failed ? 'failed' : job.finishedAt ? 'finished' : 'running'}`);
    names.push(job.targetGroupId === ids.groupId ? 'target: same project' : 'target: other project');
    const target = job.targetClusterName as string;
    names.push(target.endsWith('-restore') ? 'target name: -restore' : /^Cluster\d$/.test(target) ? 'target name: ClusterN' : 'target name: words');
    if (job.deliveryType === 'pointInTime') names.push(job.oplogTs !== undefined ? 'point in time: oplog' : 'point in time: UTC seconds');
  }
  return names;
}

const EVERY_BRANCH = [
  ...['plausible time', 'implausible time'].flatMap((t) => ['automated', 'download', 'pointInTime'].map((d) => `${t}: ${d}`)),
  ...['ready', 'expired', 'preparing', 'cancelled', 'failed'].map((s) => `download ${s}`),
  'ready sharded', 'ready private endpoint', 'ready plain',
  ...['automated', 'pointInTime'].flatMap((d) => ['finished', 'running', 'failed'].map((s) => `${d} ${s}`)),
  'target: same project', 'target: other project', 'target name: -restore', 'target name: ClusterN', 'target name: words',
  'point in time: oplog', 'point in time: UTC seconds',
];

/** Job ids, first found in a fixed order, that together take every branch. */
function idsForEveryBranch(): string[] {
  const missing = new Set(EVERY_BRANCH);
  const chosen: string[] = [];
  for (let i = 0; i < 20_000 && missing.size > 0; i++) {
    const plausible = i % 2 === 0;
    // 2020-2026 for plausible times; before 1980 and after 2106's wrap-around for implausible ones.
    const seconds = plausible ? 0x5e000000 + i * 9_973 : i % 4 === 1 ? 0x00001000 + i * 7 : 0xfff00000 + i * 13;
    const restoreJobId = (seconds >>> 0).toString(16).padStart(8, '0') + (Math.imul(i + 1, 2_654_435_761) >>> 0).toString(16).padStart(8, '0') + 'c0ffee00';
    const ids = { groupId: GROUP, clusterName: 'prod', restoreJobId };
    const fresh = branchesOf(generateRestoreJob(SEED, ids), ids, plausible).filter((b) => missing.has(b));
    if (fresh.length === 0) continue;
    chosen.push(restoreJobId);
    for (const b of fresh) missing.delete(b);
  }
  assert.deepEqual([...missing], [], 'ids were found for every branch of generation');
  return chosen;
}

/** Every shipped fixture's path. */
function fixturePaths(): string[] {
  return readdirSync(DEFAULT_FIXTURES_DIR, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => {
      const [groupId, clusterName, name] = file.split(/[/\\]/) as [string, string, string];
      return jobUrl(groupId, clusterName, name.replace(/\.json$/, ''));
    });
}

/** A GET with a fixed Host (links carry it), bounded in time. */
function get(url: string, path: string): Promise<{ statusCode: number; headers: Record<string, unknown>; body: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, path, headers: { host: HOST, accept: VERSIONED } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ statusCode: res.statusCode ?? 0, headers: res.headers, body }));
      res.on('error', reject);
    });
    req.setTimeout(10_000, () => req.destroy(new Error(`no reply to ${path} within 10 s`)));
    req.on('error', reject);
    req.end();
  });
}

test('two processes with the same seed, started years apart by their clocks, give the pinned bytes for every kind of id', { timeout: 60_000 }, async (t) => {
  const generated = idsForEveryBranch().map((id) => jobUrl(GROUP, 'prod', id));
  const paths = [
    ...generated,
    ...generated.slice(0, 3).flatMap((p) => [`${p}?pretty=true`, `${p}?envelope=true`]),
    ...fixturePaths(),
    ...['401', '404', '429', '500', '503'].map((status) => jobUrl(GROUP, 'prod', `000000000000000000000${status}`)),
    jobUrl(GROUP, 'prod', '000000000000000000000404', '?envelope=true&pretty=true'),
    jobUrl(GROUP, 'prod', '0123456789abcdef0123456', ''),
  ];
  const shifts = [-6 * YEAR_MS, 9 * YEAR_MS];
  const mocks = await Promise.all(
    shifts.map((shift) =>
      startProcess(process.execPath, ['--import', SHIFTED_CLOCK, CLI, '--port', '0', '--auth', 'off', '--seed', String(SEED)], { ...process.env, SHIFTED_CLOCK_MS: String(shift) }, t),
    ),
  );
  // The clocks really are apart: each start-up line is stamped with its own process's time.
  const started = mocks.map((m) => JSON.parse(m.lines.find((l) => l.includes('listening on')) as string).time as number);
  assert.ok((started[1] as number) - (started[0] as number) > 14 * YEAR_MS, `start-up times ${started.map((s) => new Date(s).toISOString()).join(', ')}`);

  const digest = createHash('sha256');
  for (const path of paths) {
    const [a, b] = await Promise.all(mocks.map((m) => get(m.url, path)));
    assert.ok(a && b);
    assert.equal(b.body, a.body, `${path}: the same bytes from both clocks`);
    assert.equal(b.statusCode, a.statusCode, path);
    assertMatchesSpec(a); // a job, or an error held to the whole error contract
    digest.update(`${path}\n${a.statusCode}\n${a.body}\n`);
  }
  assert.equal(digest.digest('hex'), PINNED, 'the bytes pinned for this seed');
});
