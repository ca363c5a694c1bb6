#!/usr/bin/env node
/**
 * Benchmark of atlas-restore-mock against a bare-Fastify route. Run by `npm run bench`,
 * which builds first; this script itself builds nothing and needs dist/server/cli.js.
 *
 * Every server is a child process on 127.0.0.1 (port 0, read from its start-up line), every load is
 * bounded in time (or, in --memory mode, in requests) and sent by autocannon from this process.
 * Each scenario gets a fresh server process, so one scenario's caches never help or hurt another.
 *
 * Run `node bench/run.mjs --help` for the modes and options.
 */
import autocannon from 'autocannon';
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { nodeBinary } from '../scripts/node-binary.mjs';
import { ACCEPT, API_KEY, FIXTURE_ID, REPEATED_ID, SERVICE_ACCOUNT, bearerToken, checkMadePerRequest, digestNonce, digestSigner, env, fail as failWith, freshId, jobPath, perRequest, readCommandLine, restoreJobsPath, snapshotId } from './lib.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..');
let MOCK_BIN = join(ROOT, 'dist', 'server', 'cli.js');
const BARE_BIN = join(HERE, 'bare-fastify.mjs');
const FIRST_REPLY = join(HERE, 'first-reply.mjs');
/** The node that runs the servers (--node); the load generator stays on the node that runs this script. */
let NODE_BIN = process.execPath;

const HEADERS = { accept: ACCEPT };
const MIB = 1024 * 1024;

const HELP = `Usage: npm run bench -- [options]      (or, after npm run build: node bench/run.mjs [options])

Starts a bare-Fastify reference route (bench/bare-fastify.mjs) and the built mock (dist/server/cli.js)
as child processes on 127.0.0.1, drives each scenario with autocannon, and prints one table (req/s,
p50, p99, RSS, ratios against the bare route, start-up) and the targets with pass/fail. Start-up is
measured twice: the CLI from spawn to its first 200, and, as a test suite meets it, import + startMock()
+ the first 200 inside one process (bench/first-reply.mjs), each against bare Fastify doing the same.

Modes:
  (default)                the throughput table
  --memory                 (env BENCH_MEMORY=1) distinct ids until --memory-requests, RSS sampled;
                           targets: idle <= 80 MiB, end <= 120 MiB, no growth in the second half
  --profile                (env BENCH_PROFILE=1) the servers under node --cpu-prof (default: the bare,
                           fixture and fresh scenarios; --only picks others) and the top self-time
                           functions in µs per reply over the measured run (profiles go to a
                           temporary folder, never into the repo)

Scenarios: bare, fixture, fresh, repeated, 404, 500-envelope, bearer, digest, create-poll (the restore
workflow: each connection creates a download and polls it four times), and three controls,
the bare route sending the header lines every mock reply carries: bare-atlas-headers (asked for one
path, as the fixture and repeated scenarios are), bare-fresh and bare-digest (driven with the fresh-id
and Digest request shapes). Each control is the reference for the scenario it copies. The bare
route runs first and again after every scenario; each scenario's ratios are against the mean of the
bare runs just before and after it.

Options (flag, env var, default):
  --duration <s>           BENCH_DURATION          10      seconds of measured load per scenario
  --warmup <s>             BENCH_WARMUP            1       seconds of unmeasured load first (0 = none)
  --connections <n>        BENCH_CONNECTIONS       50      concurrent keep-alive connections
  --starts <n>             BENCH_STARTS            5       starts per server for the start-up medians
  --node <major|file>      BENCH_NODE              this    the node that runs the servers: a major line
                                                           (24: fetched from the npm registry once and
                                                           cached, scripts/node-binary.mjs) or a binary
  --rounds <n>             BENCH_ROUNDS            1       runs of every scenario, each in a fresh process;
                                                           the table shows each one's median run
  --only <a,b>             BENCH_ONLY              all     scenarios to run (names above; bare always runs)
  --bare-mode <m>          BENCH_BARE_MODE         string  string: body serialized once; object: Fastify
                                                           serializes it per request
  --memory-requests <n>    BENCH_MEMORY_REQUESTS   1000000 requests of the --memory run
  --memory-auth <m>        BENCH_MEMORY_AUTH       off     off | bearer | digest (strict auth)
  --sample-interval <s>    BENCH_SAMPLE_INTERVAL   5       seconds between printed RSS samples (--memory;
                                                           RSS is read every second)
  --json <file>            BENCH_JSON              -       also write the results as JSON
  --mock <file>            BENCH_MOCK              dist/server/cli.js
                                                           the mock's CLI; point it at a copy of
                                                           dist/ to compare two builds
  --help

Loads are bounded: every run stops after --duration (or --memory-requests) and only 127.0.0.1 is used.
Exit code 1 when a server fails or a scenario gets unexpected replies (targets missed do not fail it),
2 on a bad option.`;

// ------------------------------------------------------------------------------------------- options

const fail = (message) => failWith('bench', message);

