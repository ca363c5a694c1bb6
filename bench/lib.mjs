/**
 * What bench/run.mjs, bench/soak.mjs and bench/instructions.mjs share: reading their command lines,
 * the paths, ids, credentials and Digest hashes their requests are made of, and the OAuth login.
 * Node built-ins only.
 */
import { createHash, randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';

/** Prints `<tool>: <message>` and exits 2, the exit code of a bad option. */
export function fail(tool, message) {
  console.error(`${tool}: ${message}`);
  process.exit(2);
}

/**
 * Parses flags (node:util parseArgs, strict, no positionals); --help prints `help` and exits 0.
 * @returns the flag values, and `number`, which reads a numeric flag (or its env var) within bounds.
 */
export function readCommandLine(tool, options, help) {
  let values;
  try {
    ({ values } = parseArgs({ options: { ...options, help: { type: 'boolean' } }, strict: true, allowPositionals: false }));
  } catch (error) {
    fail(tool, `${error.message}. Run with --help.`);
  }
  if (values.help) {
    console.log(help);
    process.exit(0);
  }
  /** `raw` from the flag or the env; unset or empty gives `fallback`, anything else must be a number in [min, max]. */
  const number = (name, raw, fallback, min, max) => {
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < min || n > max) fail(tool, `--${name} must be a number from ${min} to ${max}, got ${JSON.stringify(raw)}.`);
    return n;
  };
  return { values, number };
}

/** An env var, with an empty value read as unset. */
export const env = (name) => (process.env[name] === '' ? undefined : process.env[name]);

const RUN_TAG = randomBytes(3).toString('hex');

/**
 * Request number n's 24-hex id: '6a' + a per-run tag + a 16-hex counter. No two requests of a run share
 * one, and their ObjectId time (2026) is plausible, so generation takes its usual path.
 */
export const freshId = (n) => `6a${RUN_TAG}${n.toString(16).padStart(16, '0')}`;

export const md5 = (text) => createHash('md5').update(text).digest('hex');

export const ACCEPT = 'application/vnd.atlas.2023-01-01+json';
const GROUP = '32b6e34b3d91647abb20e7b8';
const CLUSTER = 'Cluster0';
/** A shipped fixture (a ready download job). */
export const FIXTURE_ID = '6a880ef37c2e91d04b380240';
/** An id no fixture covers, asked for again and again: generated once, then served from the cache. */
export const REPEATED_ID = '6a8d00000000000000000001';
export const SERVICE_ACCOUNT = { id: 'mdb_sa_id_bench', secret: 'mdb_sa_sk_bench' };

export const jobPath = (id, query = '') => `/api/atlas/v2/groups/${GROUP}/clusters/${CLUSTER}/backup/restoreJobs/${id}${query}`;

/** An access token for SERVICE_ACCOUNT from the mock at `url` (client credentials, as the Go SDK logs in). */
export async function bearerToken(url) {
  const res = await fetch(new URL('/api/oauth/token', url), {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${SERVICE_ACCOUNT.id}:${SERVICE_ACCOUNT.secret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    },
    body: 'grant_type=client_credentials',
  });
  if (res.status !== 200) throw new Error(`POST /api/oauth/token answered ${res.status}: ${await res.text()}`);
  return (await res.json()).access_token;
}
