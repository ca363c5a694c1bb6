/**
 * What the mock received, in a bounded ring, so a test can check what its code sent: how often it
 * called, with which Accept header and credential, and what it got back. No secrets are kept: never
 * the Authorization header, only the name of the credential that authenticated.
 */
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
}

export interface JournalFilter {
  /** exact path, or a path prefix ending in `*` */
  path?: string;
  status?: number;
  method?: string;
}

/** As recorded: the time stays a number until someone reads the journal, which is rare. */
export type JournalRecord = Omit<JournalEntry, 'time'> & { timeMs: number };

export class RequestJournal {
  #entries: (JournalRecord | undefined)[];
  #next = 0;
  #size = 0;

  constructor(readonly capacity: number) {
    this.#entries = new Array<JournalRecord | undefined>(capacity);
  }

  record(entry: JournalRecord): void {
    if (this.capacity === 0) return;
    this.#entries[this.#next] = entry;
    this.#next = (this.#next + 1) % this.capacity;
    this.#size = Math.min(this.#size + 1, this.capacity);
  }

  /** Oldest first. */
  list(filter: JournalFilter = {}): JournalEntry[] {
    const out: JournalEntry[] = [];
    const start = (this.#next - this.#size + this.capacity) % Math.max(1, this.capacity);
    for (let i = 0; i < this.#size; i++) {
      const { timeMs, ...rest } = this.#entries[(start + i) % this.capacity] as JournalRecord;
      const entry: JournalEntry = { time: new Date(timeMs).toISOString(), ...rest };
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

  clear(): void {
    this.#entries = new Array<JournalRecord | undefined>(this.capacity);
    this.#next = 0;
    this.#size = 0;
  }
}
