/**
 * schemas/ stays what `npm run schemas` makes of the official spec. The spec comes from the same places as
 * for `npm run schemas` (--spec is not available here, so ATLAS_OPENAPI_SPEC: a file or a URL); CI points it
 * at a local copy. Without one the comparison is skipped with a note on how to run it, never a download.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { SCHEMAS_DIR, generateSchemaFiles, type JsonObject } from '../schemas/generate-schemas.js';
import { HOW_TO_CHECK_SCHEMAS, loadSpec, specSource } from '../schemas/spec-source.js';

const source = specSource([], process.env, 'none');

test(
  'schemas/ is what npm run schemas generates from the official spec',
  { skip: source ? false : HOW_TO_CHECK_SCHEMAS },
  async (t) => {
    if (!source) return;
    t.diagnostic(`spec: ${source.location}`);
    const files = await generateSchemaFiles((await loadSpec(source)) as JsonObject);
    assert.deepEqual(Object.keys(files).sort(), ['openapi.json', 'restore-job.schema.json', 'types.ts']);
    for (const [name, content] of Object.entries(files)) {
      const committed = await readFile(join(SCHEMAS_DIR, name), 'utf8');
      assert.equal(committed, content, `schemas/${name} is out of date: run npm run schemas and commit the result`);
    }
  },
);

test('the generated schema keeps structure and attribution, and drops prose, as the spec licence asks', async () => {
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
