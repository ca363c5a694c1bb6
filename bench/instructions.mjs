#!/usr/bin/env node
/**
 * Instructions per reply: the bare-Fastify route and the mock's scenarios run under valgrind's
 * callgrind, which counts every instruction the server process executes (all its threads, user space
 * only). Unlike req/s on a shared VM, which moves by 20-60 % between runs, the count of one build moves
 * by a few per cent on 10 connections (how many requests one event-loop turn handles varies with timing)
 * and by under 0.5 % on one (--connections 1: one request per turn, so every reply also pays a whole
 * turn of the event loop, and the figures are higher). So it tells two builds apart where timings
 * cannot. For an A/B, count both builds in one sitting (docs/performance.md).
 *
 * For each scenario: start the server under callgrind with counting off, send --warmup requests (V8
 * optimises the hot path meanwhile), then three short sessions on new connections (see
 * SETTLE_SESSIONS), switch counting on (callgrind_control -i on), send --requests
 * more, dump, stop. 127.0.0.1 only; valgrind runs the server ~50x slower, so a
 * scenario takes about a minute. Needs valgrind (Debian: apt-get install valgrind).
 *
 *   npm run build && node bench/instructions.mjs [--only fixture,404] [--mock other/dist/server/cli.js]
 */
import autocannon from 'autocannon';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { ACCEPT, API_KEY, FIXTURE_ID, REPEATED_ID, SERVICE_ACCOUNT, bearerToken, digestNonce, digestSigner, env, fail, freshId, jobPath, perRequest, readCommandLine } from './lib.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const TOOL = 'instructions';

const SCENARIOS = {
  bare: { server: 'bare', path: '/' },
  fixture: { args: ['--auth', 'off'], path: jobPath(FIXTURE_ID) },
  fresh: { args: ['--auth', 'off'], fresh: true },
  repeated: { args: ['--auth', 'off'], path: jobPath(REPEATED_ID) },
  404: { args: ['--auth', 'off'], path: jobPath('000000000000000000000404') },
  '500-envelope': { args: ['--auth', 'off'], path: jobPath('000000000000000000000500', '?envelope=true') },
  bearer: { args: ['--auth', 'strict', '--service-account', `${SERVICE_ACCOUNT.id}:${SERVICE_ACCOUNT.secret}`], path: jobPath(FIXTURE_ID), bearer: true },
  digest: { args: ['--auth', 'strict', '--api-key', `${API_KEY.user}:${API_KEY.secret}`, '--nonce-ttl', '86400'], path: jobPath(FIXTURE_ID), digest: true },
};

const HELP = `Usage: node bench/instructions.mjs [options]      (after npm run build; needs valgrind)

Counts the instructions per reply of the bare-Fastify route and the mock under valgrind's callgrind:
a figure that barely moves between runs, for comparing builds on a noisy machine.

Options (flag, env var, default):
  --only <a,b>        INSTRUCTIONS_ONLY         bare,fixture,404,bearer
                      scenarios: ${Object.keys(SCENARIOS).join(', ')}
  --warmup <n>        INSTRUCTIONS_WARMUP       40000   requests before counting starts, then (unless 0)
                                                        3 x 3,000 more, each on new connections
  --requests <n>      INSTRUCTIONS_REQUESTS     10000   requests counted
  --connections <n>   INSTRUCTIONS_CONNECTIONS  10      connections; 1 gives the steadiest count
  --mock <file>       INSTRUCTIONS_MOCK         dist/server/cli.js   the mock's CLI (another build, for an A/B)
  --help`;

const { values, number } = readCommandLine(
  TOOL,
  { only: { type: 'string' }, warmup: { type: 'string' }, requests: { type: 'string' }, connections: { type: 'string' }, mock: { type: 'string' } },
  HELP,
);
const warmup = number('warmup', values.warmup ?? env('INSTRUCTIONS_WARMUP'), 40_000, 0, 10_000_000);
const requests = number('requests', values.requests ?? env('INSTRUCTIONS_REQUESTS'), 10_000, 100, 10_000_000);
const connections = Math.floor(number('connections', values.connections ?? env('INSTRUCTIONS_CONNECTIONS'), 10, 1, 100));
const mockBin = resolve(values.mock ?? env('INSTRUCTIONS_MOCK') ?? join(HERE, '..', 'dist', 'server', 'cli.js'));
const only = (values.only ?? env('INSTRUCTIONS_ONLY') ?? 'bare,fixture,404,bearer').split(',').map((s) => s.trim());
for (const name of only) if (!(name in SCENARIOS)) fail(TOOL, `--only: unknown scenario "${name}"; one of ${Object.keys(SCENARIOS).join(', ')}.`);
try {
  execFileSync('valgrind', ['--version'], { stdio: 'ignore' });
} catch {
  fail(TOOL, 'valgrind is not installed (Debian: apt-get install valgrind).');
}

