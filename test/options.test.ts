import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { DEFAULT_OPTIONS, OPTIONS, OptionError, helpText, mergeOptions, resolveOptions } from '../server/options.js';
import { PACKAGE_ROOT } from '../server/package-root.js';

const refused = (argv: string[], env: NodeJS.ProcessEnv = {}) => {
  try {
    resolveOptions(argv, env);
  } catch (error) {
    assert.ok(error instanceof OptionError, String(error));
    return error.message;
  }
  return assert.fail(`expected ${argv.join(' ')} to be refused`);
};

describe('options', () => {
  test('defaults serve useful data on 127.0.0.1:8080 with zero configuration', () => {
    const { options } = resolveOptions([], {});
    assert.equal(options.port, 8080);
    assert.equal(options.host, '127.0.0.1');
    assert.equal(options.generate, true);
    assert.equal(options.scenario, 'none');
    assert.ok(Object.isFrozen(options));
  });

  test('every option has a flag and an ATLAS_MOCK_* twin; flags win over env', () => {
    for (const def of OPTIONS) assert.match(def.env, /^ATLAS_MOCK_[A-Z_]+$/);
    const { options } = resolveOptions(['--port', '9000', '--no-generate', '--scenario', 'cluster_not_found'], {
      ATLAS_MOCK_PORT: '7000',
      ATLAS_MOCK_SEED: '42',
      ATLAS_MOCK_GENERATE: 'true',
      ATLAS_MOCK_LOG_LEVEL: 'debug',
    });
    assert.equal(options.port, 9000);
    assert.equal(options.seed, 42);
    assert.equal(options.generate, false);
    assert.equal(options.logLevel, 'debug');
    assert.equal(options.scenario, 'CLUSTER_NOT_FOUND');
  });

  test('unknown flags and bad values are refused naming the option, the value and the fix', () => {
    assert.match(refused(['--prot', '80']), /Unknown option --prot\. Fix: remove it; run --help/);
    assert.match(refused(['--port', 'eighty']), /Invalid value "eighty" for --port: expected an integer from 0 to 65535\. Fix: for example --port 8080/);
    assert.match(refused([], { ATLAS_MOCK_PORT: '70000' }), /Invalid value "70000" for ATLAS_MOCK_PORT/);
    assert.match(refused([], { ATLAS_MOCK_GENERATE: 'maybe' }), /for ATLAS_MOCK_GENERATE: expected true or false/);
    assert.match(refused(['--scenario', '418']), /Invalid value "418" for --scenario: expected none or one of 400, 401/);
    assert.match(refused(['--log-level', 'loud']), /expected one of fatal, error, warn, info, debug, trace, silent/);
    assert.match(refused(['--seed']), /Option --seed needs a value/);
    assert.match(refused(['--generate=false']), /Option --generate takes no value\. Fix: write --generate or --no-generate/);
    assert.match(refused(['serve']), /Unexpected argument "serve"/);
    assert.match(refused(['--generate', '--no-generate']), /Both --generate and --no-generate/);
  });

  test('options for code are checked the same way', () => {
    assert.equal(mergeOptions({ seed: 7 }).seed, 7);
    assert.equal(mergeOptions().port, DEFAULT_OPTIONS.port);
    assert.throws(() => mergeOptions({ port: -1 }), /Invalid value "-1" for port/);
    assert.throws(() => mergeOptions({ colour: 'red' } as never), /Unknown option colour/);
  });

  test('--help lists every flag and env var', () => {
    const help = helpText();
    for (const def of OPTIONS) {
      assert.ok(help.includes(def.flag), def.flag);
      assert.ok(help.includes(def.env), def.env);
    }
  });

  test('the bin prints help, and a bad option exits 2 with the message on stderr', () => {
    const cli = join(PACKAGE_ROOT, 'dist', 'server', 'cli.js');
    const help = spawnSync(process.execPath, [cli, '--help'], { encoding: 'utf8' });
    assert.equal(help.status, 0);
    assert.match(help.stdout, /Usage: atlas-restore-mock \[options\]/);
    const bad = spawnSync(process.execPath, [cli, '--port', 'x'], { encoding: 'utf8' });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /atlas-restore-mock: Invalid value "x" for --port/);
    const pretty = spawnSync(process.execPath, [cli, '--port', '0', '--log-format', 'pretty', '--fixtures', '/nonexistent'], { encoding: 'utf8' });
    assert.equal(pretty.status, 2, 'options are checked before anything is logged');
    const badFixtures = spawnSync(process.execPath, [cli], { encoding: 'utf8', env: { ...process.env, ATLAS_MOCK_FIXTURES: '/nonexistent' } });
    assert.equal(badFixtures.status, 2);
    assert.match(badFixtures.stderr, /Fixture folder \/nonexistent/);
  });
});
