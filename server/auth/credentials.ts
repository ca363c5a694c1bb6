/**
 * Configured credentials for `--auth strict`: API keys (HTTP Digest) and service accounts (OAuth
 * client credentials), each with Atlas roles and an optional IP access list.
 *
 * They come from a JSON or YAML file (`--credentials`, format in examples/credentials.example.yaml) and/or
 * from `--api-key` / `--service-account` (env twins ATLAS_MOCK_API_KEY / ATLAS_MOCK_SERVICE_ACCOUNT). The
 * file is checked at start-up like the fixtures: the first bad file stops the mock with every problem,
 * its field path and the fix.
 *
 * The file is user input read by a server, so: a size cap before parsing, YAML with the `yaml` package's
 * safe core schema (no custom tags, no merge keys), JSON with JSON.parse, closed schemas so `__proto__`
 * or `constructor` are refused as unknown fields, and credentials built field by field (never by merging
 * parsed objects), kept in Maps.
 *
 * @module
 */
import { readFile, stat } from 'node:fs/promises';
import { BlockList, isIP } from 'node:net';
import { extname } from 'node:path';
import type { ErrorObject } from 'ajv';
import { parseDocument } from 'yaml';
import { credentialsFile } from '../../schemas/credentials-validator.js';
import { asValidator } from '../validation/validator.js';
import { ID_PATTERN, MAX_DESCRIPTION, MAX_SECRET, type CredentialEntry, type CredentialsFile } from './credentials-schema.js';

/** One role of a credential, as Atlas grants it: a project role on some projects, or an organization role. */
export interface RoleGrant {
  /** Atlas role id such as `GROUP_BACKUP_MANAGER` (display names are normalised to ids on load). */
  readonly role: string;
  /** Project ids the role applies to; `'*'` means every project. Only project (`GROUP_*`) roles have it. */
  readonly groupIds?: readonly string[];
}

/** The IP access list of a credential, backed by `node:net` BlockList. */
export interface AccessList {
  /** The entries as written in the file, for logs and messages. */
  readonly entries: readonly string[];
  /** Whether `ip` (IPv4, IPv6, IPv4-mapped IPv6, with or without a `%zone`) is on the list. */
  allows(ip: string): boolean;
}

/** One configured API key or service account. */
export interface Credential {
  readonly kind: 'apiKey' | 'serviceAccount';
  /** The public key (Digest username) or the client id. */
  readonly id: string;
  /** The private key or the client secret. */
  readonly secret: string;
  readonly description?: string;
  readonly roles: readonly RoleGrant[];
  /** Absent: any IP may use the credential. */
  readonly accessList?: AccessList;
}

/** Credentials by id; API keys and service accounts are separate namespaces, as in Atlas. */
export interface CredentialStore {
  readonly count: number;
  readonly apiKeyCount: number;
  readonly serviceAccountCount: number;
  apiKey(publicKey: string): Credential | undefined;
  serviceAccount(clientId: string): Credential | undefined;
}

/** A credentials file or credential option the mock refuses; the message names the source, field, value and fix. */
export class CredentialsError extends Error {
  override name = 'CredentialsError';
}

/** Larger than any sane credentials file, small enough that parsing it cannot hurt. */
export const MAX_CREDENTIALS_BYTES = 1024 * 1024;

const FORMAT_HINT = 'Fix the file; the format is in examples/credentials.example.yaml.';
const MAX_PROBLEMS = 20;
const ID_RE = new RegExp(ID_PATTERN);
const ROLE_ID_RE = /^[A-Z][A-Z_]*$/;
const EXAMPLE_GROUP = '32b6e34b3d91647abb20e7b8';

/** Precompiled with ajv's `verbose`, so the messages can list the allowed fields from the failing schema node. */
const validateFile = asValidator<CredentialsFile>(credentialsFile);

/** Display names as the Atlas UI shows them; keys are lower case with single spaces. */
const DISPLAY_NAMES = new Map<string, string>([
  ['project owner', 'GROUP_OWNER'],
  ['project backup manager', 'GROUP_BACKUP_MANAGER'],
  ['project backup export operator', 'GROUP_BACKUP_EXPORT_OPERATOR'],
  ['project backup recovery operator', 'GROUP_BACKUP_RECOVERY_OPERATOR'],
  ['organization owner', 'ORG_OWNER'],
  ['organisation owner', 'ORG_OWNER'],
]);

