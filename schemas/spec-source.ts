/**
 * Where `npm run schemas` and the schema drift test find the official Atlas Admin API spec, and how they
 * read it. Both take it from the same places, in this order: `--spec FILE|URL`, then the ATLAS_OPENAPI_SPEC
 * env var (a file or a URL). Without either, `npm run schemas` downloads the spec MongoDB publishes; the
 * drift test does not, so that `npm test` never needs the network (it is skipped with a note instead).
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';

/** MongoDB's published all-versions spec of the Atlas Admin API v2 (the JSON twin of openapi/v2.yaml). */
export const OFFICIAL_SPEC_URL = 'https://raw.githubusercontent.com/mongodb/openapi/main/openapi/v2.json';
export const SPEC_ENV = 'ATLAS_OPENAPI_SPEC';

/** The drift test's skip note: says how to run it. */
export const HOW_TO_CHECK_SCHEMAS =
  `no Atlas OpenAPI spec given, so schemas/ is not compared with it. Run it with ` +
  `${SPEC_ENV}=path/to/openapi.json npm test (a copy of ${OFFICIAL_SPEC_URL}, or that URL itself)`;

export interface SpecSource {
  /** a path resolved against the working directory, or an http(s) URL */
  location: string;
  kind: 'file' | 'url';
  /** what chose it, for messages: --spec, ATLAS_OPENAPI_SPEC or the default */
  from: string;
}

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type SpecDocument = { [key: string]: JsonValue };

/** A spec that cannot be read; the message names the source and the fix. */
export class SpecError extends Error {
  override name = 'SpecError';
}

const FIX = `Fix: pass a copy with --spec path/to/openapi.json (npm run schemas -- --spec FILE) or ${SPEC_ENV}=path/to/openapi.json`;

function sourceOf(location: string, from: string): SpecSource {
  return /^https?:\/\//i.test(location)
    ? { location, kind: 'url', from }
    : { location: resolve(location), kind: 'file', from };
}

/**
 * Picks the spec: `--spec VALUE` or `--spec=VALUE`, then ATLAS_OPENAPI_SPEC (empty counts as unset),
 * then the download when `fallback` is 'download'; undefined when nothing was given and `fallback` is 'none'.
 */
export function specSource(argv: readonly string[], env: NodeJS.ProcessEnv, fallback: 'download' | 'none'): SpecSource | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const value = arg === '--spec' ? argv[i + 1] : arg.startsWith('--spec=') ? arg.slice('--spec='.length) : undefined;
    if (value === undefined && arg !== '--spec') continue;
    if (!value || value.startsWith('--')) throw new SpecError(`Option --spec needs a file or a URL. ${FIX}.`);
    return sourceOf(value, '--spec');
  }
  const fromEnv = env[SPEC_ENV];
  if (fromEnv !== undefined && fromEnv.trim() !== '') return sourceOf(fromEnv.trim(), SPEC_ENV);
  return fallback === 'download' ? { location: OFFICIAL_SPEC_URL, kind: 'url', from: 'the default' } : undefined;
}

export function describeSource(source: SpecSource): string {
  return `${source.location} (${source.from})`;
}

export interface LoadOptions {
  /** injected by tests; the global fetch otherwise */
  fetch?: typeof globalThis.fetch;
  /** a download that takes longer is abandoned with a message (the spec is about 4 MB) */
  timeoutMs?: number;
}

async function readText(source: SpecSource, options: LoadOptions): Promise<string> {
  if (source.kind === 'file') {
    try {
      return await readFile(source.location, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const what = code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? String(error)})`;
      throw new SpecError(`The Atlas OpenAPI spec ${describeSource(source)} ${what}. ${FIX}.`);
    }
  }
  const fetchSpec = options.fetch ?? globalThis.fetch;
  let response: Response;
  try {
    response = await fetchSpec(source.location, { signal: AbortSignal.timeout(options.timeoutMs ?? 120_000) });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const reason = cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
    throw new SpecError(
      `Could not download the Atlas OpenAPI spec from ${describeSource(source)}: ${reason}. ` +
        `${FIX}; download it where the network allows, for example with curl -LO ${OFFICIAL_SPEC_URL}.`,
    );
  }
  if (!response.ok) {
    throw new SpecError(`Downloading the Atlas OpenAPI spec from ${describeSource(source)} answered HTTP ${response.status}. ${FIX}.`);
  }
  return response.text();
}

/** Reads the spec as JSON (openapi/v2.json, the extracts) or YAML (openapi/v2.yaml) and checks it is one. */
export async function loadSpec(source: SpecSource, options: LoadOptions = {}): Promise<SpecDocument> {
  const text = await readText(source, options);
  let document: unknown;
  try {
    document = text.trimStart().startsWith('{') ? JSON.parse(text) : parseYaml(text, { maxAliasCount: -1 });
  } catch (error) {
    throw new SpecError(`The Atlas OpenAPI spec ${describeSource(source)} is neither JSON nor YAML: ${(error as Error).message}. ${FIX}.`);
  }
  const spec = document as SpecDocument;
  if (typeof document !== 'object' || document === null || Array.isArray(document) || typeof spec.openapi !== 'string' || typeof spec.paths !== 'object') {
    throw new SpecError(`${describeSource(source)} is not an OpenAPI document (no "openapi" version and "paths"). ${FIX}.`);
  }
  return spec;
}
