/**
 * Counts requests per caller in fixed one-minute windows, for the RateLimit-Limit/RateLimit-Remaining
 * headers Atlas sends on every API reply. Callers are kept in an LRU so memory stays bounded.
 */
import { LRUCache } from 'lru-cache';
import type { RateLimitState } from './render-reply.js';

const WINDOW_MS = 60_000;

export class RateCounter {
  private readonly windows: LRUCache<string, { start: number; count: number }>;

  constructor(
    readonly limit: number,
    maxCallers = 10_000,
    private readonly now: () => number = Date.now,
  ) {
    this.windows = new LRUCache({ max: maxCallers });
  }

  hit(caller: string): RateLimitState {
    const now = this.now();
    let window = this.windows.get(caller);
    if (!window || now - window.start >= WINDOW_MS) {
      window = { start: now, count: 0 };
      this.windows.set(caller, window);
    }
    window.count += 1;
    return {
      limit: this.limit,
      remaining: Math.max(0, this.limit - window.count),
      exceeded: window.count > this.limit,
      resetSeconds: Math.ceil((window.start + WINDOW_MS - now) / 1000),
    };
  }

  reset(): void {
    this.windows.clear();
  }
}
