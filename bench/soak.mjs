#!/usr/bin/env node
/**
 * Soak test of atlas-restore-mock (issue 7, "Endurance").
 *
 * Starts the built mock (dist/server/cli.js) as a child process on 127.0.0.1 with strict auth (one API
 * key for Digest, one service account for Bearer), runs a mixed load for a set time, samples the child's
 * RSS, and fails when an unexpected status, a wrong body, a socket error, a crash, a memory growth in the
 * second half of the run, or an unclean shutdown appears. Node built-ins only; it builds nothing itself
 * (run `npm run build` first, or `npm run soak`).
 *
 * Run `node bench/soak.mjs --help` for the flags.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fail as failWith, freshId, md5, readCommandLine } from './lib.mjs';

/** Shorter runs report RSS but do not judge it: their second half is still warm-up. */
const MIN_JUDGED_SECONDS = 120;
const HERE = dirname(fileURLToPath(import.meta.url));
const DEFAULT_BIN = resolve(HERE, '..', 'dist', 'server', 'cli.js');

const API_KEY = { user: 'soakkey', secret: 'soaksecret' };
const SERVICE_ACCOUNT = { id: 'mdb_sa_id_soak', secret: 'mdb_sa_sk_soak' };
const REALM = 'MMS Public API';
const ACCEPT = 'application/vnd.atlas.2023-01-01+json';
const FIXTURE_GROUP = '32b6e34b3d91647abb20e7b8';
/** Shipped fixtures (groupId, clusterName, restoreJobId); any well-formed id answers 200 anyway (generation is on). */
const FIXTURES = [
  [FIXTURE_GROUP, 'Cluster0', '6a880ef37c2e91d04b380240'],
  [FIXTURE_GROUP, 'Cluster0', '6a7ddc837c2e91d04b368d39'],
  [FIXTURE_GROUP, 'Cluster0', '5e8b6fd6a3c4f2a1b2c3d4e6'],
  [FIXTURE_GROUP, 'Cluster0', '6a8bea1b7c2e91d04b388f45'],
  [FIXTURE_GROUP, 'ShardedCluster0', '6a85980e7c2e91d04b37a81c'],
  ['67c6d56bc41e7a0b934b81d2', 'orders-prod', '6a851f387c2e91d04b3796cc'],
  ['67c6d56bc41e7a0b934b81d2', 'orders-prod', '6a8c0f247c2e91d04b389476'],
];
const MALFORMED_IDS = ['not-an-id', '6a880ef37c2e91d04b38024', '6a880ef37c2e91d04b3802400', 'zzzzzzzzzzzzzzzzzzzzzzzz', '6a880ef37c2e91d04b38024g'];
const BAD_ACCEPTS = [undefined, 'application/json', '*/*', 'application/vnd.atlas.2022-12-31+json', 'application/vnd.atlas.2023-02-30+json'];

const HELP = `Usage: node bench/soak.mjs [options]     (or: npm run soak -- [options])

Soak test of atlas-restore-mock. Starts the built mock (no build is done: run "npm run build" first) on
127.0.0.1 with strict auth (an API key and a service account), runs a mixed load for a set time over
keep-alive connections, samples the mock's RSS and its live heap, and prints a summary.

Options:
  --duration <s>          seconds of load (env SOAK_DURATION, default 600)
  --concurrency <n>       requests in flight at once (env SOAK_CONCURRENCY, default 32)
  --sample-interval <s>   seconds between RSS samples (env SOAK_SAMPLE_INTERVAL, default 10)
  --auth <mode>           how authenticated requests log in: both (alternate, default), digest or
                          bearer (env SOAK_AUTH); one kind alone tells where memory goes
  --rss-growth-pct <p>    allowed RSS growth from the middle of the run to its end, in percent (default 10)
  --rss-growth-mib <m>    ... or in MiB (default 15), whichever is larger
  --heap-growth-pct <p>   allowed growth of the live heap after full GCs, in percent (default 5)
  --heap-growth-mib <m>   ... or in MiB (default 5), whichever is larger
  --bin <file>            the mock's CLI (default dist/server/cli.js next to this script)
  --node-arg <flag>       an extra Node flag for the mock, repeatable (e.g. --node-arg=--max-old-space-size=256)
  --json <file>           also write the summary, with every sample, as JSON to this file
  --help                  show this help

The mix, per 100 requests: 36 generated jobs with fresh counter-based ids (every 4th in a fresh project
and cluster too), 18 shipped fixtures, 10 envelope=true&pretty=true (a job, or an enveloped 404),
8 well-known 404 ids, 8 well-known 500 ids, 8 malformed ids (400), 8 bad Accept headers (406), and
4 requests without credentials (the 401 Digest challenge). With --auth both, authenticated requests
alternate between Digest (RFC 7616, MD5, qop=auth; one nonce reused with a rising nc as curl does, and
a stale=true 401 answered with its new nonce) and Bearer (a token from POST /api/oauth/token, renewed
before it expires).

It exits 1 when:
  - a status differs from the one expected for the request's kind (a 401 is expected only for requests
    without credentials and for stale=true nonces), or a body is not the expected job or error;
  - a request fails at the socket level or times out (10 s), or the mock exits during the run;
  - memory grows in the second half of the run: the lowest RSS sample of its last 20 % exceeds the
    lowest of 40-60 % by more than the RSS allowance, or the median live heap after full GCs (V8
    --trace-gc, given to the mock) of the last 20 % exceeds that of 40-60 % by more than the heap
    allowance. RSS is a sawtooth of tens of MiB between collections, hence the lowest sample. Runs
    under 120 s show memory but do not judge it (caches and JIT are still warming up);
  - the mock does not exit with code 0 within 2 s of SIGTERM, sent with the keep-alive connections open.
It exits 2 on a bad option or when the mock cannot be started.`;

