/**
 * How each set of the mock's validators is compiled: the ajv options, the schemas, and the names its
 * generated module exports. schemas/generate-validators.ts turns each set into standalone code
 * (schemas/validators.ts, schemas/credentials-validator.ts); tests compile the same sets here, at run time,
 * and hold the generated modules to them.
 *
 * The server never imports this module: compiling costs start-up time (the spec schemas, the fixture
 * schema, and the JSON Schema meta-schema once per Ajv instance) that the generated modules have already paid.
 */
import { Ajv, type Options, type ValidateFunction } from 'ajv';
import formats from 'ajv-formats';
import schemaDocument from '../../schemas/restore-job.schema.json' with { type: 'json' };
import { CREDENTIALS_FILE_SCHEMA } from '../auth/credentials-schema.js';
import { FIXTURE_SCHEMA_ID, SCENARIO_RULE_SCHEMA, SCHEMA_ID, fixtureSchema } from './validator-schemas.js';

export interface ValidatorSet {
  /** its generated module, in schemas/ */
  readonly file: string;
  /** a fresh Ajv holding every schema of the set; `extra` adds the generator's `code` options */
  createAjv(extra?: Options): Ajv;
  /** export name → the schema it validates: a `$id`, a key given to addSchema, or a JSON pointer into either */
  readonly exports: Readonly<Record<string, string>>;
}

/** The Ajv of the spec schemas: every error reported, unknown keywords refused, formats checked. Tests extend it. */
export function createAjv(extra: Options = {}): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: true, ...extra });
  formats.default(ajv);
  // Attribution and patch notes travel inside the generated schema; they are not validation keywords.
  ajv.addKeyword('x-attribution');
  ajv.addKeyword('x-atlas-mock-patches');
  ajv.addSchema(schemaDocument);
  return ajv;
}

const PATH_PARAMETERS = `${SCHEMA_ID}#/$defs/PathParameters/properties`;

const SPEC_SET: ValidatorSet = {
  file: 'validators.ts',
  createAjv(extra) {
    const ajv = createAjv(extra);
    ajv.addSchema(fixtureSchema());
    ajv.addSchema(SCENARIO_RULE_SCHEMA, 'scenario-rule');
    return ajv;
  },
  exports: {
    restoreJob: `${SCHEMA_ID}#/$defs/DiskBackupSnapshotRestoreJob`,
    restoreJobList: `${SCHEMA_ID}#/$defs/PaginatedCloudBackupRestoreJobView`,
    apiError: `${SCHEMA_ID}#/$defs/ApiError`,
    fixture: FIXTURE_SCHEMA_ID,
    groupId: `${PATH_PARAMETERS}/groupId`,
    clusterName: `${PATH_PARAMETERS}/clusterName`,
    restoreJobId: `${PATH_PARAMETERS}/restoreJobId`,
    scenarioRule: 'scenario-rule',
  },
};

const CREDENTIALS_SET: ValidatorSet = {
  file: 'credentials-validator.ts',
  // A set of its own for `verbose`: its errors carry their schema node, from which the messages list the
  // allowed fields. In the other set it would only copy schema nodes into every error.
  createAjv: (extra) => new Ajv({ allErrors: true, strict: true, verbose: true, ...extra }).addSchema(CREDENTIALS_FILE_SCHEMA, 'credentials-file'),
  exports: { credentialsFile: 'credentials-file' },
};

export const VALIDATOR_SETS: readonly ValidatorSet[] = [SPEC_SET, CREDENTIALS_SET];

/** Every validator of a set, compiled now: what its generated module must behave like. */
export function compileValidatorSet(set: ValidatorSet): Record<string, ValidateFunction> {
  const ajv = set.createAjv();
  return Object.fromEntries(
    Object.entries(set.exports).map(([name, ref]) => {
      const validate = ajv.getSchema(ref);
      if (!validate) throw new Error(`${set.file}: no schema ${ref}`);
      return [name, validate];
    }),
  );
}
