/**
 * Real clients against a real socket, in `any` and `strict` modes, with right and wrong credentials:
 * curl --digest, curl with a Bearer token, digest-fetch, mongodb-atlas-api-client and Node's fetch.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../server/app.js';
import type { MockOptions } from '../server/options.js';
import { PACKAGE_ROOT } from '../server/package-root.js';
import { UNAUTHORIZED_BODY } from '../server/http/render-reply.js';
import { CLUSTER, GROUP, VERSIONED, assertAtlasError, assertMatchesSpec, jobUrl } from './helper.js';
import { DigestClient, getMongodbAtlasApiClient } from './clients.js';

const run = promisify(execFile);

const JOB = '6a7ddc837c2e91d04b368d39';
const CHALLENGE = /^Digest realm="MMS Public API", domain="", nonce="[A-Za-z0-9+/]{32}", algorithm=MD5, qop="auth", stale=(true|false)$/;
const EXAMPLE_CREDENTIALS = join(PACKAGE_ROOT, 'examples', 'credentials.example.yaml');

async function listen(options: Partial<MockOptions>): Promise<{ app: FastifyInstance; url: string }> {
  const { app } = await buildApp({ logLevel: 'silent', port: 0, ...options });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, url };
}

/** curl, returning status, headers and body; curl's --digest does the challenge round trip itself. */
async function curl(args: string[]): Promise<{ statusCode: number; headers: Record<string, string>; body: string }> {
  const { stdout } = await run('curl', ['-s', '-i', ...args], { encoding: 'utf8' });
  // With --digest curl prints both responses; the last one is the answer.
  const last = stdout.slice(stdout.lastIndexOf('HTTP/1.1 '));
  const [head = '', body = ''] = last.split('\r\n\r\n');
  const [statusLine = '', ...lines] = head.split('\r\n');
  const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
  return { statusCode: Number(statusLine.split(' ')[1]), headers, body };
}

