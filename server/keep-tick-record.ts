/**
 * Keeps one of Node's internal `process.nextTick` records alive for the life of the process. Imported
 * first by the CLI, for its side effect.
 *
 * Why: every `nextTick` builds its record as `{ [async_id_symbol]: …, [trigger_async_id_symbol]: …,
 * callback, args }`. A literal that starts with computed keys takes its first hidden class from V8's
 * per-context literal map cache, which holds it weakly. When no record is alive across a full GC, that
 * chain of hidden classes can be collected and rebuilt; in about three of four mock processes the
 * property definitions in `nextTick` then ended up on V8's generic runtime path
 * (`Runtime_DefineKeyedOwnPropertyInLiteral` in `perf`), 0.6-1 µs per call against ~0.05 µs, and Node
 * calls `nextTick` about eight times per HTTP reply: 4-7 µs per reply, 10-13 % of the server's CPU
 * (docs/performance.md). One retained record pins the chain, so every later record shares it: in the
 * measurements no process with it showed the slow path. It costs one small object.
 */
import { executionAsyncResource } from 'node:async_hooks';

let retained: object | undefined;

// Inside a nextTick callback, the execution resource is the tick record itself.
process.nextTick(() => {
  retained = executionAsyncResource();
});

/** The retained record (for the test that checks it is a tick record). */
export function retainedTickRecord(): object | undefined {
  return retained;
}
