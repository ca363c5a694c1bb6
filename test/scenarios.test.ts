import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ATLAS_ERRORS, DEFAULT_ERROR_FOR_STATUS } from '../server/http/atlas-errors.js';
import { UNAUTHORIZED_BODY } from '../server/http/render-reply.js';
import { stageOf } from '../server/scenarios/scenarios.js';
import { CLUSTER, GROUP, VERSIONED, assertAtlasError, assertMatchesSpec, build, jobUrl } from './helper.js';

const JOB = '6a7ddc837c2e91d04b368d39';
const accept = { accept: VERSIONED };

describe('the recorded 401 body', () => {
  test('is exactly 142 bytes in Jackson layout, Atlas key order, without X-Error-Code or security headers', async (t) => {
    const app = await build(t, { scenario: '401' });
    const res = await app.inject({ url: jobUrl(GROUP, CLUSTER, JOB), headers: accept });
    assertAtlasError(res, { status: 401, errorCode: 'UNEXPECTED_ERROR', enveloped: false });
    assert.equal(res.body, UNAUTHORIZED_BODY);
    assert.equal(Buffer.byteLength(res.body), 142);
    assert.equal(res.body, '{\n  "error" : 401,\n  "reason" : "Unauthorized",\n  "detail" : "You are not authorized for this resource.",\n  "errorCode" : "UNEXPECTED_ERROR"\n}');
    assert.equal(res.headers['content-type'], 'application/json');
    assert.equal(res.headers['x-error-code'], undefined);
    assert.equal(res.headers['x-frame-options'], undefined);
    assertMatchesSpec(res);
  });
});

describe('every status and error of the catalogue is selectable', () => {
  for (const status of DEFAULT_ERROR_FOR_STATUS.keys()) {
    test(`--scenario ${status}`, async (t) => {
      const app = await build(t, { scenario: String(status) });
      const res = await app.inject({ url: jobUrl(GROUP, CLUSTER, JOB), headers: accept });
      assert.equal(res.statusCode, status);
      const error = assertMatchesSpec(res);
      assert.equal(error.errorCode, ATLAS_ERRORS.find((e) => e.name === DEFAULT_ERROR_FOR_STATUS.get(status))?.errorCode);
      if (status === 429 || status === 503) assert.match(String(res.headers['retry-after']), /^\d+$/);
    });
  }

  for (const entry of ATLAS_ERRORS) {
    test(`Prefer: code=${entry.name}`, async (t) => {
      const app = await build(t);
      const res = await app.inject({ url: jobUrl(GROUP, CLUSTER, JOB), headers: { ...accept, prefer: `code=${entry.name}` } });
      assert.equal(res.statusCode, entry.status);
      const error = assertMatchesSpec(res);
      assert.equal(error.errorCode, entry.errorCode);
    });
  }

  test('the 403 names the caller IP, the 429 its resource and limit', async (t) => {
    const app = await build(t, { rateLimit: 50 });
    const forbidden = await app.inject({ url: jobUrl(GROUP, CLUSTER, JOB), headers: { ...accept, prefer: 'code=403' }, remoteAddress: '203.0.113.9' });
    assert.equal(assertMatchesSpec(forbidden).detail, 'IP address 203.0.113.9 is not allowed to access this resource.');
    const limited = await app.inject({ url: jobUrl(GROUP, CLUSTER, JOB), headers: { ...accept, prefer: 'code=429' } });
    const error = assertMatchesSpec(limited);
    assert.deepEqual(error.parameters, [jobUrl(GROUP, CLUSTER, JOB), 50, 1]);
    assert.equal(error.detail, `Resource ${jobUrl(GROUP, CLUSTER, JOB)} is limited to 50 requests every 1 minutes.`);
  });
});

