/**
 * Two settings of V8 for the mock's own process, measured on its request path (docs/performance.md).
 * Imported first by the CLI, for their side effects; `startMock` runs in the user's process and leaves
 * its V8 alone.
 */
import { executionAsyncResource } from 'node:async_hooks';
import { PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';

/**
 * The young generation grows to 2 x 8 MiB, not V8's 2 x 16 MiB, and not beyond.
 *
 * Why a cap and not V8's default: over 1,000,000 distinct ids the default young generation took RSS to
 * 108-145 MiB, past issue 6's bound of 120. Why not the initial 2 x 1 MiB, which the mock used before: a
 * scavenge costs 0.2-0.5 ms whatever the size, and at 1 MiB one ran every ~70 fixture replies (the
 * mock allocates ~12 KiB per reply, most of it Node's HTTP objects); --trace-gc put that at 4.4 µs of
 * main-thread GC per reply, against 1.4 µs at 8 MiB and 0.8 µs at 16 MiB (docs/performance.md).
 *
 * How: V8's size limits are fixed when the isolate starts, and the `bin` cannot pass node flags, but V8
 * reads `--semi-space-growth-factor` each time it grows new space (after enough bytes survived
 * scavenges). So growth runs at a factor of 8 (1 → 8 MiB in one step) while new space is below the cap,
 * and at 1 (no growth) once it is there; a GC observer flips the flag. The next growth would need a
 * whole semi-space of survivors first, hundreds of scavenges, so the observer is always in time. It keeps
 * watching because V8 shrinks new space again after a quiet spell.
 */
export const YOUNG_GENERATION_CAP_MIB = 8;
const GROW = `--semi-space-growth-factor=${YOUNG_GENERATION_CAP_MIB}`;
const HOLD = '--semi-space-growth-factor=1';

function semiSpaceMib(): number {
  const newSpace = getHeapSpaceStatistics().find((space) => space.space_name === 'new_space');
  // space_size counts both semi-spaces.
  return newSpace ? newSpace.space_size / 2 / 2 ** 20 : 0;
}

let growing = true;
setFlagsFromString(GROW);
const youngGenerationWatch = new PerformanceObserver(() => {
  const grow = semiSpaceMib() < YOUNG_GENERATION_CAP_MIB;
  if (grow !== growing) setFlagsFromString(grow ? GROW : HOLD);
  growing = grow;
});
youngGenerationWatch.observe({ entryTypes: ['gc'] });

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
