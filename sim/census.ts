import type { DraftClaim } from './draft.js';
import { CST_MS } from './plan-draw.js';

/**
 * Ghost stays (虚构住院) as the service sees them, in arrival order: an institution's midnight
 * census after a stay's admission day (its stays received before, there at that midnight, and
 * this one) above its beds plus half again (at least 3), BED-CENSUS's defaults. The stays past
 * that limit, in the order they arrive, are labelled, whichever of them the injection made up
 * ('ghost-stays', sim/plan-injections.ts): the rule cannot tell a made-up stay from a real one of
 * the same night, only that the night holds more than the beds, as a doctor's visits past the
 * capacity are labelled in the order settled. A stay discharged on its admission day is not
 * there at midnight. The clean world's full wards (an epidemic near capacity) stay below it.
 */
const DAY = 86_400_000;
const MARGIN_PCT = 50;
const MIN_EXCESS = 3;

export const censusLimit = (beds: number) => beds + Math.max(Math.ceil((beds * MARGIN_PCT) / 100), MIN_EXCESS);

/** the instant of the midnight after the CST day of an instant */
export const midnightAfter = (ms: number) => Math.floor((ms + CST_MS) / DAY) * DAY - CST_MS + DAY;

export class CensusTracker {
  private readonly stays = new Map<string, { start: number; end: number }[]>();

  label(d: DraftClaim) {
    if (d.plan.kind !== 'inpatient' || d.inst.beds <= 0) return;
    const { start, end } = d.plan;
    const list = this.stays.get(d.inst.id) ?? [];
    this.stays.set(d.inst.id, list);
    const midnight = midnightAfter(start);
    let census = 1;
    for (const s of list) if (s.start < midnight && s.end >= midnight) census++;
    list.push({ start, end });
    if (end < midnight || census <= censusLimit(d.inst.beds)) return;
    d.label({ family: 'bed-census', variant: 'ghost-stays', lines: d.lines.map((l) => l.lineId) });
  }
}
