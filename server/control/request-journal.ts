/**
 * What the mock received, in a bounded ring, so a test can check what its code sent: how often it
 * called, with which Accept header and credential, the bodies of Atlas API requests that have one, and
 * what it got back. No secrets are kept: never the Authorization header, only the name of the credential
 * that authenticated, and no body of the token endpoints.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { queryOf } from '../http/query-string.js';
import { pathOf } from '../http/request-path.js';

export interface JournalEntry {
  time: string;
  method: string;
  path: string;
  query: Record<string, string | string[]>;
  headers: { accept?: string; prefer?: string; 'user-agent'?: string; 'content-type'?: string };
  /** `apiKey:<public key>`, `serviceAccount:<client id>`, `anonymous`, or '' when not authenticated */
  credential: string;
  status: number;
  durationMs: number;
  /** the request body as sent (creates), when it had one */
  body?: string;
}

export interface JournalFilter {
  /** exact path, or a path prefix ending in `*` */
  path?: string;
  status?: number;
  method?: string;
}

/** What the onResponse hook hands over: the request's own values, nothing built for the journal. */
export interface JournalInput {
  timeMs: number;
  method: string;
  /** the request-target as sent; the path and query are taken from it when the journal is read */
  url: string;
  /** the request's headers: four of them are kept, never Authorization */
  headers: IncomingHttpHeaders;
  credential: string;
  status: number;
  durationMs: number;
  /** the body as read, for requests that have one */
  body?: string | undefined;
}

/**
 * One place of the ring, overwritten in place by each new request. Requests are recorded on every reply
 * and read rarely: a record object and a headers object per request lived for the next thousand
 * requests, long enough for V8 to copy them out of the young generation; a slot is written
 * field by field, and once the ring is full nothing is allocated for the journal. For the same reason
 * the query is read again from the URL when asked for, not kept as the object the route parsed: kept,
 * it made every request with a query string measurably slower.
 */
class Slot {
  timeMs = 0;
  method = '';
  url = '';
  accept: string | undefined = undefined;
  prefer: string | undefined = undefined;
  userAgent: string | undefined = undefined;
  contentType: string | undefined = undefined;
  credential = '';
  status = 0;
  durationMs = 0;
  body: string | undefined = undefined;

  /** `url` and `accept` are the input's own, or equal strings the journal already holds. */
  fill(input: JournalInput, url: string, accept: string | undefined): void {
    const { headers } = input;
    this.timeMs = input.timeMs;
    this.method = input.method;
    this.url = url;
    this.accept = accept;
    // A repeated Prefer arrives as an array; the journal has always kept only a single one.
    this.prefer = typeof headers.prefer === 'string' ? headers.prefer : undefined;
    this.userAgent = headers['user-agent'];
    this.contentType = headers['content-type'];
    this.credential = input.credential;
    this.status = input.status;
    this.durationMs = input.durationMs;
    this.body = input.body;
  }

  entry(): JournalEntry {
    const headers: JournalEntry['headers'] = {};
    if (this.accept !== undefined) headers.accept = this.accept;
    if (this.prefer !== undefined) headers.prefer = this.prefer;
    if (this.userAgent !== undefined) headers['user-agent'] = this.userAgent;
    if (this.contentType !== undefined) headers['content-type'] = this.contentType;
    const entry: JournalEntry = {
      time: new Date(this.timeMs).toISOString(),
      method: this.method,
      path: pathOf(this.url),
      query: queryOf(this.url),
      headers,
      credential: this.credential,
      status: this.status,
      durationMs: this.durationMs,
    };
    if (this.body !== undefined) entry.body = this.body;
    return entry;
  }
}

export class RequestJournal {
  #slots: Slot[] = [];
  #next = 0;
  #size = 0;
  // Clients tend to repeat a URL and nearly always their Accept header. A request that repeats the last
  // one's keeps the string already held, and its own dies young instead of being kept for the next
  // thousand requests.
  #lastUrl = '';
  #lastAccept: string | undefined = undefined;

  constructor(readonly capacity: number) {}

  record(input: JournalInput): void {
    if (this.capacity === 0) return;
    let slot = this.#slots[this.#next];
    if (slot === undefined) {
      slot = new Slot();
      this.#slots[this.#next] = slot;
    }
    if (input.url !== this.#lastUrl) this.#lastUrl = input.url;
    if (input.headers.accept !== this.#lastAccept) this.#lastAccept = input.headers.accept;
    slot.fill(input, this.#lastUrl, this.#lastAccept);
    this.#next = (this.#next + 1) % this.capacity;
    this.#size = Math.min(this.#size + 1, this.capacity);
  }

  /** Oldest first. */
  list(filter: JournalFilter = {}): JournalEntry[] {
    const out: JournalEntry[] = [];
    const start = (this.#next - this.#size + this.capacity) % Math.max(1, this.capacity);
    for (let i = 0; i < this.#size; i++) {
      const entry = (this.#slots[(start + i) % this.capacity] as Slot).entry();
      if (filter.status !== undefined && entry.status !== filter.status) continue;
      if (filter.method !== undefined && entry.method !== filter.method.toUpperCase()) continue;
      if (filter.path !== undefined) {
        const matches = filter.path.endsWith('*') ? entry.path.startsWith(filter.path.slice(0, -1)) : entry.path === filter.path;
        if (!matches) continue;
      }
      out.push(entry);
    }
    return out;
  }

  /** Forgets every request, and lets go of what their slots held. */
  clear(): void {
    this.#slots = [];
    this.#next = 0;
    this.#size = 0;
    this.#lastUrl = '';
    this.#lastAccept = undefined;
  }
}
