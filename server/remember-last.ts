/**
 * A pure function of one string that answers a repeat of its last argument without computing again.
 * A client sends the same header, token or key request after request; comparing a string with the
 * last one is cheaper than a regex over it or hashing a string built anew (issue 6). Holds one entry.
 */
export function rememberLast<T>(compute: (key: string) => T): (key: string) => T {
  let last: { key: string; value: T } | undefined;
  return (key) => {
    if (last === undefined || last.key !== key) last = { key, value: compute(key) };
    return last.value;
  };
}