/** The Atlas roles that include "view restore jobs" on a project. */
const PROJECT_ROLES_READING_RESTORE_JOBS = new Set(['GROUP_OWNER', 'GROUP_BACKUP_MANAGER']);
/** The mock knows no organization → project map, so an organization owner owns every project. */
const ORG_ROLES_READING_RESTORE_JOBS = new Set(['ORG_OWNER']);

function normaliseRole(role: string): string | undefined {
  const id = DISPLAY_NAMES.get(role.trim().replace(/\s+/g, ' ').toLowerCase());
  if (id !== undefined) return id;
  return ROLE_ID_RE.test(role) ? role : undefined;
}

// ---------------------------------------------------------------------------------------------------
// Messages

interface FieldHint {
  /** what the value should be, after "is not" */
  what: string;
  fix: string;
  /** a value for "add it, e.g. <field>: <example>" */
  example?: string;
  /** never echo the value: it is a password */
  secret?: boolean;
}

const ID_RULE = "use 1 to 128 letters, digits, '.', '_' or '-'";
const ROLE_FIX =
  'use a role id such as GROUP_BACKUP_MANAGER, GROUP_OWNER, GROUP_READ_ONLY or ORG_OWNER, ' +
  'or one of the display names "Project Backup Manager", "Project Owner", "Organization Owner"';

/** Keyed by the last field name of a path, with `[]` when the path ends in a list index. */
const HINTS = new Map<string, FieldHint>([
  ['', { what: 'a mapping with apiKeys and/or serviceAccounts', fix: 'start the file with "apiKeys:" or "serviceAccounts:"' }],
  ['apiKeys', { what: 'a list of API keys', fix: 'write "apiKeys:" followed by "- publicKey: ..." entries' }],
  ['apiKeys[]', { what: 'an API key', fix: 'write a mapping with publicKey, privateKey and roles' }],
  ['serviceAccounts', { what: 'a list of service accounts', fix: 'write "serviceAccounts:" followed by "- clientId: ..." entries' }],
  ['serviceAccounts[]', { what: 'a service account', fix: 'write a mapping with clientId, clientSecret and roles' }],
  ['publicKey', { what: 'a public key', fix: `${ID_RULE}, e.g. abcdefgh`, example: 'abcdefgh' }],
  ['privateKey', { what: 'a private key', fix: `use a non-empty string of at most ${MAX_SECRET} characters, e.g. a uuid`, example: '5d1e7b5c-2e3a-4c8b-9f1d-0a6b7c8d9e0f', secret: true }],
  ['clientId', { what: 'a client id', fix: `${ID_RULE}, e.g. mdb_sa_id_0123456789abcdef01234567`, example: 'mdb_sa_id_0123456789abcdef01234567' }],
  ['clientSecret', { what: 'a client secret', fix: `use a non-empty string of at most ${MAX_SECRET} characters`, example: 'mdb_sa_sk_...', secret: true }],
  ['description', { what: 'a description', fix: `use text of at most ${MAX_DESCRIPTION} characters (Atlas's limit)` }],
  ['roles', { what: 'a list of roles', fix: `give at least one, e.g. roles: [{role: GROUP_BACKUP_MANAGER, groupIds: ["${EXAMPLE_GROUP}"]}]`, example: `[{role: GROUP_BACKUP_MANAGER, groupIds: ["${EXAMPLE_GROUP}"]}]` }],
  ['roles[]', { what: 'a role grant', fix: `write a mapping such as {role: GROUP_BACKUP_MANAGER, groupIds: ["${EXAMPLE_GROUP}"]}` }],
  ['role', { what: 'a role', fix: ROLE_FIX, example: 'GROUP_BACKUP_MANAGER' }],
  ['groupIds', { what: 'a list of project ids', fix: `write e.g. groupIds: ["${EXAMPLE_GROUP}"], or ["*"] for every project` }],
  ['groupIds[]', { what: 'a project id', fix: `write 24 lowercase hex characters, e.g. ${EXAMPLE_GROUP}, or "*" (quoted in YAML) for every project` }],
  ['accessList', { what: 'a list of IP addresses or CIDRs', fix: 'write e.g. accessList: ["203.0.113.0/24", "::1"], or remove the field to allow any IP' }],
  ['accessList[]', { what: 'an IP address or CIDR', fix: 'write e.g. 203.0.113.0/24' }],
]);

