/**
 * The one catalogue of Atlas errors the mock can answer with. Every error body the mock sends is built
 * by `atlasError` from an entry here; the README's error table is tested against this list.
 * Evidence and exact texts: ATLAS-BEHAVIOUR.md §7 and decisions D3-D5, D10, D12.
 */
import type { ApiError } from '../../schemas/types.js';
import { RESTORE_WORKFLOW_ERRORS } from './restore-workflow-errors.js';

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
  /** Validation errors also carry `badRequestDetail.fields` (D3). */
  readonly badRequestField?: (ctx: ErrorContext) => { field: string; description: string };
  /** Where Atlas's evidence stands; the README prints it. */
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
    evidence: 'text from the Cloud Manager error list; 400 + badRequestDetail is the mock\'s choice (D3)',
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
    evidence: 'no Atlas code known; the mock\'s choice (D3)',
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
    evidence: 'text from the Cloud Manager error list; 400 + badRequestDetail is the mock\'s choice (D3)',
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
    evidence: 'code from the Cloud Manager error list; its use for envelope/pretty is the mock\'s choice (D9)',
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
    evidence: 'recorded from real Atlas (D15)',
  },
  {
    name: 'UNAUTHORIZED',
    status: 401,
    errorCode: 'UNEXPECTED_ERROR',
    reason: 'Unauthorized',
    detail: 'You are not authorized for this resource.',
    params: () => [],
    evidence: 'recorded from real Atlas, byte for byte: the Digest challenge body (D10)',
  },
  {
    name: 'USER_UNAUTHORIZED',
    status: 401,
    errorCode: 'USER_UNAUTHORIZED',
    reason: 'Unauthorized',
    detail: 'Current user is not authorized to perform this action.',
    params: () => [],
    evidence: 'documented; Atlas reports a missing role as 401 (D12)',
  },
  {
    name: 'IP_ADDRESS_NOT_ON_ACCESS_LIST',
    status: 403,
    errorCode: 'IP_ADDRESS_NOT_ON_ACCESS_LIST',
    reason: 'Forbidden',
    detail: 'IP address {0} is not allowed to access this resource.',
    params: (c) => [c.ip ?? null],
    evidence: 'several independent reports of real output (D12)',
  },
  {
    name: 'GROUP_NOT_FOUND',
    status: 404,
    errorCode: 'GROUP_NOT_FOUND',
    reason: 'Not Found',
    detail: 'No group with ID {0} exists.',
    params: (c) => [c.groupId ?? null],
    evidence: 'recorded from real Atlas (D4)',
  },
  {
    name: 'CLUSTER_NOT_FOUND',
    status: 404,
    errorCode: 'CLUSTER_NOT_FOUND',
    reason: 'Not Found',
    detail: 'No cluster named {0} exists in group {1}.',
    params: (c) => [c.clusterName ?? null, c.groupId ?? null],
    evidence: 'recorded from real Atlas (D4)',
  },
  {
    name: 'RESTORE_JOB_NOT_FOUND',
    status: 404,
    errorCode: 'RESTORE_JOB_NOT_FOUND',
    reason: 'Not Found',
    detail: 'No restore job with ID {0} exists for cluster {1}.',
    params: (c) => [c.restoreJobId ?? null, c.clusterName ?? null],
    evidence: 'Cloud Manager error list; unconfirmed for Atlas (D4)',
  },
  {
    name: 'RESOURCE_NOT_FOUND',
    status: 404,
    errorCode: 'RESOURCE_NOT_FOUND',
    reason: 'Not Found',
    detail: 'Cannot find resource {0}.',
    params: (c) => [c.path ?? null],
    evidence: 'documented; used for unknown routes (D5)',
  },
  {
    name: 'INVALID_VERSION_DATE',
    status: 406,
    errorCode: 'INVALID_VERSION_DATE',
    reason: 'Not Acceptable',
    detail: 'Invalid accept header or version date.',
    params: () => [],
    evidence: 'real output in a third-party transcript (D2)',
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
] as const);

export type AtlasErrorName = (typeof ATLAS_ERRORS)[number]['name'];

// The restore workflow's errors are selectable by name too (scenarios, Prefer, fixtures).
const byName = new Map<string, AtlasErrorDefinition>([...ATLAS_ERRORS, ...RESTORE_WORKFLOW_ERRORS].map((e) => [e.name, e]));

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

/** The ApiError body, keys in Atlas's (alphabetical) order (D6). */
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