function readOptions() {
  const { values, number } = readCommandLine('bench', {
    duration: { type: 'string' },
    warmup: { type: 'string' },
    connections: { type: 'string' },
    starts: { type: 'string' },
    rounds: { type: 'string' },
    only: { type: 'string' },
    'bare-mode': { type: 'string' },
    memory: { type: 'boolean' },
    'memory-requests': { type: 'string' },
    'memory-auth': { type: 'string' },
    'sample-interval': { type: 'string' },
    profile: { type: 'boolean' },
    json: { type: 'string' },
    mock: { type: 'string' },
    node: { type: 'string' },
  }, HELP);
  const flag = (value, envName) => value ?? /^(1|true|yes|on)$/i.test(env(envName) ?? '');
  const options = {
    duration: number('duration', values.duration ?? env('BENCH_DURATION'), 10, 1, 3600),
    warmup: number('warmup', values.warmup ?? env('BENCH_WARMUP'), 1, 0, 600),
    connections: Math.floor(number('connections', values.connections ?? env('BENCH_CONNECTIONS'), 50, 1, 1000)),
    starts: Math.floor(number('starts', values.starts ?? env('BENCH_STARTS'), 5, 0, 100)),
    rounds: Math.floor(number('rounds', values.rounds ?? env('BENCH_ROUNDS'), 1, 1, 20)),
    only: (values.only ?? env('BENCH_ONLY'))?.split(',').map((s) => s.trim()).filter(Boolean),
    bareMode: values['bare-mode'] ?? env('BENCH_BARE_MODE') ?? 'string',
    memory: flag(values.memory, 'BENCH_MEMORY'),
    memoryRequests: Math.floor(number('memory-requests', values['memory-requests'] ?? env('BENCH_MEMORY_REQUESTS'), 1_000_000, 1000, 100_000_000)),
    memoryAuth: values['memory-auth'] ?? env('BENCH_MEMORY_AUTH') ?? 'off',
    sampleInterval: number('sample-interval', values['sample-interval'] ?? env('BENCH_SAMPLE_INTERVAL'), 5, 0.5, 600),
    profile: flag(values.profile, 'BENCH_PROFILE'),
    json: values.json ?? env('BENCH_JSON'),
  };
  if (!['string', 'object'].includes(options.bareMode)) fail(`--bare-mode must be string or object, got ${JSON.stringify(options.bareMode)}.`);
  if (!['off', 'bearer', 'digest'].includes(options.memoryAuth)) fail(`--memory-auth must be off, bearer or digest, got ${JSON.stringify(options.memoryAuth)}.`);
  if (options.only) {
    const unknown = options.only.filter((name) => !SCENARIOS.some((s) => s.name === name));
    if (unknown.length > 0) fail(`--only names unknown scenarios ${unknown.join(', ')}; known: ${SCENARIOS.map((s) => s.name).join(', ')}.`);
  }
  const mock = values.mock ?? env('BENCH_MOCK');
  if (mock) MOCK_BIN = resolve(mock);
  const node = values.node ?? env('BENCH_NODE');
  if (node) {
    try {
      NODE_BIN = /^\d+$/.test(node) ? nodeBinary(node) : resolve(node);
    } catch (error) {
      fail(`--node ${node}: ${error.message}`);
    }
    if (!existsSync(NODE_BIN)) fail(`--node: ${NODE_BIN} does not exist.`);
  }
  if (!existsSync(MOCK_BIN)) fail(`${relative(process.cwd(), MOCK_BIN)} does not exist. Fix: npm run build first (npm run bench does).`);
  return options;
}

// ------------------------------------------------------------------------------------------- servers

/** Every child started here, so an early exit of this script stops them too. */
const children = new Set();
process.once('exit', () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    process.exit(130);
  });
}

/**
 * Spawns a server and resolves once its start-up line names its URL.
 * @param kind 'bare' | 'mock'
 */
function startServer(kind, args = [], nodeArgs = []) {
  const script = kind === 'bare' ? BARE_BIN : MOCK_BIN;
  const spawnedAt = performance.now();
  const child = spawn(NODE_BIN, [...nodeArgs, script, '--host', '127.0.0.1', '--port', '0', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  const server = { kind, child, pid: child.pid, spawnedAt, url: undefined, stderr: '', lateLines: [], exit: undefined };
  child.once('exit', (code, signal) => {
    server.exit = { code, signal };
    children.delete(child);
  });
  let buffered = '';
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`${kind}: no start-up line within 20 s; stderr: ${server.stderr.trim()}`)), 20_000);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      buffered += chunk;
      let at;
      while ((at = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, at);
        buffered = buffered.slice(at + 1);
        if (server.url === undefined) {
          let parsed;
          try {
            parsed = JSON.parse(line);
          } catch {
            parsed = undefined;
          }
          if (parsed && typeof parsed.url === 'string' && /listening/.test(parsed.msg ?? '')) {
            server.url = parsed.url;
            clearTimeout(timer);
            resolvePromise(server);
          }
        } else if (line.trim() !== '' && server.lateLines.length < 20) {
          server.lateLines.push(line);
        }
      }
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk) => {
      server.stderr = (server.stderr + chunk).slice(-16384);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (server.url === undefined) reject(new Error(`${kind} exited (code ${code}, signal ${signal}) before its start-up line; stderr: ${server.stderr.trim()}`));
    });
  });
}

/** SIGTERM, then SIGKILL after 5 s; resolves with how it exited. */
async function stopServer(server) {
  if (server.exit) return server.exit;
  const exited = new Promise((r) => server.child.once('exit', (code, signal) => r({ code, signal })));
  server.child.kill('SIGTERM');
  const timer = setTimeout(() => server.child.kill('SIGKILL'), 5000);
  const result = await exited;
  clearTimeout(timer);
  return result;
}

/** VmRSS (or another /proc status field) of a process, in MiB. */
function procMiB(pid, field = 'VmRSS') {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** CPU time (user + system) a process has used so far, in ms, from /proc/<pid>/stat (clock ticks of 10 ms). */
function cpuMs(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}

/** Busy and total CPU time of the whole machine so far, in ms (all CPUs), from /proc/stat. */
function machineCpuMs() {
  try {
    const [user, nice, system, idle, iowait, irq, softirq, steal] = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0].trim().split(/\s+/).slice(1).map(Number);
    const busy = user + nice + system + irq + softirq + (steal || 0);
    return { busy: busy * 10, total: (busy + idle + iowait) * 10 };
  } catch {
    return undefined;
  }
}

