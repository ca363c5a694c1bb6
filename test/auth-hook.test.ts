/**
 * The authentication step through app.inject(): the Digest handshake as each real client does it,
 * stale and replayed nonces, roles and access lists, and garbage Authorization headers.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { join } from 'node:path';
import { computeDigestResponse } from '../server/auth/digest.js';
import { PACKAGE_ROOT } from '../server/package-root.js';
import type { MockOptions } from '../server/options.js';
import { UNAUTHORIZED_BODY } from '../server/http/render-reply.js';
import { CLUSTER, GROUP, VERSIONED, assertAtlasError, assertMatchesSpec, build, jobUrl } from './helper.js';

const JOB = '6a7ddc837c2e91d04b368d39';
const URL = jobUrl(GROUP, CLUSTER, JOB);
const CHALLENGE = /^Digest realm="MMS Public API", domain="", nonce="([A-Za-z0-9+/]{32})", algorithm=MD5, qop="auth", stale=(true|false)$/;

// The default auth mode applies: any, or strict as soon as credentials are given.
const buildAuth = (t: Parameters<typeof build>[0], options: Partial<MockOptions>) => build(t, { auth: undefined, ...options });
const EXAMPLE_CREDENTIALS = join(PACKAGE_ROOT, 'examples', 'credentials.example.yaml');

async function challenge(app: FastifyInstance, url = URL): Promise<{ nonce: string; stale: string }> {
  const res = await app.inject({ url, headers: { accept: VERSIONED } });
  assertAtlasError(res, { status: 401, errorCode: 'UNEXPECTED_ERROR', enveloped: false });
  const match = CHALLENGE.exec(String(res.headers['www-authenticate']));
  assert.ok(match, String(res.headers['www-authenticate']));
  return { nonce: match[1] as string, stale: match[2] as string };
}

/** The header the Go client (mongodb-forks/digest) sends: algorithm quoted, nc 00000001, 16-hex cnonce. */
function goClientHeader(user: string, password: string, nonce: string, uri: string, nc = '00000001', algorithm: 'MD5' | 'SHA-256' = 'MD5'): string {
  const cnonce = '0123456789abcdef';
  const response = computeDigestResponse({ algorithm, username: user, realm: 'MMS Public API', password, method: 'GET', uri, nonce, nc, cnonce, qop: 'auth' });
  return `Digest username="${user}", realm="MMS Public API", nonce="${nonce}", uri="${uri}", response="${response}", algorithm="${algorithm}", qop=auth, nc=${nc}, cnonce="${cnonce}"`;
}

function assertChallenged(res: { statusCode: number; headers: Record<string, unknown>; body: string }, stale = 'false'): void {
  assert.equal(res.statusCode, 401);
  assert.equal(res.body, UNAUTHORIZED_BODY);
  assert.equal(CHALLENGE.exec(String(res.headers['www-authenticate']))?.[2], stale, String(res.headers['www-authenticate']));
  assertMatchesSpec(res);
}