/**
 * Sessions of this many requests, each on new connections, between the warm-up and the count.
 *
 * Why: the first requests on a new connection deoptimise ~30 functions of Node's HTTP stack and the
 * mock ("wrong map"), and V8 then recompiles ~60 of them on its compiler thread, which callgrind counts
 * with the rest. After one long warm-up on the same connections, that happened inside the counted
 * part: ~60,000 of a bare reply's ~127,000 instructions were TurboFan compiling. By the third new set
 * of connections no function is recompiled any more (--trace-opt), so the count is of the request path
 * alone.
 */
const SETTLE_SESSIONS = 3;
const SETTLE_REQUESTS = 3_000;

// Fresh ids are numbered across all of a scenario's sessions: restarting at 0 would send the counted
// part ids the warm-up already asked for, which the render cache then admits (a repeat, not a fresh id).
let freshCount = 0;
// The same ids in every run: which kinds of job they generate (downloads, sharded ones, point-in-time)
// moves a fresh reply's count by ~2 %, so builds are compared on one set.
const FRESH_TAG = 'c0ffee';

/** autocannon for `amount` requests on --connections new connections; resolves with its result. */
function drive(url, scenario, headers, amount, sign) {
  let load = { requests: [{ path: scenario.path }] };
  if (scenario.fresh) load = { setupClient: perRequest(url, headers, () => ({ path: jobPath(freshId(freshCount++, FRESH_TAG)) })).setupClient };
  if (sign) load = { setupClient: perRequest(url, headers, () => ({ path: scenario.path, authorization: sign(scenario.path) })).setupClient };
  return new Promise((done, failed) => {
    autocannon({ url, connections, amount, headers, ...load, timeout: 30 }, (error, result) => (error ? failed(error) : done(result)));
  });
}

async function measure(name) {
  const scenario = SCENARIOS[name];
  const folder = mkdtempSync(join(os.tmpdir(), 'atlas-mock-callgrind-'));
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const bin = scenario.server === 'bare' ? join(HERE, 'bare-fastify.mjs') : mockBin;
  const child = spawn(
    'valgrind',
    ['--tool=callgrind', '--instr-atstart=no', `--callgrind-out-file=${join(folder, 'out.%p')}`, process.execPath, bin, '--port', String(port), ...(scenario.args ?? [])],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr = (stderr + chunk).slice(-4000)));
  try {
    const url = `http://127.0.0.1:${port}`;
    for (let tries = 0; ; tries++) {
      if (child.exitCode !== null || tries > 600) throw new Error(`${name}: the server did not start under valgrind:\n${stderr}`);
      if (await fetch(url).then(() => true, () => false)) break;
      await sleep(200);
    }
    const headers = { accept: ACCEPT, ...(scenario.bearer ? { authorization: `Bearer ${await bearerToken(url)}` } : {}) };
    // Digest: one signer for both loads, so its nonces keep their rising counts (bench/lib.mjs).
    const sign = scenario.digest ? await digestSigner(() => digestNonce(url)) : undefined;
    if (warmup > 0) {
      await drive(url, scenario, headers, warmup, sign);
      for (let i = 0; i < SETTLE_SESSIONS; i++) await drive(url, scenario, headers, SETTLE_REQUESTS, sign);
    }
    execFileSync('callgrind_control', ['-i', 'on', String(child.pid)], { stdio: 'ignore' });
    const result = await drive(url, scenario, headers, requests, sign);
    execFileSync('callgrind_control', ['-d', String(child.pid)], { stdio: 'ignore' });
    // The dump of the counted part is the largest file (the process's final dump holds nothing more).
    const dumps = readdirSync(folder).map((f) => join(folder, f)).sort((a, b) => statSync(b).size - statSync(a).size);
    const total = Number(/^summary: (\d+)$/m.exec(readFileSync(dumps[0], 'utf8'))?.[1]);
    const replies = result['2xx'] + result.non2xx;
    if (!(total > 0) || replies !== requests || result.errors > 0) throw new Error(`${name}: ${replies} replies, ${result.errors} errors, summary ${total}`);
    return { name, perReply: total / replies, statuses: result.non2xx > 0 ? `${result['2xx']} 2xx, ${result.non2xx} other` : `${replies} 2xx` };
  } finally {
    child.kill('SIGKILL');
    await new Promise((done) => (child.exitCode !== null ? done() : child.once('exit', done)));
    rmSync(folder, { recursive: true, force: true });
  }
}

console.log(`${TOOL}: ${warmup} requests of warm-up, ${requests} counted, on ${connections} connection${connections === 1 ? '' : 's'}, per scenario; mock ${mockBin}`);
const rows = [];
for (const name of only) {
  const row = await measure(name);
  rows.push(row);
  console.log(`${name.padEnd(14)} ${Math.round(row.perReply).toLocaleString('en-US').padStart(9)} instructions per reply  (${row.statuses})`);
}
const bare = rows.find((r) => r.name === 'bare');
if (bare) {
  for (const row of rows) if (row !== bare) console.log(`${row.name.padEnd(14)} ${(row.perReply / bare.perReply).toFixed(2)}x the bare route's`);
}
