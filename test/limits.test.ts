/**
 * The limits of README "Limits", over raw sockets: oversized requests get a defined answer or a clean
 * close, slow or idle clients do not stop the mock from serving others.
 */
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { startMock, type MockServer } from '../server/index.js';
import { CLUSTER, GROUP, VERSIONED, assertAtlasError, assertMatchesSpec, jobUrl } from './helper.js';

const JOB = '6a7ddc837c2e91d04b368d39';

/** Sends raw bytes and collects what comes back until the server closes or the time is up. */
function raw(port: number, bytes: string, waitMs = 2000): Promise<{ text: string; closed: boolean }> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    let closed = false;
    socket.on('data', (chunk) => (text += chunk.toString()));
    socket.on('error', () => {});
    socket.on('close', () => {
      closed = true;
      resolve({ text, closed });
    });
    socket.write(bytes);
    setTimeout(() => {
      socket.destroy();
      resolve({ text, closed });
    }, waitMs);
  });
}

describe('limits', () => {
  let mock: MockServer;
  before(async () => {
    mock = await startMock({ auth: 'off' });
  });
  after(() => mock.close());

  const ok = async () => {
    const res = await fetch(`${mock.url}${jobUrl(GROUP, CLUSTER, JOB)}`, { headers: { accept: VERSIONED } });
    const body = await res.text();
    assert.equal(res.status, 200);
    assertMatchesSpec({ statusCode: res.status, headers: Object.fromEntries(res.headers), body });
  };

  test('a request line or headers over 16 KiB get 431 and a closed connection', async () => {
    const longPath = jobUrl(GROUP, 'a'.repeat(20_000), JOB);
    const res = await raw(mock.port, `GET ${longPath} HTTP/1.1\r\nHost: x\r\nAccept: ${VERSIONED}\r\n\r\n`);
    assert.match(res.text, /^HTTP\/1\.1 431 /);
    assert.ok(res.closed);
    const header = await raw(mock.port, `GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(20_000)}\r\n\r\n`);
    assert.match(header.text, /^HTTP\/1\.1 431 /);
    await ok();
  });

  test('a body on a GET is ignored', async () => {
    const body = '{"x":1}';
    const res = await raw(mock.port, `GET ${jobUrl(GROUP, CLUSTER, JOB)} HTTP/1.1\r\nHost: x\r\nAccept: ${VERSIONED}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`);
    assert.match(res.text, /^HTTP\/1\.1 200 /);
    assertMatchesSpec({ statusCode: 200, headers: {}, body: res.text.slice(res.text.indexOf('\r\n\r\n') + 4) });
  });

  test('a malformed request line gets 400 and a close, and the mock keeps serving', async () => {
    const res = await raw(mock.port, 'THIS IS NOT HTTP\r\n\r\n');
    assert.match(res.text, /^HTTP\/1\.1 400 /);
    assert.ok(res.closed);
    await ok();
  });

  test('a client that trickles its headers, and hundreds of idle connections, do not block others', async () => {
    const slow = connect(mock.port, '127.0.0.1');
    slow.on('error', () => {});
    slow.write(`GET ${jobUrl(GROUP, CLUSTER, JOB)} HTTP/1.1\r\nHost: x\r\n`);
    const idle: Socket[] = [];
    for (let i = 0; i < 300; i++) {
      const socket = connect(mock.port, '127.0.0.1');
      socket.on('error', () => {});
      idle.push(socket);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    await ok();
    slow.destroy();
    for (const socket of idle) socket.destroy();
  });
});

test('an oversized body to the control API or the token endpoint gets a 400 in their shapes', async (t) => {
  const mock = await startMock({ auth: 'any', control: true });
  t.after(() => mock.close());
  const big = 'x'.repeat(2 * 1024 * 1024);
  const control = await fetch(`${mock.url}/__mock/fixtures/${GROUP}/${CLUSTER}/${JOB}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: big });
  assertAtlasError({ statusCode: control.status, headers: Object.fromEntries(control.headers), body: await control.text() }, { status: 400, errorCode: 'MOCK_INVALID_REQUEST' });
  const token = await fetch(`${mock.url}/api/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from('a:b').toString('base64')}` },
    body: `grant_type=client_credentials&pad=${'p'.repeat(20_000)}`,
  });
  assert.equal(token.status, 400);
  assert.deepEqual(await token.json(), { error_description: 'The provided credentials are not valid.', error: 'invalid_request' });
});