describe('the Digest handshake', () => {
  test('the challenge is never enveloped and carries no security headers', async (t) => {
    const app = await buildAuth(t, {});
    const res = await app.inject({ url: `${URL}?envelope=true&pretty=true`, headers: { accept: VERSIONED } });
    assertChallenged(res);
    assert.equal(res.headers['x-frame-options'], undefined);
    assert.equal(res.headers['content-type'], 'application/json');
  });

  test('authentication comes before everything: bad Accept, bad ids and unknown routes all get the challenge', async (t) => {
    const app = await buildAuth(t, {});
    for (const url of [URL, jobUrl('nothex', CLUSTER, JOB), '/api/atlas/v2/nothing']) {
      assertChallenged(await app.inject({ url }));
    }
    const health = await app.inject({ url: '/health' });
    assert.equal(health.statusCode, 200);
    assert.deepEqual(JSON.parse(health.body), { status: 'ok' });
  });

  test('the Go client flow: a fresh nonce per request, MD5 or SHA-256, query in the uri', async (t) => {
    const app = await buildAuth(t, { apiKey: 'abcdefgh:s3cret' });
    for (const algorithm of ['MD5', 'SHA-256'] as const) {
      const uri = `${URL}?pretty=true`;
      const { nonce } = await challenge(app, uri);
      const res = await app.inject({ url: uri, headers: { accept: VERSIONED, authorization: goClientHeader('abcdefgh', 's3cret', nonce, uri, '00000001', algorithm) } });
      assert.equal(res.statusCode, 200, res.body);
      assertMatchesSpec(res);
    }
  });

  test('a replayed nc is refused with stale=true; a higher nc on the same nonce works', async (t) => {
    const app = await buildAuth(t, { apiKey: 'abcdefgh:s3cret' });
    const { nonce } = await challenge(app);
    const first = goClientHeader('abcdefgh', 's3cret', nonce, URL, '00000001');
    assert.equal((await app.inject({ url: URL, headers: { accept: VERSIONED, authorization: first } })).statusCode, 200);
    assertChallenged(await app.inject({ url: URL, headers: { accept: VERSIONED, authorization: first } }), 'true');
    const second = await app.inject({ url: URL, headers: { accept: VERSIONED, authorization: goClientHeader('abcdefgh', 's3cret', nonce, URL, '00000002') } });
    assert.equal(second.statusCode, 200);
    assertMatchesSpec(second);
  });

  test('an expired nonce gets stale=true', async (t) => {
    const app = await buildAuth(t, { apiKey: 'abcdefgh:s3cret', nonceTtl: 1 });
    const { nonce } = await challenge(app);
    await new Promise((resolve) => setTimeout(resolve, 2100));
    assertChallenged(await app.inject({ url: URL, headers: { accept: VERSIONED, authorization: goClientHeader('abcdefgh', 's3cret', nonce, URL) } }), 'true');
  });

  test('a digest over another uri than the request-target is refused', async (t) => {
    const app = await buildAuth(t, {});
    const { nonce } = await challenge(app);
    assertChallenged(await app.inject({ url: `${URL}?pretty=true`, headers: { accept: VERSIONED, authorization: goClientHeader('k', 'p', nonce, URL) } }));
  });

  test('Basic auth is not accepted for API keys, as in Atlas', async (t) => {
    const app = await buildAuth(t, { apiKey: 'abcdefgh:s3cret' });
    assertChallenged(await app.inject({ url: URL, headers: { accept: VERSIONED, authorization: `Basic ${Buffer.from('abcdefgh:s3cret').toString('base64')}` } }));
  });
});

