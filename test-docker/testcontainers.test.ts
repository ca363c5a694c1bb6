/**
 * The Testcontainers module against a real Docker engine: it starts the image built from the repo's
 * Dockerfile and a user's client talks to the container. Needs an engine, so it lives outside test/ and
 * `npm test`: `npm run test:docker` runs it (test/docker-check.sh, inside docker-smoke.sh's private
 * engine). ATLAS_MOCK_IMAGE names the image (default atlas-restore-mock:latest).
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startMock } from 'atlas-restore-mock';
import { AtlasRestoreMockContainer, MockControlError, type StartedAtlasRestoreMockContainer } from 'atlas-restore-mock/testcontainers';
import { PACKAGE_ROOT } from '../server/package-root.js';
import { CLUSTER, GROUP, VERSIONED, assertMatchesSpec, jobUrl } from '../test/helper.js';
import { getMongodbAtlasApiClient } from '../test/clients.js';

const IMAGE = process.env.ATLAS_MOCK_IMAGE ?? 'atlas-restore-mock:latest';

const PUBLIC_KEY = 'tcpublic';
const PRIVATE_KEY = '0b9f3c2e-5a6d-4e7f-8a9b-0c1d2e3f4a5b';
const SA_ID = 'mdb_sa_id_6650f0a2c8e4b21d3f9a7c99';
const SA_SECRET = 'mdb_sa_sk_testcontainers';
const SEED = 7;
/** The one fixture of the folder withFixtures copies in: a shipped job, under another cluster. */
const SHIPPED_ID = '6a880ef37c2e91d04b380240';
const OWN_CLUSTER = 'TcCluster';
const GENERATED_ID = '65f1c0de7c2e91d04b3a0042';
const CLIENT_OPTIONS = { httpOptions: { headers: { accept: VERSIONED } } };

type Reply = { statusCode: number; headers: Record<string, string>; body: string };

async function get(url: string, headers: Record<string, string>): Promise<Reply> {
  const res = await fetch(url, { headers });
  return { statusCode: res.status, headers: Object.fromEntries(res.headers), body: await res.text() };
}

/** Sends raw bytes and reads until the server closes the connection. */
function rawExchange(host: string, port: number, bytes: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port }, () => socket.write(bytes));
    const chunks: Buffer[] = [];
    socket.on('data', (c) => chunks.push(c));
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
    socket.on('error', reject);
    socket.setTimeout(10_000, () => socket.destroy(new Error('no close within 10 s')));
  });
}

