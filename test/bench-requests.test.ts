/**
 * bench/lib.mjs perRequest: the bench's fresh-id and Digest requests are made from a byte template
 * instead of autocannon's per-request builder. These tests hold it to the same bytes autocannon would
 * build, and to one request made per request sent on every connection, over a real socket.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { test } from 'node:test';

interface BenchRequests {
  perRequest(
    url: string,
    headers: Record<string, string>,
    next: () => { path: string; authorization?: string },
  ): { setupClient: (client: unknown) => void; made: () => number };
  checkMadePerRequest(made: number, sent: number, what: string): void;
}
type RequestBuilder = (defaults: object) => (request: object, context: object) => Buffer;
type Autocannon = (options: object, done: (error: Error | null, result: { requests: { total: number }; non2xx: number; errors: number }) => void) => unknown;

const require = createRequire(import.meta.url);
// The bench is plain JavaScript outside the TypeScript build; both are loaded as they are shipped.
const lib = (await import(new URL('../../bench/lib.mjs', import.meta.url).href)) as BenchRequests;
const autocannon = require('autocannon') as Autocannon;
const autocannonBuilder = require('autocannon/lib/httpRequestBuilder.js') as RequestBuilder;

const HEADERS = { accept: 'application/vnd.atlas.2023-01-01+json' };

/** The bytes perRequest sends next, read the way autocannon reads them. */
function nextBytes(setupClient: (client: unknown) => void): Buffer {
  let requests: Array<{ requestBuffer: Buffer }> = [];
  setupClient({ setRequests: (given: typeof requests) => (requests = given) });
  return (requests[0] as { requestBuffer: Buffer }).requestBuffer;
}

test('perRequest makes the bytes autocannon builds for the same path, headers and authorization', () => {
  const url = 'http://127.0.0.1:4567';
  const build = autocannonBuilder({ hostname: '127.0.0.1', port: 4567, headers: HEADERS });
  const cases = [
    { path: '/api/atlas/v2/groups/32b6e34b3d91647abb20e7b8/clusters/Cluster0/backup/restoreJobs/6a0000000000000000000001' },
    { path: '/x?envelope=true', authorization: 'Digest username="k", realm="MMS Public API", nc=00000001, response="abc"' },
  ];
  for (const c of cases) {
    const ours = nextBytes(lib.perRequest(url, HEADERS, () => c).setupClient);
    const theirs = build({ setupRequest: (req: { path: string; headers: Record<string, string> }) => {
      req.path = c.path;
      if (c.authorization) req.headers.authorization = c.authorization;
      return req;
    } }, {});
    assert.equal(ours.toString('latin1'), theirs.toString('latin1'));
  }
});

test('over real connections, every request autocannon sends is made afresh, and a shortfall is reported', async (t) => {
  const paths: string[] = [];
  const server = createServer((req, res) => {
    paths.push(req.url ?? '');
    res.end('ok');
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  t.after(() => server.close());
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  let n = 0;
  const { setupClient, made } = lib.perRequest(url, HEADERS, () => ({ path: `/job/${n++}` }));
  const result = await new Promise<{ requests: { total: number }; non2xx: number; errors: number }>((done, fail) => {
    autocannon({ url, connections: 5, amount: 300, headers: HEADERS, setupClient }, (error, r) => (error ? fail(error) : done(r)));
  });
  assert.equal(result.requests.total, 300);
  assert.equal(result.errors, 0);
  assert.equal(paths.length, 300);
  assert.equal(new Set(paths).size, 300, 'no path was sent twice');
  assert.ok(paths.every((p) => /^\/job\/\d+$/.test(p)), 'autocannon sent no request of its own');
  assert.ok(made() >= 300, `made ${made()}`);
  lib.checkMadePerRequest(made(), result.requests.total, 'test');
  assert.throws(() => lib.checkMadePerRequest(10, 300, 'fresh'), /^Error: fresh: autocannon sent 300 requests but only 10 were made per request/);
});
