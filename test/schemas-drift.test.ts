import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { DEFAULT_SPEC_PATH, SCHEMAS_DIR, generateSchemaFiles, readSpec } from '../schemas/generate-schemas.js';

const specPresent = existsSync(DEFAULT_SPEC_PATH);

test(
  'schemas/ is what npm run schemas generates from the official spec',
  { skip: specPresent ? false : `${DEFAULT_SPEC_PATH} is absent (a clone without ../shared); the committed schemas/ are used as they are` },
  async () => {
    const files = await generateSchemaFiles(await readSpec());
    assert.deepEqual(Object.keys(files).sort(), ['openapi.json', 'restore-job.schema.json', 'types.ts']);
    for (const [name, content] of Object.entries(files)) {
      const committed = await readFile(join(SCHEMAS_DIR, name), 'utf8');
      assert.equal(committed, content, `schemas/${name} is out of date: run npm run schemas and commit the result`);
    }
  },
);

test('the generated schema keeps structure and attribution, and drops prose (D16)', async () => {
  const schema = JSON.parse(await readFile(join(SCHEMAS_DIR, 'restore-job.schema.json'), 'utf8'));
  assert.match(schema['x-attribution'].copyright, /MongoDB, Inc\./);
  assert.match(schema['x-attribution'].sourceSha, /^[0-9a-f]{40}$/);
  const job = schema.$defs.DiskBackupSnapshotRestoreJob;
  assert.deepEqual(job.required, ['deliveryType']);
  assert.deepEqual(job.properties.deliveryType.enum, ['automated', 'download', 'pointInTime']);
  assert.equal(job.properties.id.readOnly, true);
  assert.equal(job.properties.finishedAt.format, 'date-time');
  const prose: string[] = [];
  const walk = (node: unknown, path: string): void => {
    if (node === null || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node)) {
      // A property may be named "description" (FieldViolation has one); prose is a string value.
      if ((key === 'description' || key === 'example' || key === 'externalDocs') && typeof value !== 'object') prose.push(`${path}.${key}`);
      if (key === 'externalDocs' || key.startsWith('x-')) prose.push(`${path}.${key}`);
      walk(value, `${path}.${key}`);
    }
  };
  walk(schema.$defs, '$defs');
  assert.deepEqual(prose, [], 'no prose, examples or vendor extensions are kept');
  assert.equal(schema.$defs.PathParameters.properties.clusterName.pattern, '^[a-zA-Z0-9][a-zA-Z0-9-]*$');
});
