/**
 * The runnable examples stay runnable: the Node test example against its own mock, and the curl demo
 * against a mock started here.
 */
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { test } from 'node:test';
import { startMock } from '../server/index.js';
import { PACKAGE_ROOT } from '../server/package-root.js';

// The example is run through node:test's run() API in a child, and its events are counted: what a
// reporter prints differs between Node lines, the events do not. The child is a file, not -e: run()
// hands its own process's flags to the processes it starts.
const RUN_EXAMPLE = `
  import { run } from 'node:test';
  const file = process.argv[2];
  const passed = [];
  const failed = [];
  const stream = run({ files: [file] });
  stream.on('test:pass', (e) => { if (e.name !== file) passed.push(e.name); });
  stream.on('test:fail', (e) => { if (e.name !== file) failed.push(e.name); });
  for await (const _ of stream);
  console.log(JSON.stringify({ passed, failed }));
`;

test('examples/node/restore-job.test.mjs passes', (t) => {
  const file = join(PACKAGE_ROOT, 'examples', 'node', 'restore-job.test.mjs');
  const folder = mkdtempSync(join(tmpdir(), 'atlas-mock-example-'));
  t.after(() => rmSync(folder, { recursive: true, force: true }));
  const runner = join(folder, 'run-example.mjs');
  writeFileSync(runner, RUN_EXAMPLE);
  const run = spawnSync(process.execPath, [runner, file], {
    encoding: 'utf8', cwd: PACKAGE_ROOT, env: { ...process.env, NODE_TEST_CONTEXT: undefined },
  });
  assert.equal(run.status, 0, run.stdout + run.stderr);
  const { passed, failed } = JSON.parse(run.stdout.trim().split('\n').at(-1) as string) as { passed: string[]; failed: string[] };
  assert.deepEqual(failed, []);
  assert.deepEqual(passed.sort(), ['reads a ready download job', 'retries once on a 503', 'surfaces Atlas error codes']);
});

test('examples/curl-demo.sh passes against the default mock', async (t) => {
  const mock = await startMock();
  t.after(() => mock.close());
  // Asynchronously: the mock answers from this same process.
  const run = await promisify(execFile)('bash', [join(PACKAGE_ROOT, 'examples', 'curl-demo.sh')], { encoding: 'utf8', env: { ...process.env, BASE_URL: mock.url } });
  assert.match(run.stdout, /== /, 'the demo printed its steps');
  assert.ok(mock.requests({ path: '/api/atlas/v2/*' }).length >= 5, 'the demo really called the mock');
});
