/**
 * The mock's sense of time for job lifecycles: real time, optionally sped up (`--clock-speed`) and moved
 * forward on demand, so a test can watch a restore job finish without sleeping for minutes.
 */
export class MockClock {
  #start: number;
  #offsetMs = 0;

  constructor(
    readonly speed = 1,
    private readonly realNow: () => number = Date.now,
  ) {
    this.#start = realNow();
  }

  now(): number {
    return this.#start + (this.realNow() - this.#start) * this.speed + this.#offsetMs;
  }

  /** the mock time at start-up or the last reset, when loaded fixtures' lifecycles begin */
  origin(): number {
    return this.#start;
  }

  advance(seconds: number): void {
    this.#offsetMs += seconds * 1000;
  }

  reset(): void {
    this.#start = this.realNow();
    this.#offsetMs = 0;
  }
}
