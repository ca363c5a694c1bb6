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
    '/__mock/restoreJobs': {
      get: controlOp('List the restore jobs clients created, and the fixture or generated downloads they cancelled', ok('The jobs, each as a read sees it now')),
      post: controlOp('Create a restore job with the checks of the Atlas POST, optionally with its own lifecycle', { '201': { description: 'The job' } }, {
        requestBody: jsonBody({
          type: 'object',
          required: ['groupId', 'clusterName', 'job'],
          properties: {
            groupId: { type: 'string' },
            clusterName: { type: 'string' },
            job: { type: 'object', description: 'the body a POST to .../backup/restoreJobs would send' },
            lifecycle: {
              type: 'object',
              properties: {
                finishAfterSeconds: { type: 'integer', minimum: 0 },
                outcome: { type: 'string', enum: ['finished', 'failed', 'cancelled'] },
                expireAfterSeconds: { type: 'integer', minimum: 1 },
              },
            },
          },
        }),
      }),
      delete: controlOp('Forget every created and cancelled restore job', { '204': { description: 'Forgotten' } }),
    },
    '/__mock/restoreJobs/{id}': {
      delete: controlOp('Forget one created or cancelled restore job', { '204': { description: 'Forgotten' }, '404': errorResponse('No such job') }, {
        parameters: [{ in: 'path', name: 'id', required: true, schema: { type: 'string' } }],
      }),
    },
    '/__mock/reset': { post: controlOp('Back to the start-up state', { '204': { description: 'Reset' } }) },
  };
}

/** The flex-cluster routes the Atlas CLI tries first; for the mock's dedicated clusters they refuse. */
const flexOp = (operationId: string, summary: string, parameters: unknown) => ({
  operationId,
  summary,
  'x-atlas-mock': true,
  parameters,
  responses: {
    '400': errorResponse('The cluster is not a flex cluster: CANNOT_USE_NON_FLEX_CLUSTER_IN_FLEX_API'),
    '401': errorResponse('Unauthorized'),
    '404': errorResponse('Group or cluster not found'),
    '406': errorResponse('Missing or invalid versioned Accept header'),
  },
});

export function buildOpenApiDocument(): Record<string, unknown> {
  const document = structuredClone(generated) as Record<string, unknown> & { paths: Record<string, unknown> };
  type Operation = { parameters: { name: string }[] };
  const paths = document.paths as Record<string, Record<string, Operation>>;
  const restoreJobGet = paths['/api/atlas/v2/groups/{groupId}/clusters/{clusterName}/backup/restoreJobs/{restoreJobId}'];
  const restoreJobList = paths['/api/atlas/v2/groups/{groupId}/clusters/{clusterName}/backup/restoreJobs'];
  const clusterParameters = restoreJobGet?.get?.parameters.filter((p) => p.name !== 'restoreJobId');
  document.servers = [{ url: '/', description: 'this mock' }];
  document.paths = {
    ...document.paths,
    '/api/atlas/v2/groups/{groupId}/flexClusters/{clusterName}/backup/restoreJobs/{restoreJobId}': {
      get: flexOp('getFlexBackupRestoreJob', 'Flex sibling of the GET of one job; the Atlas CLI falls back to the dedicated route on its 400', restoreJobGet?.get?.parameters),
    },
    '/api/atlas/v2/groups/{groupId}/flexClusters/{clusterName}/backup/restoreJobs': {
      get: flexOp('listFlexBackupRestoreJobs', 'Flex sibling of the list; the Atlas CLI falls back to the dedicated route on its 400', restoreJobList?.get?.parameters),
      post: flexOp('createFlexBackupRestoreJob', 'Flex sibling of the create; answers 400 for the mock\'s dedicated clusters', clusterParameters),
    },
    '/api/atlas/v2/groups/{groupId}/clusters/{clusterName}': {
      get: {
        operationId: 'getCluster',
        summary: 'The cluster, as far as the mock knows it (name, ids, type, state): what the Atlas CLI reads before it starts a restore',
        'x-atlas-mock': true,
        parameters: clusterParameters,
        responses: {
          '200': {
            description: 'The cluster; the media type is the newest cluster version the Accept header allows (2024-08-05, 2023-02-01 or 2023-01-01)',
            content: {
              'application/vnd.atlas.2024-08-05+json': {
                schema: {
                  type: 'object',
                  properties: {
                    clusterType: { type: 'string', enum: ['REPLICASET', 'SHARDED'] },
                    groupId: { type: 'string' },
                    id: { type: 'string' },
                    links: { type: 'array', items: { $ref: '#/components/schemas/Link' } },
                    name: { type: 'string' },
                    paused: { type: 'boolean' },
                    stateName: { type: 'string' },
                  },
                },
              },
            },
          },
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
