import type { Logger } from 'pino';
import type { Database } from '../db/client.js';
import { createPeriodic } from '../lib/periodic.js';
import { cstMonth } from '../lib/time.js';
import { reportPeriod, shiftMonth } from '../report/period.js';
import { closeMonth, type RatesPpm, type SampleSchedule } from './sampling.js';

/** Who the trail names for a close nobody asked for. */
export const AUTO_CLOSER = 'system: month close';

/**
 * Closes each month's random re-check on its own once the month's cut-off has passed, so the
 * sample's due date is set and its cases start to ripen without anyone having to remember
 * `npm run sample:close`. Looks at the last `lookbackMonths` months; a month with any
 * `review_sample_months` row was closed already (by a person or by this) and is left as it is.
 * Two instances closing the same month at once is harmless: the close is idempotent.
 */
export function createSampleCloser(opts: {
  database: Database;
  logger: Logger;
  key: Buffer;
  rates: RatesPpm;
  schedule: SampleSchedule;
  intervalMs: number;
  lookbackMonths?: number;
  now: () => number;
}) {
  const { database, logger, intervalMs, now } = opts;
  const lookback = opts.lookbackMonths ?? 3;

  /** Closes every month in the window whose cut-off has passed and that nobody closed; returns them. */
  async function closeDue(): Promise<string[]> {
    const t = now();
    const current = cstMonth(t);
    const due: string[] = [];
    for (let k = lookback; k >= 1; k--) {
      const month = shiftMonth(current, -k);
      if (reportPeriod(month).cutoff <= t) due.push(month);
    }
    if (due.length === 0) return [];
    const closed = new Set((await database.query<{ m: string }>('select distinct service_month as m from review_sample_months where service_month = any($1::text[])', [due])).map((r) => r.m));
    const done: string[] = [];
    for (const month of due.filter((m) => !closed.has(m))) {
      const result = await closeMonth(database, opts.key, opts.rates, month, AUTO_CLOSER, opts.schedule);
      if (result.groups.length === 0) continue; // no claims that month: nothing to close yet
      logger.info({ month, added: result.added, dueAt: result.dueAt, groups: result.groups.length }, 're-check sample closed at the cut-off');
      done.push(month);
    }
    return done;
  }

  const periodic = createPeriodic({ run: closeDue, intervalMs, onError: (err) => logger.warn({ err }, 'closing the re-check sample failed; tried again at the next interval') });

  return {
    closeDue,
    /** checks every `intervalMs` (0: never; months are then closed by hand) */
    start: periodic.start,
    stop: periodic.stop,
  };
}
export type SampleCloser = ReturnType<typeof createSampleCloser>;
