/**
 * Remembers, approximately, which keys were asked for once already, so a cache can admit a key only on
 * its second request (the "doorkeeper" of TinyLFU). Ids a client asks for once, as a crawler or a
 * benchmark with fresh ids does, then never enter the cache: no copy is made, none is evicted later, and
 * the old generation of V8's heap does not fill with bodies nobody asks for again.
 *
 * A fixed direct-mapped table of 32-bit hashes: memory never grows, and a collision only costs one
 * extra admission or one missed one, never a wrong answer (the cache still compares whole keys). The
 * caller hashes its keys: the catalog has a well-mixed hash of each generated job's address at hand
 * already (the seed of its draws), so hashing the id again here would be wasted work.
 */
export class Doorkeeper {
  readonly #slots: Uint32Array;
  readonly #mask: number;

  /** @param bits the table holds 2^bits hashes (4 bytes each) */
  constructor(bits = 15) {
    this.#slots = new Uint32Array(1 << bits);
    this.#mask = (1 << bits) - 1;
  }

  /**
   * True when a key of this hash was seen before (and is still remembered); remembers it either way.
   * @param keyHash a 32-bit hash of the key whose low bits are as random as its high ones
   */
  seenBefore(keyHash: number): boolean {
    const hash = keyHash >>> 0 || 1; // 0 is kept for "empty slot"
    const slot = hash & this.#mask;
    if (this.#slots[slot] === hash) return true;
    this.#slots[slot] = hash;
    return false;
  }

  clear(): void {
    this.#slots.fill(0);
  }
}
