/**
 * Latency, connection faults and the enforced rate limit, over a real socket: these are about what a
 * client's retry logic sees on the wire, which inject() cannot show.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { startMock, type MockServer } from '../server/index.js';
import { CLUSTER, GROUP, VERSIONED, assertAtlasError, assertMatchesSpec, jobUrl } from './helper.js';

const JOB = '6a7ddc837c2e91d04b368d39';

/** A raw GET that reports how the connection ended, not only what came back. */
function rawGet(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status?: number; headers?: Record<string, unknown>; body?: string; error?: string; ms: number; chunks: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    const req = request(url, { headers: { accept: VERSIONED, ...headers } }, (res) => {
      let body = '';
      let chunks = 0;
      res.on('data', (chunk: Buffer) => {
        chunks += 1;
        body += chunk.toString();
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, ms: Date.now() - started, chunks }));
      res.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message, ms: Date.now() - started, chunks }));
    });
    req.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message, ms: Date.now() - started, chunks: 0 }));
    // Bounded: a mock that never answers fails the test rather than holding the suite.
    req.setTimeout(15_000, () => req.destroy(new Error('no reply within 15 s')));
    req.end();
  });
}

describe('latency and faults', () => {
  let mock: MockServer;
  before(async () => {
    mock = await startMock({ auth: 'off' });
  });
  after(() => mock.close());

  test('Prefer: delay=300 holds the reply at least that long', async () => {
    const res = await rawGet(`${mock.url}${jobUrl(GROUP, CLUSTER, JOB)}`, { prefer: 'delay=300' });
    assert.equal(res.status, 200);
    assert.ok(res.ms >= 290, `${res.ms} ms`);
    assertMatchesSpec({ statusCode: 200, headers: {}, body: res.body ?? '' });
  });

  test('a bad delay is a 400 naming it', async () => {
    const res = await rawGet(`${mock.url}${jobUrl(GROUP, CLUSTER, JOB)}`, { prefer: 'delay=soon' });
    const error = assertAtlasError({ statusCode: res.status ?? 0, headers: res.headers ?? {}, body: res.body ?? '' }, { status: 400, errorCode: 'INVALID_PREFER_CODE' });
    assert.deepEqual(error.parameters, ['delay=soon']);
  });

  test('fault=reset resets the connection and fault=empty closes it with no reply', async () => {
    const reset = await rawGet(`${mock.url}${jobUrl(GROUP, CLUSTER, JOB)}`, { prefer: 'fault=reset' });
    assert.equal(reset.error, 'ECONNRESET');
    const empty = await rawGet(`${mock.url}${jobUrl(GROUP, CLUSTER, JOB)}`, { prefer: 'fault=empty' });
    assert.ok(empty.error === 'ECONNRESET' || empty.error === 'socket hang up', String(empty.error));
    assert.equal(empty.status, undefined);
  });

  test('fault=slow-body sends the whole body in pieces over about two seconds', async () => {
    const res = await rawGet(`${mock.url}${jobUrl(GROUP, CLUSTER, JOB)}`, { prefer: 'fault=slow-body' });
    assert.equal(res.status, 200);
    assert.ok(res.chunks >= 5, `${res.chunks} chunks`);
    assert.ok(res.ms >= 1500, `${res.ms} ms`);
    assert.equal(assertMatchesSpec({ statusCode: 200, headers: {}, body: res.body ?? '' }).id, JOB);
  });

  test('a scenario rule can carry a fault for one id, once', async () => {
    mock.setScenario({ fault: 'reset', restoreJobId: JOB, times: 1 });
    assert.equal((await rawGet(`${mock.url}${jobUrl(GROUP, CLUSTER, JOB)}`)).error, 'ECONNRESET');
    assert.equal((await rawGet(`${mock.url}${jobUrl(GROUP, CLUSTER, JOB)}`)).status, 200, 'a retry succeeds');
  });
});

test('--enforce-rate-limit answers 429 with Retry-After past the limit, counting down RateLimit-Remaining', async (t) => {
  const mock = await startMock({ auth: 'off', rateLimit: 3, enforceRateLimit: true });
  t.after(() => mock.close());
  const remaining: string[] = [];
  for (let i = 0; i < 3; i++) {
    const res = await fetch(`${mock.url}${jobUrl(GROUP, CLUSTER, JOB)}`, { headers: { accept: VERSIONED } });
    assertMatchesSpec({ statusCode: res.status, headers: Object.fromEntries(res.headers), body: await res.text() });
    remaining.push(String(res.headers.get('ratelimit-remaining')));
  }
  assert.deepEqual(remaining, ['2', '1', '0']);
  const limited = await fetch(`${mock.url}${jobUrl(GROUP, CLUSTER, JOB)}`, { headers: { accept: VERSIONED } });
  assert.match(String(limited.headers.get('retry-after')), /^\d+$/);
  assert.equal(limited.headers.get('ratelimit-remaining'), '0');
  const error = assertAtlasError({ statusCode: limited.status, headers: Object.fromEntries(limited.headers), body: await limited.text() }, { status: 429, errorCode: 'RATE_LIMITED' });
  assert.equal(error.detail, `Resource ${jobUrl(GROUP, CLUSTER, JOB)} is limited to 3 requests every 1 minutes.`);
});
