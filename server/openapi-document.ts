/**
 * The OpenAPI document served at /openapi.json: the generated extract of the official spec (the same
 * one the tests validate against) plus the mock's own routes, marked `x-atlas-mock`.
 */
import generated from '../schemas/openapi.json' with { type: 'json' };

const atlasError = { $ref: '#/components/schemas/ApiError' };
const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: atlasError } } });

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