/** Field names users bring from Atlas's own API or from habit. */
const LIKELY_MEANT = new Map<string, readonly string[]>([
  ['roleName', ['role']],
  ['groupId', ['groupIds']],
  ['projectId', ['groupIds']],
  ['projectIds', ['groupIds']],
  ['accessListEntries', ['accessList']],
  ['ipAccessList', ['accessList']],
  ['whitelist', ['accessList']],
  ['secret', ['privateKey', 'clientSecret']],
  ['apiKey', ['apiKeys']],
  ['serviceAccount', ['serviceAccounts']],
]);

/** A short, safe rendering: YAML aliases can make values circular, so nothing here recurses. */
function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 100 ? `${value.slice(0, 97)}...` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return `${String(value)} (${typeof value === 'boolean' ? 'a boolean' : 'a number'})`;
  if (value === null || value === undefined) return 'empty (null)';
  if (Array.isArray(value)) return 'a list';
  if (value instanceof Date) return 'a date';
  if (value instanceof Set) return 'a set';
  if (value instanceof Uint8Array) return 'binary data';
  return 'a mapping';
}

function shown(value: unknown, hint: FieldHint | undefined): string {
  return hint?.secret ? `the value (not shown, ${typeof value === 'string' ? `${value.length} characters` : show(value)})` : show(value);
}