/**
 * Share of the machine's CPU used by other processes between two readings: all busy time minus the
 * server's and this process's (the load generator's). Above a few percent, the figures are skewed.
 */
function otherLoad(machineBefore, machineAfter, serverMs, selfUsage) {
  if (!machineBefore || !machineAfter) return undefined;
  const selfMs = (selfUsage.user + selfUsage.system) / 1000;
  const other = machineAfter.busy - machineBefore.busy - serverMs - selfMs;
  return Math.max(0, (100 * other) / (machineAfter.total - machineBefore.total));
}

/** One GET on a fresh connection: { status, headers }. */
function get(url, path, headers = HEADERS) {
  return new Promise((resolvePromise, reject) => {
    const req = http.get(new URL(path, url), { headers, agent: false, timeout: 5000 }, (res) => {
      res.resume();
      res.on('end', () => resolvePromise({ status: res.statusCode, headers: res.headers }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

/** Polls until the first 200; returns ms since the process was spawned. */
async function firstOk(server, path) {
  const deadline = performance.now() + 20_000;
  for (;;) {
    try {
      const res = await get(server.url, path);
      if (res.status === 200) return performance.now() - server.spawnedAt;
    } catch {
      // not answering yet
    }
    if (performance.now() > deadline) throw new Error(`${server.kind}: no 200 on ${path} within 20 s`);
    await sleep(2);
  }
}

// ------------------------------------------------------------------------------------------- scenarios

const STRICT_ARGS = ['--auth', 'strict', '--api-key', `${API_KEY.user}:${API_KEY.secret}`, '--service-account', `${SERVICE_ACCOUNT.id}:${SERVICE_ACCOUNT.secret}`, '--nonce-ttl', '86400'];

/**
 * name: the table's key; server: which process; args: mock flags; expect: the status every reply
 * must have; requests(server): autocannon's `requests` (async, may log in first), or perRequest's
 * { setupClient, made } for requests that differ every time;
 * target: { rps, p99 } minimum req/s ratio and maximum p99 ratio against the bare route.
 */
const SCENARIOS = [
  {
    name: 'bare',
    label: 'bare Fastify (ceiling)',
    server: 'bare',
    expect: 200,
    requests: async () => [{ path: '/' }],
  },
  {
    name: 'fixture',
    label: 'fixture job (--auth off)',
    server: 'mock',
    args: ['--auth', 'off'],
    expect: 200,
    requests: async () => [{ path: jobPath(FIXTURE_ID) }],
    target: { rps: 0.85, p99: 2 },
  },
  {
    name: 'fresh',
    label: 'generated, fresh id per request',
    server: 'mock',
    args: ['--auth', 'off'],
    expect: 200,
    requests: async (server) => {
      let n = 0;
      return perRequest(server.url, HEADERS, () => ({ path: jobPath(freshId(n++)) }));
    },
    target: { rps: 0.75, p99: 2 },
  },
  {
    name: 'repeated',
    label: 'generated, repeated id (cached)',
    server: 'mock',
    args: ['--auth', 'off'],
    expect: 200,
    requests: async () => [{ path: jobPath(REPEATED_ID) }],
    target: { rps: 0.85 },
  },
  {
    name: '404',
    label: '404 (well-known id)',
    server: 'mock',
    args: ['--auth', 'off'],
    expect: 404,
    requests: async () => [{ path: jobPath('000000000000000000000404') }],
    target: { rps: 0.8 },
  },
  {
    name: '500-envelope',
    label: '500 with ?envelope=true',
    server: 'mock',
    args: ['--auth', 'off'],
    expect: 200,
    requests: async () => [{ path: jobPath('000000000000000000000500', '?envelope=true') }],
    target: { rps: 0.8 },
  },
  {
    name: 'bearer',
    label: '--auth strict, Bearer token',
    server: 'mock',
    args: STRICT_ARGS,
    expect: 200,
    requests: async (server) => {
      const token = await bearerToken(server.url);
      return [{ path: jobPath(FIXTURE_ID), headers: { ...HEADERS, authorization: `Bearer ${token}` } }];
    },
    target: { rps: 0.7 },
  },
  {
    name: 'digest',
    label: '--auth strict, Digest per request',
    server: 'mock',
    args: STRICT_ARGS,
    expect: 200,
    requests: async (server) => {
      const sign = await digestSigner(() => digestNonce(server.url));
      const path = jobPath(FIXTURE_ID);
      return perRequest(server.url, HEADERS, () => ({ path, authorization: sign(path) }));
    },
    target: { rps: 0.6 },
  },
  {
    // The restore workflow as a client drives it: each connection creates a download, then polls it
    // four times. The clock runs 100,000x so jobs end within milliseconds and the bounded store of
    // created jobs keeps making room, as it would over a long test run.
    name: 'create-poll',
    label: 'create a download, then poll it 4 times',
    server: 'mock',
    args: ['--auth', 'off', '--clock-speed', '100000'],
    expect: 200,
    requests: async () => {
      let n = 0;
      const create = {
        method: 'POST',
        path: restoreJobsPath,
        headers: { ...HEADERS, 'content-type': 'application/json' },
        setupRequest: (request) => ({ ...request, body: JSON.stringify({ deliveryType: 'download', snapshotId: snapshotId(n++) }) }),
        onResponse: (status, body, context) => {
          if (status === 200) context.jobId = JSON.parse(body).id;
        },
      };
      const poll = { method: 'GET', setupRequest: (request, context) => ({ ...request, path: jobPath(context.jobId) }) };
      return [create, poll, poll, poll, poll];
    },
    // Reported, no target: one create in five requests does what a GET never does (parse and check
    // a body, look for conflicts, store a job); the GET scenarios above keep their targets.
  },
  // Controls (no target): the bare route sending the header lines every mock reply carries (Atlas's
  // security headers, media type and rate-limit counts), driven with the request shapes above. Each is
  // the reference for the scenario it copies: the same requests and reply headers, none of the mock's work.
  {
    name: 'bare-atlas-headers',
    label: 'control: bare + Atlas headers, one path',
    server: 'bare',
    serverArgs: ['--headers', 'atlas'],
    control: true,
    expect: 200,
    requests: async () => [{ path: '/' }],
  },
  {
    name: 'bare-fresh',
    label: 'control: bare + Atlas headers, fresh path',
    server: 'bare',
    serverArgs: ['--headers', 'atlas'],
    control: true,
    expect: 200,
    requests: async (server) => {
      let n = 0;
      return perRequest(server.url, HEADERS, () => ({ path: jobPath(freshId(n++)) }));
    },
  },
  {
    name: 'bare-digest',
    label: 'control: bare + Atlas headers, Digest',
    server: 'bare',
    serverArgs: ['--headers', 'atlas'],
    control: true,
    expect: 200,
    requests: async (server) => {
      const sign = await digestSigner(async () => randomBytes(24).toString('base64'));
      const path = jobPath(FIXTURE_ID);
      return perRequest(server.url, HEADERS, () => ({ path, authorization: sign(path) }));
    },
  },
];

/** The command-line flags of a scenario's server process. */
function serverArgs(scenario, options) {
  return scenario.server === 'bare' ? ['--mode', options.bareMode, ...(scenario.serverArgs ?? [])] : scenario.args;
}

// ------------------------------------------------------------------------------------------- load

/**
 * Latency histogram in 10 µs buckets up to 10 s: autocannon's own percentiles are whole milliseconds,
 * too coarse for a bare route whose p99 is about 1 ms.
 */
class Latencies {
  static BUCKET_MS = 0.01;
  counts = new Uint32Array(1_000_000);
  total = 0;
  record(ms) {
    this.counts[Math.min(this.counts.length - 1, Math.floor(ms / Latencies.BUCKET_MS))]++;
    this.total++;
  }
  percentile(p) {
    const rank = Math.ceil((p / 100) * this.total);
    let seen = 0;
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i];
      if (seen >= rank) return (i + 1) * Latencies.BUCKET_MS;
    }
    return undefined;
  }
}

/** Runs autocannon; amount (requests) wins over duration when given. */
function cannon({ url, requests, setupClient, duration, amount, connections, onTracker }) {
  return new Promise((resolvePromise, reject) => {
    const instance = autocannon(
      {
        url,
        connections,
        pipelining: 1,
        headers: HEADERS,
        requests,
        ...(setupClient ? { setupClient } : {}),
        ...(amount ? { amount } : { duration }),
        timeout: 10,
      },
      (error, result) => (error ? reject(error) : resolvePromise(Object.assign(result, { fine: latencies }))),
    );
    const latencies = new Latencies();
    instance.on('response', (_client, _status, _bytes, ms) => latencies.record(ms));
    onTracker?.(instance);
  });
}

function summarise(result, expect) {
  const codes = Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([code, { count }]) => [code, Number(count)]));
  const expected = codes[String(expect)] ?? 0;
  const total = Object.values(codes).reduce((a, b) => a + b, 0);
  return {
    rps: expected / result.duration,
    requests: total,
    p50: result.fine?.percentile(50) ?? result.latency.p50,
    p99: result.fine?.percentile(99) ?? result.latency.p99,
    meanLatency: result.latency.average,
    bad: total - expected + result.errors + result.timeouts,
    codes,
    errors: result.errors,
    timeouts: result.timeouts,
    durationS: result.duration,
  };
}

/** A scenario's requests as cannon() takes them: { requests } or perRequest's { setupClient, made }. */
async function loadOf(scenario, server) {
  const load = await scenario.requests(server);
  return Array.isArray(load) ? { requests: load } : load;
}

async function runScenario(scenario, options) {
  const server = await startServer(scenario.server, serverArgs(scenario, options));
  try {
    const { requests, setupClient, made } = await loadOf(scenario, server);
    if (options.warmup > 0) await cannon({ url: server.url, requests, setupClient, duration: options.warmup, connections: options.connections });
    const madeBefore = made?.();
    const rssBefore = procMiB(server.pid);
    const cpuBefore = cpuMs(server.pid);
    const machineBefore = machineCpuMs();
    const selfBefore = process.cpuUsage();
    const startedAt = performance.now();
    const result = await cannon({ url: server.url, requests, setupClient, duration: options.duration, connections: options.connections });
    const cpu = cpuMs(server.pid) - cpuBefore;
    if (made) checkMadePerRequest(made() - madeBefore, result.requests.total, scenario.name);
    const selfUsage = process.cpuUsage(selfBefore);
    const otherPct = otherLoad(machineBefore, machineCpuMs(), cpu, selfUsage);
    const row = { ...summarise(result, scenario.expect), rssMiB: procMiB(server.pid), rssBeforeMiB: rssBefore, peakMiB: procMiB(server.pid, 'VmHWM') };
    // Server CPU per reply: unlike req/s, barely moved by other load on the machine.
    row.cpuUsPerReq = (cpu * 1000) / row.requests;
    row.otherCpuPct = otherPct;
    // Near 100 %, the load generator sets the pace and the row measures it as much as the server.
    row.loadGenPct = (selfUsage.user + selfUsage.system) / 10 / (performance.now() - startedAt);
    if (server.exit) throw new Error(`${scenario.name}: the server exited during the run (${JSON.stringify(server.exit)}); stderr: ${server.stderr}`);
    if (server.lateLines.length > 0) row.serverLog = server.lateLines.slice(0, 5);
    return row;
  } finally {
    await stopServer(server);
  }
}

/** Median start-to-first-200 and idle RSS of `starts` fresh processes. */
async function measureStartup(kind, args, path, starts) {
  const times = [];
  const idle = [];
  for (let i = 0; i < starts; i++) {
    const server = await startServer(kind, args);
    try {
      times.push(await firstOk(server, path));
      await sleep(1000);
      idle.push(procMiB(server.pid));
    } finally {
      await stopServer(server);
    }
  }
  return { ms: median(times), samplesMs: times, idleMiB: median(idle) };
}

/** ms from import to the first 200 inside one fresh process (bench/first-reply.mjs). */
function firstReplyMs(kind) {
  const out = execFileSync(NODE_BIN, [FIRST_REPLY, kind, join(dirname(MOCK_BIN), 'index.js')], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
  return JSON.parse(out.trim().split('\n').at(-1)).ms;
}

/** Medians of `runs` fresh processes of each kind, run alternately so drift on the machine hits both alike. */
function measureFirstReply(runs) {
  const bare = [];
  const mock = [];
  for (let i = 0; i < runs; i++) {
    bare.push(firstReplyMs('bare'));
    mock.push(firstReplyMs('mock'));
  }
  return { bare: median(bare), mock: median(mock), bareSamples: bare, mockSamples: mock };
}

const mean = (values) => values.reduce((a, b) => a + b, 0) / values.length;

const median = (values) => {
  const sorted = values.filter((v) => v !== undefined).sort((a, b) => a - b);
  if (sorted.length === 0) return undefined;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

// ------------------------------------------------------------------------------------------- output

const fmt = (value, digits = 0) => (value === undefined || Number.isNaN(value) ? '–' : value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }));

function printTable(header, rows) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => `| ${cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((w, i) => (i === 0 ? `${'-'.repeat(w + 1)}-` : `${'-'.repeat(w + 1)}:`)).join('|')}|`);
  for (const row of rows) console.log(line(row));
}

function machine() {
  const cpu = /^model name\s*:\s*(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? os.cpus()[0]?.model ?? '?';
  const node = NODE_BIN === process.execPath ? process.version : execFileSync(NODE_BIN, ['--version'], { encoding: 'utf8' }).trim();
  return { nproc: os.availableParallelism?.() ?? os.cpus().length, cpu, node, platform: `${os.type()} ${os.release()}`, memTotalMiB: Math.round(os.totalmem() / MIB), loadavg: os.loadavg() };
}

/** Other work on the machine skews every figure: measure it for a second before a run and say so. */
async function warnIfBusy(m) {
  const before = machineCpuMs();
  const self = process.cpuUsage();
  await sleep(1000);
  const busy = otherLoad(before, machineCpuMs(), 0, process.cpuUsage(self));
  m.otherCpuPctBefore = busy;
  if (busy > 5) {
    console.log(`bench: warning: other processes use ${fmt(busy)} % of the machine's CPU right now; they compete with the servers and the load generator, so figures will be low and noisy`);
  }
}

// ------------------------------------------------------------------------------------------- modes

async function throughputMode(options) {
  const m = machine();
  console.log(`bench: ${m.nproc} CPUs (${m.cpu}), node ${m.node}; ${options.connections} connections, ${options.duration} s per scenario after ${options.warmup} s of warm-up; bare route mode ${options.bareMode}`);
  await warnIfBusy(m);

  const startup = {};
  if (options.starts > 0) {
    console.log(`bench: start-up, median of ${options.starts} starts each ...`);
    startup.bare = await measureStartup('bare', ['--mode', options.bareMode], '/', options.starts);
    startup.mock = await measureStartup('mock', ['--auth', 'off'], jobPath(FIXTURE_ID), options.starts);
    // Not a target, for honesty: faker loads on the first generated job, so that first reply costs more.
    startup.generated = await measureStartup('mock', ['--auth', 'off'], jobPath(REPEATED_ID), options.starts);
    console.log(`bench: import + startMock() + first 200, median of ${Math.max(options.starts, 7)} processes each ...`);
    startup.firstReply = measureFirstReply(Math.max(options.starts, 7));
  }

  const selected = SCENARIOS.filter((s) => !options.only || options.only.includes(s.name) || s.name === 'bare');
  // The bare route runs before the first scenario and again after every one, and each scenario is
  // compared with the mean of the bare runs on either side of it: this VM's speed drifts by tens of
  // per cent within minutes, so a ceiling measured once would make later ratios meaningless.
  const results = {};
  const bareRuns = [];
  const runBare = async (label) => {
    process.stdout.write(`bench: bare (${label}) ...`);
    const r = await runScenario(SCENARIOS[0], options);
    bareRuns.push(r);
    console.log(` ${fmt(r.rps)} req/s, p99 ${fmt(r.p99, 2)} ms`);
    return r;
  };
  let before = await runBare('first');
  results.bare = before;
  // With --rounds, every scenario runs once per round, each time in a fresh process: one mock process
  // can run up to ~20 % slower than another of the same build, so one run per scenario is a lottery.
  const runsOf = {};
  for (let round = 1; round <= options.rounds; round++) {
    const ofRound = options.rounds > 1 ? ` (round ${round}/${options.rounds})` : '';
    for (const scenario of selected.filter((s) => s.name !== 'bare')) {
      process.stdout.write(`bench: ${scenario.name}${ofRound} ...`);
      const r = await runScenario(scenario, options);
      console.log(` ${fmt(r.rps)} req/s, p99 ${fmt(r.p99, 2)} ms${r.bad ? `, ${r.bad} unexpected replies ${JSON.stringify(r.codes)}` : ''}`);
      const after = await runBare(`after ${scenario.name}${ofRound}`);
      r.reference = { rps: (before.rps + after.rps) / 2, p99: (before.p99 + after.p99) / 2 };
      r.ratio = r.rps / r.reference.rps;
      (runsOf[scenario.name] ??= []).push(r);
      before = after;
    }
  }
  // Each scenario is shown by its median run (by req/s ratio; of an even number, the lower middle one).
  for (const [name, runs] of Object.entries(runsOf)) {
    const sorted = [...runs].sort((a, b) => a.ratio - b.ratio);
    const median = sorted[Math.floor((sorted.length - 1) / 2)];
    results[name] = { ...median, ratios: runs.map((r) => r.ratio), bad: runs.reduce((sum, r) => sum + r.bad, 0) };
  }
  results['bare-end'] = before;

  // For display: the mean of every bare run, and how far they spread.
  const ceiling = { rps: mean(bareRuns.map((r) => r.rps)), p99: mean(bareRuns.map((r) => r.p99)), minRps: Math.min(...bareRuns.map((r) => r.rps)), maxRps: Math.max(...bareRuns.map((r) => r.rps)) };
  const rows = [];
  const ratioRange = (r) => (r.ratios && r.ratios.length > 1 ? ` (${fmt(Math.min(...r.ratios), 2)}-${fmt(Math.max(...r.ratios), 2)})` : '');
  const startupCell = (name) => (name === 'bare' ? startup.bare : name === 'fixture' ? startup.mock : undefined);
  for (const scenario of [...selected, { name: 'bare-end', label: 'bare Fastify (the last of its runs)' }]) {
    const r = results[scenario.name];
    const ref = r.reference ?? ceiling;
    const s = startupCell(scenario.name);
    rows.push([
      scenario.label,
      fmt(r.rps),
      fmt(r.p50, 2),
      fmt(r.p99, 2),
      fmt(r.rssMiB, 1),
      scenario.name === 'bare' || scenario.name === 'bare-end' ? '–' : `${fmt(r.rps / ref.rps, 2)}x${ratioRange(r)}`,
      scenario.name === 'bare' || scenario.name === 'bare-end' ? '–' : `${fmt(r.p99 / ref.p99, 2)}x`,
      s ? `${fmt(s.ms)} ms` : '',
      fmt(r.cpuUsPerReq),
      `${fmt(r.loadGenPct)} %`,
      `${fmt(r.otherCpuPct)} %`,
      r.bad ? String(r.bad) : '0',
    ]);
  }
  console.log('');
  printTable(['scenario', 'req/s', 'p50 ms', 'p99 ms', 'RSS MiB', 'req/s vs bare', 'p99 vs bare', 'start-up', 'server CPU µs/req', 'load generator CPU', 'other load', 'bad'], rows);
  const roundsNote = options.rounds > 1 ? ` Each scenario ran ${options.rounds} times, each in a fresh process; its row is its median run, with the range of its ratios in brackets.` : '';
  console.log(`\nRatios are against the mean of the bare runs just before and just after each scenario.${roundsNote} The ${bareRuns.length} bare runs: mean ${fmt(ceiling.rps)} req/s (${fmt(ceiling.minRps)}-${fmt(ceiling.maxRps)}), p99 ${fmt(ceiling.p99, 2)} ms. Latencies are measured by the load generator in 10 µs buckets.` +
    ` RSS is the server's VmRSS right after its run; server CPU µs/req is its user+system CPU time over the run divided by the replies; load generator CPU is the share of one CPU the load generator (this process) used, and near 100 % it sets the pace; other load is the share of the machine's CPU that other processes used during the run (above ~5 % the row is skewed).`);
  const busy = Object.entries(results).filter(([, r]) => r.otherCpuPct > 5).map(([name]) => name);
  if (busy.length > 0) console.log(`bench: warning: other processes used more than 5 % of the CPU during ${busy.join(', ')}; rerun on a quiet machine for figures to publish.`);
  if (startup.mock) {
    console.log(`Idle RSS 1 s after start (median): bare ${fmt(startup.bare.idleMiB, 1)} MiB, mock ${fmt(startup.mock.idleMiB, 1)} MiB.`);
    console.log(`Start-up to the first 200 of a generated job (faker loads then; not a target): ${fmt(startup.generated.ms)} ms, ${fmt(startup.generated.ms / startup.bare.ms, 2)}x bare.`);
  }

  // Targets.
  const targets = [];
  for (const scenario of selected) {
    if (!scenario.target) continue;
    const r = results[scenario.name];
    const { ratio } = r;
    targets.push({ what: `${scenario.label}: req/s >= ${scenario.target.rps}x`, value: `${fmt(ratio, 2)}x${ratioRange(r)}`, pass: ratio >= scenario.target.rps });
    if (scenario.target.p99) {
      const p99Ratio = r.p99 / r.reference.p99;
      targets.push({ what: `${scenario.label}: p99 <= ${scenario.target.p99}x`, value: `${fmt(p99Ratio, 2)}x (${fmt(r.p99, 2)} ms)`, pass: p99Ratio <= scenario.target.p99 });
    }
  }
  if (startup.mock) {
    const ratio = startup.mock.ms / startup.bare.ms;
    targets.push({ what: 'CLI start-up to first 200 <= 1.5x bare', value: `${fmt(ratio, 2)}x (${fmt(startup.mock.ms)} vs ${fmt(startup.bare.ms)} ms)`, pass: ratio <= 1.5 });
    const { firstReply } = startup;
    const inProcess = firstReply.mock / firstReply.bare;
    targets.push({ what: 'import + startMock() + first 200 <= 1.2x bare', value: `${fmt(inProcess, 2)}x (${fmt(firstReply.mock)} vs ${fmt(firstReply.bare)} ms)`, pass: inProcess <= 1.2 });
    targets.push({ what: 'idle RSS <= 80 MiB', value: `${fmt(startup.mock.idleMiB, 1)} MiB`, pass: startup.mock.idleMiB <= 80 });
  }
  console.log('\nTargets (ratios against the bare runs around each scenario):');
  printTable(['target', 'measured', 'result'], targets.map((t) => [t.what, t.value, t.pass ? 'pass' : 'FAIL']));
  console.log('\nMemory after 1,000,000 distinct ids: npm run bench -- --memory');

  const broken = Object.entries(results).filter(([, r]) => r.bad > 0);
  return { mode: 'throughput', machine: m, options, startup, ceiling, bareRuns, results, targets, ok: broken.length === 0 };
}

async function memoryMode(options) {
  const m = machine();
  const args = options.memoryAuth === 'off' ? ['--auth', 'off'] : STRICT_ARGS;
  console.log(`bench --memory: ${fmt(options.memoryRequests)} requests with distinct ids, auth ${options.memoryAuth}, ${options.connections} connections; RSS read every second, printed every ${options.sampleInterval} s (${m.nproc} CPUs, node ${m.node})`);
  await warnIfBusy(m);
  const server = await startServer('mock', args);
  try {
    await sleep(1000);
    const idleMiB = procMiB(server.pid);
    let auth = () => undefined;
    if (options.memoryAuth === 'bearer') {
      const token = await bearerToken(server.url);
      auth = () => `Bearer ${token}`;
    } else if (options.memoryAuth === 'digest') {
      auth = await digestSigner(() => digestNonce(server.url));
    }
    let n = 0;
    const { setupClient, made } = perRequest(server.url, HEADERS, () => {
      const path = jobPath(freshId(n++));
      return { path, authorization: auth(path) };
    });
    let done = 0;
    const started = performance.now();
    const samples = [{ t: 0, requests: 0, rssMiB: idleMiB }];
    const print = (s) => console.log(`  ${fmt(s.t, 0).padStart(5)} s  ${fmt(s.requests).padStart(11)} requests  RSS ${fmt(s.rssMiB, 1).padStart(6)} MiB`);
    print(samples[0]);
    // RSS is read every second (V8's heap is a sawtooth: the floors after each collection tell retained
    // memory from garbage) and printed every --sample-interval seconds.
    let lastPrinted = 0;
    const timer = setInterval(() => {
      const s = { t: (performance.now() - started) / 1000, requests: done, rssMiB: procMiB(server.pid) };
      samples.push(s);
      if (s.t - lastPrinted >= options.sampleInterval - 0.5) {
        print(s);
        lastPrinted = s.t;
      }
    }, 1000);
    const result = await cannon({
      url: server.url,
      setupClient,
      amount: options.memoryRequests,
      connections: options.connections,
      onTracker: (tracker) => tracker.on('response', () => done++),
    });
    clearInterval(timer);
    const end = { t: (performance.now() - started) / 1000, requests: done, rssMiB: procMiB(server.pid) };
    samples.push(end);
    print(end);
    const summary = summarise(result, 200);
    checkMadePerRequest(made(), result.requests.total, 'memory');
    if (server.exit) throw new Error(`the mock exited during the run: ${JSON.stringify(server.exit)}; ${server.stderr}`);
    // And once more after 10 idle seconds: V8's memory reducer collects and shrinks an idle heap, so
    // the gap to the end sample is garbage, not retained state.
    await sleep(10_000);
    const settledMiB = procMiB(server.pid);
    console.log(`  settled after 10 idle seconds: RSS ${fmt(settledMiB, 1)} MiB`);

    // Growth in the second half: the RSS floor (lowest sample, right after a collection) of its last
    // quarter against that of its first quarter. Peaks are garbage waiting for the next collection.
    const within = (lo, hi) => samples.filter((s) => s.requests >= lo * done && s.requests <= hi * done).map((s) => s.rssMiB);
    const floor = (values) => (values.length > 0 ? Math.min(...values) : undefined);
    const middle = floor(within(0.5, 0.75));
    const last = floor(within(0.75, 1));
    const secondHalf = within(0.5, 1);
    const growth = last - middle;
    const peakMiB = procMiB(server.pid, 'VmHWM');
    const targets = [
      { what: 'idle RSS <= 80 MiB', value: `${fmt(idleMiB, 1)} MiB`, pass: idleMiB <= 80 },
      { what: `RSS after ${fmt(done)} requests <= 120 MiB`, value: `${fmt(end.rssMiB, 1)} MiB (peak ${fmt(peakMiB, 1)})`, pass: end.rssMiB <= 120 },
      Number.isNaN(growth) || middle === undefined || last === undefined
        ? { what: 'no growth in the second half', value: 'too few samples: use more requests or a shorter --sample-interval', pass: undefined }
        : {
            what: 'no growth in the second half: RSS floor of its last quarter vs its first quarter (tolerance: 5 MiB or 5 %, whichever is larger)',
            value: `${growth >= 0 ? '+' : ''}${fmt(growth, 1)} MiB (floors ${fmt(middle, 1)} -> ${fmt(last, 1)}; 2nd half ${fmt(Math.min(...secondHalf), 1)}-${fmt(Math.max(...secondHalf), 1)})`,
            pass: growth <= Math.max(5, 0.05 * middle),
          },
      { what: 'every reply 200', value: summary.bad ? `${summary.bad} unexpected ${JSON.stringify(summary.codes)}` : 'yes', pass: summary.bad === 0 },
    ];
    console.log(`\n${fmt(done)} requests in ${fmt(end.t, 1)} s (${fmt(summary.rps)} req/s, p99 ${fmt(summary.p99, 2)} ms)`);
    printTable(['target', 'measured', 'result'], targets.map((t) => [t.what, t.value, t.pass === undefined ? 'n/a' : t.pass ? 'pass' : 'FAIL']));
    return { mode: 'memory', machine: m, options, idleMiB, samples, settledMiB, summary, middle, end: last, growth, peakMiB, targets, ok: summary.bad === 0 };
  } finally {
    await stopServer(server);
  }
}

/**
 * Self time per function of a .cpuprofile (V8's format), in ms, heaviest first. Only samples taken
 * between fromMs and toMs after the profile started count, so start-up and warm-up stay out.
 */
function selfTimes(profile, fromMs = 0, toMs = Infinity) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map();
  let at = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = (profile.timeDeltas[i] ?? 0) / 1000;
    at += dt;
    if (at < fromMs || at > toMs) continue;
    const node = byId.get(profile.samples[i]);
    self.set(node, (self.get(node) ?? 0) + dt);
  }
  const byFunction = new Map();
  let total = 0;
  for (const [node, ms] of self) {
    const { functionName, url, lineNumber } = node.callFrame;
    const where = url ? `${url.replace(`file://${ROOT}/`, '').replace(/^.*node_modules\//, '')}:${lineNumber + 1}` : '';
    const key = `${functionName || '(anonymous)'} ${where}`.trim();
    byFunction.set(key, (byFunction.get(key) ?? 0) + ms);
    total += ms;
  }
  const byPlace = new Map();
  for (const [node, ms] of self) {
    const url = node.callFrame.url;
    let place = node.callFrame.functionName.startsWith('(') ? node.callFrame.functionName : 'native / V8 builtins';
    if (url.includes('node_modules/')) place = url.replace(/^.*node_modules\/((?:@[^/]+\/)?[^/]+).*$/, '$1');
    else if (url.startsWith(`file://${ROOT}/`)) place = url.slice(`file://${ROOT}/`.length);
    else if (url.startsWith('file://')) place = url.slice('file://'.length);
    else if (url.startsWith('node:')) place = 'node: (core)';
    byPlace.set(place, (byPlace.get(place) ?? 0) + ms);
  }
  const sort = (map) => [...map].sort((a, b) => b[1] - a[1]);
  return { total, functions: sort(byFunction), places: sort(byPlace) };
}

