import { daysInMonth, parseInstant } from '../src/lib/time.js';

export interface SimOptions {
  seed: number | string;
  /** first simulated month, yyyy-MM (China Standard Time) */
  month: string;
  months: number;
  /** 1 is a county: about 35 institutions and 50,000 claims a month; claims grow linearly with it */
  scale: number;
  /** inject nothing: no violations, no fraudulent institutions, no lapse of designation */
  clean: boolean;
  /** share of claims that get an injected violation (fraudulent institutions get more) */
  violationShare: number;
  /** share of claims settled late, after later claims */
  lateShare: number;
  /** the latest a late claim arrives, in days after its service ended */
  lateMaxDays: number;
  /**
   * How fraudulent institutions are chosen (the provider benchmark's worlds):
   * 'classic' about one in five inpatient institutions below tertiary, every claim affected;
   * 'spread' any institution but pharmacies, one in five of each size band (size-matched to the
   * honest ones); 'large' among the larger half by volume, more often the larger. In 'spread' and
   * 'large' each institution's volume varies within its kind and each behaviour has a partial
   * intensity, so not every claim of a fraudulent institution is affected.
   */
  fraudWorld: 'classic' | 'spread' | 'large';
  /** multiplier of every institution's daily volume (1: a county's); institutions keep their number */
  volume: number;
}

export const DEFAULT_OPTIONS: Omit<SimOptions, 'seed' | 'month'> = {
  months: 1,
  scale: 1,
  clean: false,
  violationShare: 0.04,
  lateShare: 0.03,
  lateMaxDays: 20,
  fraudWorld: 'classic',
  volume: 1,
};

export interface Period {
  /** first instant of the first month */
  start: number;
  /** first instant after the last month */
  end: number;
  /** yyyy-MM of each month */
  months: string[];
}

export const DAY_MS = 86_400_000;

export function resolveOptions(input: Partial<SimOptions> & Pick<SimOptions, 'seed' | 'month'>): SimOptions {
  const o = { ...DEFAULT_OPTIONS, ...input };
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(o.month)) throw new RangeError(`month must be yyyy-MM, got ${o.month}`);
  if (!Number.isInteger(o.months) || o.months < 1 || o.months > 120) throw new RangeError('months must be an integer from 1 to 120');
  if (!(o.scale > 0 && o.scale <= 1000)) throw new RangeError('scale must be above 0 and at most 1000');
  if (!(o.violationShare >= 0 && o.violationShare <= 1)) throw new RangeError('violationShare must be from 0 to 1');
  if (!(o.lateShare >= 0 && o.lateShare <= 1)) throw new RangeError('lateShare must be from 0 to 1');
  if (!['classic', 'spread', 'large'].includes(o.fraudWorld)) throw new RangeError('fraudWorld must be classic, spread or large');
  if (!(o.volume > 0 && o.volume <= 100)) throw new RangeError('volume must be above 0 and at most 100');
  if (!Number.isInteger(o.lateMaxDays) || o.lateMaxDays < 0) throw new RangeError('lateMaxDays must be a non-negative integer');
  return o;
}

export function periodOf(options: SimOptions): Period {
  const [y, m] = options.month.split('-').map(Number) as [number, number];
  const months: string[] = [];
  for (let i = 0; i < options.months; i++) {
    const total = y * 12 + (m - 1) + i;
    months.push(`${Math.floor(total / 12)}-${String((total % 12) + 1).padStart(2, '0')}`);
  }
  const last = months.at(-1) as string;
  const [ly, lm] = last.split('-').map(Number) as [number, number];
  const start = parseInstant(`${options.month}-01 00:00:00`) as number;
  const end = (parseInstant(`${last}-${String(daysInMonth(ly, lm)).padStart(2, '0')} 00:00:00`) as number) + DAY_MS;
  return { start, end, months };
}
