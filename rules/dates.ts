/**
 * China Standard Time calendar dates of instants, as `new Date(ms + 8 h).toISOString()` gives them,
 * worked out with integer arithmetic rather than a Date and a string of 24 characters: rules ask
 * for a claim's dates on every claim. The texts of recent days are kept (a claim, its history read
 * and its insert ask for the dates of a few days dozens of times), so most calls make no string.
 */
const CST = 8 * 3_600_000;
const DAY = 86_400_000;

// A direct-mapped cache of day texts: slot `day & (DAY_SLOTS - 1)` holds one day and its text
// (NaN: empty). 1,024 slots cover ~2.8 years of consecutive days without a collision.
const DAY_SLOTS = 1024;
const slotDays = new Float64Array(DAY_SLOTS).fill(Number.NaN);
const slotDates: string[] = new Array<string>(DAY_SLOTS).fill('');

const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));

/** yyyy-MM-dd of a day since the epoch (UTC), for years 1000–9999; toISOString's text otherwise */
function dateOfDay(day: number): string {
  const slot = day & (DAY_SLOTS - 1);
  if (slotDays[slot] === day) return slotDates[slot] as string;
  // days to civil date (H. Hinnant, "chrono-compatible low-level date algorithms")
  const z = day + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  const date = y >= 1000 && y <= 9999 ? `${y}-${pad2(m)}-${pad2(d)}` : new Date(day * DAY).toISOString().slice(0, 10);
  slotDays[slot] = day;
  slotDates[slot] = date;
  return date;
}

/** The CST calendar date (yyyy-MM-dd) of an instant (epoch milliseconds). */
export function cstDate(ms: number): string {
  if (!Number.isFinite(ms)) return new Date(ms + CST).toISOString().slice(0, 10); // throws as before
  return dateOfDay(Math.floor((ms + CST) / DAY));
}

/** The CST month (yyyy-MM) of an instant. */
export const cstMonth = (ms: number): string => cstDate(ms).slice(0, 7);
