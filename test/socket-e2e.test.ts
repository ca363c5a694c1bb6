/**
 * Over a real socket, the way users meet the mock: the built bin as a child process, and fetch.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test, type TestContext } from 'node:test';
import { clusterBody } from '../server/http/cluster-resource.js';
import { PACKAGE_ROOT } from '../server/package-root.js';
import { CLUSTER, GROUP, SUCCESS_TYPE, VERSIONED, assertAtlasError, assertMatchesSpec, exitWithin, jobUrl, startProcess } from './helper.js';

const CLI = join(PACKAGE_ROOT, 'dist', 'server', 'cli.js');

/**
 * Every wait here is bounded, so a mock that stops answering fails its test instead of holding the
 * suite: a test's own timeout, each request's, each socket's, and each child's exit.
 */
const TEST_TIMEOUT_MS = 30_000;
const REQUEST_TIMEOUT_MS = 10_000;
const EXIT_TIMEOUT_MS = 5_000;

/** Starts the bin on a free port and resolves with its URL once its start-up line is printed. */
function startCli(args: string[], t?: TestContext) {
  return startProcess(process.execPath, [CLI, '--port', '0', '--auth', 'off', ...args], process.env, t);
}

/** One request written by hand on a fresh socket; the reply's head lines as sent, and its body. */
async function rawExchange(url: string, path: string, method = 'GET', extraHeaders = '', host?: string): Promise<{ head: string[]; body: string }> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  socket.setTimeout(REQUEST_TIMEOUT_MS, () => socket.destroy(new Error(`no complete reply to ${method} ${path} within ${REQUEST_TIMEOUT_MS} ms`)));
  socket.write(`${method} ${path} HTTP/1.1\r\nHost: ${host ?? `${hostname}:${port}`}\r\nAccept: ${VERSIONED}\r\n${extraHeaders}Connection: close\r\n\r\n`);
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  await once(socket, 'end');
  const text = Buffer.concat(chunks).toString('latin1');
  const split = text.indexOf('\r\n\r\n');
  return { head: text.slice(0, split).split('\r\n'), body: text.slice(split + 4) };
}

/** A raw head's header lines as a name (lower case) → value map. */
function headersOf(head: string[]): Record<string, string> {
  return Object.fromEntries(head.slice(1).map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
}

/** The head with the one line that changes every second, Date, taken out. */
const withoutDate = (head: string[]) => head.filter((line) => !line.startsWith('Date: '));

async function fetchAtlas(url: string, init: RequestInit = {}) {
  const res = await fetch(url, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS), ...init });
  const body = await res.text();
  return { statusCode: res.status, headers: Object.fromEntries(res.headers), body };
}

