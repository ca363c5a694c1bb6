/**
 * Every option of the mock, defined once: its flag, its ATLAS_MOCK_* env twin, its type, default and
 * description. The CLI parser, the env overlay, `--help` and the README table (tested) all read this table.
 */
import { parseArgs } from 'node:util';
import { atlasErrorChoices, findAtlasError } from './http/atlas-errors.js';
import { DEFAULT_FIXTURES_DIR } from './package-root.js';
import { FAULTS, parseDelay } from './scenarios/scenario-book.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const AUTH_MODES = ['any', 'strict', 'off'] as const;
export type AuthMode = (typeof AUTH_MODES)[number];

export interface MockOptions {
  port: number;
  host: string;
  fixtures: string;
  seed: number;
  generate: boolean;
  scenario: string;
  logLevel: LogLevel;
  logFormat: 'json' | 'pretty';
  wireFidelity: boolean;
  cacheSize: number;
  rateLimit: number;
  auth: AuthMode;
  credentials: string;
  apiKey: string;
  serviceAccount: string;
  nonceTtl: number;
  tokenTtl: number;
  control: boolean;
  controlToken: string;
  journalSize: number;
  clockSpeed: number;
  delay: string;
  fault: string;
  enforceRateLimit: boolean;
}

type Kind = 'integer' | 'string' | 'boolean' | 'enum' | 'scenario' | 'delay';

export interface OptionDefinition<K extends keyof MockOptions = keyof MockOptions> {
  key: K;
  flag: string;
  env: string;
  kind: Kind;
  default: MockOptions[K];
  /** shown in --help and the README */
  description: string;
  /** what to write instead, shown when a value is refused */
  example: string;
  min?: number;
  max?: number;
  choices?: readonly string[];
}

const option = <K extends keyof MockOptions>(definition: OptionDefinition<K>): OptionDefinition<K> => definition;

