/**
 * The mock's own JSON Schemas, as plain data: the fixture-file schema, derived from the official job
 * schema (schemas/restore-job.schema.json, generated from the Atlas spec), and the scenario-rule schema
 * of the control API. The credentials-file schema is in auth/credentials-schema.ts.
 *
 * Nothing here compiles. schemas/generate-validators.ts compiles these ahead of time into
 * schemas/validators.ts, which is what the server runs, so start-up pays for no ajv compilation; tests
 * compile them again at run time (server/validation/compile-validators.ts) to prove that module is in step. This
 * module must therefore never import the generated validators, or the generator could not run without them.
 */
import schemaDocument from '../../schemas/restore-job.schema.json' with { type: 'json' };
import { FAULTS } from '../scenarios/faults.js';
import { LIFECYCLE_SCHEMA } from '../jobs/job-lifecycle.js';

export const SCHEMA_ID = schemaDocument.$id;
export const FIXTURE_SCHEMA_ID = 'atlas-restore-mock-fixture.schema.json';

type SchemaNode = { [key: string]: unknown };

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
export function fixtureSchema(): SchemaNode {
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
  return { $id: FIXTURE_SCHEMA_ID, $defs: defs, ...job, properties };
}

/** A scenario rule as the control API and startMock().setScenario() take it (server/scenarios/scenario-book.ts). */
export const SCENARIO_RULE_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    error: { type: 'string' },
    delay: { anyOf: [{ type: 'string' }, { type: 'integer' }] },
    fault: { type: 'string', enum: [...FAULTS] },
    groupId: { type: 'string', pattern: '^[a-f0-9]{24}$' },
    clusterName: { type: 'string', pattern: '^[a-zA-Z0-9][a-zA-Z0-9-]*$' },
    restoreJobId: { type: 'string', pattern: '^[a-f0-9]{24}$' },
    times: { type: 'integer', minimum: 1 },
    probability: { type: 'number', minimum: 0, maximum: 1 },
  },
} as const;
