/**
 * The type of the mock's validators: functions that ajv's standalone code generation wrote ahead of time
 * (schemas/validators.ts, schemas/credentials-validator.ts), so no schema is compiled while the mock runs.
 */
import type { ErrorObject } from 'ajv';

/**
 * ajv's ValidateFunction without what only a live Ajv instance has (`schema`, `schemaEnv`): a type guard
 * that leaves the errors of its last call in `errors`, exactly as a runtime-compiled one does.
 */
export interface Validator<T> {
  (data: unknown): data is T;
  errors?: ErrorObject[] | null;
}

/** The generated code is plain JavaScript, untyped; this names what it validates. */
export function asValidator<T>(validate: (data: unknown) => boolean): Validator<T> {
  return validate as Validator<T>;
}
