/**
 * What bench/run.mjs and bench/soak.mjs share: reading their command lines,
 * the paths, ids, credentials and Digest signing their requests are made of, the OAuth login, and
 * requests made afresh for every send (perRequest).
 * Node built-ins only.
 */
import { hash, randomBytes } from 'node:crypto';
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
 * Request number n's 24-hex id: '6a' + a per-run tag (or `tag`, six hex digits) + a 16-hex counter.
 * No two requests of a run share one, and their ObjectId time (2026) is plausible, so generation takes
 * its usual path.
 */
export const freshId = (n, tag = RUN_TAG) => `6a${tag}${n.toString(16).padStart(16, '0')}`;

// Node's one-shot hash, not createHash(): a hash object per call made the load generator's Digest
// signing (three MD5s per request, as curl does) cost more than the mock spends verifying it.
export const md5 = (text) => hash('md5', text);

/**
 * A load of requests that differ every time (a fresh id, a fresh Digest response), made from a byte
 * template instead of autocannon's setupRequest.
 *
 * Why: with setupRequest, autocannon rebuilds each request from its options (object copies, header
 * lookups, a join): ~30 % of the load generator's CPU under --cpu-prof, ~6 µs per request, more than
 * the bare route spends on its reply. On two CPUs the generator then caps the run (the bare-fresh
 * control measured 0.69x), and what was measured was autocannon, not the server.
 *
 * How: autocannon reads a request's `requestBuffer` as it sends it, and keeps static requests' bytes
 * there. Here that property is a getter that makes the next request's bytes (request line, Host,
 * `Connection: keep-alive`, then `headers` and the authorization, as autocannon's builder lays them
 * out), with a setter that ignores autocannon's write. The request reaches each connection through
 * autocannon's documented `setupClient` and `client.setRequests`, which keep the object itself: the
 * `requests` option is copied into plain objects, which would turn the getter into one fixed value.
 * `made()` counts the requests made, so a run can check that every request it sent was made afresh
 * (see checkMadePerRequest).
 *
 * @param url the server's base URL (for Host)
 * @param headers sent with every request, in this order
 * @param next () => ({ path, authorization? }) for the next request
 * @returns { setupClient, made }: pass setupClient to autocannon (in place of `requests`)
 */
export function perRequest(url, headers, next) {
  const start = 'GET ';
  const middle = ` HTTP/1.1\r\nHost: ${new URL(url).host}\r\nConnection: keep-alive\r\n${Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join('')}`;
  let made = 0;
  const madeHere = {
    get requestBuffer() {
      made++;
      const { path, authorization } = next();
      const auth = authorization === undefined ? '' : `authorization: ${authorization}\r\n`;
      return Buffer.from(`${start}${path}${middle}${auth}\r\n`, 'latin1');
    },
    set requestBuffer(_built) {},
  };
  const requests = [Object.create(madeHere)];
  return { setupClient: (client) => client.setRequests(requests), made: () => made };
}

/** Throws when autocannon sent more requests than perRequest made: it would have repeated some. */
export function checkMadePerRequest(made, sent, what) {
  if (made < sent) {
    throw new Error(`${what}: autocannon sent ${sent} requests but only ${made} were made per request; this autocannon no longer reads requestBuffer per request (bench/lib.mjs perRequest).`);
  }
}

export const ACCEPT = 'application/vnd.atlas.2023-01-01+json';
const GROUP = '32b6e34b3d91647abb20e7b8';
const CLUSTER = 'Cluster0';
/** A shipped fixture (a ready download job). */
export const FIXTURE_ID = '6a880ef37c2e91d04b380240';
/** An id no fixture covers, asked for again and again: generated once, then served from the cache. */
export const REPEATED_ID = '6a8d00000000000000000001';
export const SERVICE_ACCOUNT = { id: 'mdb_sa_id_bench', secret: 'mdb_sa_sk_bench' };
/** The API key Digest requests are signed with (the mock is started with --api-key user:secret). */
export const API_KEY = { user: 'benchkey', secret: 'benchsecret' };
const REALM = 'MMS Public API';
/** nc values a Digest lane uses on one nonce before it takes a fresh one. */
const NC_PER_NONCE = 1000;

export const jobPath = (id, query = '') => `/api/atlas/v2/groups/${GROUP}/clusters/${CLUSTER}/backup/restoreJobs/${id}${query}`;
/** The create (POST) and list (GET) path of the same cluster. */
export const restoreJobsPath = `/api/atlas/v2/groups/${GROUP}/clusters/${CLUSTER}/backup/restoreJobs`;
/**
 * A distinct snapshot id per request, each taken in the past (ObjectId time from 2023-09 on), so that
 * with generation on each one is known and no two downloads of one snapshot are active at once.
 */
export const snapshotId = (n) => `${(0x65000000 + (n % 0x1000000)).toString(16)}${n.toString(16).padStart(16, '0')}`;

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

/** A fresh Digest nonce from the 401 challenge of an unauthenticated request. */
export async function digestNonce(url) {
  const res = await fetch(new URL(jobPath(FIXTURE_ID), url), { headers: { accept: ACCEPT } });
  await res.arrayBuffer();
  const challenge = res.headers.get('www-authenticate') ?? '';
  const match = /nonce="([^"]+)"/.exec(challenge);
  if (res.status !== 401 || !match) throw new Error(`expected a 401 Digest challenge, got ${res.status} ${challenge}`);
  return match[1];
}

/** Digest "clients" signing in parallel: each has its own nonce and rising nc, like one curl each. */
const DIGEST_LANES = 128;

/**
 * Signs requests the way curl does: a nonce reused with a rising nc and a response computed for each
 * request (HA1, HA2 and the response, three MD5s). Request k goes to lane k % DIGEST_LANES, so each
 * nonce sees its counts nearly in order although 50 connections share the signer (the mock accepts a
 * count at most 64 behind the highest one seen on its nonce, as replay windows do). After
 * NC_PER_NONCE counts a lane takes a fresh nonce; the pool is topped up in the background.
 */
export async function digestSigner(newNonce) {
  const pool = [];
  const cnonces = [];
  let filling;
  const fill = async (count) => {
    const batch = await Promise.all(Array.from({ length: count }, () => newNonce()));
    for (const nonce of batch) {
      pool.push(nonce);
      cnonces.push(randomBytes(8).toString('hex'));
    }
  };
  await fill(2 * DIGEST_LANES);
  const ha1 = () => md5(`${API_KEY.user}:${REALM}:${API_KEY.secret}`);
  let n = 0;
  return (path) => {
    const k = n++;
    const lane = k % DIGEST_LANES;
    const round = Math.floor(k / DIGEST_LANES);
    const generation = Math.floor(round / NC_PER_NONCE);
    // Past the pool (a refill still running), the lane keeps its last nonce: those replies are stale 401s.
    const index = Math.min(generation * DIGEST_LANES + lane, pool.length - DIGEST_LANES + lane);
    if (pool.length - generation * DIGEST_LANES < 2 * DIGEST_LANES && !filling) {
      filling = fill(DIGEST_LANES).catch(() => {}).finally(() => (filling = undefined));
    }
    const nonce = pool[index];
    const cnonce = cnonces[index];
    const nc = ((round % NC_PER_NONCE) + 1).toString(16).padStart(8, '0');
    const response = md5(`${ha1()}:${nonce}:${nc}:${cnonce}:auth:${md5(`GET:${path}`)}`);
    return `Digest username="${API_KEY.user}", realm="${REALM}", nonce="${nonce}", uri="${path}", cnonce="${cnonce}", nc=${nc}, qop=auth, response="${response}", algorithm=MD5`;
  };
}
