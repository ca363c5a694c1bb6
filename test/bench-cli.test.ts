/**
 * The command lines of bench/run.mjs and bench/soak.mjs (their shared parsing is bench/lib.mjs): help,
 * and a bad option refused with exit code 2 and a message that names it. No load is generated here;
 * the benchmarks themselves are run by hand (docs/performance.md).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const run = (script: string, args: string[]) =>
  spawnSync(process.execPath, [`bench/${script}`, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, BENCH_DURATION: '', SOAK_DURATION: '' }, timeout: 20_000 });

for (const [script, tool, usage] of [['run.mjs', 'bench', 'Usage: npm run bench'], ['soak.mjs', 'soak', 'Usage: node bench/soak.mjs']] as const) {
  test(`${script} --help prints its usage and exits 0`, () => {
    const result = run(script, ['--help']);
    assert.equal(result.status, 0, result.stderr);
    assert.ok(result.stdout.startsWith(usage), result.stdout.slice(0, 200));
  });

  test(`${script} refuses a bad number and an unknown flag with exit code 2`, () => {
    const bad = run(script, ['--duration', 'soon']);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, new RegExp(`^${tool}: --duration must be a number from 1 to \\d+, got "soon"\\.`));
    const unknown = run(script, ['--nope']);
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, new RegExp(`^${tool}: Unknown option '--nope'.* Run with --help\\.`));
  });
}
