#!/usr/bin/env node
/**
 * Runs the built test suite (dist/test/**\/*.test.js) with the Node that runs this script.
 *
 * Node 20's test runner takes neither a folder nor a glob, and Node 22 and later no longer take a folder,
 * so the files are listed here and handed over by name: the one form every supported Node accepts.
 * Arguments are passed on to `node --test` (for example `--test-name-pattern=digest`).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TESTS = join(ROOT, 'dist', 'test');

if (!existsSync(TESTS)) {
  console.error(`run-tests: ${relative(process.cwd(), TESTS) || TESTS} does not exist. Fix: npm run build first (npm test does).`);
  process.exit(2);
}

const files = readdirSync(TESTS, { recursive: true, encoding: 'utf8' })
  .filter((name) => name.endsWith('.test.js'))
  .sort()
  .map((name) => join('dist', 'test', name));

// A backstop: a test that hangs fails after five minutes instead of holding the whole run.
const args = process.argv.slice(2);
const timeout = args.some((a) => a.startsWith('--test-timeout')) ? [] : ['--test-timeout=300000'];
const result = spawnSync(process.execPath, ['--test', '--test-concurrency=2', ...timeout, ...args, ...files], { cwd: ROOT, stdio: 'inherit' });
if (result.error) throw result.error;
process.exit(result.status ?? 1);
