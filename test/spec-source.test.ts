/**
 * Where `npm run schemas` and the drift test find the official spec, and how a download goes: against a
 * local HTTP server standing in for MongoDB's published file, so the download path is exercised over a real
 * socket without the network. The spec itself is stood in for by schemas/openapi.json (an OpenAPI document).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { stringify as toYaml } from 'yaml';
import { SCHEMAS_DIR, generateSchemaFiles, type JsonObject } from '../schemas/generate-schemas.js';
import { HOW_TO_CHECK_SCHEMAS, OFFICIAL_SPEC_URL, SPEC_ENV, SpecError, loadSpec, specSource } from '../schemas/spec-source.js';

const specText = await readFile(join(SCHEMAS_DIR, 'openapi.json'), 'utf8');

describe('specSource: --spec, then ATLAS_OPENAPI_SPEC, then the fallback', () => {
  test('without either, npm run schemas downloads the published spec and the drift test gets nothing', () => {
    assert.deepEqual(specSource([], {}, 'download'), { location: OFFICIAL_SPEC_URL, kind: 'url', from: 'the default' });
    assert.equal(specSource([], {}, 'none'), undefined);
    assert.equal(specSource([], { [SPEC_ENV]: '  ' }, 'none'), undefined, 'an empty env var counts as unset');
  });

  test('the env var names a file (resolved against the working directory) or a URL', () => {
    assert.deepEqual(specSource([], { [SPEC_ENV]: 'spec/v2.json' }, 'none'), { location: resolve('spec/v2.json'), kind: 'file', from: SPEC_ENV });
    assert.deepEqual(specSource([], { [SPEC_ENV]: 'http://127.0.0.1:9/v2.json' }, 'download'), { location: 'http://127.0.0.1:9/v2.json', kind: 'url', from: SPEC_ENV });
  });

  test('--spec wins over the env var, in both spellings', () => {
    const env = { [SPEC_ENV]: '/from/env.json' };
    assert.deepEqual(specSource(['--spec', '/from/flag.json'], env, 'download'), { location: '/from/flag.json', kind: 'file', from: '--spec' });
    assert.deepEqual(specSource(['--spec=https://example.test/v2.yaml'], env, 'download'), { location: 'https://example.test/v2.yaml', kind: 'url', from: '--spec' });
  });

  test('--spec without a value is refused with the fix', () => {
    for (const argv of [['--spec'], ['--spec='], ['--spec', '--other']]) {
      assert.throws(() => specSource(argv, {}, 'download'), (e: Error) => e instanceof SpecError && /--spec needs a file or a URL\. Fix: /.test(e.message));
    }
  });

  test("the drift test's skip note says how to run it", () => {
    assert.match(HOW_TO_CHECK_SCHEMAS, /ATLAS_OPENAPI_SPEC=path\/to\/openapi\.json npm test/);
    assert.ok(HOW_TO_CHECK_SCHEMAS.includes(OFFICIAL_SPEC_URL));
  });
});

describe('loadSpec from a file', () => {
  let dir: string;
  before(() => { dir = mkdtempSync(join(tmpdir(), 'spec-source-')); });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('JSON and YAML copies give the same document', async () => {
    const json = join(dir, 'v2.json');
    const yaml = join(dir, 'v2.yaml');
    writeFileSync(json, specText);
    writeFileSync(yaml, toYaml(JSON.parse(specText)));
    const fromJson = await loadSpec({ location: json, kind: 'file', from: '--spec' });
    assert.deepEqual(fromJson, JSON.parse(specText));
    assert.deepEqual(await loadSpec({ location: yaml, kind: 'file', from: '--spec' }), fromJson);
  });

  test('a missing file, a broken file and a non-OpenAPI document each name the file and the fix', async () => {
    writeFileSync(join(dir, 'broken.json'), '{"openapi": ');
    writeFileSync(join(dir, 'other.json'), '{"name": "not a spec"}');
    const cases: [string, RegExp][] = [
      ['nope.json', /nope\.json \(ATLAS_OPENAPI_SPEC\) does not exist\. Fix: pass a copy with --spec/],
      ['broken.json', /broken\.json \(ATLAS_OPENAPI_SPEC\) is neither JSON nor YAML: .*Fix: /],
      ['other.json', /other\.json \(ATLAS_OPENAPI_SPEC\) is not an OpenAPI document .*Fix: /],
    ];
    for (const [name, message] of cases) {
      await assert.rejects(loadSpec({ location: join(dir, name), kind: 'file', from: SPEC_ENV }), (e: Error) => e instanceof SpecError && message.test(e.message));
    }
  });
});

describe('loadSpec by download, from a local stand-in for the published file', () => {
  let server: Server;
  let base: string;
  const seen: string[] = [];
  before(async () => {
    server = createServer((req, res) => {
      seen.push(req.url ?? '');
      if (req.url === '/mongodb/openapi/main/openapi/v2.json') {
        res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(specText);
      } else {
        res.writeHead(404).end('404: Not Found');
      }
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => server.close());

  test('a published spec is downloaded and parsed', async () => {
    const spec = await loadSpec({ location: `${base}/mongodb/openapi/main/openapi/v2.json`, kind: 'url', from: 'the default' });
    assert.deepEqual(spec, JSON.parse(specText));
    assert.ok(seen.includes('/mongodb/openapi/main/openapi/v2.json'), 'the request reached the server');
  });

  test('an HTTP error names the address, the status and the fix', async () => {
    await assert.rejects(
      loadSpec({ location: `${base}/moved.json`, kind: 'url', from: '--spec' }),
      (e: Error) => e instanceof SpecError && e.message.includes(`${base}/moved.json (--spec) answered HTTP 404. Fix: pass a copy with --spec`),
    );
  });

  test('no network: the message says why and how to work without it', async () => {
    const offline: typeof fetch = async () => {
      throw new TypeError('fetch failed', { cause: Object.assign(new Error('getaddrinfo ENOTFOUND raw.githubusercontent.com'), { code: 'ENOTFOUND' }) });
    };
    await assert.rejects(
      loadSpec({ location: OFFICIAL_SPEC_URL, kind: 'url', from: 'the default' }, { fetch: offline }),
      (e: Error) => e instanceof SpecError &&
        e.message.startsWith(`Could not download the Atlas OpenAPI spec from ${OFFICIAL_SPEC_URL} (the default): ENOTFOUND. Fix: pass a copy with --spec`) &&
        e.message.includes(`curl -LO ${OFFICIAL_SPEC_URL}`),
    );
  });

  test('a download that stalls is abandoned after the timeout', async () => {
    const stalled = createServer(() => { /* never answers */ });
    await new Promise<void>((done) => stalled.listen(0, '127.0.0.1', done));
    try {
      const url = `http://127.0.0.1:${(stalled.address() as AddressInfo).port}/v2.json`;
      await assert.rejects(loadSpec({ location: url, kind: 'url', from: '--spec' }, { timeoutMs: 200 }), (e: Error) => e instanceof SpecError && /Could not download .* Fix: /.test(e.message));
    } finally {
      stalled.closeAllConnections();
      stalled.close();
    }
  });

  const given = specSource([], process.env, 'none');
  test(
    'the downloaded official spec generates exactly the committed schemas/',
    { skip: given?.kind === 'file' ? false : HOW_TO_CHECK_SCHEMAS },
    async () => {
      if (given?.kind !== 'file') return;
      // Serve the given copy as MongoDB would, then generate from the download, as npm run schemas does.
      const official = await readFile(given.location, 'utf8');
      const mirror = createServer((_req, res) => res.writeHead(200).end(official));
      await new Promise<void>((done) => mirror.listen(0, '127.0.0.1', done));
      try {
        const url = `http://127.0.0.1:${(mirror.address() as AddressInfo).port}/openapi/v2.json`;
        const files = await generateSchemaFiles((await loadSpec({ location: url, kind: 'url', from: 'the default' })) as JsonObject);
        for (const [name, content] of Object.entries(files)) assert.equal(content, await readFile(join(SCHEMAS_DIR, name), 'utf8'), name);
      } finally {
        mirror.close();
      }
    },
  );
});
