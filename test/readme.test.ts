/**
 * Keeps the README true: every option and every catalogue error is documented, and the catalogue
 * table lists nothing the code does not have.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { ATLAS_ERRORS } from '../server/atlas-errors.js';
import { OPTIONS } from '../server/options.js';
import { PACKAGE_ROOT } from '../server/package-root.js';

const readme = await readFile(join(PACKAGE_ROOT, 'README.md'), 'utf8');

test('the README opens with the two commands a newcomer needs', () => {
  const firstBlock = /```\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
  assert.match(firstBlock, /^npm ci && npm start\b/m);
  assert.match(firstBlock, /^npm test\b/m);
});

test('the README documents every option with its flag and env var', () => {
  for (const def of OPTIONS) {
    assert.ok(readme.includes(`\`${def.flag}`), `README lacks ${def.flag}`);
    assert.ok(readme.includes(def.env), `README lacks ${def.env}`);
    if (def.kind === 'boolean') assert.ok(readme.includes(`--no-${def.flag.slice(2)}`), `README lacks --no-${def.flag.slice(2)}`);
  }
});

test('the README catalogue table lists exactly the catalogue', () => {
  const section = readme.slice(readme.indexOf('### Catalogue'), readme.indexOf('### Selecting an error'));
  const rows = [...section.matchAll(/^\| `([A-Z_]+)` \| (\d{3}) \| `([A-Z_]+)` \|/gm)].map((m) => [m[1], Number(m[2]), m[3]]);
  assert.deepEqual(rows, ATLAS_ERRORS.map((e) => [e.name, e.status, e.errorCode]));
});

test('the test command in .ci/run is the one the README gives', async () => {
  const ci = await readFile(join(PACKAGE_ROOT, '.ci', 'run'), 'utf8');
  assert.match(ci, /^npm ci\b/m);
  assert.match(ci, /^npm test$/m);
});
