/**
 * The benchmark's bare-atlas-headers control is only a fair reference while it sends the header lines a
 * mock reply sends: this holds the two together, so a header added to the mock's replies shows up here.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { assertMatchesSpec, build, CLUSTER, GROUP, jobUrl, spawnOwned, START_TIMEOUT_MS, VERSIONED } from './helper.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FIXTURE_ID = '6a880ef37c2e91d04b380240';
// Written by Node on every reply, or measured per body: not part of what the control copies.
const PER_CONNECTION = new Set(['date', 'connection', 'keep-alive', 'content-length']);

const headerNames = (headers: Record<string, unknown>) => Object.keys(headers).filter((name) => !PER_CONNECTION.has(name)).sort();

test("bench/bare-fastify.mjs --headers atlas sends the mock's reply headers, with the mock's values", async (t) => {
  const app = await build(t, { auth: 'off' });
  const mock = await app.inject({ url: jobUrl(GROUP, CLUSTER, FIXTURE_ID), headers: { accept: VERSIONED } });
  assert.equal(mock.statusCode, 200);
  assertMatchesSpec(mock);

  const bare = spawnOwned(t, process.execPath, [`${ROOT}bench/bare-fastify.mjs`, '--headers', 'atlas']);
  const [line] = (await once(bare.stdout!, 'data', { signal: AbortSignal.timeout(START_TIMEOUT_MS) })) as [Buffer];
  const { url } = JSON.parse(line.toString()) as { url: string };
  const response = await fetch(`${url}/`, { signal: AbortSignal.timeout(10_000) });
  await response.arrayBuffer();
  const bareHeaders = Object.fromEntries(response.headers);

  assert.deepEqual(headerNames(bareHeaders), headerNames(mock.headers));
  for (const name of headerNames(mock.headers)) {
    if (name === 'ratelimit-remaining') assert.match(bareHeaders[name] as string, /^\d+$/);
    else assert.equal(bareHeaders[name], mock.headers[name], name);
  }
});