describe('the bin over a real socket', { timeout: TEST_TIMEOUT_MS }, () => {
  let server: Awaited<ReturnType<typeof startCli>>;
  before(async () => {
    server = await startCli(['--seed', '7']);
  });
  after(() => {
    server.child.kill('SIGKILL');
  });

  test('prints one start-up line with the URL, the fixture count, generation, seed and scenario', () => {
    const line = server.lines.find((l) => l.includes('atlas-restore-mock listening on'));
    assert.ok(line);
    const log = JSON.parse(line);
    assert.equal(log.fixtures, 12);
    assert.equal(log.seed, 7);
    assert.equal(log.generate, true);
  });

  test('serves a fixture job with the versioned media type and correct Content-Length', async () => {
    const res = await fetchAtlas(`${server.url}${jobUrl(GROUP, CLUSTER, '6a7ddc837c2e91d04b368d39')}`, { headers: { accept: VERSIONED } });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], SUCCESS_TYPE);
    assert.equal(Number(res.headers['content-length']), Buffer.byteLength(res.body));
    const job = assertMatchesSpec(res);
    assert.ok(job.links[0].href.startsWith(server.url), 'links are on the URL the client used');
  });

  test('a generated job is byte-identical across requests', async () => {
    const url = `${server.url}${jobUrl(GROUP, 'Other-cluster', 'ab12ab12ab12ab12ab12ab12')}`;
    const first = await fetchAtlas(url, { headers: { accept: VERSIONED } });
    const second = await fetchAtlas(url, { headers: { accept: VERSIONED } });
    assertMatchesSpec(first);
    assertMatchesSpec(second);
    assert.equal(first.body, second.body);
  });

  test('errors keep the Atlas shape over the wire, and HEAD has no body', async () => {
    const res = await fetchAtlas(`${server.url}${jobUrl(GROUP, CLUSTER, '000000000000000000000500')}`, { headers: { accept: VERSIONED } });
    assertAtlasError(res, { status: 500, errorCode: 'UNEXPECTED_ERROR', enveloped: false });
    const head = await fetch(`${server.url}${jobUrl(GROUP, CLUSTER, '6a7ddc837c2e91d04b368d39')}`, { method: 'HEAD', headers: { accept: VERSIONED } });
    assert.equal(head.status, 200);
    assert.equal(await head.text(), '');
  });

  // Bodies carry their length in bytes (job-catalog.ts JobBody), which for a generated job is its
  // length in characters unless the base URL, taken from Host, holds more than ASCII.
  test('with a Host header beyond ASCII, Content-Length counts the bytes sent: generated, cached and fixture jobs', async () => {
    const generated = jobUrl(GROUP, CLUSTER, 'ab12ab12ab12ab12ab12ab13');
    // The generated job three times: rendered, rendered and cached, then answered from the cache.
    for (const path of [generated, generated, generated, jobUrl(GROUP, CLUSTER, '6a7ddc837c2e91d04b368d39')]) {
      const { head, body } = await rawExchange(server.url, path, 'GET', '', 'b\u00fccher.test:8080');
      const declared = Number(/^content-length: (\d+)$/m.exec(head.join('\n'))?.[1]);
      assert.equal(declared, body.length, `${path}: read as latin1, one character per byte`);
      const text = Buffer.from(body, 'latin1').toString('utf8');
      assert.notEqual(text.length, body.length, 'the body does hold characters of more than one byte');
      const job = assertMatchesSpec({ statusCode: 200, headers: { 'content-type': SUCCESS_TYPE }, body: text });
      // Sent as UTF-8 by this client, the Host header's ü reaches the mock as two latin1 characters.
      assert.ok(job.links[0].href.startsWith('http://b\u00c3\u00bccher.test:8080/api/atlas/v2/'), job.links[0].href);
    }
  });

  test('an error whose body holds characters beyond ASCII declares its length in bytes', async () => {
    const { head, body } = await rawExchange(server.url, jobUrl(GROUP, 'Cl%C3%BCster', 'ab12ab12ab12ab12ab12ab13'));
    assert.equal(head[0], 'HTTP/1.1 400 Bad Request');
    const declared = Number(/^content-length: (\d+)$/m.exec(head.join('\n'))?.[1]);
    assert.equal(declared, body.length, 'read as latin1, one character per byte');
    const text = Buffer.from(body, 'latin1').toString('utf8');
    assert.ok(text.includes('Cl\u00fcster'), text);
    assertAtlasError({ statusCode: 400, headers: headersOf(head), body: text }, { status: 400, errorCode: 'INVALID_CLUSTER_NAME' });
  });

  // Replies are written straight to Node's response (render-reply.ts): these are the exact bytes a
  // client reads, names in lower case and in the order reply.send used to write them.
  test('a job reply, head and body, byte for byte; HEAD gets the same head and no body', async () => {
    const path = jobUrl(GROUP, CLUSTER, '6a7ddc837c2e91d04b368d39');
    const get = await rawExchange(server.url, path);
    const length = Buffer.byteLength(get.body);
    const expectedHead = [
      'HTTP/1.1 200 OK',
      'referrer-policy: strict-origin-when-cross-origin',
      'strict-transport-security: max-age=31536000; includeSubdomains;',
      'x-content-type-options: nosniff',
      'x-frame-options: DENY',
      'x-permitted-cross-domain-policies: none',
      `content-type: ${SUCCESS_TYPE}`,
      'ratelimit-limit: 1200',
      `ratelimit-remaining: ${/ratelimit-remaining: (\d+)/.exec(get.head.join('\n'))?.[1]}`,
      `content-length: ${length}`,
      'Connection: close',
    ];
    assert.deepEqual(withoutDate(get.head), expectedHead);
    assert.ok(Number(/ratelimit-remaining: (\d+)/.exec(get.head.join('\n'))?.[1]) < 1200);
    assertMatchesSpec({ statusCode: 200, headers: { 'content-type': SUCCESS_TYPE }, body: get.body });
    const head = await rawExchange(server.url, path, 'HEAD');
    assert.equal(head.body, '');
    assert.deepEqual(withoutDate(head.head).filter((l) => !l.startsWith('ratelimit-remaining')), expectedHead.filter((l) => !l.startsWith('ratelimit-remaining')));
  });

  test('an error reply, head and body, byte for byte', async () => {
    const error = await rawExchange(server.url, jobUrl(GROUP, CLUSTER, '000000000000000000000404'));
    const remaining = /ratelimit-remaining: (\d+)/.exec(error.head.join('\n'))?.[1];
    assert.deepEqual(withoutDate(error.head), [
      'HTTP/1.1 404 Not Found',
      'content-type: application/json',
      'referrer-policy: strict-origin-when-cross-origin',
      'strict-transport-security: max-age=31536000; includeSubdomains;',
      'x-content-type-options: nosniff',
      'x-frame-options: DENY',
      'x-permitted-cross-domain-policies: none',
      'x-error-code: RESTORE_JOB_NOT_FOUND',
      'ratelimit-limit: 1200',
      `ratelimit-remaining: ${remaining}`,
      `content-length: ${Buffer.byteLength(error.body)}`,
      'Connection: close',
    ]);
    assertAtlasError({ statusCode: 404, headers: headersOf(error.head), body: error.body }, { status: 404, errorCode: 'RESTORE_JOB_NOT_FOUND' });
  });

  test('the cancel\'s 204 and the cluster reply, head and body, byte for byte', async () => {
    const SECURITY = [
      'referrer-policy: strict-origin-when-cross-origin',
      'strict-transport-security: max-age=31536000; includeSubdomains;',
      'x-content-type-options: nosniff',
      'x-frame-options: DENY',
      'x-permitted-cross-domain-policies: none',
    ];
    const remainingOf = (head: string[]) => /ratelimit-remaining: (\d+)/.exec(head.join('\n'))?.[1];
    const createDownload = async () => {
      const res = await fetchAtlas(`${server.url}${jobUrl(GROUP, CLUSTER, '').slice(0, -1)}`, {
        method: 'POST',
        headers: { accept: VERSIONED, 'content-type': 'application/json' },
        body: JSON.stringify({ deliveryType: 'download', snapshotId: '6a8bfda72c88fa3e5d389212' }),
      });
      assert.equal(res.statusCode, 200, res.body);
      return (JSON.parse(res.body) as { id: string }).id;
    };

    // No Content-Length on the 204, as Atlas sends it.
    const cancel = await rawExchange(server.url, jobUrl(GROUP, CLUSTER, await createDownload()), 'DELETE');
    assert.deepEqual(withoutDate(cancel.head), [
      'HTTP/1.1 204 No Content', ...SECURITY, `content-type: ${SUCCESS_TYPE}`, 'ratelimit-limit: 1200', `ratelimit-remaining: ${remainingOf(cancel.head)}`, 'Connection: close',
    ]);
    assert.equal(cancel.body, '');
    const enveloped = await rawExchange(server.url, `${jobUrl(GROUP, CLUSTER, await createDownload())}?envelope=true`, 'DELETE');
    assert.deepEqual(withoutDate(enveloped.head), [
      'HTTP/1.1 200 OK', ...SECURITY, `content-type: ${SUCCESS_TYPE}`, 'ratelimit-limit: 1200', `ratelimit-remaining: ${remainingOf(enveloped.head)}`, 'content-length: 14', 'Connection: close',
    ]);
    assert.equal(enveloped.body, '{"status":204}');

    const clusterPath = `/api/atlas/v2/groups/${GROUP}/clusters/${CLUSTER}`;
    const cluster = await rawExchange(server.url, clusterPath, 'GET', 'Accept: application/vnd.atlas.2024-08-05+json\r\n');
    const body = JSON.stringify(clusterBody({ groupId: GROUP, clusterName: CLUSTER, sharded: false, seed: 7 }, server.url));
    assert.deepEqual(withoutDate(cluster.head), [
      'HTTP/1.1 200 OK', ...SECURITY, 'content-type: application/vnd.atlas.2024-08-05+json;charset=utf-8', 'ratelimit-limit: 1200',
      `ratelimit-remaining: ${remainingOf(cluster.head)}`, `content-length: ${Buffer.byteLength(body)}`, 'Connection: close',
    ]);
    assert.equal(cluster.body, body);
  });

  test('the health check needs no headers', async () => {
    const res = await fetch(`${server.url}/health`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { status: 'ok' });
  });
});