async function token(url: string, id: string, secret: string): Promise<Response> {
  return fetch(`${url}/api/oauth/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    },
    body: 'grant_type=client_credentials',
  });
}

async function asResponse(res: Response) {
  return { statusCode: res.status, headers: Object.fromEntries(res.headers), body: await res.text() };
}

describe('auth any (the default)', () => {
  let server: { app: FastifyInstance; url: string };
  before(async () => {
    server = await listen({ auth: 'any' });
  });
  after(() => server.app.close());

  test('a bare request gets the recorded Digest challenge, never enveloped', async () => {
    const res = await curl(['-H', `Accept: ${VERSIONED}`, `${server.url}${jobUrl(GROUP, CLUSTER, JOB, '?envelope=true')}`]);
    assert.equal(res.statusCode, 401);
    assert.match(res.headers['www-authenticate'] ?? '', CHALLENGE);
    assert.equal(res.body, UNAUTHORIZED_BODY);
    assertMatchesSpec(res);
    // The head as curl read it: the challenge, then the type and length, and nothing of Atlas's others.
    const names = (await run('curl', ['-s', '-D', '-', '-o', '/dev/null', '-H', `Accept: ${VERSIONED}`, `${server.url}${jobUrl(GROUP, CLUSTER, JOB)}`], { encoding: 'utf8' })).stdout
      .split('\r\n')
      .slice(1)
      .filter((line) => line !== '')
      .map((line) => line.slice(0, line.indexOf(':')));
    assert.deepEqual(names, ['www-authenticate', 'content-type', 'content-length', 'Date', 'Connection', 'Keep-Alive']);
  });

  test('curl --digest with made-up keys gets the job', async () => {
    const res = await curl(['--digest', '-u', 'anykey:anysecret', '-H', `Accept: ${VERSIONED}`, `${server.url}${jobUrl(GROUP, CLUSTER, JOB, '?pretty=true')}`]);
    assert.equal(res.statusCode, 200);
    assert.equal(assertMatchesSpec(res).id, JOB);
  });

  test('digest-fetch, which re-sends the previous nonce with a rising nc, works for several requests', async () => {
    const client = new DigestClient('made', 'up');
    for (let i = 0; i < 3; i++) {
      const res = await asResponse(await client.fetch(`${server.url}${jobUrl(GROUP, CLUSTER, JOB)}`, { headers: { accept: VERSIONED } }));
      assert.equal(res.statusCode, 200, res.body);
      assertMatchesSpec(res);
    }
  });

  test('a token from the token endpoint works with curl; a revoked one does not', async () => {
    const res = await token(server.url, 'mdb_sa_id_anything', 'whatever');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/json');
    const grant = (await res.json()) as { access_token: string; expires_in: number; token_type: string };
    assert.equal(grant.token_type, 'Bearer');
    assert.equal(grant.expires_in, 3600);
    const ok = await curl(['-H', `Authorization: Bearer ${grant.access_token}`, '-H', `Accept: ${VERSIONED}`, `${server.url}${jobUrl(GROUP, CLUSTER, JOB)}`]);
    assert.equal(ok.statusCode, 200);
    assertMatchesSpec(ok);
    const revoke = await fetch(`${server.url}/api/oauth/revoke`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from('mdb_sa_id_anything:whatever').toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: `token=${grant.access_token}&token_type_hint=access_token`,
    });
    assert.equal(revoke.status, 200);
    assert.equal(await revoke.text(), '');
    const refused = await curl(['-H', `Authorization: Bearer ${grant.access_token}`, '-H', `Accept: ${VERSIONED}`, `${server.url}${jobUrl(GROUP, CLUSTER, JOB)}`]);
    assert.equal(refused.statusCode, 401);
    assert.equal(refused.body, UNAUTHORIZED_BODY);
    assertMatchesSpec(refused);
  });

  test('the token endpoint answers OAuth-style errors', async () => {
    const noBasic = await fetch(`${server.url}/api/oauth/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=client_credentials' });
    assert.equal(noBasic.status, 401);
    assert.equal((await noBasic.json() as { error: string }).error, 'invalid_client');
    const badGrant = await fetch(`${server.url}/api/oauth/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from('a:b').toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=password',
    });
    assert.equal(badGrant.status, 400);
    assert.equal(await badGrant.text(), '{"error_description":"Invalid grant type.","error":"unsupported_grant_type"}');
  });
});

describe('auth strict with the example credentials file', () => {
  let server: { app: FastifyInstance; url: string };
  before(async () => {
    server = await listen({ credentials: EXAMPLE_CREDENTIALS, tokenTtl: 1 });
  });
  after(() => server.app.close());

  test('curl --digest with the right key gets the job, with a wrong private key gets 401 again', async () => {
    const ok = await curl(['--digest', '-u', 'abcdefgh:5d1e7b5c-2e3a-4c8b-9f1d-0a6b7c8d9e0f', '-H', `Accept: ${VERSIONED}`, `${server.url}${jobUrl(GROUP, CLUSTER, JOB)}`]);
    assert.equal(ok.statusCode, 200, ok.body);
    assertMatchesSpec(ok);
    const wrong = await curl(['--digest', '-u', 'abcdefgh:wrong', '-H', `Accept: ${VERSIONED}`, `${server.url}${jobUrl(GROUP, CLUSTER, JOB)}`]);
    assert.equal(wrong.statusCode, 401);
    assert.equal(wrong.body, UNAUTHORIZED_BODY);
    assert.match(wrong.headers['www-authenticate'] ?? '', CHALLENGE);
    assertMatchesSpec(wrong);
  });

  test('a key without a backup role gets 401 USER_UNAUTHORIZED, one outside its access list 403', async () => {
    const role = await curl(['--digest', '-u', 'ijklmnop:0b8f4c2a-7d1e-4f3b-a6c5-9e2d1f0a3b4c', '-H', `Accept: ${VERSIONED}`, `${server.url}${jobUrl(GROUP, CLUSTER, JOB)}`]);
    assertAtlasError(role, { status: 401, errorCode: 'USER_UNAUTHORIZED' });
    const ip = await curl(['--digest', '-u', 'yzabcdef:3e5f7a9b-1c2d-4e6f-8a0b-2c4d6e8f0a1b', '-H', `Accept: ${VERSIONED}`, `${server.url}${jobUrl(GROUP, CLUSTER, JOB)}`]);
    assert.equal(ip.statusCode, 403);
    assert.equal(assertMatchesSpec(ip).detail, 'IP address 127.0.0.1 is not allowed to access this resource.');
  });

  test('mongodb-atlas-api-client getSnapshotRestoreJob works with the right key and fails with a wrong one', async () => {
    const client = (privateKey: string) =>
      getMongodbAtlasApiClient({ baseUrl: `${server.url}/api/atlas/v2`, projectId: GROUP, publicKey: 'abcdefgh', privateKey });
    const options = { httpOptions: { headers: { accept: VERSIONED } } };
    const job = (await client('5d1e7b5c-2e3a-4c8b-9f1d-0a6b7c8d9e0f').cloudBackup.getSnapshotRestoreJob(CLUSTER, JOB, options)) as { id: string };
    assertMatchesSpec({ statusCode: 200, headers: {}, body: JSON.stringify(job) });
    assert.equal(job.id, JOB);
    const refused = (await client('nope').cloudBackup.getSnapshotRestoreJob(CLUSTER, JOB, options)) as { error: number; errorCode: string };
    // The client hands back the parsed body only: it must be Atlas's recorded 401, field for field.
    assert.deepEqual(refused, JSON.parse(UNAUTHORIZED_BODY));
  });

  test('service account: token with the right secret works until it expires; a wrong secret is refused', async () => {
    const wrong = await token(server.url, 'mdb_sa_id_6650f0a2c8e4b21d3f9a7c01', 'nope');
    assert.equal(wrong.status, 400);
    assert.equal(await wrong.text(), '{"error_description":"The provided credentials are not valid.","error":"invalid_request"}');
    const res = await token(server.url, 'mdb_sa_id_6650f0a2c8e4b21d3f9a7c01', 'mdb_sa_sk_Qm9ndXNTZWNyZXRGb3JUZXN0c09ubHkx');
    assert.equal(res.status, 200);
    const { access_token: accessToken } = (await res.json()) as { access_token: string };
    const ok = await asResponse(await fetch(`${server.url}${jobUrl(GROUP, CLUSTER, JOB)}`, { headers: { accept: VERSIONED, authorization: `Bearer ${accessToken}` } }));
    assert.equal(ok.statusCode, 200);
    assertMatchesSpec(ok);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const expired = await asResponse(await fetch(`${server.url}${jobUrl(GROUP, CLUSTER, JOB)}`, { headers: { accept: VERSIONED, authorization: `Bearer ${accessToken}` } }));
    assert.equal(expired.statusCode, 401);
    assert.equal(expired.body, UNAUTHORIZED_BODY);
    assertMatchesSpec(expired);
  });

  test('a token from elsewhere is refused in strict mode', async () => {
    const res = await asResponse(await fetch(`${server.url}${jobUrl(GROUP, CLUSTER, JOB)}`, { headers: { accept: VERSIONED, authorization: 'Bearer eyJhbGciOiJIUzI1NiJ9.e30.c2lnbmF0dXJl' } }));
    assert.equal(res.statusCode, 401);
    assertMatchesSpec(res);
  });
});

describe('auth off', () => {
  test('needs no credentials at all', async (t) => {
    const server = await listen({ auth: 'off' });
    t.after(() => server.app.close());
    const res = await curl(['-H', `Accept: ${VERSIONED}`, `${server.url}${jobUrl(GROUP, CLUSTER, JOB)}`]);
    assert.equal(res.statusCode, 200);
    assertMatchesSpec(res);
  });
});
