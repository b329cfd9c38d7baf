/**
 * Time zones are explicit. Instants are stored as timestamptz; service dates are calendar dates in
 * China Standard Time (UTC+8, no daylight saving). Callers send ISO 8601 with an offset, or the
 * national platform's "yyyy-MM-dd HH:mm:ss", which is local time in China.
 */

import { cstDate, cstMonth } from '../../rules/dates.js';

const CST_OFFSET_MS = 8 * 60 * 60 * 1000;
const WITH_OFFSET = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?(Z|[+-]\d{2}:?\d{2})$/;
const LOCAL = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?)?$/;

/**
 * Instants parsed lately: a claim's lines mostly share a few service times, and each is parsed by
 * the schema's check and again when the claim is normalised. Cleared when full, so any input keeps
 * it small.
 */
const parsed = new Map<string, number | undefined>();
const PARSED_MAX = 512;

/** Parses an instant; text without an offset is China Standard Time. Returns epoch ms or undefined. */
export function parseInstant(text: string): number | undefined {
  const known = parsed.get(text);
  if (known !== undefined || parsed.has(text)) return known;
  if (parsed.size >= PARSED_MAX) parsed.clear();
  const value = parseInstantText(text);
  parsed.set(text, value);
  return value;
}

function parseInstantText(text: string): number | undefined {
  const m = WITH_OFFSET.exec(text) ?? LOCAL.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '0', zone] = m;
  const year = Number(y),
    month = Number(mo),
    day = Number(d);
  const hour = Number(h),
    minute = Number(mi),
    second = Number(s);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  const ms = Number(frac.padEnd(3, '0').slice(0, 3));
  const offset = offsetMs(zone);
  if (offset === undefined) return undefined;
  return utc(year, month - 1, day, hour, minute, second, ms) - offset;
}

/** The offset of a zone designator in ms; undefined beyond the real range (±14:00, minutes < 60). */
function offsetMs(zone: string | undefined): number | undefined {
  if (zone === undefined) return CST_OFFSET_MS;
  if (zone === 'Z') return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2)),
    minutes = Number(digits.slice(2, 4));
  if (minutes > 59 || hours * 60 + minutes > 14 * 60) return undefined;
  return sign * (hours * 60 + minutes) * 60_000;
}

/** Date.UTC, except that years 0–99 are those years, not 1900–1999. */
function utc(year: number, monthIndex: number, day: number, hour = 0, minute = 0, second = 0, ms = 0): number {
  if (year >= 100) return Date.UTC(year, monthIndex, day, hour, minute, second, ms);
  const d = new Date(Date.UTC(2000, monthIndex, day, hour, minute, second, ms));
  d.setUTCFullYear(year, monthIndex, day);
  return d.getTime();
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Days in a month (1–12) of the proleptic Gregorian calendar, as Date counts them. */
export function daysInMonth(year: number, month: number): number {
  if (!Number.isInteger(year) || !Number.isInteger(month) || month < 1 || month > 12) return new Date(utc(year, month, 0)).getUTCDate();
  if (month !== 2) return MONTH_DAYS[month - 1] as number;
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
}

/** Parses a calendar date yyyy-MM-dd; returns days since epoch or undefined. */
export function parseDate(text: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return undefined;
  const year = Number(m[1]),
    month = Number(m[2]),
    day = Number(m[3]);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  return utc(year, month - 1, day) / 86_400_000;
}

/**
 * The China Standard Time calendar date (yyyy-MM-dd) and month (yyyy-MM) of an instant: the rules'
 * integer arithmetic (tested against toISOString), not a Date and a string per call; normalising a
 * claim asks for a date per line.
 */
export { cstDate, cstMonth };

/**
 * An instant as ISO 8601 UTC text, exactly as `new Date(ms).toISOString()` writes it, by integer
 * arithmetic (the rules' calendar, rules/dates.ts) instead of a Date: writing a claim and reading
 * its history ask for ~25 of them. Instants outside the years 0–9999 or not whole ms go through
 * Date (toISOString's extended years, its RangeError).
 */
export function isoInstant(epochMs: number): string {
  if (!Number.isInteger(epochMs) || epochMs < YEAR_0 || epochMs >= YEAR_10000) return new Date(epochMs).toISOString();
  const day = Math.floor(epochMs / DAY_MS);
  let rest = epochMs - day * DAY_MS;
  const hour = Math.floor(rest / 3_600_000);
  rest -= hour * 3_600_000;
  const minute = Math.floor(rest / 60_000);
  rest -= minute * 60_000;
  const second = Math.floor(rest / 1000);
  const ms = rest - second * 1000;
  // cstDate of the instant 8 hours earlier is its UTC date
  return `${cstDate(epochMs - CST_OFFSET_MS)}T${two(hour)}:${two(minute)}:${two(second)}.${ms < 10 ? '00' : ms < 100 ? '0' : ''}${ms}Z`;
}
const DAY_MS = 86_400_000;
const YEAR_0 = -62_167_219_200_000;
const YEAR_10000 = 253_402_300_800_000;
const two = (n: number) => (n < 10 ? `0${n}` : String(n));
