/**
 * Writes a response's status line and headers without Node checking each header name and value again.
 *
 * Why: `res.writeHead(status, headers)` runs two regular expressions over every name and value, and
 * an Atlas reply has ten or eleven headers: ~6,000 instructions of every reply (callgrind, issue 6),
 * for names and values that are the mock's own constants and numbers, never taken from a request. Node
 * writes the headers it keeps in its own store (those set with setHeader, checked once when set) as
 * they stand; this puts the headers in that store and calls writeHead with none, so Node writes the
 * same bytes in the same order, unchecked.
 *
 * The store sits under a symbol Node does not export. It is found by its description once, at load;
 * should a Node version name or shape it otherwise, `trustedHeadInUse` is false and every head goes
 * through writeHead's checks as before. A test checks which one this Node takes, and raw-socket tests
 * pin the bytes either way.
 */
import { OutgoingMessage, type ServerResponse } from 'node:http';

/** A reply's headers in the shape of Node's store: lower-case name → [name as written, value], in wire order. */
export type Head = Record<string, readonly [string, string]>;

const OUT_HEADERS = ((): symbol | undefined => {
  const probe = new OutgoingMessage();
  const symbol = Object.getOwnPropertySymbols(probe).find((candidate) => candidate.description === 'kOutHeaders');
  if (symbol === undefined) return undefined;
  // The store starts empty (null) and is what setHeader fills: check that before trusting it.
  probe.setHeader('x-probe', 'ok');
  const store = (probe as unknown as Record<symbol, unknown>)[symbol] as Head | null | undefined;
  return store?.['x-probe']?.[1] === 'ok' ? symbol : undefined;
})();

/** Whether heads skip Node's checks on this Node (see the module comment). */
export const trustedHeadInUse = OUT_HEADERS !== undefined;

/**
 * @param head names and values the mock itself wrote (no CR, LF or other character a header cannot
 *   hold); Node keeps this object as the response's headers
 */
export function writeTrustedHead(res: ServerResponse, status: number, head: Head): void {
  if (OUT_HEADERS === undefined) {
    res.writeHead(status, Object.values(head).flat());
    return;
  }
  (res as unknown as Record<symbol, Head>)[OUT_HEADERS] = head;
  res.writeHead(status);
}
