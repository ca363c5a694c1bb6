/**
 * MongoDB ObjectIds carry their creation time in the first 4 bytes; Atlas job, snapshot and group ids
 * are ObjectIds, so generated dates can agree with the ids a client asked for.
 */
import { HEX, scratchCodes, type SeededStream } from './seeded-random.js';

/** The value of each hex digit by character code; undefined for every other character. */
const HEX_DIGIT_VALUES: readonly (number | undefined)[] = Array.from({ length: 128 }, (_, code) => {
  const value = Number.parseInt(String.fromCharCode(code), 16);
  return Number.isNaN(value) ? undefined : value;
});

/**
 * `Number.parseInt(id.slice(0, 8), 16)`: read digit by digit when the first eight characters are hex
 * digits, as every id the route lets through has (a slice and a parse cost more, on every fresh
 * reply); anything else goes to parseInt itself, signs, spaces, `0x` and all.
 */
export function objectIdSeconds(id: string): number {
  let seconds = 0;
  for (let i = 0; i < 8; i++) {
    const digit = HEX_DIGIT_VALUES[id.charCodeAt(i)];
    if (digit === undefined) return Number.parseInt(id.slice(0, 8), 16);
    seconds = seconds * 16 + digit;
  }
  return seconds;
}

/**
 * An ObjectId of a time: its 8 hex digits (the last 8, as padded hex) and 16 random ones, made in one
 * string. Joined from the time's padded hex and the random part, each id cost two strings and a join
 * more.
 */
export function objectIdAt(seconds: number, random: SeededStream): string {
  const s = Math.floor(seconds);
  if (!(s >= 0 && s <= 0xffffffff)) return s.toString(16).padStart(8, '0').slice(-8) + random.hex(16);
  const codes = scratchCodes(24);
  for (let i = 0; i < 8; i++) codes[i] = HEX[(s >>> (28 - 4 * i)) & 15] as number;
  return random.hexAfter(codes, 8);
}

const DAY = 86_400;
/** 0000-01-01T00:00:00Z and 10000-01-01T00:00:00Z in Unix seconds: the years written with four digits. */
const FOUR_DIGIT_YEARS = [-62_167_219_200, 253_402_300_800] as const;

// Character codes of the date-time's digits and separators.
const ZERO = 48;
const DASH = 45;
const COLON = 58;
const T = 84;
const Z = 90;
/** The character codes of the tens and the ones digit of a number's last two digits. */
const tens = (n: number) => ZERO + Math.floor((n % 100) / 10);
const ones = (n: number) => ZERO + (n % 10);

/** The character codes of a day's date, `2026-08-10` (see isoSeconds). */
type DateCodes = readonly [number, number, number, number, number, number, number, number];

/** Hinnant's days-to-civil: the date of a day counted from 1970-01-01, in years 0-9999. */
function dateCodesOf(days: number): DateCodes {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const shiftedMonth = Math.floor((5 * dayOfYear + 2) / 153); // March = 0
  const day = dayOfYear - Math.floor((153 * shiftedMonth + 2) / 5) + 1;
  const month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  const century = Math.floor(year / 100);
  return [tens(century), ones(century), tens(year), ones(year), tens(month), ones(month), tens(day), ones(day)];
}

// The dates of the last days seen, by day modulo 4: a generated job's dates fall within three days of
// each other, so they never push each other out, and one client's ids on a few days (the date
// arithmetic was half of a date's cost).
const recentDays = [Number.NaN, Number.NaN, Number.NaN, Number.NaN];
const recentDates: DateCodes[] = [0, 1, 2, 3].map(dateCodesOf);

/**
 * Second-precision UTC date-time, as Atlas writes them: `2026-08-10T03:40:10Z`. Computed with integer
 * arithmetic (Hinnant's days-to-civil), not `Date#toISOString` plus a regex: a generated job formats
 * four or five dates, and that showed in profiles. Its 20 characters are made in one
 * String.fromCharCode rather than joined from padded parts. Tests compare it with `toISOString`.
 */
export function isoSeconds(seconds: number): string {
  const s = Math.floor(seconds);
  if (!(s >= FOUR_DIGIT_YEARS[0] && s < FOUR_DIGIT_YEARS[1])) return new Date(s * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const days = Math.floor(s / DAY);
  const slot = days & 3;
  if (recentDays[slot] !== days) {
    recentDates[slot] = dateCodesOf(days);
    recentDays[slot] = days;
  }
  const date = recentDates[slot] as DateCodes;
  const secondOfDay = s - days * DAY;
  const hour = Math.floor(secondOfDay / 3600);
  const minute = Math.floor((secondOfDay % 3600) / 60);
  const second = secondOfDay % 60;
  return String.fromCharCode(
    date[0],
    date[1],
    date[2],
    date[3],
    DASH,
    date[4],
    date[5],
    DASH,
    date[6],
    date[7],
    T,
    tens(hour),
    ones(hour),
    COLON,
    tens(minute),
    ones(minute),
    COLON,
    tens(second),
    ones(second),
    Z,
  );
}

export function parseIsoSeconds(value: string): number {
  return Math.floor(Date.parse(value) / 1000);
}
