#!/usr/bin/env node
/**
 * What a test suite waits for before its first assertion: the import, the start and the first reply.
 *
 *   node bench/first-reply.mjs mock [index.js]   import the built package (or that file), startMock(), one
 *                                                GET of a fixture job
 *   node bench/first-reply.mjs bare   import fastify, one route, listen, one GET of it
 *
 * Prints one JSON line, { ms }: from before the import to the end of the first 200, in this process.
 * Node's own start is left out, as it is the same for both. bench/run.mjs runs each kind in several
 * fresh processes and compares the medians.
 */
import http from 'node:http';
import { pathToFileURL } from 'node:url';
import { ACCEPT, FIXTURE_ID, jobPath } from './lib.mjs';

const kind = process.argv[2];
if (kind !== 'mock' && kind !== 'bare') {
  console.error('Usage: node bench/first-reply.mjs mock|bare');
  process.exit(2);
}

/** One GET; resolves with the status once the body is read. */
function get(url, headers) {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers, agent: false }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode));
      })
      .on('error', reject);
  });
}

const started = performance.now();
let url;
let close;
if (kind === 'mock') {
  const index = process.argv[3] ? pathToFileURL(process.argv[3]).href : '../dist/server/index.js';
  const { startMock } = await import(index);
  const mock = await startMock();
  url = `${mock.url}${jobPath(FIXTURE_ID)}`;
  close = () => mock.close();
} else {
  const { default: Fastify } = await import('fastify');
  const app = Fastify();
  app.get('/', async () => ({ ok: true }));
  await app.listen({ port: 0, host: '127.0.0.1' });
  url = `http://127.0.0.1:${app.server.address().port}/`;
  close = () => app.close();
}
// As a client of the mock's default auth would: any well-formed Bearer token is let in.
const status = await get(url, { accept: ACCEPT, authorization: 'Bearer first-reply-bench' });
const ms = performance.now() - started;
await close();
if (status !== 200) {
  console.error(`first-reply: ${kind} answered ${status}, not 200`);
  process.exit(1);
}
console.log(JSON.stringify({ kind, ms }));
