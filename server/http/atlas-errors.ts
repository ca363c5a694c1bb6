/**
 * The one catalogue of Atlas errors the mock can answer with: the GET's, and those of creating, listing
 * and cancelling restore jobs. Every error a request can get is built by `atlasError` from an entry here,
 * and users select any of them by name (scenarios, `Prefer: code=…`, fixtures); the table in
 * docs/scenarios.md is tested against this list.
 *
 * The refusals of bytes that never become a request (broken-request.ts: 400, 431, 408) stay out of it:
 * no request exists to select them for, their parameters come from Node's parser rather than from a
 * request, and two of them share the name BAD_REQUEST. They use this file's shape and `atlasError`.
 */
import type { ApiError } from '../../schemas/types.js';

/** Values an error's placeholders are filled from; what a request was about. */
export interface ErrorContext {
  groupId?: string;
  clusterName?: string;
  restoreJobId?: string;
  /** request path without the query string */
  path?: string;
  /** the caller's IP address */
  ip?: string;
  /** for INVALID_QUERY_PARAMETER */
  queryParameter?: string;
  queryValue?: string;
  rateLimit?: number;
  /** a preference the mock cannot honour, as written: `code=418` */
  preferCode?: string;
  /** a request body's property an error is about */
  attribute?: string;
  /** the value an error reports (an enumeration value, a count) */
  value?: string | number | null;
  /** the snapshot a create asked for; null when the body had none */
  snapshotId?: string | null;
  /** what a value should have been, for badRequestDetail */
  description?: string;
}

export type Param = string | number | null;

export interface AtlasErrorDefinition {
  /** What users select it by (`--scenario`, `Prefer: code=`, fixtures); usually the errorCode. */
  readonly name: string;
  readonly status: number;
  readonly errorCode: string;
  readonly reason: string;
  /** `{0}`, `{1}` … are replaced by `params` in order, as Atlas's own message templates do. */
  readonly detail: string;
  readonly params: (ctx: ErrorContext) => Param[];
  /** Validation errors also carry `badRequestDetail.fields`, naming the field and its rule. */
  readonly badRequestField?: (ctx: ErrorContext) => { field: string; description: string };
  /** Where Atlas's evidence stands; docs/scenarios.md's catalogue says the same in its last column. */
  readonly evidence: string;
}

const define = <const T extends readonly AtlasErrorDefinition[]>(entries: T): T => entries;

