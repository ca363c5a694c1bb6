/** server/jobs/seeded-random.ts: the hash that seeds every generated job. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { cyrb128, cyrb128Finish, cyrb128Read } from '../server/jobs/seeded-random.js';

test('reading several texts hashes them as cyrb128 hashes them joined with NUL characters', () => {
  fc.assert(
    fc.property(fc.array(fc.string({ unit: 'binary' }), { maxLength: 6 }), (texts) => {
      assert.deepEqual(cyrb128Finish(cyrb128Read(undefined, texts)), cyrb128(texts.join('\u0000')));
    }),
    { seed: 20261129, numRuns: 2000 },
  );
});

test('reading texts in two steps from a kept state hashes as reading them all at once', () => {
  fc.assert(
    fc.property(fc.array(fc.string({ unit: 'binary' }), { minLength: 1, maxLength: 4 }), fc.array(fc.string({ unit: 'binary' }), { minLength: 1, maxLength: 3 }), (first, rest) => {
      const kept = cyrb128Read(undefined, first);
      assert.deepEqual(cyrb128Finish(cyrb128Read(kept, rest)), cyrb128([...first, ...rest].join('\u0000')));
      assert.deepEqual(cyrb128Finish(cyrb128Read(kept, rest)), cyrb128Finish(cyrb128Read(kept, rest)), 'the kept state is not changed by reading on');
    }),
    { seed: 20261129, numRuns: 2000 },
  );
});

test('cyrb128 gives the values it gave before it hashed joined texts', () => {
  // Computed with the single-text implementation this repository had until 2026-11-29; every generated
  // job and scenario draw is seeded through it, so these must never change.
  const known: [string, number[]][] = [
    ['', [41608494, 3485963809, 1435736333, 1262568316]],
    ['a', [1589175524, 148824423, 2405369273, 1476957317]],
    ['20260828\u000032b6e34b3d91647abb20e7b8\u0000Cluster0\u00006a880ef37c2e91d04b380240', [1336254679, 616144157, 4036558906, 3354601089]],
    ['scenarios:7', [649473556, 3121355723, 2564395529, 1205443635]],
    ['ü𝒳\u0000', [237937970, 1291373277, 182144644, 4145379165]],
  ];
  for (const [text, hash] of known) assert.deepEqual(cyrb128(text), hash, JSON.stringify(text));
  assert.deepEqual(cyrb128Finish(cyrb128Read(undefined, ['20260828', '32b6e34b3d91647abb20e7b8', 'Cluster0', '6a880ef37c2e91d04b380240'])), known[2]?.[1]);
});
