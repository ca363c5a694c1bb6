/**
 * server/http/lazy-request-logger.ts: a request's logger makes pino's child only when it writes a line at a
 * level that is on, and the line is the one pino's child would have written.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import Fastify, { type FastifyBaseLogger } from 'fastify';
import { buildApp } from '../server/app.js';
import { LazyRequestLogger, makeChildrenLazy } from '../server/http/lazy-request-logger.js';

/** A real pino logger (Fastify's), and the JSON lines it wrote so far without their time. */
function pinoWithLines(level: string): { logger: FastifyBaseLogger; lines: () => Record<string, unknown>[] } {
  const written: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      written.push(chunk.toString());
      done();
    },
  });
  const app = Fastify({ logger: { level, stream } });
  const lines = () =>
    written.map((line) => {
      const { time: _time, ...rest } = JSON.parse(line) as Record<string, unknown>;
      return rest;
    });
  return { logger: app.log, lines };
}

/** A pino root whose children are lazy, and how many children pino itself was asked for. */
function lazyRoot(level: string): { root: FastifyBaseLogger; children: () => number; lines: () => Record<string, unknown>[] } {
  const { logger: root, lines } = pinoWithLines(level);
  const pinoChild = root.child;
  let made = 0;
  root.child = function counted(this: FastifyBaseLogger, bindings, options) {
    made += 1;
    return pinoChild.call(this, bindings, options);
  };
  makeChildrenLazy(root);
  return { root, children: () => made, lines };
}

test('lines written through it equal those of pino child, with its bindings, for every call shape', () => {
  const lazy = lazyRoot('trace');
  const eager = pinoWithLines('trace');
  const bindings = { reqId: 'req-7' };
  const viaLazy = lazy.root.child(bindings);
  assert.ok(viaLazy instanceof LazyRequestLogger);
  const viaPino = eager.logger.child(bindings);
  for (const logger of [viaLazy, viaPino]) {
    logger.info('plain message');
    logger.warn('with %s and %d', 'format', 42);
    logger.error({ err: new Error('boom'), ids: { a: 1 } }, 'object then message');
    logger.debug({ only: 'object' });
    logger.trace({ extra: true }, 'message %s', 'arg', 'ignored extra');
    logger.fatal('fatal line');
  }
  const strip = (line: Record<string, unknown>) => {
    const { err, ...rest } = line as { err?: { stack?: string } };
    return err ? { ...rest, err: { ...err, stack: String(err.stack).split('\n')[0] } } : rest;
  };
  assert.equal(lazy.lines().length, 6);
  assert.deepEqual(lazy.lines().map(strip), eager.lines().map(strip));
  assert.ok(lazy.lines().every((line) => line.reqId === 'req-7'), 'every line carries the request id');
});

test('no child is made while nothing is written at a level that is on', () => {
  const { root, children, lines } = lazyRoot('info');
  const request = root.child({ reqId: 'req-1' });
  request.debug({ ids: 'x' }, 'below the level');
  request.trace('below the level');
  request.silent('nothing');
  assert.equal(request.level, 'info', 'the level is the parent one');
  assert.equal(children(), 0);
  assert.equal(lines().length, 0);

  request.info('on');
  request.error('on');
  assert.equal(children(), 1, 'one child, made on the first line written and reused');
  assert.deepEqual(
    lines().map((line) => [line.msg, line.reqId]),
    [
      ['on', 'req-1'],
      ['on', 'req-1'],
    ],
  );
});

test('setting the level makes the child and changes only it', () => {
  const { root, children, lines } = lazyRoot('info');
  const request = root.child({ reqId: 'req-2' });
  request.level = 'debug';
  assert.equal(children(), 1);
  assert.equal(request.level, 'debug');
  assert.equal(root.level, 'info', 'the parent keeps its level');
  request.debug('now on');
  assert.deepEqual(
    lines().map((line) => line.msg),
    ['now on'],
  );
});

test('child() of a request logger is a child of pino child, bindings of both on its lines', () => {
  const { root, lines } = lazyRoot('info');
  const request = root.child({ reqId: 'req-3' });
  const nested = request.child({ part: 'auth' });
  assert.ok(nested instanceof LazyRequestLogger, 'lazy too');
  nested.info('nested');
  nested.child({ step: 2 }).warn('deeper');
  assert.deepEqual(
    lines().map(({ reqId, part, step, msg }) => ({ reqId, part, step, msg })),
    [
      { reqId: 'req-3', part: 'auth', step: undefined, msg: 'nested' },
      { reqId: 'req-3', part: 'auth', step: 2, msg: 'deeper' },
    ],
  );
});

test('a child with its own level or serializers is pino child at once', () => {
  const { root, children, lines } = lazyRoot('info');
  assert.ok(root.child({ reqId: 'a' }, {}) instanceof LazyRequestLogger);
  assert.equal(children(), 0);
  const withLevel = root.child({ reqId: 'b' }, { level: 'debug' });
  assert.ok(!(withLevel instanceof LazyRequestLogger));
  assert.equal(withLevel.level, 'debug');
  withLevel.child({ part: 'x' }).debug('under a debug child');
  assert.deepEqual(
    lines().map(({ reqId, part, msg }) => ({ reqId, part, msg })),
    [{ reqId: 'b', part: 'x', msg: 'under a debug child' }],
    'its own children keep its bindings and level',
  );
  const withSerializers = root.child({ reqId: 'c' }, { serializers: { ids: () => 'hidden' } });
  assert.ok(!(withSerializers instanceof LazyRequestLogger));
  assert.equal(children(), 3, 'the two, and the debug child of the first');
});

test('the mock app hands its requests lazy loggers', async (t) => {
  const { app } = await buildApp({ logLevel: 'info', auth: 'off' });
  t.after(() => app.close());
  let seen: unknown;
  app.addHook('onRequest', (request, _reply, done) => {
    seen = request.log;
    done();
  });
  await app.inject({ url: '/health' });
  assert.ok(seen instanceof LazyRequestLogger);
});