// ---------------------------------------------------------------------------------------------- options

const fail = (message) => failWith('soak', message);

function readOptions() {
  const { values, number } = readCommandLine('soak', {
    duration: { type: 'string' },
    concurrency: { type: 'string' },
    'sample-interval': { type: 'string' },
    'rss-growth-pct': { type: 'string' },
    'rss-growth-mib': { type: 'string' },
    'heap-growth-pct': { type: 'string' },
    'heap-growth-mib': { type: 'string' },
    auth: { type: 'string' },
    bin: { type: 'string' },
    json: { type: 'string' },
    'node-arg': { type: 'string', multiple: true },
  }, HELP);
  const options = {
    duration: number('duration', values.duration ?? process.env.SOAK_DURATION, 600, 1, 7 * 24 * 3600),
    concurrency: Math.floor(number('concurrency', values.concurrency ?? process.env.SOAK_CONCURRENCY, 32, 1, 4096)),
    sampleInterval: number('sample-interval', values['sample-interval'] ?? process.env.SOAK_SAMPLE_INTERVAL, 10, 0.1, 3600),
    growthPct: number('rss-growth-pct', values['rss-growth-pct'], 10, 0, 1000),
    growthMiB: number('rss-growth-mib', values['rss-growth-mib'], 15, 0, 100000),
    heapGrowthPct: number('heap-growth-pct', values['heap-growth-pct'], 5, 0, 1000),
    heapGrowthMiB: number('heap-growth-mib', values['heap-growth-mib'], 5, 0, 100000),
    auth: values.auth ?? process.env.SOAK_AUTH ?? 'both',
    bin: resolve(values.bin ?? DEFAULT_BIN),
    json: values.json,
    nodeArgs: values['node-arg'] ?? [],
  };
  if (!['both', 'digest', 'bearer'].includes(options.auth)) fail(`--auth must be both, digest or bearer, got ${JSON.stringify(options.auth)}.`);
  if (!existsSync(options.bin)) fail(`${options.bin} does not exist. Fix: build first (npm run build), or use npm run soak.`);
  return options;
}

// ---------------------------------------------------------------------------------------------- the mock

/** A V8 --trace-gc line of a full collection: heap before (committed) -> after (committed), in MB (MiB). */
const GC_LINE = /(Mark-Compact(?: \(reduce\))?|Mark-sweep)\s+([\d.]+) \(([\d.]+)\) -> ([\d.]+) \(([\d.]+)\) MB/;