test('SIGTERM stops the mock gracefully with exit code 0', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  const { child } = await startCli([], t);
  child.kill('SIGTERM');
  assert.equal(await exitWithin(child, EXIT_TIMEOUT_MS), 0);
});

test('two processes with the same seed give byte-identical generated jobs; another seed differs', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  const servers = await Promise.all([startCli(['--seed', '3'], t), startCli(['--seed', '3'], t), startCli(['--seed', '4'], t)]);
  {
    const path = jobUrl('0123456789abcdef01234567', 'prod', '6a794733c0eb9e7a17740663');
    const bodies = [];
    for (const s of servers) {
      // The same Host on each, since links carry it.
      const res = await fetchAtlas(`${s.url}${path}`, { headers: { accept: VERSIONED } });
      assertMatchesSpec(res);
      bodies.push(res.body.replaceAll(s.url, 'http://mock'));
    }
    assert.equal(bodies[0], bodies[1]);
    assert.notEqual(bodies[0], bodies[2]);
  }
});

// fetch keeps its connections alive: the mock must close each one as its reply is sent, not wait for
// the client's keep-alive timeout (Node closes only the connections idle when the server closes).
test('SIGTERM under load: every in-flight request is answered, then the mock exits 0 at once', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  const { child, url } = await startCli([], t);
  const path = jobUrl(GROUP, CLUSTER, '6a7ddc837c2e91d04b368d39');
  // Delayed replies are in flight when the signal arrives.
  const inFlight = Array.from({ length: 20 }, () => fetchAtlas(`${url}${path}`, { headers: { accept: VERSIONED, prefer: 'delay=400' } }));
  await new Promise((resolve) => setTimeout(resolve, 150));
  const exit = exitWithin(child, EXIT_TIMEOUT_MS);
  child.kill('SIGTERM');
  const replies = await Promise.all(inFlight);
  for (const res of replies) {
    assert.equal(res.statusCode, 200);
    assertMatchesSpec(res);
  }
  assert.equal(await exit, 0, 'exits within seconds of its last reply, with keep-alive clients connected');
});

