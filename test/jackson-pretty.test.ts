import assert from 'node:assert/strict';
import { test } from 'node:test';
import { jacksonPretty } from '../server/http/jackson-pretty.js';

test('scalars, empty containers and scalar arrays follow DefaultPrettyPrinter', () => {
  assert.equal(jacksonPretty({}), '{ }');
  assert.equal(jacksonPretty([]), '[ ]');
  assert.equal(jacksonPretty({ a: [], b: {} }), '{\n  "a" : [ ],\n  "b" : { }\n}');
  assert.equal(jacksonPretty({ a: ['x', 'y'], n: null, t: true, i: 1.5 }), '{\n  "a" : [ "x", "y" ],\n  "n" : null,\n  "t" : true,\n  "i" : 1.5\n}');
});

test('objects in arrays open on the array line and keep the outer nesting (arrays add no level)', () => {
  assert.equal(
    jacksonPretty({ links: [{ href: 'h', rel: 's' }, { href: 'i', rel: 't' }] }),
    '{\n  "links" : [ {\n    "href" : "h",\n    "rel" : "s"\n  }, {\n    "href" : "i",\n    "rel" : "t"\n  } ]\n}',
  );
  assert.equal(jacksonPretty({ a: { b: { c: 1 } } }), '{\n  "a" : {\n    "b" : {\n      "c" : 1\n    }\n  }\n}');
});

test('the recorded Atlas 401 body comes out byte for byte (142 bytes)', () => {
  const body = jacksonPretty({ error: 401, reason: 'Unauthorized', detail: 'You are not authorized for this resource.', errorCode: 'UNEXPECTED_ERROR' });
  assert.equal(Buffer.byteLength(body), 142);
  assert.ok(!body.endsWith('\n'));
});

test('strings are escaped as JSON', () => {
  assert.equal(jacksonPretty({ 'k"': 'a\nb"\\' }), '{\n  "k\\"" : "a\\nb\\"\\\\"\n}');
});