export const OPTIONS = [
  option({
    key: 'port', flag: '--port', env: 'ATLAS_MOCK_PORT', kind: 'integer', default: 8080, min: 0, max: 65535,
    description: 'TCP port to listen on (0 picks a free one)', example: '--port 8080',
  }),
  option({
    key: 'host', flag: '--host', env: 'ATLAS_MOCK_HOST', kind: 'string', default: '127.0.0.1',
    description: 'interface to listen on; 0.0.0.0 exposes the mock beyond this machine', example: '--host 127.0.0.1',
  }),
  option({
    key: 'fixtures', flag: '--fixtures', env: 'ATLAS_MOCK_FIXTURES', kind: 'string', default: DEFAULT_FIXTURES_DIR,
    description: 'folder of fixture jobs, laid out <groupId>/<clusterName>/<restoreJobId>.json (default: the shipped set)',
    example: '--fixtures ./my-fixtures',
  }),
  option({
    key: 'seed', flag: '--seed', env: 'ATLAS_MOCK_SEED', kind: 'integer', default: 1, min: 0, max: 4294967295,
    description: 'seed of generated jobs: the same seed and ids give byte-identical jobs', example: '--seed 42',
  }),
  option({
    key: 'generate', flag: '--generate', env: 'ATLAS_MOCK_GENERATE', kind: 'boolean', default: true,
    description: 'invent a job for any well-formed ids no fixture covers; --no-generate serves fixtures only',
    example: '--no-generate',
  }),
  option({
    key: 'scenario', flag: '--scenario', env: 'ATLAS_MOCK_SCENARIO', kind: 'scenario', default: 'none',
    description: 'answer every restore-job request with this error: a status (404) or an error name (CLUSTER_NOT_FOUND); none = off',
    example: '--scenario 404',
  }),
  option({
    key: 'logLevel', flag: '--log-level', env: 'ATLAS_MOCK_LOG_LEVEL', kind: 'enum', default: 'info', choices: LOG_LEVELS,
    description: 'log level of the JSON logs on stdout (debug logs every request)', example: '--log-level debug',
  }),
  option({
    key: 'logFormat', flag: '--log-format', env: 'ATLAS_MOCK_LOG_FORMAT', kind: 'enum', default: 'json', choices: ['json', 'pretty'],
    description: 'json: one JSON object per line (Fastify/pino); pretty: coloured, human-readable lines for a terminal',
    example: '--log-format pretty',
  }),
  option({
    key: 'wireFidelity', flag: '--wire-fidelity', env: 'ATLAS_MOCK_WIRE_FIDELITY', kind: 'boolean', default: false,
    description: 'send what Atlas really sends even where it breaks its own schema: desiredTimestamp nulls, targetDeploymentItemName',
    example: '--wire-fidelity',
  }),
  option({
    key: 'cacheSize', flag: '--cache-size', env: 'ATLAS_MOCK_CACHE_SIZE', kind: 'integer', default: 10000, min: 0, max: 1000000,
    description: 'how many rendered jobs to keep in memory (LRU); bounds memory whatever the number of ids', example: '--cache-size 10000',
  }),
  option({
    key: 'rateLimit', flag: '--rate-limit', env: 'ATLAS_MOCK_RATE_LIMIT', kind: 'integer', default: 1200, min: 1, max: 1000000,
    description: 'RateLimit-Limit: requests per caller per minute that RateLimit-Remaining counts down from', example: '--rate-limit 1200',
  }),
  option({
    key: 'auth', flag: '--auth', env: 'ATLAS_MOCK_AUTH', kind: 'enum', default: 'any', choices: AUTH_MODES,
    description: 'any: any well-formed Digest/Bearer credential, none gets the Digest challenge; strict: only configured credentials, roles and access lists; off: no auth. Default: strict when credentials are given, else any',
    example: '--auth strict',
  }),
  option({
    key: 'credentials', flag: '--credentials', env: 'ATLAS_MOCK_CREDENTIALS', kind: 'string', default: '',
    description: 'JSON or YAML file of API keys and service accounts with roles and access lists (see examples/credentials.example.yaml)',
    example: '--credentials ./credentials.yaml',
  }),
  option({
    key: 'apiKey', flag: '--api-key', env: 'ATLAS_MOCK_API_KEY', kind: 'string', default: '',
    description: 'one API key as <public>:<private>, Project Owner on every project', example: '--api-key abcdefgh:5d1e7b5c-0000-4000-8000-000000000000',
  }),
  option({
    key: 'serviceAccount', flag: '--service-account', env: 'ATLAS_MOCK_SERVICE_ACCOUNT', kind: 'string', default: '',
    description: 'one service account as <clientId>:<secret>, Project Owner on every project', example: '--service-account mdb_sa_id_demo:mdb_sa_sk_demo',
  }),
  option({
    key: 'nonceTtl', flag: '--nonce-ttl', env: 'ATLAS_MOCK_NONCE_TTL', kind: 'integer', default: 300, min: 1, max: 86400,
    description: 'seconds a Digest nonce stays valid; later it is answered stale=true', example: '--nonce-ttl 300',
  }),
  option({
    key: 'tokenTtl', flag: '--token-ttl', env: 'ATLAS_MOCK_TOKEN_TTL', kind: 'integer', default: 3600, min: 1, max: 86400,
    description: 'seconds a service-account access token lives (expires_in)', example: '--token-ttl 3600',
  }),
  option({
    key: 'control', flag: '--control', env: 'ATLAS_MOCK_CONTROL', kind: 'boolean', default: false,
    description: 'serve the control API under /__mock/ (fixtures, scenarios, journal, clock, reset); off by default',
    example: '--control',
  }),
  option({
    key: 'controlToken', flag: '--control-token', env: 'ATLAS_MOCK_CONTROL_TOKEN', kind: 'string', default: '',
    description: 'token the control API requires in X-Mock-Token; required when --control listens beyond loopback',
    example: '--control-token s3cret',
  }),
  option({
    key: 'journalSize', flag: '--journal-size', env: 'ATLAS_MOCK_JOURNAL_SIZE', kind: 'integer', default: 1000, min: 0, max: 1000000,
    description: 'how many requests the request journal keeps (a ring; 0 turns it off; the CLI keeps one only with --control)', example: '--journal-size 1000',
  }),
  option({
    key: 'clockSpeed', flag: '--clock-speed', env: 'ATLAS_MOCK_CLOCK_SPEED', kind: 'integer', default: 1, min: 1, max: 100000,
    description: 'how much faster than real time job lifecycles run (60 = a minute per second)', example: '--clock-speed 60',
  }),
  option({
    key: 'delay', flag: '--delay', env: 'ATLAS_MOCK_DELAY', kind: 'delay', default: '',
    description: 'delay every restore-job reply: milliseconds (300) or a random range (100-500); none = off', example: '--delay 100-500',
  }),
  option({
    key: 'fault', flag: '--fault', env: 'ATLAS_MOCK_FAULT', kind: 'enum', default: 'none', choices: ['none', ...FAULTS],
    description: 'break every restore-job reply: reset (TCP reset), empty (close without reply), slow-body (the body trickles)',
    example: '--fault reset',
  }),
  option({
    key: 'enforceRateLimit', flag: '--enforce-rate-limit', env: 'ATLAS_MOCK_ENFORCE_RATE_LIMIT', kind: 'boolean', default: false,
    description: 'answer 429 RATE_LIMITED with Retry-After once a caller passes --rate-limit requests in a minute, as Atlas does',
    example: '--enforce-rate-limit',
  }),
] as const satisfies readonly OptionDefinition[];

