/**
 * Keeps the README and the docs/ pages true: the commands and examples they show run against a real mock
 * and print what the page says, the options table is the options the code has, the error catalogue is the
 * catalogue, and every link leads to a file and heading that exist.
 */
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync, mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { after, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { ATLAS_ERRORS } from '../server/http/atlas-errors.js';
import { startMock, type MockServer } from '../server/index.js';
import { OPTIONS, resolveOptions } from '../server/options.js';
import { PACKAGE_ROOT } from '../server/package-root.js';
import { anchors, codeBlocks, consoleCommands, links, tableRows, type CodeBlock } from './markdown.js';

const run = promisify(execFile);
const read = (file: string) => readFileSync(join(PACKAGE_ROOT, file), 'utf8');
const readme = read('README.md');
/** Every user-facing page: the README, docs/ and the fixtures' README. */
const PAGES = ['README.md', ...readdirSync(join(PACKAGE_ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`), 'fixtures/README.md'];
/** The address the pages use; each example runs against a mock of its own and is rewritten to its URL. */
const SHOWN_URL = 'http://127.0.0.1:8080';
/** Headers whose values differ from one request to the next. */
const VARYING = new Set(['date', 'ratelimit-remaining', 'retry-after', 'connection', 'keep-alive']);
/** The Python example runs where python3 and requests are installed. */
const python = spawnSync('python3', ['-c', 'import requests'], { encoding: 'utf8' }).status === 0;
/** Shell examples that read JSON run where jq is installed. */
const jq = spawnSync('jq', ['--version'], { encoding: 'utf8' }).status === 0;

test('the README opens with the two commands a newcomer needs', () => {
  const firstBlock = codeBlocks(readme)[0]?.body ?? '';
  assert.match(firstBlock, /^npm ci && npm start\b/m);
  assert.match(firstBlock, /^npm test\b/m);
});

test('the README stays short enough to read in one sitting', () => {
  assert.ok(readme.split('\n').length <= 300, `README.md has ${readme.split('\n').length} lines; move depth into docs/`);
});

test('the options table lists every option, with its flag, env var and default, and nothing else', () => {
  const rows = tableRows(readme, '## Options');
  for (const def of OPTIONS) {
    const flag = def.kind === 'boolean' ? `\`${def.flag}\`, \`--no-${def.flag.slice(2)}\`` : `\`${def.flag} <${def.kind === 'integer' ? 'n' : 'value'}>\``;
    const row = rows.find((r) => r[0] === flag);
    assert.ok(row, `the options table has no row ${flag}`);
    assert.equal(row[1], `\`${def.env}\``, `env var of ${def.flag}`);
    const shown = def.key === 'fixtures' ? 'the shipped `fixtures/`' : def.default === '' ? 'none' : `\`${String(def.default)}\``;
    assert.ok(row[2]?.startsWith(shown), `default of ${def.flag}: ${row[2]} should start with ${shown}`);
  }
  assert.deepEqual(rows.map((r) => r[0]).filter((f) => !OPTIONS.some((d) => f?.startsWith(`\`${d.flag}`))), ['`-c, --command <command>`']);
});

test('the catalogue in docs/scenarios.md lists exactly the catalogue', () => {
  const rows = tableRows(read('docs/scenarios.md'), '## The catalogue').map((r) => [r[0], Number(r[1]), r[2], r[3]]);
  assert.deepEqual(rows, ATLAS_ERRORS.map((e) => [`\`${e.name}\``, e.status, `\`${e.errorCode}\``, `\`${e.detail}\``]));
});

test('every ATLAS_MOCK_* variable and npm script the pages name exists', () => {
  const envs = new Set<string>([...OPTIONS.map((o) => o.env), 'ATLAS_MOCK_URL']);
  const scripts = Object.keys((JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts);
  for (const page of PAGES) {
    const text = read(page);
    for (const [name] of text.matchAll(/ATLAS_MOCK_[A-Z_]+/g)) assert.ok(envs.has(name), `${page} names ${name}, which is no option`);
    for (const [, script] of text.matchAll(/npm run ([a-z:]+)/g)) assert.ok(scripts.includes(script ?? ''), `${page} names npm run ${script}`);
  }
});

test('every link leads to a file, and every #anchor to a heading, that exist', () => {
  for (const page of PAGES) {
    for (const target of links(read(page))) {
      if (/^(https?|mailto):/.test(target)) continue;
      const [file = '', anchor] = target.split('#');
      const path = file === '' ? join(PACKAGE_ROOT, page) : join(PACKAGE_ROOT, dirname(page), file);
      assert.ok(existsSync(path), `${page} links to ${target}, which does not exist`);
      if (anchor) assert.ok(anchors(readFileSync(path, 'utf8')).has(anchor), `${page} links to ${target}: no such heading in ${relative(PACKAGE_ROOT, path)}`);
    }
  }
});

test('the pages cite nothing a reader does not have, and describe no internals of the mock', () => {
  // docs/performance.md is the one page about how the mock is made fast.
  for (const page of PAGES.filter((p) => p !== 'docs/performance.md')) {
    const text = read(page);
    assert.doesNotMatch(text, /\.\.\/shared|ATLAS-BEHAVIOUR\.md|\bD\d+\b|§|\b[Ii]ssue \d+/, `${page} cites a decision, an issue or a workspace file`);
    assert.doesNotMatch(text, /v8-tuning|header store|callgrind|instructions per reply|trusted-head/i, `${page} describes the mock's internal optimisations`);
  }
});

test('.ci/run installs, runs the test command the README gives, and always runs the schema drift test', () => {
  const ci = read('.ci/run');
  assert.match(ci, /^npm ci\b/m);
  assert.match(ci, /^npm test$/m);
  assert.match(ci, /^export ATLAS_OPENAPI_SPEC=.+\.json"?/m);
});

describe('the examples in the pages print what the pages show', () => {
  const mocks = new Map<string, Promise<MockServer>>();
  const mockFor = (args: string[]): Promise<MockServer> => {
    const key = args.join(' ');
    let mock = mocks.get(key);
    if (!mock) {
      const { options } = resolveOptions(args, {});
      mock = startMock({ ...options, port: 0, logLevel: 'silent' });
      mocks.set(key, mock);
    }
    return mock;
  };
  after(async () => { for (const mock of mocks.values()) await (await mock).close(); });
  const tokenFor = async (mock: MockServer): Promise<string> => {
    const res = await fetch(`${mock.url}/api/oauth/token`, {
      method: 'POST',
      headers: { Authorization: `Basic ${Buffer.from('mdb_sa_id_demo:mdb_sa_sk_demo').toString('base64')}`, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    return ((await res.json()) as { access_token: string }).access_token;
  };

  for (const page of PAGES) {
    const blocks = codeBlocks(read(page));
    for (const [index, block] of blocks.entries()) {
      if (block.lang === 'console') consoleTests(page, block, mockFor, tokenFor);
      const output = blocks[index + 1];
      if ((block.lang === 'js' || block.lang === 'python' || block.lang === 'sh') && output?.lang === 'text') programTest(page, block, output.body, mockFor);
    }
  }
});

type MockFor = (args: string[]) => Promise<MockServer>;


function consoleTests(page: string, block: CodeBlock, mockFor: MockFor, tokenFor: (m: MockServer) => Promise<string>): void {
  for (const { command, expected } of consoleCommands(block)) {
    const againstMock = /^(until )?curl /.test(command) && command.includes(SHOWN_URL);
    const startupError = /^(ATLAS_MOCK_\w+=\S+ )?node dist\/server\/cli\.js/.test(command) && expected.startsWith('atlas-restore-mock:');
    if (!againstMock && !startupError) continue;
    test(`${page}:${block.line}: ${command.slice(0, 90)}`, async () => {
      if (startupError) {
        const shell = spawnSync('bash', ['-c', command], { cwd: PACKAGE_ROOT, encoding: 'utf8', timeout: 15_000 });
        assert.equal(shell.status, 2);
        assert.equal(shell.stderr.trimEnd(), expected.trimEnd());
        return;
      }
      const mock = await mockFor(block.mockArgs);
      mock.reset();
      const here = (text: string) => text.split(SHOWN_URL).join(mock.url);
      const { stdout } = await run('bash', ['-c', here(command)], { cwd: PACKAGE_ROOT, encoding: 'utf8', timeout: 20_000, env: { ...process.env, TOKEN: await tokenFor(mock) } });
      const shown = here(expected);
      if (/ -i\b/.test(command)) compareHttp(stdout, shown);
      else if (shown.trim() === '') assert.ok(true);
      else assert.match(stdout.trimEnd(), elided(shown.trimEnd()));
    });
  }
}

/** `…` in shown output stands for any text on its line. */
function elided(shown: string): RegExp {
  return new RegExp(`^${shown.split('…').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
}

/** curl -i output: the last response (Digest's challenge comes first), its status, the headers shown, the body. */
function compareHttp(actual: string, shown: string): void {
  const last = actual.slice(actual.lastIndexOf('HTTP/1.1 ')).replace(/\r\n/g, '\n');
  const [head = '', ...body] = last.split('\n\n');
  const [shownHead = '', ...shownBody] = shown.split('\n\n');
  const [status, ...headers] = head.split('\n');
  const [shownStatus, ...shownHeaders] = shownHead.split('\n');
  assert.equal(status, shownStatus);
  const actualHeaders = new Map(headers.map((h) => [h.slice(0, h.indexOf(':')).toLowerCase(), h.slice(h.indexOf(':') + 1).trim()]));
  for (const line of shownHeaders) {
    if (line === '…') continue;
    const name = line.slice(0, line.indexOf(':')).toLowerCase();
    assert.ok(actualHeaders.has(name), `no ${name} header in the reply`);
    if (VARYING.has(name)) continue;
    const unnonced = (v: string | undefined) => v?.replace(/nonce="[^"]*"/, 'nonce=""');
    assert.equal(unnonced(actualHeaders.get(name)), unnonced(line.slice(line.indexOf(':') + 1).trim()), name);
  }
  if (shownBody.length > 0) assert.equal(body.join('\n\n'), shownBody.join('\n\n'));
}


const PROGRAMS: Record<string, { file: string; command: string }> = {
  js: { file: 'example.mjs', command: process.execPath },
  python: { file: 'example.py', command: 'python3' },
  sh: { file: 'example.sh', command: 'bash' },
};

/**
 * A Node, Python or shell program followed by the output it prints, run against a mock started as the
 * `<!-- mock: ... -->` comment above it says (a default one without). In a shell program's output, `…`
 * stands for the ids and times that differ from run to run.
 */
function programTest(page: string, block: CodeBlock, shown: string, mockFor: MockFor): void {
  const skip = block.lang === 'python' && !python ? 'python3 with requests is not installed' : block.lang === 'sh' && !jq ? 'jq is not installed' : false;
  test(`${page}:${block.line}: the ${block.lang} example prints what the page shows`, { skip }, async () => {
    const mock = await mockFor(block.mockArgs);
    mock.reset();
    const dir = mkdtempSync(join(tmpdir(), 'docs-example-'));
    try {
      const source = block.body
        .split(SHOWN_URL).join(mock.url)
        .replace("from 'atlas-restore-mock'", `from '${pathToFileURL(join(PACKAGE_ROOT, 'dist', 'server', 'index.js')).href}'`);
      const program = PROGRAMS[block.lang] as { file: string; command: string };
      const file = join(dir, program.file);
      writeFileSync(file, source);
      const { stdout } = await run(program.command, [file], { encoding: 'utf8', timeout: 20_000 });
      if (block.lang === 'sh') assert.match(stdout.trimEnd(), elided(shown.trimEnd()));
      else assert.equal(stdout.trimEnd(), shown.trimEnd());
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
