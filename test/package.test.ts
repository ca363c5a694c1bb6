/**
 * The npm package as users get it: `npm pack`, install the tarball into an empty folder from the local
 * npm cache (offline), then run the installed bin. Catches a `files` allowlist that misses something the
 * bin needs at run time, or ships something it should not. Needs `npm run build` first (`npm test` does it).
 */
import assert from 'node:assert/strict';
import { spawnSync, type ChildProcess, type SpawnSyncReturns } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, relative, resolve, sep } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { PACKAGE_ROOT } from '../server/package-root.js';
import { CLUSTER, GROUP, SUCCESS_TYPE, VERSIONED, assertMatchesSpec, jobUrl, startProcess } from './helper.js';

const NAME = 'atlas-restore-mock';
const FIXTURE_ID = '6a880ef37c2e91d04b380240';
// The installed bin's shebang is `#!/usr/bin/env node`: make sure it finds this node.
const ENV = { ...process.env, PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}` };

function npm(args: string[], cwd: string): SpawnSyncReturns<string> {
  return spawnSync('npm', args, { cwd, env: ENV, encoding: 'utf8', timeout: 45_000 });
}

const npmVersion = spawnSync('npm', ['--version'], { env: ENV, encoding: 'utf8' });
const skip = npmVersion.status === 0 ? false : `npm is not available (${npmVersion.error?.message ?? npmVersion.stderr})`;
const curlMissing = spawnSync('curl', ['--version']).status === 0 ? false : 'curl is not available';

interface LockEntry {
  dev?: boolean;
}

/**
 * An app that depends on the tarball, with a lockfile holding the repo's locked production dependencies,
 * so that `npm ci` installs exactly the versions the suite tested, from the cache.
 */
function writeLockedApp(app: string, tarballName: string): void {
  const spec = `file:../${tarballName}`;
  const manifest = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as Record<string, unknown>;
  const repoLock = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
  const packages: Record<string, unknown> = {
    '': { name: 'pack-smoke', dependencies: { [NAME]: spec } },
    [`node_modules/${NAME}`]: {
      version: manifest.version, resolved: spec, license: manifest.license,
      dependencies: manifest.dependencies, bin: manifest.bin, engines: manifest.engines,
    },
  };
  for (const [path, entry] of Object.entries(repoLock.packages)) {
    if (path.startsWith('node_modules/') && !entry.dev) packages[path] = entry;
  }
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'pack-smoke', private: true, dependencies: { [NAME]: spec } }));
  writeFileSync(join(app, 'package-lock.json'), JSON.stringify({ name: 'pack-smoke', lockfileVersion: 3, requires: true, packages }));
}

interface PackResult {
  filename: string;
  files: { path: string }[];
}

/** Starts the installed bin on a free port; resolves with its URL and start-up log once it listens. */
async function startBin(bin: string, args: string[]): Promise<{ child: ChildProcess; url: string; log: Record<string, unknown> }> {
  const { child, url, lines } = await startProcess(bin, args, ENV);
  const line = lines.find((l) => l.includes('atlas-restore-mock listening on')) as string;
  return { child, url, log: JSON.parse(line) as Record<string, unknown> };
}

describe('the packed npm package, installed into an empty folder', { skip, timeout: 60_000 }, () => {
  let work: string;
  let packed: PackResult;
  let installed: string;
  let bin: string;
  let installMode = 'install --offline';

  before(() => {
    work = realpathSync(mkdtempSync(join(tmpdir(), 'atlas-mock-pack-')));
    const pack = npm(['pack', '--ignore-scripts', '--json', '--pack-destination', work], PACKAGE_ROOT);
    assert.equal(pack.status, 0, `npm pack failed: ${pack.stderr}`);
    packed = (JSON.parse(pack.stdout) as PackResult[])[0] as PackResult;

    const app = join(work, 'app');
    const tarball = join(work, packed.filename);
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'pack-smoke', private: true }));
    let install = npm(['install', '--offline', '--no-audit', '--no-fund', tarball], app);
    if (install.status !== 0 && /ENOTCACHED/.test(install.stderr)) {
      // `npm ci` caches the registry answers its lockfile needs, not all that a fresh `npm install` asks
      // for (after `npm ci` into an empty cache, the @faker-js/faker document was missing). Pinned to the
      // repo's lockfile, the same install asks only for what `npm ci` cached, and stays offline.
      installMode = 'ci --offline, pinned to the repo lockfile';
      writeLockedApp(app, packed.filename);
      install = npm(['ci', '--offline', '--no-audit', '--no-fund'], app);
    }
    if (install.status !== 0 && /ENOTCACHED/.test(install.stderr)) {
      // Only when the cache lacks even what `npm ci` needs: the registry fills the gap, and the first test fails.
      installMode = 'install --prefer-offline';
      install = npm(['install', '--prefer-offline', '--no-audit', '--no-fund', tarball], app);
    }
    assert.equal(install.status, 0, `npm ${installMode} of the tarball failed:\n${install.stderr}`);
    installed = join(app, 'node_modules', NAME);
    bin = join(app, 'node_modules', '.bin', NAME);
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  test('installs from the local npm cache without the network', (t) => {
    t.diagnostic(`installed with npm ${installMode}; tarball ${packed.filename}, ${packed.files.length} files`);
    assert.notEqual(installMode, 'install --prefer-offline', 'a dependency was missing from the npm cache. Fix: run npm ci first');
  });

  test('ships the bin, fixtures, schemas and README, and no tests, node_modules or tarballs', () => {
    const paths = packed.files.map((f) => f.path);
    for (const needed of ['package.json', 'README.md', 'dist/server/cli.js', 'schemas/restore-job.schema.json']) {
      assert.ok(paths.includes(needed), `the tarball lacks ${needed}`);
    }
    assert.ok(paths.some((p) => p.startsWith('fixtures/') && p.endsWith('.json')), 'the tarball has no fixtures/');
    const unwanted = paths.filter((p) => /^(dist\/)?test\//.test(p) || p.split('/').includes('node_modules') || p.endsWith('.tgz'));
    assert.deepEqual(unwanted, [], 'tests, node_modules or tarballs in the package');
  });

  test('ships no source map that points at a file outside the package', () => {
    const shipped = new Set(packed.files.map((f) => f.path));
    const dangling: string[] = [];
    for (const map of [...shipped].filter((p) => p.endsWith('.map'))) {
      const { sources = [], sourceRoot = '' } = JSON.parse(readFileSync(join(installed, map), 'utf8')) as { sources?: string[]; sourceRoot?: string };
      for (const source of sources) {
        const target = relative(installed, resolve(installed, dirname(map), sourceRoot, source)).split(sep).join('/');
        if (!shipped.has(target)) dangling.push(`${map} → ${source}`);
      }
    }
    assert.deepEqual(dangling.slice(0, 3), [], `${dangling.length} source maps point at files the package does not ship. ` +
      'Fix: add "!dist/**/*.map" to "files" in package.json.');
  });

  test('the installed bin prints its usage with --help and exits 0', () => {
    const help = spawnSync(bin, ['--help'], { env: ENV, encoding: 'utf8', timeout: 15_000 });
    assert.equal(help.status, 0, help.stderr);
    assert.match(help.stdout, /^Usage: atlas-restore-mock \[options\]$/m);
    assert.match(help.stdout, /--port <n>/);
  });

  describe('the installed bin, started with --port 0 --auth off', () => {
    let server: Awaited<ReturnType<typeof startBin>> | undefined;
    before(async () => {
      server = await startBin(bin, ['--port', '0', '--auth', 'off']);
    });
    after(() => {
      if (server?.child.exitCode === null) server.child.kill('SIGKILL');
    });

    test('serves a shipped fixture, valid against the official schema', async () => {
      assert.ok(server);
      assert.equal(server.log.fixturesFolder, join(installed, 'fixtures'), 'serves the fixtures the package ships');
      const res = await fetch(`${server.url}${jobUrl(GROUP, CLUSTER, FIXTURE_ID)}`, { headers: { accept: VERSIONED } });
      const response = { statusCode: res.status, headers: Object.fromEntries(res.headers), body: await res.text() };
      assert.equal(response.statusCode, 200, response.body);
      assert.equal(response.headers['content-type'], SUCCESS_TYPE);
      assert.equal(assertMatchesSpec(response).id, FIXTURE_ID);
    });

    test('examples/curl-demo.sh gets the statuses it expects', { skip: curlMissing }, () => {
      assert.ok(server);
      const demo = spawnSync('bash', [join(PACKAGE_ROOT, 'examples', 'curl-demo.sh')], {
        env: { ...ENV, BASE_URL: server.url }, encoding: 'utf8', timeout: 20_000,
      });
      assert.equal(demo.status, 0, `${demo.stdout}\n${demo.stderr}`);
      assert.match(demo.stdout, /curl-demo: every status was the expected one/);
    });

    test('stops on SIGTERM with exit code 0', async () => {
      assert.ok(server);
      const exited = once(server.child, 'exit');
      server.child.kill('SIGTERM');
      const [code, signal] = (await exited) as [number | null, NodeJS.Signals | null];
      assert.deepEqual({ code, signal }, { code: 0, signal: null }, 'SIGTERM closes the server and exits 0');
    });
  });
});