describe('selectors and their precedence', () => {
  test('Prefer works beside the versioned Accept SDKs send, and ignores unknown preferences', async (t) => {
    const app = await build(t);
    const res = await app.inject({ url: jobUrl(GROUP, CLUSTER, JOB), headers: { ...accept, prefer: 'dynamic=true, code=404' } });
    assert.equal(res.statusCode, 404);
    assertMatchesSpec(res);
    const ignored = await app.inject({ url: jobUrl(GROUP, CLUSTER, JOB), headers: { ...accept, prefer: 'respond-async, wait=5' } });
    assert.equal(ignored.statusCode, 200);
    assertMatchesSpec(ignored);
  });

  test('Prefer with an unknown code is a 400 naming it', async (t) => {
    const app = await build(t);
    const res = await app.inject({ url: jobUrl(GROUP, CLUSTER, JOB), headers: { ...accept, prefer: 'code=418' } });
    const error = assertAtlasError(res, { status: 400 });
    assert.equal(error.errorCode, 'INVALID_PREFER_CODE');
    assert.deepEqual(error.parameters, ['code=418']);
  });

  test('well-known ids need no header and no file', async (t) => {
    const app = await build(t);
    for (const status of DEFAULT_ERROR_FOR_STATUS.keys()) {
      const res = await app.inject({ url: jobUrl(GROUP, CLUSTER, `000000000000000000000${status}`), headers: accept });
      assert.equal(res.statusCode, status, `id ending ${status}`);
      assertMatchesSpec(res);
    }
    const group = await app.inject({ url: jobUrl('000000000000000000000404', CLUSTER, JOB), headers: accept });
    assert.equal(assertMatchesSpec(group).errorCode, 'GROUP_NOT_FOUND');
    const notWellKnown = await app.inject({ url: jobUrl(GROUP, CLUSTER, '000000000000000000000200'), headers: accept });
    assert.equal(notWellKnown.statusCode, 200, 'only statuses of the catalogue are well-known');
    assertMatchesSpec(notWellKnown);
  });

  test('Prefer beats a well-known id, which beats the global scenario', async (t) => {
    const app = await build(t, { scenario: '503' });
    const prefer = await app.inject({ url: jobUrl(GROUP, CLUSTER, '000000000000000000000404'), headers: { ...accept, prefer: 'code=500' } });
    assert.equal(prefer.statusCode, 500);
    assertMatchesSpec(prefer);
    const wellKnown = await app.inject({ url: jobUrl(GROUP, CLUSTER, '000000000000000000000404'), headers: accept });
    assert.equal(wellKnown.statusCode, 404);
    assertMatchesSpec(wellKnown);
    const global = await app.inject({ url: jobUrl(GROUP, CLUSTER, JOB), headers: accept });
    assert.equal(global.statusCode, 503);
    assertMatchesSpec(global);
  });

  test('a fixture declares its own error, beating the global scenario; Prefer still overrides it', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'arm-fixture-error-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    await mkdir(join(dir, GROUP, CLUSTER), { recursive: true });
    const job = {
      cancelled: false, deliveryType: 'download', deliveryUrl: [], expired: false, failed: false,
      snapshotId: '6a7dc8a07c2e91d04b368a11', timestamp: '2026-08-14T10:00:00Z',
      'x-mock': { description: 'always a 500', error: '500' },
    };
    await writeFile(join(dir, GROUP, CLUSTER, `${JOB}.json`), JSON.stringify(job));
    const app = await build(t, { fixtures: dir, scenario: '404' });
    const res = await app.inject({ url: jobUrl(GROUP, CLUSTER, JOB), headers: accept });
    assert.equal(res.statusCode, 500);
    assertMatchesSpec(res);
    const other = await app.inject({ url: jobUrl(GROUP, CLUSTER, 'dddddddddddddddddddddddd'), headers: accept });
    assert.equal(other.statusCode, 404, 'the global scenario answers for the other ids');
    assertMatchesSpec(other);
    const overridden = await app.inject({ url: jobUrl(GROUP, CLUSTER, JOB), headers: { ...accept, prefer: 'code=404' } });
    assert.equal(overridden.statusCode, 404);
    assertMatchesSpec(overridden);
  });
});

describe('scenarios fire at the point they name', () => {
  test('an access error (401/403/429/503) comes before the version check', async (t) => {
    const app = await build(t, { scenario: '403' });
    const res = await app.inject({ url: jobUrl(GROUP, CLUSTER, JOB) });
    assert.equal(res.statusCode, 403);
    assertMatchesSpec(res);
    assert.equal(stageOf(ATLAS_ERRORS.find((e) => e.status === 429)!), 'auth');
  });

  test('a 404 or 500 scenario comes after version and parameter checks', async (t) => {
    for (const scenario of ['404', '500']) {
      const app = await build(t, { scenario });
      const noAccept = await app.inject({ url: jobUrl(GROUP, CLUSTER, JOB) });
      assert.equal(noAccept.statusCode, 406);
      assertMatchesSpec(noAccept);
      const badId = await app.inject({ url: jobUrl(GROUP, CLUSTER, 'zz'), headers: accept });
      assert.equal(badId.statusCode, 400);
      assertMatchesSpec(badId);
    }
  });

  test('with generation off, a 500 scenario still lets not-found come first', async (t) => {
    const app = await build(t, { generate: false, scenario: '500' });
    const missing = await app.inject({ url: jobUrl(GROUP, CLUSTER, 'cccccccccccccccccccccccc'), headers: accept });
    assert.equal(missing.statusCode, 404);
    assertMatchesSpec(missing);
    const present = await app.inject({ url: jobUrl(GROUP, CLUSTER, JOB), headers: accept });
    assert.equal(present.statusCode, 500);
    assertMatchesSpec(present);
  });
});