/** Starts the mock; resolves with { child, url, fullGcs, ... } once its start-up line names the URL. */
function startMock(bin, nodeArgs) {
  // --log-level info: the start-up line (with the URL of port 0) is an info line; the mock logs
  // nothing per request below debug, so stdout stays quiet during the load (and every later line is reported).
  // --trace-gc without scavenges: one stdout line per full collection, giving the live heap after it
  // (the leak signal that RSS, a sawtooth, blurs).
  const args = ['--trace-gc', '--trace-gc-ignore-scavenger', ...nodeArgs, bin, '--host', '127.0.0.1', '--port', '0', '--log-level', 'info',
    '--api-key', `${API_KEY.user}:${API_KEY.secret}`, '--service-account', `${SERVICE_ACCOUNT.id}:${SERVICE_ACCOUNT.secret}`];
  // detached: its own process group, so a Ctrl-C reaches only this script, which then stops the mock itself.
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  process.once('exit', () => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL'); });
  const state = { child, url: undefined, lateLines: [], stderr: '', exit: undefined, fullGcs: [] };
  let buffered = '';
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start-up line within 10 s; stderr: ${state.stderr.trim()}`)), 10_000);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      buffered += chunk;
      let at;
      while ((at = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, at);
        buffered = buffered.slice(at + 1);
        const gc = GC_LINE.exec(line);
        if (gc) {
          state.fullGcs.push({ at: Date.now(), beforeMiB: Number(gc[2]), afterMiB: Number(gc[4]), committedMiB: Number(gc[5]) });
          continue;
        }
        if (state.url === undefined) {
          let parsed;
          try { parsed = JSON.parse(line); } catch { parsed = undefined; }
          if (parsed && typeof parsed.url === 'string' && /listening/.test(parsed.msg ?? '')) {
            state.url = parsed.url;
            state.startLine = parsed.msg;
            clearTimeout(timer);
            resolvePromise(state);
          }
        } else if (line.trim() !== '') {
          state.lateLines.push(line);
        }
      }
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk) => { state.stderr += chunk; if (state.stderr.length > 65536) state.stderr = state.stderr.slice(-65536); });
    child.once('exit', (code, signal) => {
      state.exit = { code, signal, at: Date.now() };
      clearTimeout(timer);
      if (state.url === undefined) reject(new Error(`the mock exited (code ${code}, signal ${signal}) before its start-up line; stderr: ${state.stderr.trim()}`));
    });
  });
}

/** VmRSS of a process in KiB, from /proc (Linux). */
function rssKiB(pid) {
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------- HTTP


/** One request; resolves with { status, headers, body } or rejects on a socket error / timeout. */
function send(agent, base, { method = 'GET', path, headers = {}, body }) {
  return new Promise((resolvePromise, reject) => {
    const req = http.request({ host: base.hostname, port: base.port, method, path, headers, agent, timeout: 10_000 }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolvePromise({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timeout after 10 s')));
    req.on('error', reject);
    if (body !== undefined) req.end(body); else req.end();
  });
}

/** Parses `Digest k=v, k="v", ...`. */
function parseChallenge(header) {
  if (typeof header !== 'string' || !/^Digest\s/i.test(header)) return undefined;
  const params = {};
  const re = /([a-zA-Z]+)=(?:"([^"]*)"|([^,\s]*))/g;
  let m;
  while ((m = re.exec(header)) !== null) params[m[1].toLowerCase()] = m[2] ?? m[3];
  return params;
}

/** The exact challenge Atlas sends (README, Authentication). */
const CHALLENGE = /^Digest realm="MMS Public API", domain="", nonce="[A-Za-z0-9+/]{32}", algorithm=MD5, qop="auth", stale=(true|false)$/;

// ---------------------------------------------------------------------------------------------- load

/** Deterministic mixer (mulberry32). */
function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const MIX = { generated: 36, fixture: 18, envelope: 10, notFound: 8, serverError: 8, malformed: 8, badAccept: 8, challenge: 4 };
const DECK = (() => {
  const deck = Object.entries(MIX).flatMap(([kind, n]) => Array(n).fill(kind));
  const random = mulberry32(7);
  for (let i = deck.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [deck[i], deck[j]] = [deck[j], deck[i]];
  }
  return deck;
})();

const jobPath = (g, c, j, query = '') => `/api/atlas/v2/groups/${g}/clusters/${c}/backup/restoreJobs/${j}${query}`;

/** Builds request number n: what to send and what must come back. */
function plan(n, authMode) {
  const kind = DECK[n % DECK.length];
  const auth = authMode === 'both' ? (n % 2 === 0 ? 'digest' : 'bearer') : authMode;
  const fixture = FIXTURES[n % FIXTURES.length];
  switch (kind) {
    case 'generated': {
      const id = freshId(n);
      // every 4th also in a fresh project and cluster, so the group/cluster paths of generation run too
      const g = n % 4 === 0 ? freshId(n + 1).replace(/^6a/, '5f') : FIXTURE_GROUP;
      const c = n % 4 === 0 ? `soak-${n % 97}` : 'Cluster0';
      return { kind, auth, path: jobPath(g, c, id), expect: 200, expectId: id };
    }
    case 'fixture':
      return { kind, auth, path: jobPath(...fixture), expect: 200, expectId: fixture[2] };
    case 'envelope':
      if (n % 3 === 0) {
        return { kind, auth, path: jobPath(FIXTURE_GROUP, 'Cluster0', '000000000000000000000404', '?envelope=true&pretty=true'), expect: 200, expectEnvelope: 404, expectCode: 'RESTORE_JOB_NOT_FOUND' };
      }
      return { kind, auth, path: jobPath(...fixture, '?envelope=true&pretty=true'), expect: 200, expectEnvelope: 200, expectId: fixture[2] };
    case 'notFound':
      return { kind, auth, path: jobPath(FIXTURE_GROUP, 'Cluster0', '000000000000000000000404'), expect: 404, expectCode: 'RESTORE_JOB_NOT_FOUND' };
    case 'serverError':
      return { kind, auth, path: jobPath(FIXTURE_GROUP, 'Cluster0', '000000000000000000000500'), expect: 500, expectCode: 'UNEXPECTED_ERROR' };
    case 'malformed':
      return { kind, auth, path: jobPath(FIXTURE_GROUP, 'Cluster0', MALFORMED_IDS[n % MALFORMED_IDS.length]), expect: 400, expectCode: 'INVALID_JOB_ID' };
    case 'badAccept':
      return { kind, auth, path: jobPath(...fixture), accept: BAD_ACCEPTS[n % BAD_ACCEPTS.length], acceptSet: true, expect: 406, expectCode: 'INVALID_VERSION_DATE' };
    case 'challenge':
      return { kind, auth: 'none', path: jobPath(...fixture), expect: 401, expectChallenge: true };
    default:
      throw new Error(`unknown kind ${kind}`);
  }
}

/** What is wrong with a reply for a plan, or undefined. Status first, then a light body check. */
function judge(p, res) {
  if (res.status !== p.expect) return `status ${res.status}, expected ${p.expect}`;
  let body;
  try { body = JSON.parse(res.body); } catch { return `body is not JSON: ${res.body.slice(0, 120)}`; }
  if (p.expectChallenge) {
    const header = res.headers['www-authenticate'];
    if (!CHALLENGE.test(header ?? '')) return `bad challenge header: ${header}`;
    if (/stale=true/.test(header)) return 'stale=true on a request without credentials';
    if (Buffer.byteLength(res.body) !== 142) return `401 body of ${Buffer.byteLength(res.body)} bytes, expected 142`;
    return undefined;
  }
  if (p.expectEnvelope !== undefined) {
    if (body.status !== p.expectEnvelope) return `envelope status ${body.status}, expected ${p.expectEnvelope}`;
    body = body.content;
    if (!/\n {2}"content" : /.test(res.body)) return 'pretty=true body not in the Jackson layout';
  }
  if (p.expectId !== undefined && body?.id !== p.expectId) return `job id ${body?.id}, expected ${p.expectId}`;
  if (p.expectCode !== undefined && body?.errorCode !== p.expectCode) return `errorCode ${body?.errorCode}, expected ${p.expectCode}`;
  return undefined;
}

class Soak {
  constructor(url, options) {
    this.base = new URL(url);
    this.options = options;
    this.agent = new http.Agent({ keepAlive: true, maxSockets: options.concurrency, maxFreeSockets: options.concurrency });
    this.counter = 0;
    this.requests = 0;
    this.byStatus = new Map();
    this.byKind = new Map();
    this.unexpected = 0;
    this.unexpectedExamples = [];
    this.errors = 0;
    this.errorExamples = [];
    this.staleNonces = 0;
    this.challenges = 0;
    this.noncesUsed = 0;
    this.tokensIssued = 0;
    this.latency = new Array(64).fill(0); // buckets of 2^(i/4) microseconds
    this.maxLatencyMs = 0;
    this.digest = undefined; // { nonce, nc }
    this.digestPending = undefined;
    this.token = undefined; // { value, renewAt }
    this.tokenPending = undefined;
    this.stopping = false;
  }

  record(kind, status, started) {
    this.requests++;
    this.byStatus.set(status, (this.byStatus.get(status) ?? 0) + 1);
    const k = this.byKind.get(kind) ?? new Map();
    k.set(status, (k.get(status) ?? 0) + 1);
    this.byKind.set(kind, k);
    const us = Number(process.hrtime.bigint() - started) / 1000;
    this.latency[Math.min(63, Math.max(0, Math.floor(4 * Math.log2(Math.max(1, us)))))]++;
    if (us / 1000 > this.maxLatencyMs) this.maxLatencyMs = us / 1000;
  }

  noteUnexpected(what) {
    this.unexpected++;
    if (this.unexpectedExamples.length < 10) this.unexpectedExamples.push(what);
  }

  noteError(what) {
    this.errors++;
    if (this.errorExamples.length < 10) this.errorExamples.push(what);
  }

  async exchange(kind, request) {
    const started = process.hrtime.bigint();
    const res = await send(this.agent, this.base, request);
    this.record(kind, res.status, started);
    return res;
  }

  /** A nonce from a real challenge (a request without credentials), shared by every Digest request. */
  async fetchNonce() {
    const res = await this.exchange('digest-login', { path: jobPath(...FIXTURES[0]), headers: { accept: ACCEPT } });
    const params = parseChallenge(res.headers['www-authenticate']);
    if (res.status !== 401 || !params?.nonce || !CHALLENGE.test(res.headers['www-authenticate'])) {
      this.noteUnexpected(`digest login: status ${res.status}, www-authenticate ${res.headers['www-authenticate']}`);
      throw new Error('no Digest challenge');
    }
    this.challenges++;
    return params.nonce;
  }

  async digestState() {
    if (this.digest) return this.digest;
    this.digestPending ??= this.fetchNonce().then(
      (nonce) => { this.digest = { nonce, nc: 0 }; this.noncesUsed++; this.digestPending = undefined; return this.digest; },
      (error) => { this.digestPending = undefined; throw error; },
    );
    return this.digestPending;
  }

  digestAuthorization(state, method, uri) {
    state.nc++;
    const nc = state.nc.toString(16).padStart(8, '0');
    const cnonce = randomBytes(8).toString('hex');
    const ha1 = md5(`${API_KEY.user}:${REALM}:${API_KEY.secret}`);
    const ha2 = md5(`${method}:${uri}`);
    const response = md5(`${ha1}:${state.nonce}:${nc}:${cnonce}:auth:${ha2}`);
    return `Digest username="${API_KEY.user}", realm="${REALM}", nonce="${state.nonce}", uri="${uri}", response="${response}", algorithm=MD5, qop=auth, nc=${nc}, cnonce="${cnonce}"`;
  }

  async fetchToken() {
    const basic = Buffer.from(`${SERVICE_ACCOUNT.id}:${SERVICE_ACCOUNT.secret}`).toString('base64');
    const res = await this.exchange('token', {
      method: 'POST', path: '/api/oauth/token', body: 'grant_type=client_credentials',
      headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    });
    let body;
    try { body = JSON.parse(res.body); } catch { body = undefined; }
    if (res.status !== 200 || typeof body?.access_token !== 'string' || body.token_type !== 'Bearer') {
      this.noteUnexpected(`POST /api/oauth/token: status ${res.status}, body ${res.body.slice(0, 200)}`);
      throw new Error('no token');
    }
    this.tokensIssued++;
    const lifeMs = Number(body.expires_in) * 1000;
    return { value: body.access_token, renewAt: Date.now() + Math.max(lifeMs - 60_000, lifeMs / 2) };
  }

  async bearer() {
    if (this.token && Date.now() < this.token.renewAt) return this.token.value;
    this.tokenPending ??= this.fetchToken().then(
      (token) => { this.token = token; this.tokenPending = undefined; return token; },
      (error) => { this.tokenPending = undefined; throw error; },
    );
    return (await this.tokenPending).value;
  }

  /** Runs one planned request to its end (a stale nonce is retried with the new one, as clients do). */
  async run(p) {
    const headers = {};
    if (p.acceptSet) { if (p.accept !== undefined) headers.accept = p.accept; } else headers.accept = ACCEPT;
    if (p.auth === 'bearer') headers.authorization = `Bearer ${await this.bearer()}`;
    for (let attempt = 0; ; attempt++) {
      let state;
      if (p.auth === 'digest') {
        state = await this.digestState();
        headers.authorization = this.digestAuthorization(state, 'GET', p.path);
      }
      const started = process.hrtime.bigint();
      const res = await send(this.agent, this.base, { path: p.path, headers });
      if (p.auth === 'digest' && res.status === 401) {
        const header = res.headers['www-authenticate'];
        const params = parseChallenge(header);
        if (params?.stale === 'true' && CHALLENGE.test(header) && attempt < 3) {
          // RFC 7616 §3.3: the digest was right, the nonce is old (or full): take the new one and retry.
          this.record(`${p.kind}/stale-nonce`, 401, started);
          this.staleNonces++;
          if (this.digest === state) { this.digest = { nonce: params.nonce, nc: 0 }; this.noncesUsed++; }
          continue;
        }
      }
      this.record(p.kind, res.status, started);
      if (p.kind === 'challenge' && res.status === 401) this.challenges++;
      const problem = judge(p, res);
      if (problem) this.noteUnexpected(`${p.auth} GET ${p.path} (Accept: ${headers.accept ?? 'none'}): ${problem}`);
      return;
    }
  }

  async worker(deadline) {
    while (!this.stopping && Date.now() < deadline) {
      const n = this.counter++;
      const p = plan(n, this.options.auth);
      try {
        await this.run(p);
      } catch (error) {
        this.noteError(`${p.auth} GET ${p.path}: ${error.code ?? ''} ${error.message}`.trim());
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------- report

const mib = (kib) => (kib === undefined ? 'n/a' : (kib / 1024).toFixed(1));

function percentile(buckets, q) {
  const total = buckets.reduce((a, b) => a + b, 0);
  let seen = 0;
  for (let i = 0; i < buckets.length; i++) {
    seen += buckets[i];
    if (seen >= q * total) return 2 ** ((i + 1) / 4) / 1000; // upper edge of the bucket, ms
  }
  return NaN;
}

function cpuModel() {
  return os.cpus()[0]?.model?.trim() ?? 'unknown';
}

async function main() {
  const options = readOptions();
  console.log(`soak: ${options.duration} s, concurrency ${options.concurrency}, auth ${options.auth}, RSS sample every ${options.sampleInterval} s; ` +
    `node ${process.version}, ${os.availableParallelism?.() ?? os.cpus().length} CPUs (${cpuModel()})`);

  let mock;
  try {
    mock = await startMock(options.bin, options.nodeArgs);
  } catch (error) {
    fail(`cannot start the mock: ${error.message}`);
  }
  const url = new URL(mock.url);
  if (url.hostname !== '127.0.0.1') {
    mock.child.kill('SIGKILL');
    fail(`the mock listens on ${url.hostname}, not on loopback; refusing to load it.`);
  }
  const pid = mock.child.pid;
  console.log(`soak: mock pid ${pid}: ${mock.startLine}`);

  const soak = new Soak(mock.url, options);
  const samples = [];
  const t0 = Date.now();
  let lastSample = { at: t0, requests: 0 };
  const sample = (label) => {
    const now = Date.now();
    const rss = rssKiB(pid);
    const rate = (soak.requests - lastSample.requests) / Math.max(0.001, (now - lastSample.at) / 1000);
    const gc = mock.fullGcs.at(-1);
    const s = { elapsed: (now - t0) / 1000, requests: soak.requests, rate, rssKiB: rss, heapAfterGcMiB: gc?.afterMiB, fullGcs: mock.fullGcs.length, label };
    samples.push(s);
    lastSample = { at: now, requests: soak.requests };
    console.log(`[${s.elapsed.toFixed(0).padStart(5)} s] requests ${String(s.requests).padStart(10)}  ${rate.toFixed(0).padStart(6)} req/s  ` +
      `RSS ${mib(rss).padStart(6)} MiB  heap after last full GC ${gc ? gc.afterMiB.toFixed(1).padStart(6) : '   n/a'} MiB (${s.fullGcs} full GCs)  ` +
      `unexpected ${soak.unexpected}  errors ${soak.errors}${label ? `  (${label})` : ''}`);
  };
  sample('start, idle');

  let crashed;
  mock.child.once('exit', (code, signal) => {
    if (!soak.stopping) {
      crashed = { code, signal };
      soak.stopping = true;
      console.error(`soak: the mock exited during the run (code ${code}, signal ${signal})`);
    }
  });
  let interrupted = false;
  process.once('SIGINT', () => { interrupted = true; soak.stopping = true; console.log('soak: interrupted, winding down'); });

  const deadline = t0 + options.duration * 1000;
  const timer = setInterval(() => sample(), options.sampleInterval * 1000);
  await Promise.all(Array.from({ length: options.concurrency }, () => soak.worker(deadline)));
  clearInterval(timer);
  const loadEnd = Date.now();
  sample('end of load');
  const wasStopping = soak.stopping;
  soak.stopping = true;

  // Graceful stop: SIGTERM with the keep-alive sockets still open, must exit 0 within 2 s.
  let shutdown;
  if (crashed) {
    shutdown = { ok: false, detail: `crashed during the run (code ${crashed.code}, signal ${crashed.signal})` };
  } else {
    const sentAt = Date.now();
    const exited = new Promise((r) => mock.child.once('exit', (code, signal) => r({ code, signal })));
    mock.child.kill('SIGTERM');
    const result = await Promise.race([exited, new Promise((r) => setTimeout(() => r(undefined), 2000))]);
    if (result === undefined) {
      mock.child.kill('SIGKILL');
      shutdown = { ok: false, detail: 'still running 2 s after SIGTERM (killed)' };
    } else {
      const ms = Date.now() - sentAt;
      shutdown = { ok: result.code === 0, detail: `exit code ${result.code}${result.signal ? `, signal ${result.signal}` : ''} after ${ms} ms`, ms };
    }
  }
  soak.agent.destroy();

  // Memory verdict, on two measures, each compared between the middle of the load (40-60 %) and its end
  // (last 20 %); a window without a value falls back to the nearest one.
  // - RSS (VmRSS): V8's heap makes it a sawtooth of ±50 MiB between full collections, so a window is
  //   judged by its lowest sample (the trough, right after a collection), not by single samples.
  // - the live heap after each full collection (from --trace-gc): the leak signal itself. Once the
  //   caches are full it is flat within about 1 MiB, so its allowance is tighter.
  const T = (loadEnd - t0) / 1000;
  const inWindow = (points, from, to, fallbackAt) => {
    const inside = points.filter((p) => p.elapsed >= from * T && p.elapsed <= to * T);
    if (inside.length > 0 || points.length === 0) return inside;
    return [points.reduce((best, p) => (Math.abs(p.elapsed - fallbackAt * T) < Math.abs(best.elapsed - fallbackAt * T) ? p : best))];
  };
  const medianOf = (values) => {
    const v = [...values].sort((x, y) => x - y);
    return v.length === 0 ? undefined : v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  };
  const describe = (points) => (points.length === 0 ? 'none' : `${points.length} value${points.length === 1 ? '' : 's'} at ${points[0].elapsed.toFixed(0)}-${points.at(-1).elapsed.toFixed(0)} s, ` +
    `${Math.min(...points.map((p) => p.value)).toFixed(1)}-${Math.max(...points.map((p) => p.value)).toFixed(1)} MiB`);
  // Below two minutes the heap is still warming up (caches filling, JIT): memory is shown but not judged.
  const judged = T >= MIN_JUDGED_SECONDS;
  const measure = (points, statistic, pct, floorMiB) => {
    const middleWindow = inWindow(points, 0.4, 0.6, 0.5);
    const endWindow = inWindow(points, 0.8, 1, 1);
    const middle = statistic(middleWindow.map((p) => p.value));
    const end = statistic(endWindow.map((p) => p.value));
    const growth = middle !== undefined && end !== undefined ? end - middle : undefined;
    const allowed = middle !== undefined ? Math.max((middle * pct) / 100, floorMiB) : floorMiB;
    const round = (x) => (x === undefined ? null : Number(x.toFixed(1)));
    return {
      middleMiB: round(middle), middleWindow: describe(middleWindow), endMiB: round(end), endWindow: describe(endWindow),
      growthMiB: round(growth), allowedMiB: round(allowed), judged, ok: !judged || (growth !== undefined && growth <= allowed),
    };
  };
  const rssPoints = samples.filter((s) => s.label !== 'start, idle' && s.rssKiB !== undefined).map((s) => ({ elapsed: s.elapsed, value: s.rssKiB / 1024 }));
  const heapPoints = mock.fullGcs.map((g) => ({ elapsed: (g.at - t0) / 1000, value: g.afterMiB })).filter((p) => p.elapsed > 0);
  const rssVerdict = measure(rssPoints, (v) => (v.length ? Math.min(...v) : undefined), options.growthPct, options.growthMiB);
  const heapVerdict = measure(heapPoints, medianOf, options.heapGrowthPct, options.heapGrowthMiB);
  if (heapPoints.length === 0) heapVerdict.ok = !judged; // no full collection seen: cannot vouch for the heap
  const start = samples[0];
  const last = samples.at(-1);
  const peak = samples.reduce((m, s) => Math.max(m, s.rssKiB ?? 0), 0);

  const seconds = (loadEnd - t0) / 1000;
  const summary = {
    machine: { cpus: os.availableParallelism?.() ?? os.cpus().length, cpuModel: cpuModel(), node: process.version, platform: `${os.type()} ${os.release()}`, memTotalMiB: Math.round(os.totalmem() / 1048576) },
    durationSeconds: options.duration, auth: options.auth, actualSeconds: Number(seconds.toFixed(1)), concurrency: options.concurrency, interrupted,
    requests: soak.requests, reqPerSecond: Math.round(soak.requests / seconds),
    byStatus: Object.fromEntries([...soak.byStatus].sort((a, b) => a[0] - b[0])),
    byKind: Object.fromEntries([...soak.byKind].sort().map(([k, m]) => [k, Object.fromEntries(m)])),
    digest: { challenges: soak.challenges, staleNonces: soak.staleNonces, noncesUsed: soak.noncesUsed }, tokensIssued: soak.tokensIssued,
    latencyMs: { p50: percentile(soak.latency, 0.5), p99: percentile(soak.latency, 0.99), max: Number(soak.maxLatencyMs.toFixed(1)) },
    unexpected: soak.unexpected, unexpectedExamples: soak.unexpectedExamples,
    socketErrors: soak.errors, socketErrorExamples: soak.errorExamples,
    rss: {
      startMiB: Number(mib(start.rssKiB)), lastMiB: Number(mib(last.rssKiB)), peakMiB: Number(mib(peak)),
      troughs: rssVerdict,
      heapAfterFullGc: { ...heapVerdict, first: heapPoints[0]?.value ?? null, last: heapPoints.at(-1)?.value ?? null, fullGcs: heapPoints.length },
      samples: samples.map((s) => ({ elapsed: Number(s.elapsed.toFixed(1)), requests: s.requests, reqPerSecond: Math.round(s.rate), rssMiB: Number(mib(s.rssKiB)), heapAfterGcMiB: s.heapAfterGcMiB ?? null, fullGcs: s.fullGcs, label: s.label })),
      fullGcs: mock.fullGcs.map((g) => ({ elapsed: Number(((g.at - t0) / 1000).toFixed(1)), beforeMiB: g.beforeMiB, afterMiB: g.afterMiB, committedMiB: g.committedMiB })),
    },
    mockLogLines: mock.lateLines.slice(0, 20), mockLogLineCount: mock.lateLines.length,
    shutdown,
  };

  const failures = [];
  if (crashed) failures.push(`the mock exited during the run (code ${crashed.code}, signal ${crashed.signal}); stderr: ${mock.stderr.trim().slice(-2000)}`);
  if (soak.unexpected > 0) failures.push(`${soak.unexpected} unexpected replies`);
  if (soak.errors > 0) failures.push(`${soak.errors} requests failed at the socket level`);
  if (!rssVerdict.ok) failures.push(`RSS (lowest sample) grew by ${rssVerdict.growthMiB} MiB from the middle of the run (${rssVerdict.middleMiB} MiB) to its end (${rssVerdict.endMiB} MiB), more than the ${rssVerdict.allowedMiB} MiB allowed`);
  if (!heapVerdict.ok) {
    failures.push(heapPoints.length === 0 ? 'no full garbage collection was seen, so the live heap could not be checked'
      : `the live heap after full GCs grew by ${heapVerdict.growthMiB} MiB from the middle of the run (median ${heapVerdict.middleMiB} MiB) to its end (median ${heapVerdict.endMiB} MiB), more than the ${heapVerdict.allowedMiB} MiB allowed`);
  }
  if (!shutdown.ok) failures.push(`shutdown: ${shutdown.detail}`);
  if (interrupted && !wasStopping) failures.push('interrupted');
  summary.verdict = failures.length === 0 ? 'PASS' : 'FAIL';
  summary.failures = failures;

  console.log('');
  console.log(`soak summary: ${summary.verdict}`);
  console.log(`  machine        ${summary.machine.cpus} CPUs, ${summary.machine.cpuModel}, ${summary.machine.node}, ${summary.machine.platform}`);
  console.log(`  load           ${summary.actualSeconds} s at concurrency ${summary.concurrency}${interrupted ? ' (interrupted)' : ''}`);
  console.log(`  requests       ${summary.requests} (${summary.reqPerSecond} req/s); latency p50 ${summary.latencyMs.p50.toFixed(2)} ms, p99 ${summary.latencyMs.p99.toFixed(2)} ms, max ${summary.latencyMs.max} ms`);
  console.log(`  by status      ${Object.entries(summary.byStatus).map(([s, n]) => `${s}: ${n}`).join(', ')}`);
  console.log(`  by kind        ${Object.entries(summary.byKind).map(([k, m]) => `${k} ${Object.entries(m).map(([s, n]) => `${s}×${n}`).join('/')}`).join('; ')}`);
  console.log(`  auth           Digest: ${summary.digest.challenges} challenges (401 without credentials), ${summary.digest.staleNonces} stale nonces renewed, ${summary.digest.noncesUsed} nonces used; Bearer: ${summary.tokensIssued} tokens`);
  console.log(`  unexpected     ${summary.unexpected}${soak.unexpectedExamples.map((e) => `\n                   ${e}`).join('')}`);
  console.log(`  socket errors  ${summary.socketErrors}${soak.errorExamples.map((e) => `\n                   ${e}`).join('')}`);
  const notJudged = judged ? '' : `; not judged: runs under ${MIN_JUDGED_SECONDS} s are still warming up`;
  console.log(`  RSS            idle at start ${summary.rss.startMiB} MiB, peak ${summary.rss.peakMiB} MiB, at the end of the load ${summary.rss.lastMiB} MiB`);
  console.log(`                 lowest sample in the middle ${rssVerdict.middleMiB} MiB (${rssVerdict.middleWindow}), at the end ${rssVerdict.endMiB} MiB (${rssVerdict.endWindow})`);
  console.log(`                 growth ${rssVerdict.growthMiB} MiB, allowed ${rssVerdict.allowedMiB} MiB (${options.growthPct} % or ${options.growthMiB} MiB, whichever is larger)${notJudged}`);
  console.log(`  live heap      after full GCs: first ${summary.rss.heapAfterFullGc.first} MiB, last ${summary.rss.heapAfterFullGc.last} MiB, ${heapPoints.length} full GCs during the load`);
  console.log(`                 median in the middle ${heapVerdict.middleMiB} MiB (${heapVerdict.middleWindow}), at the end ${heapVerdict.endMiB} MiB (${heapVerdict.endWindow})`);
  console.log(`                 growth ${heapVerdict.growthMiB} MiB, allowed ${heapVerdict.allowedMiB} MiB (${options.heapGrowthPct} % or ${options.heapGrowthMiB} MiB, whichever is larger)${notJudged}`);
  console.log(`  mock log lines ${summary.mockLogLineCount} after start-up${mock.lateLines.slice(0, 5).map((l) => `\n                   ${l.slice(0, 300)}`).join('')}`);
  console.log(`  shutdown       SIGTERM: ${shutdown.detail}`);
  for (const f of failures) console.log(`  FAIL: ${f}`);
  if (options.json) writeFileSync(options.json, `${JSON.stringify(summary, null, 2)}\n`);
  process.exit(failures.length === 0 ? 0 : 1);
}

main().catch((error) => {
  console.error('soak: failed:', error);
  process.exit(1);
});
