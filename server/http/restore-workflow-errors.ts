/**
 * The Atlas errors of the restore workflow: creating, listing and cancelling restore jobs. Kept apart
 * from the GET's catalogue (atlas-errors.ts), which folds them into its lookup by name, so scenarios,
 * `Prefer: code=…` and fixtures can select them like any other error.
 */
import type { AtlasErrorDefinition } from './atlas-errors.js';

const define = <const T extends readonly AtlasErrorDefinition[]>(entries: T): T => entries;

export const RESTORE_WORKFLOW_ERRORS = define([
  {
    name: 'MALFORMED_JSON',
    status: 400,
    errorCode: 'MALFORMED_JSON',
    reason: 'Bad Request',
    detail: 'Received JSON is malformed.',
    params: () => [],
    evidence: 'Atlas\'s error catalogue; sent for a body that is not one JSON object (the mock\'s mapping)',
  },
  {
    name: 'INVALID_ATTRIBUTE',
    status: 400,
    errorCode: 'INVALID_ATTRIBUTE',
    reason: 'Bad Request',
    detail: 'Invalid attribute {0} specified.',
    params: (c) => [c.attribute ?? null],
    evidence: 'Atlas\'s error catalogue; sent for a property the schema does not have (the mock\'s mapping)',
  },
  {
    name: 'MISSING_ATTRIBUTE',
    status: 400,
    errorCode: 'MISSING_ATTRIBUTE',
    reason: 'Bad Request',
    detail: 'The required attribute {0} was not specified.',
    params: (c) => [c.attribute ?? null],
    evidence: 'Atlas\'s error catalogue; the mapping to deliveryType and the target fields is the mock\'s',
  },
  {
    name: 'INVALID_ENUM_VALUE',
    status: 400,
    errorCode: 'INVALID_ENUM_VALUE',
    reason: 'Bad Request',
    detail: 'An invalid enumeration value {0} was specified.',
    params: (c) => [c.value ?? null],
    evidence: 'recorded from real Atlas on other endpoints; used for deliveryType',
  },
  {
    name: 'INVALID_JSON_ATTRIBUTE',
    status: 400,
    errorCode: 'INVALID_JSON_ATTRIBUTE',
    reason: 'Bad Request',
    detail: 'Received JSON for the {0} attribute does not match expected format.',
    params: (c) => [c.attribute ?? null],
    badRequestField: (c) => ({ field: c.attribute ?? '', description: c.description ?? 'does not match the schema' }),
    evidence: 'Atlas\'s error catalogue; the badRequestDetail naming the spec\'s rule is the mock\'s',
  },
  {
    name: 'INVALID_PAGINATION_PARAMETER',
    status: 400,
    errorCode: 'INVALID_QUERY_PARAMETER',
    reason: 'Bad Request',
    detail: 'Invalid query parameter {0} specified.',
    params: (c) => [c.queryParameter ?? null],
    badRequestField: (c) => ({ field: c.queryParameter ?? '', description: `${c.description ?? 'is invalid'}, got ${JSON.stringify(c.queryValue ?? '')}` }),
    evidence: 'the mock\'s choice for includeCount, itemsPerPage and pageNum out of the spec\'s bounds',
  },
  {
    name: 'SNAPSHOT_NOT_FOUND',
    status: 404,
    errorCode: 'SNAPSHOT_NOT_FOUND',
    reason: 'Not Found',
    detail: 'No snapshot with ID {0} exists for cluster {1}.',
    params: (c) => [c.snapshotId ?? null, c.clusterName ?? null],
    evidence: 'recorded from real Atlas for a download without snapshotId',
  },
  {
    name: 'INVALID_PIT_RESTORE_TIME',
    status: 400,
    errorCode: 'INVALID_PIT_RESTORE_TIME',
    reason: 'Bad Request',
    detail: 'Please provide a valid UTC time or an operation time (ts).',
    params: () => [],
    evidence: 'Atlas\'s error catalogue; when it is sent is the mock\'s choice',
  },
  {
    name: 'UNABLE_T0_FIND_SNAPSHOT_PRIOR_TO_PIT_RESTORE_OPTIME',
    status: 404,
    errorCode: 'UNABLE_T0_FIND_SNAPSHOT_PRIOR_TO_PIT_RESTORE_OPTIME',
    reason: 'Not Found',
    detail: 'Unable to find a snapshot of cluster {0} taken before the point in time to restore.',
    params: (c) => [c.clusterName ?? null],
    evidence: 'code (with its "T0") from Atlas\'s error catalogue; the text is the mock\'s',
  },
  {
    name: 'ATLAS_CLUSTER_RESTORE_IN_PROGRESS',
    status: 409,
    errorCode: 'ATLAS_CLUSTER_RESTORE_IN_PROGRESS',
    reason: 'Conflict',
    detail: 'Cluster restore already in progress.',
    params: () => [],
    evidence: 'Atlas\'s error catalogue and the spec\'s 409; sent for a busy target cluster (the mock\'s mapping)',
  },
  {
    name: 'CANNOT_DOWNLOAD_SNAPSHOT_CONCURRENTLY',
    status: 400,
    errorCode: 'CANNOT_DOWNLOAD_SNAPSHOT_CONCURRENTLY',
    reason: 'Bad Request',
    detail: 'Cannot create a manual download of a snapshot when there is already an active download for that snapshot.',
    params: () => [],
    evidence: 'Atlas\'s error catalogue',
  },
  {
    name: 'CANNOT_CANCEL_AUTOMATED_RESTORE',
    status: 400,
    errorCode: 'CANNOT_CANCEL_AUTOMATED_RESTORE',
    reason: 'Bad Request',
    detail: 'Automated restore cannot be cancelled.',
    params: () => [],
    evidence: 'Atlas\'s error catalogue; Terraform and CloudFormation never cancel these jobs',
  },
  {
    name: 'ATLAS_BACKUP_CANCEL_SHARD_RESTORE_JOB_NOT_ALLOWED',
    status: 405,
    errorCode: 'ATLAS_BACKUP_CANCEL_SHARD_RESTORE_JOB_NOT_ALLOWED',
    reason: 'Method Not Allowed',
    detail: 'Cannot cancel a restore job of an individual shard. Please cancel the entire sharded cluster restore job.',
    params: () => [],
    evidence: 'Atlas\'s error catalogue and the spec\'s 405; the mock has no per-shard jobs, so only a scenario sends it',
  },
  {
    name: 'CANNOT_USE_FLEX_CLUSTER_IN_CLUSTER_API',
    status: 400,
    errorCode: 'CANNOT_USE_FLEX_CLUSTER_IN_CLUSTER_API',
    reason: 'Bad Request',
    detail: 'Flex cluster {0} cannot be used in the Cluster API.',
    params: (c) => [c.clusterName ?? null],
    evidence: 'recorded from real Atlas; the mock has no flex clusters, so only a scenario sends it',
  },
  {
    name: 'RESTORE_JOB_LIMIT_REACHED',
    status: 409,
    errorCode: 'RESTORE_JOB_LIMIT_REACHED',
    reason: 'Conflict',
    detail: 'The mock holds {0} unfinished restore jobs, as many as it keeps; cancel or finish some, or reset the mock.',
    params: (c) => [c.value ?? null],
    evidence: 'the mock\'s own: its store of created jobs is bounded, and it never forgets a job that is still running',
  },
] as const);

export type RestoreWorkflowErrorName = (typeof RESTORE_WORKFLOW_ERRORS)[number]['name'];

const byName = new Map<string, AtlasErrorDefinition>(RESTORE_WORKFLOW_ERRORS.map((e) => [e.name, e]));

export function getWorkflowError(name: RestoreWorkflowErrorName): AtlasErrorDefinition {
  return byName.get(name) as AtlasErrorDefinition;
}
