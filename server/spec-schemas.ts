/**
 * ajv validators compiled once from schemas/restore-job.schema.json, the file generated from the
 * official Atlas spec. The route, the fixture loader and the tests all validate against these.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import formats from 'ajv-formats';
import schemaDocument from '../schemas/restore-job.schema.json' with { type: 'json' };
import type { ApiError, DiskBackupSnapshotRestoreJob } from '../schemas/types.js';
import { LIFECYCLE_SCHEMA } from './job-lifecycle.js';

// Kept here, not imported from scenario-book.ts, which itself needs this module.
const FAULTS = ['reset', 'empty', 'slow-body'] as const;

export const SCHEMA_ID = schemaDocument.$id;

type SchemaNode = { [key: string]: unknown };

export function createAjv(): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: true });
  formats.default(ajv);
  ajv.addKeyword('x-attribution');
  ajv.addKeyword('x-atlas-mock-patches');
  ajv.addSchema(schemaDocument);
  return ajv;
}

/** A deep copy of a schema where every object with declared properties refuses undeclared ones. */
export function closeObjects<T>(schema: T): T {
  if (Array.isArray(schema)) return schema.map((s: unknown) => closeObjects(s)) as T;
  if (schema === null || typeof schema !== 'object') return schema;
  const out: SchemaNode = {};
  for (const [key, value] of Object.entries(schema as SchemaNode)) {
    out[key] = key === 'properties' ? Object.fromEntries(Object.entries(value as SchemaNode).map(([k, v]) => [k, closeObjects(v)])) : closeObjects(value);
  }
  if (out.properties && out.additionalProperties === undefined) out.additionalProperties = false;
  return out as T;
}

/** The fixture-file schema: the official job schema, closed against typos, with `x-mock` and without `links`. */
function fixtureSchema(): SchemaNode {
  const defs = closeObjects(structuredClone(schemaDocument.$defs)) as unknown as Record<string, SchemaNode>;
  const job = defs.DiskBackupSnapshotRestoreJob as SchemaNode;
  const properties = { ...(job.properties as SchemaNode) };
  delete properties.links;
  properties['x-mock'] = {
    type: 'object',
    additionalProperties: false,
    properties: {
      description: { type: 'string' },
      error: { type: 'string' },
      delay: { anyOf: [{ type: 'string' }, { type: 'integer' }] },
      fault: { type: 'string', enum: [...FAULTS] },
      lifecycle: LIFECYCLE_SCHEMA,
    },
  };
  return { $id: 'atlas-restore-mock-fixture.schema.json', $defs: defs, ...job, properties };
}

const ajv = createAjv();
ajv.addSchema(fixtureSchema());

function compile<T>(ref: string): ValidateFunction<T> {
  return ajv.getSchema<T>(ref) as ValidateFunction<T>;
}

export const validators = {
  restoreJob: compile<DiskBackupSnapshotRestoreJob>(`${SCHEMA_ID}#/$defs/DiskBackupSnapshotRestoreJob`),
  apiError: compile<ApiError>(`${SCHEMA_ID}#/$defs/ApiError`),
  fixture: compile<DiskBackupSnapshotRestoreJob>('atlas-restore-mock-fixture.schema.json'),
};

export type PathParameterName = 'groupId' | 'clusterName' | 'restoreJobId';

/** One validator per path parameter, from the spec's own schemas, so each is checked in D1's order. */
export const pathParameterValidators: Readonly<Record<PathParameterName, ValidateFunction<string>>> = Object.freeze({
  groupId: ajv.compile<string>(schemaDocument.$defs.PathParameters.properties.groupId),
  clusterName: ajv.compile<string>(schemaDocument.$defs.PathParameters.properties.clusterName),
  restoreJobId: ajv.compile<string>(schemaDocument.$defs.PathParameters.properties.restoreJobId),
});

/** One line per ajv error: `field: message (got value)`. */
export function describeAjvErrors(errors: readonly ErrorObject[] | null | undefined, subject: unknown): string[] {
  return (errors ?? []).map((e) => {
    let field = e.instancePath.replace(/^\//, '').replace(/\//g, '.');
    if (e.keyword === 'additionalProperties') {
      const extra = String((e.params as { additionalProperty: string }).additionalProperty);
      field = field ? `${field}.${extra}` : extra;
      return `field "${field}": unknown field (not in the Atlas schema; check its spelling)`;
    }
    if (e.keyword === 'required') {
      const missing = String((e.params as { missingProperty: string }).missingProperty);
      return `field "${field ? `${field}.` : ''}${missing}": is required`;
    }
    const value = e.instancePath
      .split('/')
      .slice(1)
      .reduce<unknown>((node, key) => (node && typeof node === 'object' ? (node as SchemaNode)[key] : undefined), subject);
    return `field "${field || '(root)'}": ${e.message ?? 'is invalid'} (got ${JSON.stringify(value)})`;
  });
}