describe(`AtlasRestoreMockContainer on ${IMAGE}`, { timeout: 240_000 }, () => {
  let mock: StartedAtlasRestoreMockContainer;
  let fixtures: string;
  const client = (privateKey: string) =>
    getMongodbAtlasApiClient({ baseUrl: `${mock.getBaseUrl()}/api/atlas/v2`, projectId: GROUP, publicKey: PUBLIC_KEY, privateKey });

  before(async () => {
    fixtures = mkdtempSync(join(tmpdir(), 'tc-fixtures-'));
    mkdirSync(join(fixtures, GROUP, OWN_CLUSTER), { recursive: true });
    writeFileSync(join(fixtures, GROUP, OWN_CLUSTER, `${SHIPPED_ID}.json`), readFileSync(join(PACKAGE_ROOT, 'fixtures', GROUP, CLUSTER, `${SHIPPED_ID}.json`)));
    mock = await new AtlasRestoreMockContainer(IMAGE)
      .withApiKey(PUBLIC_KEY, PRIVATE_KEY)
      .withServiceAccount(SA_ID, SA_SECRET)
      .withSeed(SEED)
      .withFixtures(fixtures)
      .withControlApi()
      .start();
  });
  after(async () => {
    await mock?.stop();
    rmSync(fixtures, { recursive: true, force: true });
  });

  test('getBaseUrl is the mapped port on the engine host, and /health answers there', async (t) => {
    t.diagnostic(`base URL ${mock.getBaseUrl()}`);
    assert.match(mock.getBaseUrl(), /^http:\/\/[^/]+:\d+$/);
    assert.equal(mock.getPort(), mock.getMappedPort(8080));
    assert.equal((await get(`${mock.getBaseUrl()}/health`, {})).body, '{"status":"ok"}');
    assert.deepEqual(mock.getApiKey(), { publicKey: PUBLIC_KEY, privateKey: PRIVATE_KEY });
    assert.deepEqual(mock.getServiceAccount(), { clientId: SA_ID, secret: SA_SECRET });
    assert.match(mock.getControlToken() ?? '', /^[0-9a-f-]{36}$/);
  });

  test('a real client (mongodb-atlas-api-client, HTTP Digest) reads a job from the copied fixtures folder', async () => {
    const job = (await client(PRIVATE_KEY).cloudBackup.getSnapshotRestoreJob(OWN_CLUSTER, SHIPPED_ID, CLIENT_OPTIONS)) as { id: string; links: { href: string }[] };
    assertMatchesSpec({ statusCode: 200, headers: {}, body: JSON.stringify(job) });
    assert.equal(job.id, SHIPPED_ID);
    assert.equal(job.links[0]?.href, `${mock.getBaseUrl()}${jobUrl(GROUP, OWN_CLUSTER, SHIPPED_ID)}`, 'links are built on the mapped address');
  });

  test('the same client reads Atlas errors: 404 RESTORE_JOB_NOT_FOUND, and 401 with a wrong key (auth is strict)', async () => {
    // The client hands back the body alone, so the whole body is compared: the headers are checked over
    // raw HTTP in the tests beside this one.
    const missing = await client(PRIVATE_KEY).cloudBackup.getSnapshotRestoreJob(OWN_CLUSTER, '000000000000000000000404', CLIENT_OPTIONS);
    assert.deepEqual(missing, {
      detail: `No restore job with ID 000000000000000000000404 exists for cluster ${OWN_CLUSTER}.`,
      error: 404,
      errorCode: 'RESTORE_JOB_NOT_FOUND',
      parameters: ['000000000000000000000404', OWN_CLUSTER],
      reason: 'Not Found',
    });
    const refused = await client('wrong').cloudBackup.getSnapshotRestoreJob(OWN_CLUSTER, SHIPPED_ID, CLIENT_OPTIONS);
    assert.deepEqual(refused, { error: 401, reason: 'Unauthorized', detail: 'You are not authorized for this resource.', errorCode: 'UNEXPECTED_ERROR' });
  });

  test('withServiceAccount: its client credentials get a token that reads a job', async () => {
    const reply = await get(`${mock.getBaseUrl()}${jobUrl(GROUP, OWN_CLUSTER, SHIPPED_ID)}`, { accept: VERSIONED, authorization: await bearer() });
    assert.equal(reply.statusCode, 200, reply.body);
    assert.equal(assertMatchesSpec(reply).id, SHIPPED_ID);
  });

  test('withFixtures replaces the shipped set; withSeed gives the generated job an in-process mock with that seed gives', async () => {
    assert.deepEqual((await mock.fixtures()).map((f) => `${f.clusterName}/${f.restoreJobId}`), [`${OWN_CLUSTER}/${SHIPPED_ID}`]);
    const inProcess = await startMock({ seed: SEED, auth: 'off' });
    try {
      const fromContainer = await get(`${mock.getBaseUrl()}${jobUrl(GROUP, CLUSTER, GENERATED_ID)}`, { accept: VERSIONED, authorization: await bearer() });
      const expected = await get(`${inProcess.url}${jobUrl(GROUP, CLUSTER, GENERATED_ID)}`, { accept: VERSIONED });
      const withoutLinks = (reply: Reply) => ({ ...(assertMatchesSpec(reply) as Record<string, unknown>), links: undefined });
      assert.deepEqual(withoutLinks(fromContainer), withoutLinks(expected));
    } finally {
      await inProcess.close();
    }
  });

  test('control helpers: setScenario, requests, advanceClock and reset work over HTTP with the token', async () => {
    await mock.reset();
    const rule = await mock.setScenario({ error: 'CLUSTER_NOT_FOUND', times: 1 });
    assert.match(rule.id, /\S/);
    const first = await client(PRIVATE_KEY).cloudBackup.getSnapshotRestoreJob(OWN_CLUSTER, SHIPPED_ID, CLIENT_OPTIONS) as { errorCode?: string; id?: string };
    const second = await client(PRIVATE_KEY).cloudBackup.getSnapshotRestoreJob(OWN_CLUSTER, SHIPPED_ID, CLIENT_OPTIONS) as { errorCode?: string; id?: string };
    assert.equal(first.errorCode, 'CLUSTER_NOT_FOUND');
    assert.equal(second.id, SHIPPED_ID);
    // The Digest challenges (401) the client answers are in the journal too.
    const seen = (await mock.requests({ path: '/api/atlas/v2/*' })).filter((r) => r.status !== 401);
    assert.deepEqual(seen.map((r) => r.status), [404, 200]);
    assert.equal(seen[0]?.credential, `apiKey:${PUBLIC_KEY}`);
    const before = await mock.getControlClient().clock();
    const moved = await mock.advanceClock(3600);
    assert.equal(Date.parse(moved.now) - Date.parse(before.now) >= 3600_000, true, `${before.now} → ${moved.now}`);
    await mock.reset();
    assert.deepEqual(await mock.requests(), []);
    assert.deepEqual(await mock.getControlClient().scenarios(), []);
  });

  test('a refused control request throws MockControlError with the mock\'s code and fields', async () => {
    await assert.rejects(mock.setScenario({ error: 'NOPE' }), (error: unknown) => {
      assert.ok(error instanceof MockControlError);
      assert.equal(error.status, 400);
      assert.equal(error.errorCode, 'MOCK_INVALID_SCENARIO');
      assert.match(error.detail, /NOPE/);
      return true;
    });
  });

  test('bytes that are not HTTP get the Atlas-shaped 400 through the published port, and the mock stays up', async () => {
    const reply = await rawExchange(mock.getHost(), mock.getPort(), Buffer.from('GET /\u0000 HTTP/1.1\r\nHost: x\r\n\r\n', 'latin1'));
    const end = reply.indexOf('\r\n\r\n');
    const head = reply.slice(0, end + 2);
    const body = reply.slice(end + 4);
    assert.match(head, /^HTTP\/1\.1 400 Bad Request\r\n/);
    assert.match(head, /\r\nx-error-code: BAD_REQUEST\r\n/i);
    assert.match(head, /\r\nconnection: close\r\n/i);
    assert.equal(JSON.parse(body).errorCode, 'BAD_REQUEST');
    assert.equal((await get(`${mock.getBaseUrl()}/health`, {})).statusCode, 200);
  });

  /** A Bearer token of the service account (OAuth client credentials at /api/oauth/token). */
  async function bearer(): Promise<string> {
    const res = await fetch(`${mock.getBaseUrl()}/api/oauth/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${SA_ID}:${SA_SECRET}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    assert.equal(res.status, 200, 'the token endpoint accepts the service account');
    return `Bearer ${((await res.json()) as { access_token: string }).access_token}`;
  }
});

describe('start-up refusals', { timeout: 120_000 }, () => {
  test('a bad setting stops start() at once with the mock\'s own message, which names the fix', async () => {
    const started = Date.now();
    await assert.rejects(new AtlasRestoreMockContainer(IMAGE).withScenario('NO_SUCH_ERROR').start(), (error: unknown) => {
      assert.ok(error instanceof Error);
      assert.match(error.message, /Container exited/);
      assert.match(error.message, /Invalid value "NO_SUCH_ERROR" for ATLAS_MOCK_SCENARIO/);
      assert.match(error.message, /Fix:/);
      return true;
    });
    assert.ok(Date.now() - started < 30_000, 'not after the 60 s start-up timeout');
  });

  test('helpers refuse with the fix when the control API is off', async () => {
    const plain = await new AtlasRestoreMockContainer(IMAGE).withAuth('off').start();
    try {
      assert.equal(plain.getControlToken(), undefined);
      await assert.rejects(async () => plain.reset(), /withControlApi\(\)/);
      const reply = await get(`${plain.getBaseUrl()}${jobUrl(GROUP, CLUSTER, SHIPPED_ID)}`, { accept: VERSIONED });
      assert.equal(assertMatchesSpec(reply).id, SHIPPED_ID, 'withAuth(off): no credentials needed; the shipped fixtures are served');
    } finally {
      await plain.stop();
    }
  });
});
