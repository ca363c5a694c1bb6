/**
 * The same text as one flat string.
 *
 * Why: a string built with `+` or a template literal is, in V8, a tree of the pieces it was built from.
 * Node copies a reply's text out piece by piece, descending into every tree it meets, each time it
 * writes it. A text the mock builds once and writes on many replies (a JSON key, the links of an
 * address, a run of headers) is made flat when built, so each reply copies it in one step: a
 * generated reply took ~3,800 instructions more with its constant texts left as trees (callgrind,
 * issue 6). JSON's round trip makes a new flat string and keeps every character,
 * lone surrogates included.
 */
export function flatText(text: string): string {
  return JSON.parse(JSON.stringify(text)) as string;
}