export const DEFAULT_OPTIONS: Readonly<MockOptions> = Object.freeze(
  Object.fromEntries(OPTIONS.map((o) => [o.key, o.default])) as unknown as MockOptions,
);

/** A refused option; the message names the option, the value and the fix. */
export class OptionError extends Error {
  override name = 'OptionError';
}

const TRUE = new Set(['true', '1', 'yes', 'on']);
const FALSE = new Set(['false', '0', 'no', 'off']);

function refuse(def: OptionDefinition, source: string, raw: string, expected: string): never {
  throw new OptionError(
    `Invalid value ${JSON.stringify(raw)} for ${source}: expected ${expected}. Fix: for example ${def.example}` +
      (source.startsWith('ATLAS_MOCK_') ? ` (or ${def.env}=...)` : '') + '.',
  );
}

/** Converts one raw string (from argv or env) to the option's type, or refuses it. */
export function convertOption(def: OptionDefinition, raw: string, source: string): MockOptions[keyof MockOptions] {
  switch (def.kind) {
    case 'integer': {
      const min = def.min ?? Number.MIN_SAFE_INTEGER;
      const max = def.max ?? Number.MAX_SAFE_INTEGER;
      if (!/^\d+$/.test(raw.trim()) || Number(raw) < min || Number(raw) > max) {
        refuse(def, source, raw, `an integer from ${min} to ${max}`);
      }
      return Number(raw);
    }
    case 'boolean': {
      const v = raw.trim().toLowerCase();
      if (TRUE.has(v)) return true;
      if (FALSE.has(v)) return false;
      return refuse(def, source, raw, 'true or false (or 1/0, yes/no, on/off)');
    }
    case 'enum':
      if (!def.choices?.includes(raw)) refuse(def, source, raw, `one of ${def.choices?.join(', ')}`);
      return raw;
    case 'scenario':
      if (raw !== 'none' && !findAtlasError(raw)) refuse(def, source, raw, `none or one of ${atlasErrorChoices().join(', ')}`);
      return raw === 'none' ? 'none' : (findAtlasError(raw)?.name ?? raw);
    case 'string':
      if (raw.trim() === '') refuse(def, source, raw, 'a non-empty value');
      return raw;
    case 'delay':
      if (raw !== 'none' && !parseDelay(raw)) refuse(def, source, raw, 'milliseconds like 300, or a range like 100-500');
      return raw === 'none' ? '' : raw;
  }
}

function parseArgsConfig() {
  const config: Record<string, { type: 'string' | 'boolean' }> = { help: { type: 'boolean' } };
  for (const def of OPTIONS) {
    const name = def.flag.slice(2);
    config[name] = { type: def.kind === 'boolean' ? 'boolean' : 'string' };
    if (def.kind === 'boolean') config[`no-${name}`] = { type: 'boolean' };
  }
  return config;
}

/** What parseArgs says, rewritten so that it names the fix. */
function explainArgError(error: unknown): never {
  const message = error instanceof Error ? error.message : String(error);
  const unknown = /Unknown option '([^']+)'/.exec(message);
  if (unknown) {
    throw new OptionError(`Unknown option ${unknown[1]}. Fix: remove it; run --help to see every option.`);
  }
  const needsValue = /Option '(?:-\w, )?(--[\w-]+) <value>' argument missing/.exec(message);
  if (needsValue) {
    const def = OPTIONS.find((o) => o.flag === needsValue[1]);
    throw new OptionError(`Option ${needsValue[1]} needs a value. Fix: for example ${def?.example ?? `${needsValue[1]} VALUE`}.`);
  }
  const noValue = /Option '(--[\w-]+)' does not take an argument/.exec(message);
  if (noValue) {
    const flag = noValue[1] ?? '';
    throw new OptionError(`Option ${flag} takes no value. Fix: write ${flag} or --no-${flag.replace(/^--(no-)?/, '')}.`);
  }
  throw new OptionError(`${message}. Fix: run --help to see every option.`);
}