async function profileMode(options) {
  const dir = join(os.tmpdir(), `atlas-mock-bench-profiles-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  const out = {};
  const chosen = SCENARIOS.filter((s) => (options.only ? options.only.includes(s.name) : ['bare', 'fixture', 'fresh'].includes(s.name)));
  for (const scenario of chosen) {
    const name = `${scenario.server}-${scenario.name}.cpuprofile`;
    const args = serverArgs(scenario, options);
    const server = await startServer(scenario.server, args, ['--cpu-prof', '--cpu-prof-dir', dir, '--cpu-prof-name', name]);
    let summary;
    let window;
    try {
      const { requests, setupClient } = await loadOf(scenario, server);
      if (options.warmup > 0) await cannon({ url: server.url, requests, setupClient, duration: options.warmup, connections: options.connections });
      // The measured run's time window, in ms since spawn; the profile starts a little after spawn,
      // so the window is shrunk by 100 ms on both sides to stay inside the run.
      const from = performance.now() - server.spawnedAt;
      summary = summarise(await cannon({ url: server.url, requests, setupClient, duration: options.duration, connections: options.connections }), scenario.expect);
      window = { from: from + 100, to: performance.now() - server.spawnedAt - 100 };
    } finally {
      await stopServer(server);
    }
    const file = join(dir, name);
    if (!existsSync(file)) throw new Error(`no profile written at ${file} (files: ${readdirSync(dir).join(', ')})`);
    const times = selfTimes(JSON.parse(readFileSync(file, 'utf8')), window.from, window.to);
    // µs per reply within the window (start-up and warm-up excluded).
    const replies = summary.requests * ((window.to - window.from) / 1000 / summary.durationS);
    const perReq = (ms) => fmt((ms * 1000) / replies, 2);
    const busy = times.total - (times.places.find(([k]) => k === '(idle)')?.[1] ?? 0);
    console.log(`\n${scenario.label}: ${fmt(summary.rps)} req/s under the profiler; ${perReq(busy)} µs of busy CPU per reply over the measured run (start-up and warm-up left out); profile ${file}`);
    console.log('Self time by place:');
    printTable(['where', 'ms', '%', 'µs/reply'], times.places.slice(0, 15).map(([k, ms]) => [k, fmt(ms), fmt((100 * ms) / times.total, 1), perReq(ms)]));
    console.log('Top self-time functions:');
    printTable(['function', 'ms', '%', 'µs/reply'], times.functions.slice(0, 30).map(([k, ms]) => [k, fmt(ms), fmt((100 * ms) / times.total, 1), perReq(ms)]));
    out[scenario.name] = { file, rps: summary.rps, replies: Math.round(replies), totalMs: times.total, places: times.places.slice(0, 30), functions: times.functions.slice(0, 60) };
  }
  return { mode: 'profile', machine: machine(), options, profiles: out, ok: true };
}

// ------------------------------------------------------------------------------------------- main

const options = readOptions();
try {
  const report = options.profile ? await profileMode(options) : options.memory ? await memoryMode(options) : await throughputMode(options);
  if (options.json) writeFileSync(options.json, `${JSON.stringify(report, null, 2)}\n`);
  process.exitCode = report.ok ? 0 : 1;
} catch (error) {
  console.error(`\nbench: ${error.stack ?? error}`);
  process.exitCode = 1;
}
