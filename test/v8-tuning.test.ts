/**
 * server/v8-tuning.ts, which the CLI imports first: the young generation stays small, scavenges stay on
 * the main thread, and the hidden class of Node's nextTick records is pinned so full GCs do not rebuild
 * it (docs/performance.md).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const moduleUrl = new URL('../server/v8-tuning.js', import.meta.url).href;

/** Runs an ES module script in a fresh node with the given flags; returns what it printed as JSON. */
function inChild(script: string, flags: string[] = []): unknown {
  return JSON.parse(execFileSync(process.execPath, [...flags, '--input-type=module', '-e', script], { encoding: 'utf8' }));
}

// Allocates ~200 MiB of short-lived objects, which grows the young generation to 2 x 16 MiB by default.
const CHURN_AND_MEASURE = `
  const { getHeapSpaceStatistics } = await import('node:v8');
  let keep = [];
  for (let i = 0; i < 3e6; i++) { keep.push({ i, s: 'x' + i }); if (keep.length > 50000) keep = []; }
  const newSpace = getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
  console.log(JSON.stringify({ mib: newSpace.space_size / 2 ** 20 }));
`;

test('the young generation stays at its initial size under an allocation load', () => {
  const untuned = inChild(CHURN_AND_MEASURE) as { mib: number };
  const tuned = inChild(`await import(${JSON.stringify(moduleUrl)});\n${CHURN_AND_MEASURE}`) as { mib: number };
  assert.ok(untuned.mib >= 16, `without the module it grows (${untuned.mib} MiB), so this test can tell`);
  assert.ok(tuned.mib <= 4, `with the module it stays small (${tuned.mib} MiB)`);
});

test('scavenges run on the main thread only', () => {
  // --trace-gc-nvp reports, per scavenge, the time helper threads spent in its parallel phase.
  const helperMs = (script: string): number =>
    [...execFileSync(process.execPath, ['--trace-gc-nvp', '--input-type=module', '-e', script], { encoding: 'utf8' }).matchAll(/background\.scavenge\.parallel=([\d.]+)/g)]
      .map((m) => Number(m[1]))
      .reduce((a, b) => a + b, 0);
  const churn = CHURN_AND_MEASURE.replace(/console\.log.*$/m, '');
  assert.ok(helperMs(churn) > 0, 'without the module helper threads take part, so this test can tell');
  assert.equal(helperMs(`await import(${JSON.stringify(moduleUrl)});\n${churn}`), 0);
});

test('the retained object is a nextTick record', async () => {
  const { retainedTickRecord } = await import('../server/v8-tuning.js');
  await new Promise((resolve) => setImmediate(resolve));
  const record = retainedTickRecord();
  assert.ok(record, 'a record is retained after the first tick');
  const symbols = Object.getOwnPropertySymbols(record).map((s) => s.description);
  assert.deepEqual(symbols, ['async_id_symbol', 'trigger_async_id_symbol']);
  assert.deepEqual(Object.keys(record), ['callback', 'args']);
});

test("records made after full GCs share the retained record's hidden class", () => {
  // V8's own check, with natives syntax and gc() exposed.
  const script = `
    const { executionAsyncResource } = await import('node:async_hooks');
    const { retainedTickRecord } = await import(${JSON.stringify(moduleUrl)});
    await new Promise((r) => setImmediate(r));
    for (let i = 0; i < 5; i++) { gc(); await new Promise((r) => setImmediate(r)); }
    const later = await new Promise((r) => process.nextTick(() => r(executionAsyncResource())));
    console.log(JSON.stringify({ same: %HaveSameMap(retainedTickRecord(), later) }));
  `;
  assert.deepEqual(inChild(script, ['--allow-natives-syntax', '--expose-gc']), { same: true });
});

test('the CLI runs it before any other module: first import of its source, first code of its bundle', () => {
  const source = readFileSync(fileURLToPath(new URL('../../server/cli.ts', import.meta.url)), 'utf8');
  assert.equal(source.split('\n').find((line) => line.startsWith('import ')), "import './v8-tuning.js';");
  // In the bundle (npm run build) CommonJS dependencies run where they are first imported, as __toESM(require_x()).
  const bundle = readFileSync(fileURLToPath(new URL('../server/cli.js', import.meta.url)), 'utf8');
  const tuning = bundle.indexOf('setFlagsFromString("--semi-space-growth-factor=1")');
  const firstDependency = bundle.search(/__toESM\(require_\w+\(\)/);
  assert.ok(tuning > 0 && firstDependency > 0 && tuning < firstDependency, `tuning at ${tuning}, first dependency at ${firstDependency}`);
});
