/**
 * Generates `schemas/` from the official Atlas Admin API spec: by default the one MongoDB publishes,
 * or a copy (see spec-source.ts for where it is looked for).
 *
 * Output keeps structure only (types, formats, patterns, enums, required, readOnly, nullable) and drops
 * prose, examples and vendor extensions: the spec documents declare CC BY-NC-SA 3.0 US while this repo
 * is Apache-2.0. Attribution travels in every generated file.
 *
 *   npm run schemas                          download the spec, regenerate and write (then the validators)
 *   npm run schemas -- --spec FILE|URL       from a copy (JSON or YAML), or another address
 *   ATLAS_OPENAPI_SPEC=FILE npm run schemas  the same, from the environment
 *
 * test/schemas-drift.test.ts runs `generateSchemaFiles` in memory and fails on any difference.
 */
import { writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compile } from 'json-schema-to-typescript';
import { SpecError, describeSource, loadSpec, specSource } from './spec-source.js';

export const GET_RESTORE_JOB_PATH =
  '/api/atlas/v2/groups/{groupId}/clusters/{clusterName}/backup/restoreJobs/{restoreJobId}';
export const LIST_RESTORE_JOBS_PATH = '/api/atlas/v2/groups/{groupId}/clusters/{clusterName}/backup/restoreJobs';

const here = dirname(fileURLToPath(import.meta.url));
// Works from both the source tree (schemas/) and the build (dist/schemas/).
const repoRoot = here.endsWith(join('dist', 'schemas')) ? resolve(here, '../..') : resolve(here, '..');
export const SCHEMAS_DIR = join(repoRoot, 'schemas');

/** Schema keywords that carry structure; everything else (prose, examples, x-*) is dropped. */
const STRUCTURAL_KEYWORDS = new Set([
  'type', 'format', 'pattern', 'enum', 'required', 'readOnly', 'writeOnly', 'nullable', 'minimum', 'maximum',
  'minLength', 'maxLength', 'minItems', 'maxItems', 'uniqueItems', 'default', 'items', 'properties',
  'additionalProperties', '$ref', 'allOf', 'oneOf', 'anyOf', 'title',
]);

/**
 * Where real Atlas and its own spec disagree and the mock follows real Atlas, the schema is patched here,
 * each patch with its evidence. The list travels in the generated files (`x-atlas-mock-patches`).
 */
const PATCHES = [
  {
    at: 'ApiError.properties.parameters.items',
    why:
      'The spec types error parameters as objects, but real Atlas sends the message placeholders as strings, ' +
      'numbers or null, as recorded replies show; the Go SDK decodes them as []any.',
    apply: (schemas: Record<string, JsonObject>) => {
      const parameters = (schemas.ApiError?.properties as JsonObject | undefined)?.parameters as JsonObject;
      if (!parameters) throw new Error('spec changed: ApiError.properties.parameters is gone; review PATCHES');
      parameters.items = {};
    },
  },
];

type Json = null | boolean | number | string | Json[] | JsonObject;
export interface JsonObject {
  [key: string]: Json;
}

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Keeps the structural keywords of a schema, recursively, with keys sorted for stable output. */
function structuralSchema(schema: JsonObject, refPrefix: string): JsonObject {
  const out: JsonObject = {};
  for (const key of Object.keys(schema).sort()) {
    if (!STRUCTURAL_KEYWORDS.has(key)) continue;
    const value = schema[key] as Json;
    if (key === '$ref' && typeof value === 'string') {
      out.$ref = value.replace('#/components/schemas/', refPrefix);
    } else if (key === 'properties' && isObject(value)) {
      const props: JsonObject = {};
      for (const name of Object.keys(value).sort()) props[name] = structuralSchema(value[name] as JsonObject, refPrefix);
      out.properties = props;
    } else if ((key === 'items' || key === 'additionalProperties') && isObject(value)) {
      out[key] = structuralSchema(value, refPrefix);
    } else if ((key === 'allOf' || key === 'oneOf' || key === 'anyOf') && Array.isArray(value)) {
      out[key] = value.map((s) => structuralSchema(s as JsonObject, refPrefix));
    } else {
      out[key] = value;
    }
  }
  return out;
}

function refName(ref: string): string {
  return ref.slice(ref.lastIndexOf('/') + 1);
}

/** Names of the component schemas reachable from a value, transitively. */
function collectSchemaRefs(value: Json, components: JsonObject, found = new Set<string>()): Set<string> {
  if (Array.isArray(value)) {
    for (const v of value) collectSchemaRefs(v, components, found);
  } else if (isObject(value)) {
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string' && v.startsWith('#/components/schemas/')) {
        const name = refName(v);
        if (!found.has(name)) {
          found.add(name);
          collectSchemaRefs(components[name] as Json, components, found);
        }
      } else {
        collectSchemaRefs(v, components, found);
      }
    }
  }
  return found;
}

