/**
 * dist/server/cli.js (what `npm start`, the bin and the Docker image run) and dist/server/index.js (what
 * `import { startMock } from 'atlas-restore-mock'` loads) are each one file bundled by esbuild at build
 * time (package.json "build"): resolving and loading a few hundred module files was most of the start-up
 * (docs/performance.md). The tests that start the CLI or call startMock run these bundles; these check
 * they stay one file each.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

for (const entry of ['cli.js', 'index.js']) {
  const bundle = readFileSync(fileURLToPath(new URL(`../server/${entry}`, import.meta.url)), 'utf8');

  test(`${entry} imports nothing at start but Node built-ins`, () => {
    const imported = new Set([...bundle.matchAll(/(?:^|[;}\n])\s*import\s*(?:[\w*{}\s,$]+from\s*)?["']([^"']+)["']/g)].map((m) => m[1]));
    assert.ok(imported.size > 0, 'the pattern finds the bundle\'s imports');
    assert.deepEqual([...imported].filter((specifier) => !specifier?.startsWith('node:')), []);
  });

  test(`${entry} loads on demand only what most runs never need`, () => {
    // pino-pretty for --log-format pretty; faker, through createRequire, with the first generated job.
    const dynamic = [...bundle.matchAll(/\bimport\(["']([^"']+)["']\)/g)].map((m) => m[1]);
    assert.deepEqual(dynamic, ['pino-pretty']);
    assert.match(bundle, /createRequire\(import\.meta\.url\)\("@faker-js\/faker\/locale\/en"\)/);
  });
}

test('cli.js keeps the shebang the bin needs', () => {
  const bundle = readFileSync(fileURLToPath(new URL('../server/cli.js', import.meta.url)), 'utf8');
  assert.ok(bundle.startsWith('#!/usr/bin/env node\n'));
});
