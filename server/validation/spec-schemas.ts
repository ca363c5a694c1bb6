/**
 * The validators the route, the fixture loader, the control API and the tests run, checked against the
 * schema generated from the official Atlas spec (schemas/restore-job.schema.json) and the mock's own
 * formats built on it. They were compiled ahead of time into schemas/validators.ts (npm run validators),
 * so start-up compiles nothing; server/validation/compile-validators.ts says how, and the tests hold the two to each other.
 */
import type { ErrorObject } from 'ajv';
import * as standalone from '../../schemas/validators.js';
import type { ApiError, DiskBackupSnapshotRestoreJob, PaginatedCloudBackupRestoreJobView } from '../../schemas/types.js';
import { asValidator, type Validator } from './validator.js';

export type { Validator } from './validator.js';

type SchemaNode = { [key: string]: unknown };

export const validators = {
  restoreJob: asValidator<DiskBackupSnapshotRestoreJob>(standalone.restoreJob),
  /** a page of the restore-job list */
  restoreJobList: asValidator<PaginatedCloudBackupRestoreJobView>(standalone.restoreJobList),
  apiError: asValidator<ApiError>(standalone.apiError),
  /** a fixture file: the job schema closed against unknown fields, with `x-mock` and without `links` */
  fixture: asValidator<DiskBackupSnapshotRestoreJob>(standalone.fixture),
};

export type PathParameterName = 'groupId' | 'clusterName' | 'restoreJobId';

/** One validator per path parameter, from the spec's own schemas, so each is checked in Atlas's order of checks. */
export const pathParameterValidators: Readonly<Record<PathParameterName, Validator<string>>> = Object.freeze({
  groupId: asValidator<string>(standalone.groupId),
  clusterName: asValidator<string>(standalone.clusterName),
  restoreJobId: asValidator<string>(standalone.restoreJobId),
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