function resolveRef(spec: JsonObject, value: JsonObject): JsonObject {
  if (typeof value.$ref !== 'string') return value;
  const parts = value.$ref.replace(/^#\//, '').split('/');
  let node: Json = spec;
  for (const p of parts) node = isObject(node) ? (node[p] as Json) : null;
  if (!isObject(node)) throw new Error(`unresolvable $ref ${value.$ref}`);
  return node;
}

function attribution(spec: JsonObject): JsonObject {
  const info = spec.info as JsonObject;
  return {
    generatedBy: 'schemas/generate-schemas.ts (npm run schemas); do not edit by hand',
    source: 'the Atlas Administration API specification, https://github.com/mongodb/openapi (openapi/v2.json)',
    sourceSha: (info['x-xgen-sha'] as string) ?? null,
    copyright: 'Structure derived from the MongoDB Atlas Administration API specification, (c) MongoDB, Inc.',
    license: (info.license as JsonObject) ?? null,
    kept: 'types, formats, patterns, enums, required, readOnly, nullable; prose and examples dropped',
  };
}

export interface GeneratedFiles {
  /** file name inside schemas/ → exact file content */
  [fileName: string]: string;
}

/** The restore-job operations of the extract, in the order the generated files list them. */
export const RESTORE_JOB_OPERATIONS = [
  { path: GET_RESTORE_JOB_PATH, method: 'get' },
  { path: LIST_RESTORE_JOBS_PATH, method: 'get' },
  { path: LIST_RESTORE_JOBS_PATH, method: 'post' },
  { path: GET_RESTORE_JOB_PATH, method: 'delete' },
] as const;

/** An operation's parameters, resolved and reduced to structure. */
function operationParameters(spec: JsonObject, operation: JsonObject): JsonObject[] {
  return (operation.parameters as JsonObject[]).map((p) => {
    const param = resolveRef(spec, p);
    const out: JsonObject = { in: param.in as string, name: param.name as string };
    if (param.required === true) out.required = true;
    out.schema = structuralSchema(param.schema as JsonObject, '#/components/schemas/');
    return out;
  });
}

/** An operation's responses, resolved, keeping content schemas (or a bare media type) and header schemas. */
function operationResponses(spec: JsonObject, operation: JsonObject): JsonObject {
  const responses: JsonObject = {};
  for (const status of Object.keys(operation.responses as JsonObject).sort()) {
    const response = resolveRef(spec, (operation.responses as JsonObject)[status] as JsonObject);
    const out: JsonObject = { description: (response.description as string) ?? status };
    if (isObject(response.content)) out.content = structuralContent(response.content);
    if (isObject(response.headers)) {
      const headers: JsonObject = {};
      for (const [name, header] of Object.entries(response.headers)) {
        headers[name] = { schema: structuralSchema(resolveRef(spec, header as JsonObject).schema as JsonObject, '') };
      }
      out.headers = headers;
    }
    responses[status] = out;
  }
  return responses;
}

/** Media types with their schemas; a 204's media type has none, and keeps an empty entry. */
function structuralContent(content: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const [mediaType, media] of Object.entries(content)) {
    const schema = (media as JsonObject).schema;
    out[mediaType] = isObject(schema) ? { schema: structuralSchema(schema, '#/components/schemas/') } : {};
  }
  return out;
}

