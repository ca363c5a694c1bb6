/**
 * server/trusted-head.ts: a head written through Node's header store is the head writeHead writes, byte
 * for byte, and this Node takes that path.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type ServerResponse } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { test } from 'node:test';
import { joinHeadLines, trustedHeadInUse, writeTrustedHead, type Head } from '../server/trusted-head.js';

/** The raw bytes of one reply to `path` over a new connection, with Date (which moves) taken out. */
async function rawReply(port: number, path: string, method = 'GET'): Promise<string> {
  const socket = connect(port, '127.0.0.1');
  socket.write(`${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: keep-alive\r\n\r\n`);
  let text = '';
  socket.setEncoding('latin1');
  for await (const chunk of socket) {
    text += chunk as string;
    const split = text.indexOf('\r\n\r\n');
    if (split >= 0) {
      const length = Number(/\r\ncontent-length: (\d+)/i.exec(text)?.[1] ?? 0);
      if (method === 'HEAD' || text.length >= split + 4 + length) break;
    }
  }
  socket.destroy();
  return text.replace(/\r\nDate: [^\r]+/, '');
}

/** Node's header store for names and values given as [name, value, name, value, …]. */
function headOf(headers: readonly string[]): Head {
  const head: Head = {};
  for (let i = 0; i < headers.length; i += 2) head[headers[i] as string] = [headers[i] as string, headers[i + 1] as string];
  return head;
}

const BODY = '{"detail":"ü"}';
const HEADS: Record<string, string[]> = {
  job: ['referrer-policy', 'strict-origin-when-cross-origin', 'x-frame-options', 'DENY', 'content-type', 'application/vnd.atlas.2023-01-01+json;charset=utf-8', 'ratelimit-limit', '100', 'content-length', String(Buffer.byteLength(BODY))],
  challenge: ['www-authenticate', 'Digest realm="MMS Public API", domain="", nonce="abc+/=", algorithm=MD5, qop="auth", stale=false', 'content-type', 'application/json', 'content-length', String(Buffer.byteLength(BODY))],
  none: ['content-length', String(Buffer.byteLength(BODY))],
};

/** What Node is to write for a header set: all but its last two headers joined (joinHeadLines). */
function wireOf(headers: readonly string[]): Head {
  const entries = Object.values(headOf(headers));
  if (entries.length < 3) return headOf(headers);
  const wire: Head = { lines: joinHeadLines(entries.slice(0, -2)) };
  for (const entry of entries.slice(-2)) wire[entry[0]] = entry;
  return wire;
}

test('this Node keeps response headers where trusted-head.ts looks for them', () => {
  assert.equal(trustedHeadInUse, true, "Node's header store was not found: every reply now pays writeHead's checks");
});

test('a trusted head, joined or not, is the head writeHead writes, for each status and header set, on GET and HEAD', async (t) => {
  const server = createServer((req, res: ServerResponse) => {
    const [, how, name, status] = (req.url ?? '').split('/') as [string, string, string, string];
    const headers = HEADS[name] as string[];
    if (how === 'trusted') writeTrustedHead(res, Number(status), headOf(headers));
    else if (how === 'joined') {
      writeTrustedHead(res, Number(status), headOf(headers), wireOf(headers));
      // Node keeps the headers one by one, as they were before joining.
      res.once('finish', () => assert.deepEqual(Object.entries(res.getHeaders()), Object.values(headOf(headers)).map(([n, v]) => [n, v])));
    } else res.writeHead(Number(status), headers);
    res.end(BODY);
  });
  server.keepAliveTimeout = 5000;
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => server.close());
  const { port } = server.address() as AddressInfo;

  for (const name of Object.keys(HEADS)) {
    for (const status of [200, 401, 404, 429, 500]) {
      for (const method of ['GET', 'HEAD']) {
        const trusted = await rawReply(port, `/trusted/${name}/${status}`, method);
        const joined = await rawReply(port, `/joined/${name}/${status}`, method);
        const checked = await rawReply(port, `/checked/${name}/${status}`, method);
        assert.equal(trusted, checked, `${method} ${name} ${status}`);
        assert.equal(joined, checked, `${method} ${name} ${status}, constant headers joined`);
        assert.match(trusted, new RegExp(`^HTTP/1\\.1 ${status} `));
      }
    }
  }
});

test('a response that overrides writeHead sees each header by itself while it runs (as Fastify inject does)', async (t) => {
  const headers = HEADS.job as string[];
  let seen: [string, unknown][] | undefined;
  const server = createServer((_req, res: ServerResponse) => {
    const nodeWriteHead = res.writeHead;
    // light-my-request's override: Node's writeHead, then a copy of the headers.
    res.writeHead = function (this: ServerResponse, ...args: Parameters<ServerResponse['writeHead']>) {
      const result = nodeWriteHead.apply(this, args);
      seen = Object.entries(this.getHeaders());
      return result;
    } as ServerResponse['writeHead'];
    writeTrustedHead(res, 200, headOf(headers), wireOf(headers));
    res.end(BODY);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => server.close());
  const { port } = server.address() as AddressInfo;
  const reply = await rawReply(port, '/');
  assert.deepEqual(seen, Object.values(headOf(headers)).map(([n, v]) => [n, v]));
  assert.match(reply, /\r\nx-frame-options: DENY\r\n/);
});

test('joinHeadLines writes the lines after the first into its value, and needs a first', () => {
  assert.deepEqual(joinHeadLines([['a-b', '1'], ['c', 'two words'], ['d', '3']]), ['a-b', '1\r\nc: two words\r\nd: 3']);
  assert.deepEqual(joinHeadLines([['a', '1']]), ['a', '1']);
  assert.throws(() => joinHeadLines([]), /at least one header/);
});
