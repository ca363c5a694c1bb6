/**
 * server/http/lazy-schema-compilers.ts: Fastify's schema compilers load only when a route declares a schema,
 * and then work as Fastify's defaults do.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import Fastify from 'fastify';
import { lazySchemaCompilers } from '../server/http/lazy-schema-compilers.js';
import { build, jobUrl, VERSIONED } from './helper.js';

const requireFromFastify = createRequire(import.meta.resolve('fastify'));
const loaded = (id: string) => requireFromFastify.resolve(id) in requireFromFastify.cache;

test('the mock answers without ever loading a schema compiler', async (t) => {
  const app = await build(t);
  const res = await app.inject({ url: jobUrl('32b6e34b3d91647abb20e7b8', 'Cluster0', '6a880ef37c2e91d04b380240'), headers: { accept: VERSIONED } });
  assert.equal(res.statusCode, 200);
  assert.equal(loaded('@fastify/ajv-compiler'), false, 'ajv compiler not loaded');
  assert.equal(loaded('@fastify/fast-json-stringify-compiler'), false, 'serializer compiler not loaded');
});

test('a route with a schema gets Fastify\'s own validation and serialization, loaded on first use', async (t) => {
  const app = Fastify({ schemaController: { compilersFactory: lazySchemaCompilers() } });
  t.after(() => app.close());
  app.get(
    '/n',
    {
      schema: {
        querystring: { type: 'object', properties: { n: { type: 'integer', minimum: 1 } }, required: ['n'] },
        response: { 200: { type: 'object', properties: { double: { type: 'integer' } } } },
      },
    },
    async (request) => ({ double: 2 * (request.query as { n: number }).n, secret: 'not in the schema' }),
  );
  await app.ready();
  assert.equal(loaded('@fastify/ajv-compiler'), true);
  assert.equal(loaded('@fastify/fast-json-stringify-compiler'), true);
  const ok = await app.inject({ url: '/n?n=21' });
  assert.equal(ok.statusCode, 200);
  assert.equal(ok.body, '{"double":42}', 'coerced by ajv, serialized by fast-json-stringify');
  const bad = await app.inject({ url: '/n?n=0' });
  assert.equal(bad.statusCode, 400);
  assert.match(bad.json().message, /must be >= 1/);
});