describe('roles and access lists', () => {
  test('a missing role is 401 USER_UNAUTHORIZED, enveloped when asked; a foreign IP is 403', async (t) => {
    const app = await buildAuth(t, { credentials: EXAMPLE_CREDENTIALS });
    const readOnly = await challenge(app);
    const res = await app.inject({
      url: `${URL}?envelope=true`,
      headers: { accept: VERSIONED, authorization: goClientHeader('ijklmnop', '0b8f4c2a-7d1e-4f3b-a6c5-9e2d1f0a3b4c', readOnly.nonce, `${URL}?envelope=true`) },
    });
    assert.equal(res.statusCode, 200, 'enveloped after authentication');
    const error = assertMatchesSpec(res);
    assert.equal(error.errorCode, 'USER_UNAUTHORIZED');
    assert.equal(error.detail, 'Current user is not authorized to perform this action.');

    const office = await challenge(app);
    const forbidden = await app.inject({
      url: URL,
      remoteAddress: '198.51.100.7',
      headers: { accept: VERSIONED, authorization: goClientHeader('qrstuvwx', '9a7c3e1f-5b2d-4e8a-8c6f-1d3b5a7e9c0d', office.nonce, URL) },
    });
    assert.equal(forbidden.statusCode, 403);
    assert.deepEqual(assertMatchesSpec(forbidden).parameters, ['198.51.100.7']);
  });

  test('a project-scoped key reads its project only', async (t) => {
    const app = await buildAuth(t, { credentials: EXAMPLE_CREDENTIALS });
    const own = await challenge(app);
    const ok = await app.inject({ url: URL, headers: { accept: VERSIONED, authorization: goClientHeader('abcdefgh', '5d1e7b5c-2e3a-4c8b-9f1d-0a6b7c8d9e0f', own.nonce, URL) } });
    assert.equal(ok.statusCode, 200);
    assertMatchesSpec(ok);
    const otherUrl = jobUrl('67c6d56bc41e7a0b934b81d2', 'orders-prod', '6a8b28457c2e91d04b387395');
    const other = await challenge(app, otherUrl);
    const refused = await app.inject({ url: otherUrl, headers: { accept: VERSIONED, authorization: goClientHeader('abcdefgh', '5d1e7b5c-2e3a-4c8b-9f1d-0a6b7c8d9e0f', other.nonce, otherUrl) } });
    assertAtlasError(refused, { status: 401, errorCode: 'USER_UNAUTHORIZED' });
  });

  test('strict mode without any credential stops start-up naming the fix', async (t) => {
    await assert.rejects(build(t, { auth: 'strict' }), /--auth strict .* none are configured\. Fix: add --credentials FILE, ATLAS_MOCK_API_KEY/);
  });

  test('two callers in turn are each journalled and rate-counted as themselves', async (t) => {
    // The principal string is reused while the caller repeats (authenticate.ts).
    const app = await buildAuth(t, { auth: 'any', control: true });
    const tokenOf = async (clientId: string) => {
      const res = await app.inject({
        method: 'POST',
        url: '/api/oauth/token',
        headers: { authorization: `Basic ${Buffer.from(`${clientId}:secret`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'grant_type=client_credentials',
      });
      assert.equal(res.statusCode, 200, res.body);
      return (JSON.parse(res.body) as { access_token: string }).access_token;
    };
    const tokens = { one: await tokenOf('mdb_sa_id_one'), two: await tokenOf('mdb_sa_id_two') };
    const order = ['one', 'one', 'two', 'one', 'two', 'two'] as const;
    const remaining: string[] = [];
    for (const who of order) {
      const res = await app.inject({ url: URL, headers: { accept: VERSIONED, authorization: `Bearer ${tokens[who]}` } });
      assertMatchesSpec(res);
      remaining.push(`${who} ${String(res.headers['ratelimit-remaining'])}`);
    }
    const limit = Number((await app.inject({ url: URL, headers: { accept: VERSIONED, authorization: `Bearer ${tokens.one}` } })).headers['ratelimit-limit']);
    assert.deepEqual(remaining, [`one ${limit - 1}`, `one ${limit - 2}`, `two ${limit - 1}`, `one ${limit - 3}`, `two ${limit - 2}`, `two ${limit - 3}`]);
    const journal = JSON.parse((await app.inject({ url: `/__mock/requests?path=${encodeURIComponent('/api/atlas/*')}` })).body) as { requests: { credential: string }[] };
    assert.deepEqual(journal.requests.slice(0, order.length).map((r) => r.credential), order.map((who) => `serviceAccount:mdb_sa_id_${who}`));
  });

  test('service accounts only: a 401 carries no Digest challenge', async (t) => {
    const app = await buildAuth(t, { serviceAccount: 'mdb_sa_id_x:mdb_sa_sk_y' });
    const res = await app.inject({ url: URL, headers: { accept: VERSIONED } });
    assert.equal(res.statusCode, 401);
    assert.equal(res.headers['www-authenticate'], undefined);
    assert.equal(res.body, UNAUTHORIZED_BODY);
    assertMatchesSpec(res);
  });
});

describe('garbage Authorization headers', () => {
  const header = fc.oneof(
    fc.string({ maxLength: 300 }),
    fc.string({ maxLength: 200 }).map((s) => `Digest ${s}`),
    fc.array(fc.tuple(fc.constantFrom('username', 'realm', 'nonce', 'uri', 'response', 'algorithm', 'qop', 'nc', 'cnonce', 'opaque', 'x'), fc.string({ maxLength: 40 }), fc.boolean()), { maxLength: 10 })
      .map((params) => `Digest ${params.map(([k, v, quoted]) => (quoted ? `${k}="${v}"` : `${k}=${v}`)).join(', ')}`),
    fc.string({ maxLength: 100 }).map((s) => `Bearer ${s}`),
    fc.string({ maxLength: 100 }).map((s) => `Basic ${s}`),
  ).filter((h) => /^[\t\x20-\x7e]*$/.test(h));

  for (const auth of ['any', 'strict'] as const) {
    test(`in ${auth} mode: a 401 in the Atlas shape (or, in any mode, a well-formed foreign Bearer token), never a 500`, async (t) => {
      const app = await buildAuth(t, { auth, apiKey: 'abcdefgh:s3cret' });
      await fc.assert(
        fc.asyncProperty(header, async (authorization) => {
          const res = await app.inject({ url: URL, headers: { accept: VERSIONED, authorization } });
          if (res.statusCode === 200) {
            assert.equal(auth, 'any', authorization);
            assert.match(authorization, /^Bearer[ \t]+[A-Za-z0-9\-._~+/]+=*[ \t]*$/);
            assertMatchesSpec(res);
            return;
          }
          assertChallenged(res);
        }),
        { seed: 7_2026, numRuns: 1500 },
      );
    });
  }
});
