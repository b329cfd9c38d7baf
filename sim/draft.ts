import { ceilingFen, ITEMS } from './catalogue.js';
import { hospitalItemCode, hospitalItemName } from './names.js';
import { ageYears } from './population.js';
import { DAY_MS } from './options.js';
import { derive, hash32, type Random } from './random.js';
import type { ClaimDraft, VisitPlan } from './plan.js';
import type { DraftLine, SimInstitution, SimItem, ViolationTruth } from './types.js';

const SCALE = 10_000;
const CST_MS = 8 * 3_600_000;
const ITEM_INDEX = new Map(ITEMS.map((item, i) => [item.code, i]));

/** The unit price (×10^4) an institution charges: its share of the ceiling for its level. */
export function priceOf(inst: SimInstitution, item: SimItem): number {
  const ceiling = ceilingFen(item, inst.level) * 100;
  if (item.category === 'drug' || item.category === 'consumable') {
    // Goods are sold at the price they were bought at, which varies by supplier: up to 3% under.
    const basisPoints = Math.min(10_000, inst.pricePct * 100 + 300 - (hash32(`${inst.id}|${item.code}`) % 300));
    return Math.floor((ceiling * basisPoints) / 10_000);
  }
  return Math.round((ceiling * inst.pricePct) / 10_000) * 100;
}

/**
 * A claim being built: its plan, its lines and what was injected into it. Content randomness
 * comes from the plan's content key, so a resubmitted copy rebuilds the very same lines.
 */
/** Zero markup (药品零差率) applies at public hospitals and clinics; pharmacies and private institutions mark drugs up. */
export const zeroMarkupAt = (inst: SimInstitution) => inst.ownership === 'public' && inst.type !== 'pharmacy';

/** What the institution paid for a good: its own price under zero markup, else 15 % under it. */
export function purchasePriceOf(inst: SimInstitution, item: SimItem): number {
  const price = priceOf(inst, item);
  return zeroMarkupAt(inst) ? price : Math.floor((price * 85) / 100);
}

export class DraftClaim implements ClaimDraft {
  readonly lines: DraftLine[] = [];
  readonly truths: ViolationTruth[] = [];
  /** diagnoses written after the profile's own (an injected contradiction) */
  readonly extraDiagnoses: { code: string; name: string }[] = [];
  /**
   * the injury declaration sent: undefined for the profile's own (an injury declares a fall or a
   * sport with nobody else liable), null for none at all
   */
  injury: { cause: 'fall' | 'sport' | 'household' | 'traffic' | 'work' | 'assault'; thirdParty: 'none' | 'liable' | 'unknown' } | null | undefined;
  /** an injected change of the person's register entry: died, or enrolment ended, some days before this visit (sim/register.ts) */
  personEvent: 'death' | 'lapse' | undefined;
  readonly rng: Random;
  readonly age: number;
  private next = 1;

  constructor(
    readonly plan: VisitPlan,
    seed: number | string,
  ) {
    this.rng = derive(seed, 'content', plan.contentKey);
    this.age = ageYears(plan.person.birthDate, plan.start);
  }

  get inst() {
    return this.plan.inst;
  }

  get isChild() {
    return this.age <= 12;
  }

  /** the CST midnight of the day `k` days after the visit or admission day */
  dayStart(k: number): number {
    const local = this.plan.start + CST_MS;
    return local - (local % DAY_MS) - CST_MS + k * DAY_MS;
  }

  /**
   * An instant on day k at the given CST hour and minute. A time before the admission becomes a
   * moment just after it, still ordered and distinct by the hour and minute asked for (two
   * orders of the same item must not collapse onto one instant).
   */
  at(k: number, hour: number, minute = 0): number {
    const wanted = this.dayStart(k) + hour * 3_600_000 + minute * 60_000;
    return wanted >= this.plan.start ? wanted : this.plan.start + (hour * 60 + minute) * 1000;
  }

  add(item: SimItem, at: number, quantity = 1, extra: { daysOfSupply?: number; unitPrice?: number } = {}): DraftLine {
    const index = ITEM_INDEX.get(item.code) ?? 0;
    const variant = hash32(`${this.inst.id}|${item.code}|name`);
    const line: DraftLine = {
      lineId: String(this.next++),
      item,
      hospitalItemCode: hospitalItemCode(item, index + (variant % 50) * 100),
      hospitalItemName: hospitalItemName(item, variant),
      at,
      quantity: Math.round(quantity * SCALE),
      unitPrice: extra.unitPrice ?? priceOf(this.inst, item),
      ...(extra.daysOfSupply !== undefined ? { daysOfSupply: extra.daysOfSupply } : {}),
    };
    this.lines.push(line);
    return line;
  }

  /** a take-home drug for a number of days: as many boxes as the days need */
  drug(item: SimItem, at: number, days: number): DraftLine {
    const boxes = Math.max(1, Math.ceil(days / (item.unitDays ?? days)));
    return this.add(item, at, boxes, { daysOfSupply: days });
  }

  /** a copy of a line under a new line id */
  copy(line: DraftLine, changes: Partial<DraftLine> = {}): DraftLine {
    const copy = { ...line, ...changes, lineId: String(this.next++) };
    this.lines.push(copy);
    return copy;
  }

  remove(lines: readonly DraftLine[]) {
    for (const l of lines) this.lines.splice(this.lines.indexOf(l), 1);
  }

  label(truth: Omit<ViolationTruth, 'type' | 'claim' | 'involvedLines' | 'otherClaims'> & Partial<Pick<ViolationTruth, 'involvedLines' | 'otherClaims'>>) {
    this.truths.push({
      type: 'violation',
      claim: { institutionId: this.inst.id, claimId: this.plan.claimId },
      family: truth.family,
      variant: truth.variant,
      lines: truth.lines,
      involvedLines: truth.involvedLines ?? [],
      otherClaims: truth.otherClaims ?? [],
    });
  }
}

/** The CST calendar date (yyyy-MM-dd) of an instant. */
export const cstDay = (ms: number) => new Date(ms + CST_MS).toISOString().slice(0, 10);
