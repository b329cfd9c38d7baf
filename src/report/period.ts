import { parseInstant } from '../lib/time.js';

/** A report month and the instants that bound it, in China Standard Time. */
export interface ReportPeriod {
  month: string;
  /** first instant of the month (CST) */
  start: number;
  /** first instant of the next month (CST) */
  end: number;
  /** the figures count what was received up to this instant; later arrivals are labelled late */
  cutoff: number;
  /** the 13 months ending with the report month, oldest first (12 for the trend, 13 for year on year) */
  months: string[];
}

export const MONTH_PATTERN = /^\d{4}-(0[1-9]|1[0-2])$/;

/**
 * A month as an SQL literal, for a statement's bounds on service_month (checked to be a month and
 * nothing else). A range of months given as parameters is planned generically (plan_cache_mode,
 * src/db/client.ts) as if it held 0.5 % of each month's partition, so the partitions were read
 * through an index, the whole of it; with the months in the text each is read by one sequential scan.
 */
export function monthLiteral(month: string): string {
  if (!MONTH_PATTERN.test(month)) throw new RangeError(`month must be yyyy-MM, got ${month}`);
  return `'${month}'`;
}

/** The default cut-off: the 15th day after the month ends, 24:00 China Standard Time. */
export const DEFAULT_CUTOFF_DAYS = 15;

export function shiftMonth(month: string, by: number): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const total = y * 12 + (m - 1) + by;
  return `${Math.floor(total / 12)}-${String((total % 12) + 1).padStart(2, '0')}`;
}

export function monthStart(month: string): number {
  return parseInstant(`${month}-01 00:00:00`) as number;
}

export function reportPeriod(month: string, cutoff?: number): ReportPeriod {
  if (!MONTH_PATTERN.test(month)) throw new RangeError(`month must be yyyy-MM, got ${month}`);
  const start = monthStart(month);
  const end = monthStart(shiftMonth(month, 1));
  const months = Array.from({ length: 13 }, (_, i) => shiftMonth(month, i - 12));
  return { month, start, end, cutoff: cutoff ?? end + DEFAULT_CUTOFF_DAYS * 86_400_000, months };
}
