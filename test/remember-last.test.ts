/** server/remember-last.ts: one remembered answer, recomputed whenever the argument changes. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rememberLast } from '../server/remember-last.js';

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
