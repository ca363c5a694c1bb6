/**
 * MongoDB ObjectIds carry their creation time in the first 4 bytes; Atlas job, snapshot and group ids
 * are ObjectIds, so generated dates can agree with the ids a client asked for.
 */
import { randomHex, type Random } from './seeded-random.js';

export function objectIdSeconds(id: string): number {
  return Number.parseInt(id.slice(0, 8), 16);
}

export function objectIdAt(seconds: number, random: Random): string {
  return Math.floor(seconds).toString(16).padStart(8, '0').slice(-8) + randomHex(random, 16);
}

/** Second-precision UTC date-time, as Atlas writes them: `2026-08-10T03:40:10Z`. */
export function isoSeconds(seconds: number): string {
  return new Date(Math.floor(seconds) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function parseIsoSeconds(value: string): number {
  return Math.floor(Date.parse(value) / 1000);
}
