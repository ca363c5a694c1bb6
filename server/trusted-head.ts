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
import { OutgoingMessage, ServerResponse } from 'node:http';
import { flatText } from './flat-text.js';

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

/** Node's own writeHead: a response that overrides it (Fastify's inject does) may read the store there. */
const NODE_WRITE_HEAD = ServerResponse.prototype.writeHead;

/** Whether heads skip Node's checks on this Node (see the module comment). */
export const trustedHeadInUse = OUT_HEADERS !== undefined;

/**
 * Header lines joined into one entry of Node's store, for headers a reply of a kind always sends: Node
 * writes each entry as `name: value\r\n`, so an entry whose value holds the lines after it writes them
 * all, the same bytes in the same order. Node handles every entry on its own (a name check lower-casing
 * most names, a keyed read, four joins): ~650 instructions per header, and an Atlas reply has six or
 * seven constant ones (callgrind, issue 6). Node only looks at an entry's name to learn about the
 * headers that frame a reply (Content-Length, Connection, Transfer-Encoding, Date, Trailer, Expect), so
 * none of those may be joined; this is for names and values that are the mock's own constants.
 */
export function joinHeadLines(entries: ReadonlyArray<readonly [string, string]>): readonly [string, string] {
  const [first, ...rest] = entries;
  if (first === undefined) throw new Error('joinHeadLines needs at least one header');
  return Object.freeze([first[0], flatText([first[1], ...rest.map(([name, value]) => `${name}: ${value}`)].join('\r\n'))] as const);
}

/**
 * @param head names and values the mock itself wrote (no CR, LF or other character a header cannot
 *   hold), one entry per header; Node keeps this object as the response's headers, so getHeaders()
 *   and Fastify's inject see each header by itself
 * @param wire what Node is to write instead, when it differs: `head` with runs of constant entries
 *   given as one joinHeadLines entry; held only while Node's writeHead writes the head, and not used
 *   when the response overrides writeHead: light-my-request (Fastify's inject) copies the headers
 *   inside its override, and would report the joined lines as one header
 */
export function writeTrustedHead(res: ServerResponse, status: number, head: Head, wire: Head = head): void {
  if (OUT_HEADERS === undefined) {
    res.writeHead(status, Object.values(head).flat());
    return;
  }
  const store = res as unknown as Record<symbol, Head>;
  if (wire === head || res.writeHead !== NODE_WRITE_HEAD) {
    store[OUT_HEADERS] = head;
    res.writeHead(status);
    return;
  }
  store[OUT_HEADERS] = wire;
  res.writeHead(status);
  store[OUT_HEADERS] = head;
}