export const ATLAS_ERRORS = define([
  {
    name: 'INVALID_GROUP_ID',
    status: 400,
    errorCode: 'INVALID_GROUP_ID',
    reason: 'Bad Request',
    detail: 'An invalid group ID {0} was specified.',
    params: (c) => [c.groupId ?? null],
    badRequestField: (c) => ({
      field: 'groupId',
      description: `${c.groupId ?? ''} must match ^([a-f0-9]{24})$: 24 lowercase hexadecimal characters`,
    }),
    evidence: 'text from the Cloud Manager error list; 400 + badRequestDetail is the mock\'s choice',
  },
  {
    name: 'INVALID_CLUSTER_NAME',
    status: 400,
    errorCode: 'INVALID_CLUSTER_NAME',
    reason: 'Bad Request',
    detail: 'An invalid cluster name {0} was specified.',
    params: (c) => [c.clusterName ?? null],
    badRequestField: (c) => ({
      field: 'clusterName',
      description: `${c.clusterName ?? ''} must match ^[a-zA-Z0-9][a-zA-Z0-9-]*$: letters, digits and hyphens, not starting with a hyphen`,
    }),
    evidence: 'no Atlas code known; the mock\'s choice',
  },
  {
    name: 'INVALID_JOB_ID',
    status: 400,
    errorCode: 'INVALID_JOB_ID',
    reason: 'Bad Request',
    detail: 'An invalid restore job ID {0} was specified.',
    params: (c) => [c.restoreJobId ?? null],
    badRequestField: (c) => ({
      field: 'restoreJobId',
      description: `${c.restoreJobId ?? ''} must match ^([a-f0-9]{24})$: 24 lowercase hexadecimal characters`,
    }),
    evidence: 'text from the Cloud Manager error list; 400 + badRequestDetail is the mock\'s choice',
  },
  {
    name: 'INVALID_QUERY_PARAMETER',
    status: 400,
    errorCode: 'INVALID_QUERY_PARAMETER',
    reason: 'Bad Request',
    detail: 'Invalid query parameter {0}.',
    params: (c) => [c.queryParameter ?? null],
    badRequestField: (c) => ({
      field: c.queryParameter ?? '',
      description: `must be true or false, got ${JSON.stringify(c.queryValue ?? '')}`,
    }),
    evidence: 'code from the Cloud Manager error list; its use for envelope/pretty is the mock\'s choice',
  },
  {
    name: 'INVALID_PREFER_CODE',
    status: 400,
    errorCode: 'INVALID_PREFER_CODE',
    reason: 'Bad Request',
    detail: 'The Prefer header asks for {0}, which this mock cannot honour.',
    params: (c) => [c.preferCode ?? null],
    badRequestField: () => ({
      field: 'Prefer',
      description:
        'code is a status (400, 401, 403, 404, 406, 429, 500, 503) or an error name such as CLUSTER_NOT_FOUND; ' +
        'delay is milliseconds (300) or a range (100-500); fault is reset, empty or slow-body',
    }),
    evidence: 'the mock\'s own: answers a Prefer header it cannot honour',
  },
  {
    name: 'CANNOT_USE_NON_FLEX_CLUSTER_IN_FLEX_API',
    status: 400,
    errorCode: 'CANNOT_USE_NON_FLEX_CLUSTER_IN_FLEX_API',
    reason: 'Bad Request',
    detail: 'Cannot use non-flex cluster {0} in the flex API.',
    params: (c) => [c.clusterName ?? null],
    evidence: 'recorded from real Atlas',
  },
  {
    name: 'UNAUTHORIZED',
    status: 401,
    errorCode: 'UNEXPECTED_ERROR',
    reason: 'Unauthorized',
    detail: 'You are not authorized for this resource.',
    params: () => [],
    evidence: 'recorded from real Atlas, byte for byte: the Digest challenge body',
  },
  {
    name: 'USER_UNAUTHORIZED',
    status: 401,
    errorCode: 'USER_UNAUTHORIZED',
    reason: 'Unauthorized',
    detail: 'Current user is not authorized to perform this action.',
    params: () => [],
    evidence: 'documented; Atlas reports a missing role as 401',
  },
  {
    name: 'IP_ADDRESS_NOT_ON_ACCESS_LIST',
    status: 403,
    errorCode: 'IP_ADDRESS_NOT_ON_ACCESS_LIST',
    reason: 'Forbidden',
    detail: 'IP address {0} is not allowed to access this resource.',
    params: (c) => [c.ip ?? null],
    evidence: 'several independent reports of real output',
  },
  {
    name: 'GROUP_NOT_FOUND',
    status: 404,
    errorCode: 'GROUP_NOT_FOUND',
    reason: 'Not Found',
    detail: 'No group with ID {0} exists.',
    params: (c) => [c.groupId ?? null],
    evidence: 'recorded from real Atlas',
  },
  {
    name: 'CLUSTER_NOT_FOUND',
    status: 404,
    errorCode: 'CLUSTER_NOT_FOUND',
    reason: 'Not Found',
    detail: 'No cluster named {0} exists in group {1}.',
    params: (c) => [c.clusterName ?? null, c.groupId ?? null],
    evidence: 'recorded from real Atlas',
  },
  {
    name: 'RESTORE_JOB_NOT_FOUND',
    status: 404,
    errorCode: 'RESTORE_JOB_NOT_FOUND',
    reason: 'Not Found',
    detail: 'No restore job with ID {0} exists for cluster {1}.',
    params: (c) => [c.restoreJobId ?? null, c.clusterName ?? null],
    evidence: 'Cloud Manager error list; unconfirmed for Atlas',
  },
  {
    name: 'RESOURCE_NOT_FOUND',
    status: 404,
    errorCode: 'RESOURCE_NOT_FOUND',
    reason: 'Not Found',
    detail: 'Cannot find resource {0}.',
    params: (c) => [c.path ?? null],
    evidence: 'documented; used for unknown routes',
  },
  {
    name: 'INVALID_VERSION_DATE',
    status: 406,
    errorCode: 'INVALID_VERSION_DATE',
    reason: 'Not Acceptable',
    detail: 'Invalid accept header or version date.',
    params: () => [],
    evidence: 'real output in a third-party transcript',
  },
  {
    name: 'RATE_LIMITED',
    status: 429,
    errorCode: 'RATE_LIMITED',
    reason: 'Too Many Requests',
    detail: 'Resource {0} is limited to {1} requests every {2} minutes.',
    params: (c) => [c.path ?? null, c.rateLimit ?? 100, 1],
    evidence: 'recorded for /api/oauth/token; Retry-After per the 2026 spec',
  },
  {
    name: 'UNEXPECTED_ERROR',
    status: 500,
    errorCode: 'UNEXPECTED_ERROR',
    reason: 'Internal Server Error',
    detail: 'Unexpected error.',
    params: () => [],
    evidence: 'Cloud Manager error list; the spec\'s 500 example',
  },
  {
    name: 'SERVICE_UNAVAILABLE',
    status: 503,
    errorCode: 'SERVICE_UNAVAILABLE',
    reason: 'Service Unavailable',
    detail: 'Service is temporarily unavailable.',
    params: () => [],
    evidence: 'a guess: no 503 body of Atlas is recorded; Retry-After per the spec\'s header',
  },
  // Creating, listing and cancelling restore jobs.
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

export type AtlasErrorName = (typeof ATLAS_ERRORS)[number]['name'];

const byName = new Map<string, AtlasErrorDefinition>(ATLAS_ERRORS.map((e) => [e.name, e]));

/** The error a bare status selects (`--scenario 404`, `Prefer: code=404`, well-known ids). */
export const DEFAULT_ERROR_FOR_STATUS: ReadonlyMap<number, AtlasErrorName> = new Map<number, AtlasErrorName>([
  [400, 'INVALID_JOB_ID'],
  [401, 'UNAUTHORIZED'],
  [403, 'IP_ADDRESS_NOT_ON_ACCESS_LIST'],
  [404, 'RESTORE_JOB_NOT_FOUND'],
  [406, 'INVALID_VERSION_DATE'],
  [429, 'RATE_LIMITED'],
  [500, 'UNEXPECTED_ERROR'],
  [503, 'SERVICE_UNAVAILABLE'],
]);

export function getAtlasError(name: AtlasErrorName): AtlasErrorDefinition {
  return byName.get(name) as AtlasErrorDefinition;
}

/** Looks up a name or a status ("404", "CLUSTER_NOT_FOUND"); undefined when it names nothing. */
export function findAtlasError(nameOrStatus: string): AtlasErrorDefinition | undefined {
  if (/^\d{3}$/.test(nameOrStatus)) {
    const name = DEFAULT_ERROR_FOR_STATUS.get(Number(nameOrStatus));
    return name === undefined ? undefined : byName.get(name);
  }
  return byName.get(nameOrStatus.toUpperCase());
}

/** Every value `findAtlasError` accepts, for messages that name the fix. */
export function atlasErrorChoices(): string[] {
  return [...[...DEFAULT_ERROR_FOR_STATUS.keys()].map(String), ...byName.keys()];
}

/** Templates split once into text (even places) and parameter indexes (odd places); the catalogue bounds it. */
const templateParts = new Map<string, readonly (string | number)[]>();

function fill(template: string, params: readonly Param[]): string {
  let parts = templateParts.get(template);
  if (parts === undefined) {
    parts = template.split(/\{(\d+)\}/).map((part, i) => (i % 2 === 1 ? Number(part) : part));
    templateParts.set(template, parts);
  }
  let out = '';
  for (let i = 0; i < parts.length; i++) out += i % 2 === 1 ? String(params[parts[i] as number]) : (parts[i] as string);
  return out;
}

/** The ApiError body, keys in Atlas's (alphabetical) order. */
export function atlasError(definition: AtlasErrorDefinition, ctx: ErrorContext, parameters: Param[] = definition.params(ctx)): ApiError {
  const body: ApiError = {
    detail: fill(definition.detail, parameters),
    error: definition.status,
    errorCode: definition.errorCode,
    parameters,
    reason: definition.reason,
  };
  return definition.badRequestField ? { badRequestDetail: { fields: [definition.badRequestField(ctx)] }, ...body } : body;
}
