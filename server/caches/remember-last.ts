/**
 * A pure function of one string that answers a repeat of its last argument without computing again.
 * A client sends the same header, token or key request after request; comparing a string with the
 * last one is cheaper than a regex over it or hashing a string built anew. Holds one entry.
 */
export function rememberLast<T>(compute: (key: string) => T): (key: string) => T {
  let last: { key: string; value: T } | undefined;
  return (key) => {
    if (last === undefined || last.key !== key) last = { key, value: compute(key) };
    return last.value;
  };
}

/**
 * rememberLast for a function of three arguments, each compared with ===: a generated job's seed
 * state depends on the address a client keeps asking about.
 */
export function rememberLastOf3<A, B, C, T>(compute: (a: A, b: B, c: C) => T): (a: A, b: B, c: C) => T {
  let last: { a: A; b: B; c: C; value: T } | undefined;
  return (a, b, c) => {
    if (last === undefined || last.a !== a || last.b !== b || last.c !== c) last = { a, b, c, value: compute(a, b, c) };
    return last.value;
  };
}
