/** server/flat-text.ts: the same text, as one flat string. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { flatText } from '../server/flat-text.js';

test('flatText keeps every character, lone surrogates and controls included', () => {
  for (const text of ['', 'a', '\ud800', 'x\udc00y', '"\\\u0000\u2028😀', 'ü'.repeat(40)]) assert.equal(flatText(text), text);
  fc.assert(
    fc.property(fc.array(fc.string({ unit: 'binary', maxLength: 30 }), { maxLength: 8 }), (pieces) => {
      let built = '';
      for (const piece of pieces) built += piece; // a tree of pieces, as the mock's texts are
      assert.equal(flatText(built), built);
    }),
    { seed: 20261129, numRuns: 2000 },
  );
});

test('flatText turns a string built of pieces into a flat one (as V8 reports it)', () => {
  // V8's own view of a string's layout, which only a natives-syntax process can print.
  const module = fileURLToPath(new URL('../server/flat-text.js', import.meta.url));
  const script = `
    const { flatText } = await import(${JSON.stringify(module)});
    const built = 'https://restore-' + String(Math.random()).repeat(3) + '.mongodb.net:27017/';
    %DebugPrint(built);
    %DebugPrint(flatText(built));`;
  const printed = execFileSync(process.execPath, ['--allow-natives-syntax', '--input-type=module', '-e', script], { encoding: 'utf8' });
  const types = [...printed.matchAll(/^ - type: (\w+)$/gm)].map((m) => m[1]);
  assert.equal(types.length, 2, printed);
  assert.equal(types[0], 'CONS_ONE_BYTE_STRING_TYPE', 'the text built with + is a tree of pieces');
  assert.equal(types[1], 'ONE_BYTE_STRING_TYPE', 'flatText gives a flat one');
});
