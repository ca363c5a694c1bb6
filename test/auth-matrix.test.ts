/**
 * Every way a login can fail, over a real socket, in each auth mode that checks logins (`any` and
 * `strict`): a wrong Digest response with MD5 and with SHA-256, and an expired, a revoked, an unknown
 * and an over-long Bearer token. Next to each failure its success, so a failure is known to come from
 * the one thing that is wrong. In `any` mode the mock takes any key's Digest answer to its own nonce
 * and any token from elsewhere (so SDKs with made-up credentials work), but never a token of its own
 * that expired or was revoked.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, test, type TestContext } from 'node:test';
import { buildApp } from '../server/app.js';
import { computeDigestResponse } from '../server/auth/digest.js';
import type { AuthMode } from '../server/options.js';
import { CLUSTER, GROUP, VERSIONED, assertAtlasError, assertMatchesSpec, jobUrl } from './helper.js';

const PATH = jobUrl(GROUP, CLUSTER, '6a7ddc837c2e91d04b368d39');
const API_KEY = { publicKey: 'abcdefgh', privateKey: 's3cret-private-key' };
const ACCOUNT = { id: 'mdb_sa_id_0123456789abcdef01234567', secret: 'mdb_sa_sk_s3cret' };
const CHALLENGE = /^Digest realm="MMS Public API", domain="", nonce="([A-Za-z0-9+/]{32})", algorithm=MD5, qop="auth", stale=(true|false)$/;
/** A token the mock never issued, shaped like Atlas's (a JWT). */
const FOREIGN_TOKEN = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzb21lb25lIn0.c2lnbmF0dXJlLWZyb20tZWxzZXdoZXJl';
const TIMEOUT_MS = 10_000;

interface Reply {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

async function listen(t: TestContext, auth: AuthMode, tokenTtl = 3600): Promise<string> {
  const strict = auth === 'strict' ? { apiKey: `${API_KEY.publicKey}:${API_KEY.privateKey}`, serviceAccount: `${ACCOUNT.id}:${ACCOUNT.secret}` } : {};
  const { app } = await buildApp({ logLevel: 'silent', auth, tokenTtl, ...strict });
  t.after(() => app.close());
  return app.listen({ port: 0, host: '127.0.0.1' });
}

async function send(url: string, init: RequestInit = {}): Promise<Reply> {
  const res = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS), ...init });
  return { statusCode: res.status, headers: Object.fromEntries(res.headers), body: await res.text() };
}

const getJob = (base: string, authorization?: string, query = '') =>
  send(`${base}${PATH}${query}`, { headers: { accept: VERSIONED, ...(authorization === undefined ? {} : { authorization }) } });

/** A fresh nonce from the challenge to an unauthenticated request. */
async function nonce(base: string): Promise<string> {
  const res = await getJob(base);
  assertAtlasError(res, { status: 401, enveloped: false });
  const match = CHALLENGE.exec(res.headers['www-authenticate'] ?? '');
  assert.ok(match, `a challenge: ${res.headers['www-authenticate']}`);
  return match[1] as string;
}

/** The Authorization header of a Digest answer, with the right response or one with a digit changed. */
function digestHeader(algorithm: 'MD5' | 'SHA-256', nonceValue: string, uri: string, wrong: boolean): string {
  const cnonce = '0a1b2c3d4e5f6789';
  const right = computeDigestResponse({
    algorithm, username: API_KEY.publicKey, realm: 'MMS Public API', password: API_KEY.privateKey, method: 'GET', uri, nonce: nonceValue, nc: '00000001', cnonce, qop: 'auth',
  });
  const response = wrong ? (right[0] === '0' ? '1' : '0') + right.slice(1) : right;
  assert.equal(response.length, algorithm === 'MD5' ? 32 : 64);
  return `Digest username="${API_KEY.publicKey}", realm="MMS Public API", nonce="${nonceValue}", uri="${uri}", response="${response}", algorithm=${algorithm}, qop=auth, nc=00000001, cnonce="${cnonce}"`;
}

async function issueToken(base: string): Promise<{ token: string; expiresAtMs: number }> {
  const res = await send(`${base}/api/oauth/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${ACCOUNT.id}:${ACCOUNT.secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials',
  });
  assert.equal(res.statusCode, 200, res.body);
  const token = (JSON.parse(res.body) as { access_token: string }).access_token;
  const claims = JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString('utf8')) as { exp: number };
  return { token, expiresAtMs: claims.exp * 1000 };
}

/** A failed login: the recorded 401, never enveloped, with a Digest challenge (both modes here offer Digest). */
function assertRefused(res: Reply, what: string): void {
  assertAtlasError(res, { status: 401, errorCode: 'UNEXPECTED_ERROR', enveloped: false }, what);
  assert.match(res.headers['www-authenticate'] ?? '', CHALLENGE, `${what}: a fresh challenge`);
}

for (const mode of ['any', 'strict'] as const) {
  describe(`auth ${mode}, over a socket`, { timeout: 30_000 }, () => {
    for (const algorithm of ['MD5', 'SHA-256'] as const) {
      test(`Digest ${algorithm}: the right response gets the job; a wrong one ${mode === 'strict' ? 'is refused' : 'is taken, as any key is'}`, async (t) => {
        const base = await listen(t, mode);
        for (const query of ['', '?envelope=true']) {
          const uri = `${PATH}${query}`;
          const right = await getJob(base, digestHeader(algorithm, await nonce(base), uri, false), query);
          assert.equal(right.statusCode, 200, right.body);
          assertMatchesSpec(right);
          const wrong = await getJob(base, digestHeader(algorithm, await nonce(base), uri, true), query);
          if (mode === 'strict') assertRefused(wrong, `a wrong ${algorithm} response${query}`);
          else assert.equal(assertMatchesSpec(wrong).id, '6a7ddc837c2e91d04b368d39');
        }
      });
    }

    test('Bearer: a fresh token gets the job; the same token revoked, and an over-long one, are refused', async (t) => {
      const base = await listen(t, mode);
      const { token } = await issueToken(base);
      const ok = await getJob(base, `Bearer ${token}`);
      assert.equal(ok.statusCode, 200, ok.body);
      assertMatchesSpec(ok);
      const revoke = await send(`${base}/api/oauth/revoke`, {
        method: 'POST',
        headers: { authorization: `Basic ${Buffer.from(`${ACCOUNT.id}:${ACCOUNT.secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: `token=${encodeURIComponent(token)}`,
      });
      assert.equal(revoke.statusCode, 200);
      for (const query of ['', '?envelope=true']) assertRefused(await getJob(base, `Bearer ${token}`, query), `a revoked token${query}`);
      assertRefused(await getJob(base, `Bearer ${'a'.repeat(5000)}`), 'an over-long token');
    });

    test('Bearer: a token that expired is refused', async (t) => {
      const base = await listen(t, mode, 1);
      const { token, expiresAtMs } = await issueToken(base);
      // The token carries its expiry; wait until just past it (at most about a second).
      await sleep(Math.max(0, expiresAtMs - Date.now()) + 20);
      for (const query of ['', '?envelope=true']) assertRefused(await getJob(base, `Bearer ${token}`, query), `an expired token${query}`);
    });

    test(`Bearer: a token the mock never issued ${mode === 'strict' ? 'is refused' : 'is taken'}`, async (t) => {
      const base = await listen(t, mode);
      const res = await getJob(base, `Bearer ${FOREIGN_TOKEN}`);
      if (mode === 'strict') assertRefused(res, 'an unknown token');
      else assertMatchesSpec(res);
      assert.equal(res.statusCode, mode === 'strict' ? 401 : 200);
    });
  });
}