test('secrets never reach the logs, even at trace level', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  const { url, lines } = await startCli(['--auth', 'strict', '--log-level', 'trace', '--api-key', 'logkey:supersecret-private', '--service-account', 'mdb_sa_id_log:supersecret-client'], t);
  {
    const basic = Buffer.from('mdb_sa_id_log:supersecret-client').toString('base64');
    const tokenRes = await fetch(`${url}/api/oauth/token`, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS), method: 'POST', headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=client_credentials' });
    const { access_token: token } = (await tokenRes.json()) as { access_token: string };
    const res = await fetchAtlas(`${url}${jobUrl(GROUP, CLUSTER, '6a7ddc837c2e91d04b368d39')}`, { headers: { accept: VERSIONED, authorization: `Bearer ${token}` } });
    assertMatchesSpec(res);
    const wrong = await fetchAtlas(`${url}${jobUrl(GROUP, CLUSTER, '6a7ddc837c2e91d04b368d39')}`, { headers: { accept: VERSIONED, authorization: 'Digest username="logkey", realm="MMS Public API", nonce="x", uri="/", response="supersecret-guess"' } });
    assertAtlasError(wrong, { status: 401 });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const log = lines.join('\n');
    assert.ok(log.includes('"status":200'), 'requests are logged at trace level');
    assert.match(log, /"reqId":"req-[0-9a-z]+"[^\n]*"msg":"request"/, "a request's lines carry its id");
    for (const secret of ['supersecret-private', 'supersecret-client', token, basic, 'supersecret-guess']) {
      assert.ok(!log.includes(secret), `the log holds a secret: ${secret.slice(0, 12)}…`);
    }
  }
});

test('--log-format pretty prints human-readable lines', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  const { lines } = await startProcess(process.execPath, [CLI, '--port', '0', '--log-format', 'pretty'], process.env, t);
  assert.ok(lines.some((l) => /^\[\d{2}:\d{2}:\d{2}\] INFO: atlas-restore-mock listening on http:\/\//.test(l)), lines.join('\n'));
});
