/** server/caches/remember-last.ts: one remembered answer, recomputed whenever the argument changes. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rememberLast, rememberLastOf3 } from '../server/caches/remember-last.js';

test('a repeated argument reuses the last answer, undefined included; a new one computes again', () => {
  const calls: string[] = [];
  const lengthOrNothing = rememberLast((key) => {
    calls.push(key);
    return key === '' ? undefined : key.length;
  });
  const keys = ['ab', 'ab', '', '', 'abc', 'ab', 'ab'];
  assert.deepEqual(keys.map(lengthOrNothing), [2, 2, undefined, undefined, 3, 2, 2]);
  assert.deepEqual(calls, ['ab', '', 'abc', 'ab'], 'computed once per run of equal arguments');
});

test('of three arguments: the last answer while all three repeat, a new one when any changes', () => {
  const calls: unknown[][] = [];
  const joined = rememberLastOf3((a: number, b: string, c: string) => {
    calls.push([a, b, c]);
    return `${a}/${b}/${c}`;
  });
  const args: [number, string, string][] = [
    [1, 'g', 'c'],
    [1, 'g', 'c'],
    [2, 'g', 'c'],
    [2, 'h', 'c'],
    [2, 'h', 'd'],
    [2, 'h', 'd'],
    [1, 'g', 'c'],
  ];
  assert.deepEqual(
    args.map((a) => joined(...a)),
    ['1/g/c', '1/g/c', '2/g/c', '2/h/c', '2/h/d', '2/h/d', '1/g/c'],
  );
  assert.deepEqual(calls, [
    [1, 'g', 'c'],
    [2, 'g', 'c'],
    [2, 'h', 'c'],
    [2, 'h', 'd'],
    [1, 'g', 'c'],
  ]);
});
