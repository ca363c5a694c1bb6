#!/usr/bin/env node
/**
 * Runs the built test suite on other Node lines than the installed one:
 *
 *   npm run test:node -- 24            (builds first, then the suite on Node 24)
 *   npm run test:node -- 22 24 26      (one line after the other; stops at the first that fails)
 *   node scripts/test-node.mjs --refresh 26   (after npm run build; fetches the newest 26 again)
 *
 * Each line's binary comes from the npm registry once and is cached (scripts/node-binary.mjs).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { nodeBinary } from './node-binary.mjs';

const args = process.argv.slice(2);
const refresh = args.includes('--refresh');
const majors = args.filter((a) => a !== '--refresh');
if (majors.length === 0 || majors.some((m) => !/^\d+$/.test(m))) {
  console.error('Usage: npm run test:node -- <major> [<major> ...] [--refresh]   for example: npm run test:node -- 24 26');
  process.exit(2);
}

const runner = fileURLToPath(new URL('run-tests.mjs', import.meta.url));
for (const major of majors) {
  let node;
  try {
    node = nodeBinary(major, { refresh });
  } catch (error) {
    console.error(`test-node: cannot get Node ${major}: ${error.message}`);
    process.exit(2);
  }
  const version = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();
  console.error(`test-node: the suite on Node ${version} (${node})`);
  const started = Date.now();
  const result = spawnSync(node, [runner], { stdio: 'inherit' });
  console.error(`test-node: Node ${version} ${result.status === 0 ? 'passed' : 'FAILED'} in ${Math.round((Date.now() - started) / 1000)} s`);
  if (result.status !== 0) process.exit(result.status ?? 1);
}
