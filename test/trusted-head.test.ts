/**
 * server/trusted-head.ts: a head written through Node's header store is the head writeHead writes, byte
 * for byte, and this Node takes that path.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type ServerResponse } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { test } from 'node:test';
import { trustedHeadInUse, writeTrustedHead, type Head } from '../server/trusted-head.js';

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

test('this Node keeps response headers where trusted-head.ts looks for them', () => {
  assert.equal(trustedHeadInUse, true, "Node's header store was not found: every reply now pays writeHead's checks");
});

test('a trusted head is the head writeHead writes, for each status and header set, on GET and HEAD', async (t) => {
  const server = createServer((req, res: ServerResponse) => {
    const [, how, name, status] = (req.url ?? '').split('/') as [string, string, string, string];
    const headers = HEADS[name] as string[];
    if (how === 'trusted') writeTrustedHead(res, Number(status), headOf(headers));
    else res.writeHead(Number(status), headers);
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
        const checked = await rawReply(port, `/checked/${name}/${status}`, method);
        assert.equal(trusted, checked, `${method} ${name} ${status}`);
        assert.match(trusted, new RegExp(`^HTTP/1\\.1 ${status} `));
      }
    }
  }
});
