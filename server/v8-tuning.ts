/**
 * Three settings of V8 for the mock's own process, measured on its request path (docs/performance.md).
 * Imported first by the CLI, for their side effects; `startMock` runs in the user's process and leaves
 * its V8 alone.
 */
import { executionAsyncResource } from 'node:async_hooks';
import { setFlagsFromString } from 'node:v8';

/**
 * The young generation stays at its initial size (two 1 MiB semi-spaces) instead of growing to 2 × 16
 * MiB under load, so a run over many ids stays well inside issue 6's memory bound: RSS over 1,000,000
 * distinct ids 85-102 MiB with it against 108-145 MiB without, in runs the same hour. The price is more,
 * smaller scavenges: main-thread GC time per fixture reply rose from ~1.8 to 3-5 µs in CPU profiles,
 * while six pairs of runs with both builds under load at once came out even (geometric mean 1.02x,
 * pairs 0.84-1.14x; two processes of one build differ by up to 22 % that way). V8 reads this flag
 * whenever it considers growing new space, so it takes effect at run time; its size limits are fixed at
 * start-up and would need a node flag, which the `bin` cannot pass. 1 is the smallest valid factor (0
 * crashes V8).
 */
setFlagsFromString('--semi-space-growth-factor=1');

/**
 * Scavenges run on the main thread alone, not shared with V8's helper threads.
 *
 * Why: a scavenge of a 1 MiB semi-space takes ~0.1 ms, and one runs every ~80 replies. Handing part of
 * it to helper threads means waking them (futex calls: 1,467 against 217 in one 20,000-reply load under
 * strace) on CPUs that the mock's clients need: in the tests that drive the mock, the client shares the
 * machine. Counted under callgrind, which adds up all threads, a fixture reply took 128,300-135,100
 * instructions with this against 138,000 twice without. Under load, alternating the two builds, it served
 * more fixture replies in 8 of 10 pairs (+6.6 % on average; 404s came out even over 4 pairs). V8 reads
 * the flag at every scavenge, so it takes effect at run time. (Not --single-threaded-gc: set at run
 * time, it crashes V8 at the next full GC.)
 */
setFlagsFromString('--no-parallel-scavenge');

/**
 * One of Node's internal `process.nextTick` records, kept alive for the life of the process.
 *
 * Why: every `nextTick` builds its record as `{ [async_id_symbol]: …, [trigger_async_id_symbol]: …,
 * callback, args }`. A literal that starts with computed keys takes its first hidden class from V8's
 * per-context literal map cache, which holds it weakly: when no record is alive across a full GC, that
 * chain of hidden classes is collected and rebuilt (%DebugPrint shows a new map after gc()). In about
 * three of four mock processes the property definitions in `nextTick` ran on V8's generic runtime path
 * (`Runtime_DefineKeyedOwnPropertyInLiteral` in `perf`), 0.6-1 µs per call against ~0.05 µs, and Node
 * calls `nextTick` about eight times per HTTP reply: 4-7 µs per reply, 10-13 % of the server's CPU. We
 * take it that the chain was rebuilt while V8 was still learning those shapes; what is measured is the
 * cure: one retained record pins the chain, later records share it, and no process with it showed the
 * slow path (21 of 21 profiled; without it, 4 of 4 were slow with only an early nextTick call). It
 * costs one small object.
 */
let retained: object | undefined;

// Inside a nextTick callback, the execution resource is the tick record itself.
process.nextTick(() => {
  retained = executionAsyncResource();
});

/** The retained record (for the test that checks it is a tick record). */
export function retainedTickRecord(): object | undefined {
  return retained;
}
