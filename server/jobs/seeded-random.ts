/**
 * A small, fast seeded PRNG. Faker's default Mersenne Twister costs ~30 µs to seed, which would
 * dominate a generated reply; sfc32 seeds in nanoseconds and passes PractRand, which is plenty for
 * mock data. cyrb128 turns the (seed, ids) string into sfc32's 128-bit state.
 */

/** 128-bit string hash (public domain, bryc). */
export function cyrb128(text: string): [number, number, number, number] {
  return cyrb128Finish(cyrb128Read(undefined, [text]));
}

/** cyrb128 part way: its four running words after the text read so far. */
export type Cyrb128State = readonly [number, number, number, number];

const CYRB128_START: Cyrb128State = [1779033703, 3144134277, 1013904242, 2773480762];

/**
 * Reads more text into a running cyrb128: the texts joined with NULs, after a NUL when `from` has
 * read some already (undefined: nothing read yet). So a text's common start is read once and its
 * state kept: a generated job's seed, group and cluster repeat from reply to reply.
 */
export function cyrb128Read(from: Cyrb128State | undefined, texts: readonly string[]): Cyrb128State {
  // Read by index: destructuring an array goes through its iterator.
  const start = from ?? CYRB128_START;
  let h1 = start[0];
  let h2 = start[1];
  let h3 = start[2];
  let h4 = start[3];
  for (let t = 0; t < texts.length; t++) {
    const text = texts[t] as string;
    // Position -1 is the NUL before every text but the very first.
    for (let i = t === 0 && from === undefined ? 0 : -1; i < text.length; i++) {
      const k = i < 0 ? 0 : text.charCodeAt(i);
      h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
      h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
      h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
      h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
    }
  }
  return [h1, h2, h3, h4];
}

/** The 128-bit hash of everything a running cyrb128 has read. */
export function cyrb128Finish([a, b, c, d]: Cyrb128State): [number, number, number, number] {
  let h1 = Math.imul(c ^ (a >>> 18), 597399067);
  let h2 = Math.imul(d ^ (b >>> 22), 2869860233);
  let h3 = Math.imul(h1 ^ (c >>> 17), 951274213);
  let h4 = Math.imul(h2 ^ (d >>> 19), 2716044179);
  h1 ^= h2 ^ h3 ^ h4;
  h2 ^= h1;
  h3 ^= h1;
  h4 ^= h1;
  return [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0];
}

/**
 * sfc32 over a 128-bit state: floats in [0, 1) from next(), and integers and random text drawn from
 * them. An object rather than a closure over its state: a generated job draws ~50 numbers, ~34 of
 * them one character of random text each, and as a method a text's draws run with the state in
 * locals instead of loading and storing the closure's four variables per character. The same draws in
 * the same order either way.
 */
export class SeededStream {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: readonly number[]) {
    let a = (seed[0] ?? 0) | 0;
    let b = (seed[1] ?? 0) | 0;
    let c = (seed[2] ?? 0) | 0;
    let d = (seed[3] ?? 0) | 0;
    // The first outputs still echo the seed; discard them (next(), written out on locals, as in pick).
    for (let i = 0; i < 12; i++) {
      const t = (((a + b) | 0) + d) | 0;
      d = (d + 1) | 0;
      a = b ^ (b >>> 9);
      b = (c + (c << 3)) | 0;
      c = (((c << 21) | (c >>> 11)) + t) | 0;
    }
    this.a = a;
    this.b = b;
    this.c = c;
    this.d = d;
  }

  next(): number {
    // `| 0` tells the compiler these are 32-bit integers: it then adds them as such, where without it
    // every addition went through floating point and back (picks took ~40 % less time with it).
    const a = this.a | 0;
    const b = this.b | 0;
    const c = this.c | 0;
    const d = this.d | 0;
    const t = (((a + b) | 0) + d) | 0;
    this.d = (d + 1) | 0;
    this.a = b ^ (b >>> 9);
    this.b = (c + (c << 3)) | 0;
    this.c = (((c << 21) | (c >>> 11)) + t) | 0;
    return (t >>> 0) / 4294967296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  hex(length: number): string {
    return this.pick(HEX, scratchCodes(length), 0);
  }

  /**
   * `codes` as a string, its places from `from` on filled with random hex digits: text that starts with
   * characters of the caller's own (an ObjectId's time) made in one string, not joined from two.
   */
  hexAfter(codes: number[], from: number): string {
    return this.pick(HEX, codes, from);
  }

  lowerAlnum(length: number): string {
    return this.pick(LOWER_ALNUM, scratchCodes(length), 0);
  }

  alnum(length: number): string {
    return this.pick(ALNUM, scratchCodes(length), 0);
  }

  /**
   * `codes` as a string, its places from `from` on filled with characters of `alphabet`, one draw each
   * (next(), written out). Made in one string of the right length, not a character at a time: a run
   * of 16-24 grew through ~20 intermediate strings, which the reply's JSON then walked again as a tree
   * of pieces when Node wrote it.
   */
  private pick(alphabet: readonly number[], codes: number[], from: number): string {
    // 32-bit integers, said with `| 0` (see next()).
    let a = this.a | 0;
    let b = this.b | 0;
    let c = this.c | 0;
    let d = this.d | 0;
    for (let i = from; i < codes.length; i++) {
      const t = (((a + b) | 0) + d) | 0;
      d = (d + 1) | 0;
      a = b ^ (b >>> 9);
      b = (c + (c << 3)) | 0;
      c = (((c << 21) | (c >>> 11)) + t) | 0;
      codes[i] = alphabet[Math.floor(((t >>> 0) / 4294967296) * alphabet.length)] as number;
    }
    this.a = a;
    this.b = b;
    this.c = c;
    this.d = d;
    return String.fromCharCode.apply(null, codes);
  }
}

/**
 * Arrays for the character codes of a pick, one per length: a pick fills one and turns it into a
 * string at once, synchronously, so one array of each length serves every pick. A new array per pick
 * was ~500 bytes of garbage a generated job, and slower to fill.
 */
const SCRATCH: readonly number[][] = Array.from({ length: 33 }, (_, length) => new Array<number>(length).fill(0));

/** An array of `length` character codes to fill and hand straight to a pick (see SCRATCH). */
export function scratchCodes(length: number): number[] {
  return SCRATCH[length] ?? new Array<number>(length).fill(0);
}

export function streamFromText(text: string): SeededStream {
  return new SeededStream(cyrb128(text));
}

const codesOf = (alphabet: string): readonly number[] => Array.from(alphabet, (char) => char.charCodeAt(0));
/** The character codes of the hex digits, by value. */
export const HEX = codesOf('0123456789abcdef');
const LOWER_ALNUM = codesOf('abcdefghijklmnopqrstuvwxyz0123456789');
const ALNUM = codesOf('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789');
