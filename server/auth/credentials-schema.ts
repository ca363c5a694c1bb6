/**
 * The credentials-file format (`--credentials`, examples/credentials.example.yaml) as a JSON Schema, and
 * the shape of a file that passes it. The loading, the semantic checks and the messages are in
 * credentials.ts.
 *
 * Kept apart from credentials.ts so that schemas/generate-validators.ts can compile this schema ahead of
 * time (into schemas/credentials-validator.ts) without loading the module that runs the compiled result.
 *
 * @module
 */

export const ID_PATTERN = '^[A-Za-z0-9._-]{1,128}$';
export const MAX_SECRET = 256;
export const MAX_DESCRIPTION = 250;

const roleGrantSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['role'],
  properties: {
    // The role's own rules (ids or display names) are semantic checks, for a message that lists both.
    role: { type: 'string', minLength: 1, maxLength: 100 },
    groupIds: { type: 'array', minItems: 1, maxItems: 10000, items: { type: 'string', pattern: '^(?:[a-f0-9]{24}|\\*)$' } },
  },
};

function credentialSchema(idField: string, secretField: string): object {
  return {
    type: 'object',
    additionalProperties: false,
    required: [idField, secretField, 'roles'],
    properties: {
      [idField]: { type: 'string', pattern: ID_PATTERN },
      [secretField]: { type: 'string', minLength: 1, maxLength: MAX_SECRET },
      description: { type: 'string', maxLength: MAX_DESCRIPTION },
      roles: { type: 'array', minItems: 1, maxItems: 1000, items: roleGrantSchema },
      // An empty list would lock the credential out; absence is how a file says "any IP".
      accessList: { type: 'array', minItems: 1, maxItems: 10000, items: { type: 'string', minLength: 1, maxLength: 100 } },
    },
  };
}

export const CREDENTIALS_FILE_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    apiKeys: { type: 'array', items: credentialSchema('publicKey', 'privateKey') },
    serviceAccounts: { type: 'array', items: credentialSchema('clientId', 'clientSecret') },
  },
};

export interface RoleGrantEntry {
  role: string;
  groupIds?: string[];
}
export interface CredentialEntry {
  description?: string;
  roles: RoleGrantEntry[];
  accessList?: string[];
}
export interface ApiKeyEntry extends CredentialEntry {
  publicKey: string;
  privateKey: string;
}
export interface ServiceAccountEntry extends CredentialEntry {
  clientId: string;
  clientSecret: string;
}
/** A credentials file that passed {@link CREDENTIALS_FILE_SCHEMA}. */
export interface CredentialsFile {
  apiKeys?: ApiKeyEntry[];
  serviceAccounts?: ServiceAccountEntry[];
}
