/**
 * The OpenAPI document served at /openapi.json: the generated extract of the official spec (the same
 * one the tests validate against) plus the mock's own routes, marked `x-atlas-mock`.
 */
import generated from '../../schemas/openapi.json' with { type: 'json' };

const atlasError = { $ref: '#/components/schemas/ApiError' };
const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: atlasError } } });

const controlOp = (summary: string, responses: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  summary,
  tags: ['Mock control (only with --control)'],
  'x-atlas-mock': true,
  security: [],
  parameters: [{ in: 'header', name: 'X-Mock-Token', required: false, schema: { type: 'string' }, description: 'required when --control-token is set' }],
  responses: { ...responses, '400': errorResponse('Refused; badRequestDetail names the fields'), '401': errorResponse('Missing or wrong X-Mock-Token') },
  ...extra,
});
const jsonBody = (schema: Record<string, unknown>) => ({ required: true, content: { 'application/json': { schema } } });
const address = ['groupId', 'clusterName', 'restoreJobId'].map((name) => ({ in: 'path', name, required: true, schema: { type: 'string' } }));
const ruleSchema = {
  type: 'object',
  properties: {
    error: { type: 'string', description: 'a status (404) or an error name (CLUSTER_NOT_FOUND)' },
    delay: { oneOf: [{ type: 'string' }, { type: 'integer' }], description: 'ms (300) or a range (100-500)' },
    fault: { type: 'string', enum: ['reset', 'empty', 'slow-body'] },
    groupId: { type: 'string' },
    clusterName: { type: 'string' },
    restoreJobId: { type: 'string' },
    times: { type: 'integer', minimum: 1 },
    probability: { type: 'number', minimum: 0, maximum: 1 },
  },
};

/** The control API's own document, under the same /openapi.json (paths marked x-atlas-mock). */
function controlPaths(): Record<string, unknown> {
  const ok = (description: string) => ({ '200': { description, content: { 'application/json': { schema: { type: 'object' } } } } });
  return {
    '/__mock/fixtures': { get: controlOp('List every fixture, loaded and added', ok('The fixtures')) },
    '/__mock/fixtures/{groupId}/{clusterName}/{restoreJobId}': {
      put: controlOp('Add or replace a fixture (same format and checks as a fixture file)', { ...ok('Replaced'), '201': { description: 'Added' }, '409': errorResponse('The job id belongs to another address') }, {
        parameters: address,
        requestBody: jsonBody({ type: 'object', description: 'a restore job without links, with optional x-mock' }),
      }),
      delete: controlOp('Remove a fixture', { '204': { description: 'Removed' }, '404': errorResponse('No such fixture') }, { parameters: address }),
    },
    '/__mock/scenarios': {
      get: controlOp('List scenario rules, newest first', ok('The rules')),
      post: controlOp('Add a scenario rule: an error, delay or fault, for some ids, N times or with a probability', { '201': { description: 'The rule with its id' } }, { requestBody: jsonBody(ruleSchema) }),
      delete: controlOp('Remove every scenario rule', { '204': { description: 'Removed' } }),
    },
    '/__mock/scenarios/{id}': {
      delete: controlOp('Remove one scenario rule', { '204': { description: 'Removed' }, '404': errorResponse('No such rule') }, {
        parameters: [{ in: 'path', name: 'id', required: true, schema: { type: 'string' } }],
      }),
    },
    '/__mock/requests': {
      get: controlOp('Read the request journal (oldest first)', ok('The requests'), {
        parameters: [
          { in: 'query', name: 'path', schema: { type: 'string' }, description: 'exact path, or a prefix ending in *' },
          { in: 'query', name: 'status', schema: { type: 'integer' } },
          { in: 'query', name: 'method', schema: { type: 'string' } },
        ],
      }),
      delete: controlOp('Clear the request journal', { '204': { description: 'Cleared' } }),
    },
    '/__mock/clock': {
      get: controlOp('The lifecycle clock', ok('now and speed')),
      post: controlOp('Move the lifecycle clock forward', ok('now and speed'), { requestBody: jsonBody({ type: 'object', required: ['advanceSeconds'], properties: { advanceSeconds: { type: 'number', minimum: 0 } } }) }),
    },
    '/__mock/reset': { post: controlOp('Back to the start-up state', { '204': { description: 'Reset' } }) },
  };
}

export function buildOpenApiDocument(): Record<string, unknown> {
  const document = structuredClone(generated) as Record<string, unknown> & { paths: Record<string, unknown> };
  const restoreJobGet = (document.paths as Record<string, { get: { parameters: unknown } }>)[
    '/api/atlas/v2/groups/{groupId}/clusters/{clusterName}/backup/restoreJobs/{restoreJobId}'
  ];
  document.servers = [{ url: '/', description: 'this mock' }];
  document.paths = {
    ...document.paths,
    '/api/atlas/v2/groups/{groupId}/flexClusters/{clusterName}/backup/restoreJobs/{restoreJobId}': {
      get: {
        operationId: 'getFlexBackupRestoreJob',
        summary: 'Flex sibling: answers 400 CANNOT_USE_NON_FLEX_CLUSTER_IN_FLEX_API for the mock\'s dedicated clusters (D15)',
        'x-atlas-mock': true,
        parameters: restoreJobGet?.get.parameters,
        responses: {
          '400': errorResponse('The cluster is not a flex cluster'),
          '401': errorResponse('Unauthorized'),
          '404': errorResponse('Group or cluster not found'),
          '406': errorResponse('Missing or invalid versioned Accept header'),
        },
      },
    },
    '/health': {
      get: {
        operationId: 'mockHealth',
        summary: 'Liveness for container health checks; no authentication',
        'x-atlas-mock': true,
        security: [],
        responses: {
          '200': {
            description: 'The mock is up',
            content: { 'application/json': { schema: { type: 'object', required: ['status'], properties: { status: { type: 'string', enum: ['ok'] } } } } },
          },
        },
      },
    },
    ...controlPaths(),
    '/openapi.json': {
      get: {
        operationId: 'mockOpenApi',
        summary: 'This document',
        'x-atlas-mock': true,
        security: [],
        responses: { '200': { description: 'OpenAPI 3.0 document', content: { 'application/json': { schema: { type: 'object' } } } } },
      },
    },
  };
  return document;
}