/** Builds every generated file of schemas/ from the parsed spec extract. Pure apart from the TS compiler. */
export async function generateSchemaFiles(spec: JsonObject): Promise<GeneratedFiles> {
  const paths = spec.paths as JsonObject;
  const components = spec.components as JsonObject;
  const componentSchemas = components.schemas as JsonObject;

  const operations = RESTORE_JOB_OPERATIONS.map(({ path, method }) => {
    const pathItem = paths[path] as JsonObject | undefined;
    const operation = pathItem?.[method];
    if (!isObject(operation)) throw new Error(`spec has no ${method.toUpperCase()} ${path}`);
    const out: JsonObject = {
      operationId: operation.operationId as string,
      'x-xgen-operation-id-override': (operation['x-xgen-operation-id-override'] as string) ?? null,
      summary: operation.summary as string,
      tags: operation.tags as Json,
      parameters: operationParameters(spec, operation),
    };
    const body = operation.requestBody;
    if (isObject(body)) out.requestBody = { required: body.required === true, content: structuralContent(body.content as JsonObject) };
    out.responses = operationResponses(spec, operation);
    return { path, method, operation: out };
  });
  const parameters = (operations[0] as (typeof operations)[number]).operation.parameters as JsonObject[];
  const listParameters = (operations[1] as (typeof operations)[number]).operation.parameters as JsonObject[];

  // Refs in the operations, followed through the component schemas.
  const used = collectSchemaRefs(operations.map((o) => o.operation) as Json, componentSchemas);
  const names = [...used].sort();

  const openapiSchemas: JsonObject = {};
  const jsonSchemaDefs: JsonObject = {};
  for (const name of names) {
    openapiSchemas[name] = structuralSchema(componentSchemas[name] as JsonObject, '#/components/schemas/');
    jsonSchemaDefs[name] = structuralSchema(componentSchemas[name] as JsonObject, '#/$defs/');
  }
  for (const patch of PATCHES) {
    patch.apply(openapiSchemas as Record<string, JsonObject>);
    patch.apply(jsonSchemaDefs as Record<string, JsonObject>);
  }
  const patchNotes: Json = PATCHES.map(({ at, why }) => ({ at, why }));

  const securitySchemes: JsonObject = {};
  for (const [name, scheme] of Object.entries(components.securitySchemes as JsonObject)) {
    const { description: _drop, ...rest } = scheme as JsonObject;
    securitySchemes[name] = rest;
  }

  const openapiPaths: JsonObject = {};
  for (const { path, method, operation } of operations) {
    openapiPaths[path] = { ...((openapiPaths[path] as JsonObject | undefined) ?? {}), [method]: operation };
  }

  const info = spec.info as JsonObject;
  const openapi: JsonObject = {
    openapi: spec.openapi as string,
    info: {
      title: 'MongoDB Atlas Administration API: cloud-backup restore jobs (structure extract)',
      version: info.version as string,
      license: info.license as JsonObject,
      'x-attribution': attribution(spec),
      'x-atlas-mock-patches': patchNotes,
    },
    servers: spec.servers as Json,
    security: spec.security as Json,
    paths: openapiPaths,
    components: { schemas: openapiSchemas, securitySchemes },
  };

  // A plain JSON Schema document for ajv: every component under $defs, plus the operation's inputs.
  const pathParams: JsonObject = {};
  const queryParams: JsonObject = {};
  for (const p of parameters) {
    const target = p.in === 'path' ? pathParams : queryParams;
    target[p.name as string] = p.schema as JsonObject;
  }
  const jsonSchema: JsonObject = {
    $id: 'atlas-restore-job.schema.json',
    'x-attribution': attribution(spec),
    'x-atlas-mock-patches': patchNotes,
    $defs: {
      ...jsonSchemaDefs,
      PathParameters: {
        type: 'object',
        required: parameters.filter((p) => p.in === 'path').map((p) => p.name as string),
        properties: pathParams,
      },
      QueryParameters: { type: 'object', properties: queryParams },
      ListQueryParameters: {
        type: 'object',
        properties: Object.fromEntries(listParameters.filter((p) => p.in === 'query').map((p) => [p.name as string, p.schema as JsonObject])),
      },
    },
  };

  const types = await compileTypes(jsonSchemaDefs, spec);

  return {
    'openapi.json': `${JSON.stringify(openapi, null, 2)}\n`,
    'restore-job.schema.json': `${JSON.stringify(jsonSchema, null, 2)}\n`,
    'types.ts': types,
  };
}

/** TypeScript interfaces for the component schemas, so the code never hand-writes a twin of them. */
async function compileTypes(defs: JsonObject, spec: JsonObject): Promise<string> {
  const root = {
    title: 'AtlasSchemas',
    type: 'object',
    additionalProperties: false,
    properties: Object.fromEntries(Object.keys(defs).map((n) => [n, { $ref: `#/$defs/${n}` }])),
    $defs: Object.fromEntries(Object.entries(defs).map(([n, s]) => [n, { ...(s as JsonObject), title: n }])),
  };
  const banner =
    `/* Generated by schemas/generate-schemas.ts from the Atlas Admin API spec (x-xgen-sha ` +
    `${String((spec.info as JsonObject)['x-xgen-sha'])}), (c) MongoDB, Inc. Do not edit: run npm run schemas. */`;
  const ts = await compile(root as never, 'AtlasSchemas', {
    bannerComment: banner,
    additionalProperties: false,
    unreachableDefinitions: true,
    declareExternallyReferenced: true,
    format: true,
    strictIndexSignatures: true,
  });
  return ts;
}

async function main(): Promise<void> {
  const source = specSource(process.argv.slice(2), process.env, 'download');
  if (!source) throw new SpecError('no spec source'); // unreachable: the download is the fallback
  console.log(`reading the Atlas OpenAPI spec from ${describeSource(source)}`);
  const files = await generateSchemaFiles((await loadSpec(source)) as JsonObject);
  for (const [name, content] of Object.entries(files)) {
    await writeFile(join(SCHEMAS_DIR, name), content);
    console.log(`wrote schemas/${name}`);
  }
  // The validators are compiled from the files just written. A static import would have loaded the old
  // restore-job.schema.json before they were rewritten, so it is imported only now.
  const { writeValidatorFiles } = await import('./generate-validators.js');
  await writeValidatorFiles();
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    console.error(`npm run schemas: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
