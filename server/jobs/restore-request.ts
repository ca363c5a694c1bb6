/**
 * Reads the body of a create request (POST …/backup/restoreJobs) the way Atlas's JSON layer does,
 * checked against the official schema of `DiskBackupSnapshotRestoreJob`, first failure wins:
 *
 * 1. not one JSON object → MALFORMED_JSON;
 * 2. a property the schema does not have → INVALID_ATTRIBUTE naming it (read-only properties the
 *    schema has, such as `id`, `cancelled` or `links`, are ignored, whatever their value);
 * 3. `deliveryType` missing or null → MISSING_ATTRIBUTE; not one of the enumeration → INVALID_ENUM_VALUE;
 * 4. a writable value that breaks the schema (type, pattern, minimum, int32) → INVALID_JSON_ATTRIBUTE
 *    naming the field, with the rule in badRequestDetail. Null counts as absent, as in Jackson.
 *
 * What the request then means (snapshots, targets, points in time) is new-restore-job.ts's business.
 */
import schemaDocument from '../../schemas/restore-job.schema.json' with { type: 'json' };
import type { DiskBackupSnapshotRestoreJob } from '../../schemas/types.js';
import { getAtlasError, type AtlasErrorDefinition, type ErrorContext } from '../http/atlas-errors.js';
import { validators } from '../validation/spec-schemas.js';

export type DeliveryType = DiskBackupSnapshotRestoreJob['deliveryType'];

/** The writable fields of a create request. */
export interface RestoreRequest {
  deliveryType: DeliveryType;
  snapshotId?: string;
  targetClusterName?: string;
  targetGroupId?: string;
  oplogTs?: number;
  oplogInc?: number;
  pointInTimeUTCSeconds?: number;
}

/** Why a request is refused: the error, and what its text needs. */
export interface Refusal {
  refused: AtlasErrorDefinition;
  ctx: Partial<ErrorContext>;
}

type SchemaNode = { readOnly?: boolean; $ref?: string };
const defs = schemaDocument.$defs as unknown as Record<string, SchemaNode & { properties?: Record<string, SchemaNode> }>;
const jobProperties = defs.DiskBackupSnapshotRestoreJob?.properties ?? {};

/** A property is read-only when its schema, or the schema it refers to, says so (desiredTimestamp's does). */
const isReadOnly = (node: SchemaNode): boolean => node.readOnly === true || (node.$ref !== undefined && defs[node.$ref.slice('#/$defs/'.length)]?.readOnly === true);

const KNOWN = new Set(Object.keys(jobProperties));
/** The fields a client may set, in the schema's (alphabetical) order. */
export const WRITABLE_FIELDS: readonly string[] = Object.keys(jobProperties).filter((name) => !isReadOnly(jobProperties[name] as SchemaNode));
export const DELIVERY_TYPES: readonly string[] = (jobProperties.deliveryType as { enum: string[] }).enum;

const refuse = (name: Parameters<typeof getAtlasError>[0], ctx: Partial<ErrorContext> = {}): Refusal => ({ refused: getAtlasError(name), ctx });

export function isRefusal(value: unknown): value is Refusal {
  return typeof value === 'object' && value !== null && 'refused' in value;
}

/** Steps 1-4 of the module comment; the request, or why it is refused. Pure. */
export function readRestoreRequest(text: string | undefined): RestoreRequest | Refusal {
  let body: unknown;
  try {
    body = text === undefined || text.trim() === '' ? undefined : JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return refuse('MALFORMED_JSON');

  const fields: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(body)) {
    if (!KNOWN.has(name)) return refuse('INVALID_ATTRIBUTE', { attribute: name });
    if (WRITABLE_FIELDS.includes(name) && value !== null) fields[name] = value;
  }

  const deliveryType = fields.deliveryType;
  if (deliveryType === undefined) return refuse('MISSING_ATTRIBUTE', { attribute: 'deliveryType' });
  if (typeof deliveryType !== 'string' || !DELIVERY_TYPES.includes(deliveryType)) {
    return refuse('INVALID_ENUM_VALUE', { value: typeof deliveryType === 'string' ? deliveryType : JSON.stringify(deliveryType) });
  }

  if (!validators.restoreJob(fields)) {
    const [first] = (validators.restoreJob.errors ?? [])
      .map((e) => ({ field: e.instancePath.split('/')[1] ?? '', message: e.message ?? 'is invalid' }))
      .sort((a, b) => (a.field < b.field ? -1 : a.field > b.field ? 1 : 0));
    const field = first?.field ?? '';
    return refuse('INVALID_JSON_ATTRIBUTE', { attribute: field, description: `${first?.message ?? 'is invalid'} (got ${JSON.stringify(fields[field])})` });
  }
  return fields as unknown as RestoreRequest;
}
