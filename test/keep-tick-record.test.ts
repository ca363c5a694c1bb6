/**
 * server/keep-tick-record.ts: the CLI pins the hidden class of Node's nextTick records, so full GCs do
 * not rebuild it and V8 keeps the fast path for them (docs/performance.md, "nextTick").
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { retainedTickRecord } from '../server/keep-tick-record.js';

const moduleUrl = new URL('../server/keep-tick-record.js', import.meta.url).href;

test('the retained object is a nextTick record', async () => {
  await new Promise((resolve) => setImmediate(resolve));
  const record = retainedTickRecord();
  assert.ok(record, 'a record is retained after the first tick');
  const symbols = Object.getOwnPropertySymbols(record).map((s) => s.description);
  assert.deepEqual(symbols, ['async_id_symbol', 'trigger_async_id_symbol']);
  assert.deepEqual(Object.keys(record), ['callback', 'args']);
});

test('records made after full GCs share the retained record\'s hidden class', () => {
  // V8's own check, in a child process with natives syntax and gc() exposed.
  const script = `
    const { executionAsyncResource } = await import('node:async_hooks');
    const { retainedTickRecord } = await import(${JSON.stringify(moduleUrl)});
    await new Promise((r) => setImmediate(r));
    for (let i = 0; i < 5; i++) { gc(); await new Promise((r) => setImmediate(r)); }
    const later = await new Promise((r) => process.nextTick(() => r(executionAsyncResource())));
    console.log(JSON.stringify({ same: %HaveSameMap(retainedTickRecord(), later) }));
  `;
  const out = execFileSync(process.execPath, ['--allow-natives-syntax', '--expose-gc', '--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.deepEqual(JSON.parse(out), { same: true });
});

test('the CLI imports it before any other module', () => {
  const cli = readFileSync(fileURLToPath(new URL('../server/cli.js', import.meta.url)), 'utf8');
  const firstImport = cli.split('\n').find((line) => line.startsWith('import '));
  assert.equal(firstImport, "import './keep-tick-record.js';");
});
