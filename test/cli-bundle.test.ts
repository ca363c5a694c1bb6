/**
 * dist/server/cli.js, what `npm start`, the bin and the Docker image run, is one file bundled by esbuild
 * at build time (package.json "build"): resolving and loading ~340 module files cost ~100 ms of every
 * start (issue 6, docs/performance.md). The tests that start the CLI (socket-e2e, control-api, options,
 * package) run this bundle; these check it stays one.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const bundle = readFileSync(fileURLToPath(new URL('../server/cli.js', import.meta.url)), 'utf8');

test('imports nothing at start but Node built-ins', () => {
  const imported = new Set([...bundle.matchAll(/(?:^|[;}\n])\s*import\s*(?:[\w*{}\s,$]+from\s*)?["']([^"']+)["']/g)].map((m) => m[1]));
  assert.ok(imported.size > 0, 'the pattern finds the bundle\'s imports');
  assert.deepEqual([...imported].filter((specifier) => !specifier?.startsWith('node:')), []);
});

test('loads on demand only what most runs never need', () => {
  // pino-pretty for --log-format pretty; faker, through createRequire, with the first generated job.
  const dynamic = [...bundle.matchAll(/\bimport\(["']([^"']+)["']\)/g)].map((m) => m[1]);
  assert.deepEqual(dynamic, ['pino-pretty']);
  assert.match(bundle, /createRequire\(import\.meta\.url\)\("@faker-js\/faker\/locale\/en"\)/);
});

test('keeps the shebang the bin needs', () => {
  assert.ok(bundle.startsWith('#!/usr/bin/env node\n'));
});