/** JSON pointer segments, unescaped (RFC 6901). */
function pointerSegments(pointer: string): string[] {
  return pointer === '' ? [] : pointer.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function child(node: unknown, key: string): unknown {
  if (node === null || typeof node !== 'object') return undefined;
  // Own properties only: a path segment must never reach Object.prototype.
  return Object.prototype.hasOwnProperty.call(node, key) ? (node as Record<string, unknown>)[key] : undefined;
}

function appendField(path: string, name: string): string {
  // Names come from the file: escape control characters and cap the length so the message stays one line.
  const escaped = JSON.stringify(name.length > 60 ? `${name.slice(0, 57)}...` : name).slice(1, -1);
  return path ? `${path}.${escaped}` : escaped;
}

/** `apiKeys[0].roles[1].groupIds[0]` for the pointer `/apiKeys/0/roles/1/groupIds/0`, and the value there. */
function locate(root: unknown, segments: readonly string[]): { field: string; value: unknown; hintKey: string } {
  let field = '';
  let node = root;
  let hintKey = '';
  for (const segment of segments) {
    if (Array.isArray(node)) {
      field += `[${segment}]`;
      hintKey = hintKey.endsWith('[]') ? hintKey : `${hintKey}[]`;
    } else {
      field = appendField(field, segment);
      hintKey = segment;
    }
    node = child(node, segment);
  }
  return { field, value: node, hintKey };
}

function describeAjvError(error: ErrorObject, root: unknown): string {
  const segments = pointerSegments(error.instancePath);
  const { field, value, hintKey } = locate(root, segments);
  const hint = HINTS.get(hintKey);
  const where = field || '(root)';
  switch (error.keyword) {
    case 'additionalProperties': {
      const name = String((error.params as { additionalProperty: string }).additionalProperty);
      const allowed = Object.keys((error.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      const meant = [...(LIKELY_MEANT.get(name) ?? []), ...allowed.filter((a) => a.toLowerCase() === name.toLowerCase())].find((m) => allowed.includes(m));
      return `field "${appendField(field, name)}": unknown field; ${meant ? `did you mean ${meant}? ` : ''}the fields here are ${allowed.join(', ')}`;
    }
    case 'required': {
      const name = String((error.params as { missingProperty: string }).missingProperty);
      const example = HINTS.get(name)?.example;
      return `field "${appendField(field, name)}": is missing; add it${example ? `, e.g. ${name}: ${example}` : ''}`;
    }
    case 'type': {
      if (segments.length === 0) return `the file holds ${show(value)}, not ${HINTS.get('')?.what}; ${HINTS.get('')?.fix}`;
      const expected = String((error.params as { type: string }).type);
      const quote = expected === 'string' && value !== null && (typeof value === 'number' || typeof value === 'boolean') ? 'quote it; ' : '';
      const kind = expected === 'string' ? 'text' : expected === 'array' ? 'a list' : 'a mapping';
      return `field "${where}": ${shown(value, hint)} is not ${hint?.what ?? kind} (${kind} expected); ${quote}${hint?.fix ?? ''}`;
    }
    case 'minItems':
      return `field "${where}": the list is empty; ${hint?.fix ?? 'give at least one entry'}`;
    case 'maxItems':
      return `field "${where}": the list has ${Array.isArray(value) ? value.length : '?'} entries; at most ${String((error.params as { limit: number }).limit)} are allowed`;
    case 'maxLength':
      return `field "${where}": ${shown(value, hint)} is too long for ${hint?.what ?? 'this field'}; ${hint?.fix ?? error.message}`;
    default: // pattern, minLength
      return `field "${where}": ${shown(value, hint)} is not ${hint?.what ?? 'valid'}; ${hint?.fix ?? error.message}`;
  }
}

function invalid(source: string, problems: readonly string[]): never {
  const listed = problems.slice(0, MAX_PROBLEMS).map((p) => `  - ${p.replace(/\n/g, '\n    ')}`);
  if (problems.length > MAX_PROBLEMS) listed.push(`  - ... and ${problems.length - MAX_PROBLEMS} more`);
  throw new CredentialsError(`Credentials file ${source} is invalid:\n${listed.join('\n')}\n${FORMAT_HINT}`);
}

// ---------------------------------------------------------------------------------------------------
// Access lists

/** `null` when `entry` is no IP address or CIDR; otherwise the BlockList arguments. */
function parseAccessEntry(entry: string): { address: string; prefix: number; family: 'ipv4' | 'ipv6' } | null {
  const slash = entry.indexOf('/');
  const address = slash < 0 ? entry : entry.slice(0, slash);
  // A zone id names an interface of one host; it has no meaning in an access list.
  if (address.includes('%')) return null;
  const version = isIP(address);
  if (version === 0) return null;
  const bits = version === 4 ? 32 : 128;
  if (slash < 0) return { address, prefix: bits, family: version === 4 ? 'ipv4' : 'ipv6' };
  const prefixText = entry.slice(slash + 1);
  if (!/^(?:0|[1-9][0-9]{0,2})$/.test(prefixText)) return null;
  const prefix = Number(prefixText);
  return prefix <= bits ? { address, prefix, family: version === 4 ? 'ipv4' : 'ipv6' } : null;
}

function buildAccessList(entries: readonly string[]): AccessList {
  const list = new BlockList();
  for (const entry of entries) {
    const parsed = parseAccessEntry(entry);
    if (parsed) list.addSubnet(parsed.address, parsed.prefix, parsed.family);
  }
  const frozen = Object.freeze([...entries]);
  return Object.freeze({
    entries: frozen,
    allows(ip: string): boolean {
      const address = typeof ip === 'string' ? ip.replace(/%.*$/, '') : '';
      const version = isIP(address);
      if (version === 0) return false;
      if (list.check(address, version === 4 ? 'ipv4' : 'ipv6')) return true;
      // Dual-stack sockets report IPv4 peers as ::ffff:a.b.c.d; a list written in IPv4 must still match.
      const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address)?.[1];
      return mapped !== undefined && isIP(mapped) === 4 && list.check(mapped, 'ipv4');
    },
  });
}

// ---------------------------------------------------------------------------------------------------
// Parsing

function parseText(source: string, text: string, format: 'json' | 'yaml'): unknown {
  if (format === 'json') {
    try {
      return JSON.parse(text);
    } catch (error) {
      return invalid(source, [`not valid JSON: ${(error as Error).message}`]);
    }
  }
  try {
    // Core schema, no merge keys (`<<` would copy one mapping into another), duplicate keys refused.
    const doc = parseDocument(text, { schema: 'core', merge: false, uniqueKeys: true, prettyErrors: true, strict: true });
    const issues = [...doc.errors, ...doc.warnings];
    if (issues.length > 0) {
      invalid(
        source,
        issues.slice(0, 3).map((issue) => {
          const aliasHint = issue.code === 'BAD_ALIAS' ? ' (a bare * starts a YAML alias: quote it, e.g. groupIds: ["*"])' : '';
          const tagHint = issue.code === 'TAG_RESOLVE_FAILED' ? ' (the mock reads plain YAML: remove the tag)' : '';
          return `not valid YAML: ${issue.message.trimEnd()}${aliasHint}${tagHint}`;
        }),
      );
    }
    return doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    if (error instanceof CredentialsError) throw error;
    return invalid(source, [`not valid YAML: ${error instanceof Error ? error.message : String(error)}`]);
  }
}

/** Semantic problems of one role grant; silent on what the schema reports (wrong types). */
function roleProblems(grant: unknown, field: string): string[] {
  const role = child(grant, 'role');
  if (typeof role !== 'string' || role === '') return [];
  const groupIds = child(grant, 'groupIds');
  const id = normaliseRole(role);
  if (id === undefined) {
    const upper = role.trim().toUpperCase().replace(/[\s-]+/g, '_');
    const meant = [...DISPLAY_NAMES.values()].includes(upper) ? `did you mean ${upper}? ` : '';
    return [`field "${field}.role": ${show(role)} is not a role; ${meant}${ROLE_FIX}`];
  }
  if (id.startsWith('GROUP_') && groupIds === undefined) {
    return [
      `field "${field}.groupIds": is missing; ${id} is a project role: list the projects it applies to, ` +
        `e.g. groupIds: ["${EXAMPLE_GROUP}"], or ["*"] for every project`,
    ];
  }
  if (id.startsWith('ORG_') && groupIds !== undefined) {
    return [`field "${field}.groupIds": ${id} is an organization role and covers every project; remove groupIds, or use a project role such as GROUP_OWNER`];
  }
  return [];
}

const LISTS = [
  { listName: 'apiKeys', idField: 'publicKey', what: 'public key' },
  { listName: 'serviceAccounts', idField: 'clientId', what: 'client id' },
] as const;

/**
 * What the schema cannot say: role rules, IP syntax, unique ids. It runs on unchecked data too, so one
 * pass reports schema and semantic problems together; hence every read is type-guarded.
 */
function semanticProblems(data: unknown): string[] {
  const problems: string[] = [];
  for (const { listName, idField, what } of LISTS) {
    const list = child(data, listName);
    if (!Array.isArray(list)) continue;
    const firstSeen = new Map<string, string>();
    list.forEach((entry: unknown, i) => {
      const field = `${listName}[${i}]`;
      const id = child(entry, idField);
      if (typeof id === 'string') {
        const earlier = firstSeen.get(id);
        if (earlier !== undefined) problems.push(`field "${field}.${idField}": ${show(id)} repeats ${earlier}.${idField}; each ${what} must be unique: rename or remove one`);
        else firstSeen.set(id, field);
      }
      const roles = child(entry, 'roles');
      if (Array.isArray(roles)) roles.forEach((grant: unknown, j) => problems.push(...roleProblems(grant, `${field}.roles[${j}]`)));
      const accessList = child(entry, 'accessList');
      if (Array.isArray(accessList)) {
        accessList.forEach((item: unknown, k) => {
          if (typeof item === 'string' && parseAccessEntry(item) === null) {
            problems.push(`field "${field}.accessList[${k}]": ${show(item)} is not an IP address or CIDR; write e.g. 203.0.113.0/24`);
          }
        });
      }
    });
  }
  return problems;
}

/** Builds one credential from an entry that passed every check; copies fields, never the parsed object. */
function buildCredential(kind: Credential['kind'], entry: CredentialEntry, id: string, secret: string): Credential {
  const roles = entry.roles.map((grant) => {
    const role = normaliseRole(grant.role) ?? grant.role;
    return Object.freeze(grant.groupIds === undefined ? { role } : { role, groupIds: Object.freeze([...grant.groupIds]) });
  });
  const credential: { -readonly [K in keyof Credential]: Credential[K] } = { kind, id, secret, roles: Object.freeze(roles) };
  if (entry.description !== undefined) credential.description = entry.description;
  if (entry.accessList !== undefined) credential.accessList = buildAccessList(entry.accessList);
  return Object.freeze(credential);
}

/**
 * Checks the text of a credentials file and returns its credentials, API keys first, in file order.
 * Pure; {@link loadCredentials} reads the file and calls it.
 *
 * @param source - how messages name the file, e.g. its path
 * @param format - `json` (parsed with JSON.parse) or `yaml` (YAML 1.2 core schema)
 * @throws CredentialsError listing every problem with its field path, the value (never a secret) and the fix
 */
export function parseCredentials(source: string, text: string, format: 'json' | 'yaml'): Credential[] {
  if (format !== 'json' && format !== 'yaml') invalid(source, [`unknown format ${show(format)}; use json or yaml`]);
  if (typeof text !== 'string') invalid(source, ['no text to read']);
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_CREDENTIALS_BYTES) invalid(source, [`it is ${bytes} bytes; a credentials file is at most ${MAX_CREDENTIALS_BYTES} bytes (1 MiB)`]);
  const body = text.replace(/^\uFEFF/, '');
  if (body.trim() === '') invalid(source, ['the file is empty; list apiKeys and/or serviceAccounts in it']);

  const data = parseText(source, body, format);
  if (data === null || data === undefined) invalid(source, ['the file holds no data (only comments?); list apiKeys and/or serviceAccounts in it']);
  const valid = validateFile(data);
  const problems = [...(valid ? [] : (validateFile.errors ?? []).map((e) => describeAjvError(e, data))), ...semanticProblems(data)];
  if (!valid || problems.length > 0) invalid(source, problems);

  const credentials = [
    ...(data.apiKeys ?? []).map((e) => buildCredential('apiKey', e, e.publicKey, e.privateKey)),
    ...(data.serviceAccounts ?? []).map((e) => buildCredential('serviceAccount', e, e.clientId, e.clientSecret)),
  ];
  if (credentials.length === 0) {
    invalid(source, ['the file defines no credential; add entries under apiKeys (publicKey, privateKey, roles) and/or serviceAccounts (clientId, clientSecret, roles)']);
  }
  return credentials;
}

// ---------------------------------------------------------------------------------------------------
// Options and files

const OPTION_FORMS = {
  apiKey: { label: '--api-key / ATLAS_MOCK_API_KEY', env: 'ATLAS_MOCK_API_KEY', shape: '<publicKey>:<privateKey>', example: 'abcdefgh:5d1e7b5c-2e3a-4c8b-9f1d-0a6b7c8d9e0f', idName: 'public key' },
  serviceAccount: { label: '--service-account / ATLAS_MOCK_SERVICE_ACCOUNT', env: 'ATLAS_MOCK_SERVICE_ACCOUNT', shape: '<clientId>:<secret>', example: 'mdb_sa_id_demo:mdb_sa_sk_demo', idName: 'client id' },
} as const;

/** One credential from `<id>:<secret>`; the secret may hold colons, the id cannot. Project Owner everywhere. */
function optionCredential(kind: Credential['kind'], value: string): Credential {
  const form = OPTION_FORMS[kind];
  const colon = value.indexOf(':');
  const id = colon < 0 ? '' : value.slice(0, colon);
  const secret = colon < 0 ? '' : value.slice(colon + 1);
  // The value holds a secret, so messages describe it instead of echoing it.
  const refuse = (why: string): never => {
    throw new CredentialsError(`${form.label} is invalid: ${why}. Fix: write it as ${form.shape}, e.g. ${form.env}=${form.example}`);
  };
  if (colon < 0) refuse('it has no colon');
  if (id === '') refuse(`the ${form.idName} before the first colon is empty`);
  if (secret === '') refuse('the secret after the first colon is empty');
  if (!ID_RE.test(id)) refuse(`the ${form.idName} ${show(id)} is not valid (${ID_RULE})`);
  if (secret.length > MAX_SECRET) refuse(`the secret is ${secret.length} characters; at most ${MAX_SECRET} are allowed`);
  return Object.freeze({ kind, id, secret, roles: Object.freeze([Object.freeze({ role: 'GROUP_OWNER', groupIds: Object.freeze(['*']) })]) });
}

function formatOf(file: string): 'json' | 'yaml' {
  const ext = extname(file).toLowerCase();
  if (ext === '.json') return 'json';
  if (ext === '.yaml' || ext === '.yml') return 'yaml';
  throw new CredentialsError(
    `Credentials file ${file} has ${ext ? `the extension "${ext}"` : 'no extension'}; the mock reads .json, .yaml or .yml. Fix: rename the file to say its format.`,
  );
}

async function readCredentialsFile(file: string): Promise<Credential[]> {
  const format = formatOf(file);
  const cannotRead = (error: unknown): never => {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? String(error)})`;
    throw new CredentialsError(`Credentials file ${file} (--credentials / ATLAS_MOCK_CREDENTIALS) ${why}. Fix: check the path and its permissions.`);
  };
  // stat follows symlinks, which are fine; it also keeps us from opening a FIFO or a device.
  const info = await stat(file).catch(cannotRead);
  if (!info.isFile()) {
    throw new CredentialsError(
      `Credentials file ${file} is ${info.isDirectory() ? 'a folder' : 'not a regular file'}. ` +
        'Fix: point --credentials at the file (docker -v creates an empty folder when the host file is missing).',
    );
  }
  if (info.size > MAX_CREDENTIALS_BYTES) {
    throw new CredentialsError(`Credentials file ${file} is ${info.size} bytes; a credentials file is at most ${MAX_CREDENTIALS_BYTES} bytes (1 MiB). Fix: point --credentials at the right file.`);
  }
  const bytes = await readFile(file).catch(cannotRead);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new CredentialsError(`Credentials file ${file} is not UTF-8 text. Fix: save it as UTF-8.`);
  }
  return parseCredentials(file, text, format);
}

/**
 * A store over already-checked credentials (from {@link parseCredentials}, or hand-made in tests).
 *
 * @throws CredentialsError when two API keys share a public key or two service accounts a client id
 */
export function credentialStore(credentials: Iterable<Credential>, origins?: ReadonlyMap<Credential, string>): CredentialStore {
  const apiKeys = new Map<string, Credential>();
  const serviceAccounts = new Map<string, Credential>();
  for (const credential of credentials) {
    const map = credential.kind === 'apiKey' ? apiKeys : serviceAccounts;
    const earlier = map.get(credential.id);
    if (earlier !== undefined) {
      const what = credential.kind === 'apiKey' ? 'API key' : 'service account';
      const where = (c: Credential) => origins?.get(c) ?? 'the list';
      throw new CredentialsError(
        `The ${what} ${show(credential.id)} is configured twice: in ${where(earlier)} and in ${where(credential)}. ` +
          'Fix: remove one (the --api-key / --service-account one is Project Owner on every project; a file entry has its own roles).',
      );
    }
    map.set(credential.id, credential);
  }
  return Object.freeze({
    count: apiKeys.size + serviceAccounts.size,
    apiKeyCount: apiKeys.size,
    serviceAccountCount: serviceAccounts.size,
    apiKey: (publicKey: string) => apiKeys.get(publicKey),
    serviceAccount: (clientId: string) => serviceAccounts.get(clientId),
  });
}

/**
 * Loads the credentials of `--auth strict`: the file (when `file` is set) plus the one API key and/or
 * service account of the options, each of those Project Owner (`GROUP_OWNER`) on every project with no
 * access list. Empty strings count as unset, as the options default to them; with nothing set the store
 * is empty (whether that is an error is the caller's call).
 *
 * @param input.apiKey - `<publicKey>:<privateKey>`, split on the first colon
 * @param input.serviceAccount - `<clientId>:<secret>`, split on the first colon
 * @throws CredentialsError naming the file or option, the field, the value and the fix
 */
export async function loadCredentials(input: { file?: string; apiKey?: string; serviceAccount?: string }): Promise<CredentialStore> {
  const origins = new Map<Credential, string>();
  const all: Credential[] = [];
  if (input.file) {
    for (const credential of await readCredentialsFile(input.file)) {
      origins.set(credential, `the credentials file ${input.file}`);
      all.push(credential);
    }
  }
  for (const kind of ['apiKey', 'serviceAccount'] as const) {
    const value = input[kind];
    if (!value) continue;
    const credential = optionCredential(kind, value);
    origins.set(credential, OPTION_FORMS[kind].label);
    all.push(credential);
  }
  return credentialStore(all, origins);
}

// ---------------------------------------------------------------------------------------------------
// Decisions

/**
 * Roles as written in the credentials → their ids (undefined: not a role). Roles come from
 * configuration, so this holds a few entries; normalising one (trim, collapse spaces, lower-case, look
 * up) on every authenticated request showed in profiles.
 */
const normalisedRoles = new Map<string, string | undefined>();

/** A role as written in the credentials → its id; memoised (see normalisedRoles). */
function roleIdOf(written: string): string | undefined {
  let role = normalisedRoles.get(written);
  if (role === undefined && !normalisedRoles.has(written)) {
    role = normaliseRole(written);
    // Bounded all the same, for a process that builds many mocks with roles of its own making.
    if (normalisedRoles.size < 1_000) normalisedRoles.set(written, role);
  }
  return role;
}

/**
 * Whether the credential may read restore jobs of project `groupId`: Project Owner or Project Backup
 * Manager on that project (or on `*`), or Organization Owner. Any other role → 401 USER_UNAUTHORIZED.
 */
export function mayReadRestoreJobs(credential: Credential, groupId: string): boolean {
  return credential.roles.some((grant) => {
    const role = roleIdOf(grant.role);
    if (role === undefined) return false;
    if (ORG_ROLES_READING_RESTORE_JOBS.has(role)) return true;
    if (!PROJECT_ROLES_READING_RESTORE_JOBS.has(role)) return false;
    return (grant.groupIds ?? []).some((id) => id === '*' || id === groupId);
  });
}

/**
 * What a change to restore jobs is: starting or cancelling a download, starting an automated or
 * pointInTime restore, or either (what the auth hook asks before the body says which).
 */
export type RestoreJobChange = 'download' | 'restore' | 'any';

/** Project roles that may make each change, besides those that read restore jobs (which may make all). */
const PROJECT_ROLES_CHANGING_RESTORE_JOBS: Readonly<Record<Exclude<RestoreJobChange, 'any'>, string>> = {
  download: 'GROUP_BACKUP_EXPORT_OPERATOR',
  restore: 'GROUP_BACKUP_RECOVERY_OPERATOR',
};

/**
 * Whether the credential may create or cancel restore jobs of project `groupId`: whoever may read them,
 * and Project Backup Export Operator for downloads, Project Backup Recovery Operator for automated and
 * pointInTime restores (the spec's roles for the create operation). Otherwise 401 USER_UNAUTHORIZED.
 */
export function mayChangeRestoreJobs(credential: Credential, groupId: string, change: RestoreJobChange): boolean {
  if (mayReadRestoreJobs(credential, groupId)) return true;
  return credential.roles.some((grant) => {
    const role = roleIdOf(grant.role);
    const fits = change === 'any' ? role === PROJECT_ROLES_CHANGING_RESTORE_JOBS.download || role === PROJECT_ROLES_CHANGING_RESTORE_JOBS.restore : role === PROJECT_ROLES_CHANGING_RESTORE_JOBS[change];
    return fits && (grant.groupIds ?? []).some((id) => id === '*' || id === groupId);
  });
}

/**
 * Whether a request from `ip` may use the credential (otherwise Atlas answers 403 IP_ADDRESS_NOT_ON_ACCESS_LIST).
 * No access list allows every IP; an IPv4-mapped IPv6 address (`::ffff:127.0.0.1`) also matches its IPv4
 * form; anything that is not an IP address is refused.
 */
export function ipAllowed(credential: Credential, ip: string): boolean {
  return credential.accessList === undefined || credential.accessList.allows(ip);
}
