/**
 * The runnable examples stay runnable: the Node test example against its own mock, and the curl demo
 * against a mock started here.
 */
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { test } from 'node:test';
import { startMock } from '../server/index.js';
import { PACKAGE_ROOT } from '../server/package-root.js';

test('examples/node/restore-job.test.mjs passes', () => {
  const run = spawnSync(process.execPath, ['--test', join(PACKAGE_ROOT, 'examples', 'node', 'restore-job.test.mjs')], { encoding: 'utf8', cwd: PACKAGE_ROOT, env: { ...process.env, NODE_TEST_CONTEXT: undefined } });
  assert.equal(run.status, 0, run.stdout + run.stderr);
  assert.match(run.stdout, /# pass 3\n# fail 0/);
});

test('examples/curl-demo.sh passes against the default mock', async (t) => {
  const mock = await startMock();
  t.after(() => mock.close());
  // Asynchronously: the mock answers from this same process.
  const run = await promisify(execFile)('bash', [join(PACKAGE_ROOT, 'examples', 'curl-demo.sh')], { encoding: 'utf8', env: { ...process.env, BASE_URL: mock.url } });
  assert.match(run.stdout, /== /, 'the demo printed its steps');
  assert.ok(mock.requests({ path: '/api/atlas/v2/*' }).length >= 5, 'the demo really called the mock');
});