export interface ParsedCommandLine {
  options: Readonly<MockOptions>;
  help: boolean;
}

/** Flags win over ATLAS_MOCK_* env vars, which win over defaults. The result is frozen. */
export function resolveOptions(argv: readonly string[], env: NodeJS.ProcessEnv): ParsedCommandLine {
  let values: Record<string, string | boolean | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({ args: [...argv], options: parseArgsConfig(), strict: true, allowPositionals: true }));
  } catch (error) {
    explainArgError(error);
  }
  if (positionals.length > 0) {
    throw new OptionError(`Unexpected argument ${JSON.stringify(positionals[0])}. Fix: options are written --name value; run --help.`);
  }
  const resolved: Record<string, unknown> = { ...DEFAULT_OPTIONS };
  for (const def of OPTIONS) {
    const envValue = env[def.env];
    if (envValue !== undefined && envValue !== '') resolved[def.key] = convertOption(def, envValue, def.env);
    const name = def.flag.slice(2);
    const flagValue = values[name];
    if (def.kind === 'boolean') {
      if (flagValue === true && values[`no-${name}`] === true) {
        throw new OptionError(`Both ${def.flag} and --no-${name} were given. Fix: keep one.`);
      }
      if (flagValue === true) resolved[def.key] = true;
      if (values[`no-${name}`] === true) resolved[def.key] = false;
    } else if (typeof flagValue === 'string') {
      resolved[def.key] = convertOption(def, flagValue, def.flag);
    }
  }
  const authGiven = typeof values.auth === 'string' || Boolean(env.ATLAS_MOCK_AUTH);
  return { options: Object.freeze(withAuthDefault(resolved, authGiven)), help: values.help === true };
}

/** Credentials without an explicit --auth mean the user wants them checked. */
function withAuthDefault(resolved: Record<string, unknown>, authGiven: boolean): MockOptions {
  const options = resolved as unknown as MockOptions;
  if (!authGiven && (options.credentials || options.apiKey || options.serviceAccount)) options.auth = 'strict';
  return options;
}

/** Options for code (tests, startMock): unknown keys and bad values are refused like flags. */
export function mergeOptions(partial: Partial<MockOptions> = {}): Readonly<MockOptions> {
  const merged: Record<string, unknown> = { ...DEFAULT_OPTIONS };
  for (const [key, value] of Object.entries(partial)) {
    const def = OPTIONS.find((o) => o.key === key);
    if (!def) throw new OptionError(`Unknown option ${key}. Fix: use one of ${OPTIONS.map((o) => o.key).join(', ')}.`);
    if (value === undefined) continue;
    merged[key] = value === '' && def.default === '' ? '' : convertOption(def, String(value), key);
  }
  return Object.freeze(withAuthDefault(merged, partial.auth !== undefined));
}

export function helpText(): string {
  const rows = OPTIONS.map((o) => {
    const flag = o.kind === 'boolean' ? `${o.flag}, --no-${o.flag.slice(2)}` : `${o.flag} <${o.kind === 'integer' ? 'n' : 'value'}>`;
    const shown = o.key === 'fixtures' ? 'shipped fixtures/' : o.default === '' ? 'none' : String(o.default);
    return `  ${flag.padEnd(30)} ${o.description}\n  ${''.padEnd(30)} env ${o.env}, default ${shown}`;
  });
  return [
    'atlas-restore-mock: a local mock of the MongoDB Atlas Admin API v2 restore-job endpoint',
    '',
    '  GET /api/atlas/v2/groups/{groupId}/clusters/{clusterName}/backup/restoreJobs/{restoreJobId}',
    '',
    'Usage: atlas-restore-mock [options]',
    '',
    'Options (flags win over env vars):',
    ...rows,
    `  ${'-c, --command <command>'.padEnd(30)} start, run the command with ATLAS_MOCK_URL set, stop, exit with its code`,
    `  ${'--help'.padEnd(30)} show this help`,
    '',
    'Example:',
    '  atlas-restore-mock --port 8080 --seed 42',
    "  curl -H 'Accept: application/vnd.atlas.2023-01-01+json' \\",
    '    http://127.0.0.1:8080/api/atlas/v2/groups/32b6e34b3d91647abb20e7b8/clusters/Cluster0/backup/restoreJobs/6a7ddc837c2e91d04b368d39',
  ].join('\n');
}
