/**
 * Preloaded (`node --import`) into a mock process by the determinism test: moves the process's wall
 * clock by SHIFTED_CLOCK_MS, as if it had been started that much earlier or later. Every reader of
 * the time (Date.now, new Date(), performance-free code) then sees the moved clock.
 */
const shift = Number(process.env.SHIFTED_CLOCK_MS ?? 0);
const RealDate = Date;

class ShiftedDate extends RealDate {
  constructor(...args: unknown[]) {
    if (args.length === 0) super(RealDate.now() + shift);
    else super(...(args as [string | number | Date]));
  }

  static override now(): number {
    return RealDate.now() + shift;
  }
}

globalThis.Date = ShiftedDate as DateConstructor;
