import { derive, type Random } from './random.js';
import { AREAS } from './institutions.js';
import { DAY_MS } from './options.js';
import type { Person, VisitKind } from './types.js';

/**
 * The insured population, computed from an index on demand (nothing is held per person). Indices
 * are laid out by age group so a visit can draw from the ages its diagnosis fits. Ids are
 * 20-digit insured-person numbers (人员编号): province, area, then a number that is a bijection of
 * the index under the seed, so no two persons share an id and seeds do not collide.
 */
const GROUPS = [
  { ages: [0, 13], share: 0.13 },
  { ages: [14, 17], share: 0.05 },
  { ages: [18, 39], share: 0.3 },
  { ages: [40, 59], share: 0.28 },
  { ages: [60, 92], share: 0.24 },
] as const;

/** Who uses care: the elderly are admitted far more often than their share of the population. */
const USE: Record<VisitKind, readonly number[]> = {
  outpatient: [0.15, 0.03, 0.2, 0.27, 0.35],
  inpatient: [0.07, 0.02, 0.16, 0.25, 0.5],
  pharmacy: [0.05, 0.02, 0.25, 0.3, 0.38],
};

export class Population {
  readonly size: number;
  private readonly bounds: number[];
  private readonly salt: bigint;

  constructor(
    private readonly seed: number | string,
    scale: number,
    private readonly referenceMs: number,
  ) {
    this.size = Math.max(3000, Math.round(120_000 * scale));
    let acc = 0;
    this.bounds = GROUPS.map((g) => (acc += Math.round(g.share * this.size)));
    this.bounds[this.bounds.length - 1] = this.size;
    this.salt = BigInt(derive(seed, 'population').int(0, 2 ** 30));
  }

  person(index: number): Person {
    const rng = derive(this.seed, 'person', index);
    const group = GROUPS[this.bounds.findIndex((b) => index < b)] ?? GROUPS[4];
    const days = Math.floor((group.ages[0] + rng.next() * (group.ages[1] - group.ages[0] + 1)) * 365.25);
    const birthDate = new Date(this.referenceMs - days * DAY_MS).toISOString().slice(0, 10);
    const number = (BigInt(index) * 7919n + this.salt * 104729n) % 10n ** 14n;
    const area = AREAS[index % AREAS.length] as string;
    return {
      index,
      id: `${area}${number.toString().padStart(14, '0')}`,
      sex: rng.chance(0.5) ? 'male' : 'female',
      birthDate,
      employee: rng.chance(0.45),
      assisted: rng.chance(0.03),
    };
  }

  /** A person of the given ages and sex, drawn by how much each age group uses this kind of care. */
  draw(rng: Random, kind: VisitKind, ages: readonly [number, number], sex: Person['sex'] | undefined, atMs: number): Person | undefined {
    const weights = USE[kind];
    const groups = GROUPS.map((g, i) => ({ i, g })).filter(({ g }) => g.ages[1] >= ages[0] && g.ages[0] <= ages[1]);
    if (groups.length === 0) return undefined;
    for (let attempt = 0; attempt < 20; attempt++) {
      const { i } = rng.weighted(groups, ({ i: k }) => weights[k] ?? 0);
      const lo = i === 0 ? 0 : (this.bounds[i - 1] as number);
      const hi = this.bounds[i] as number;
      if (hi <= lo) continue;
      const p = this.person(rng.int(lo, hi - 1));
      const age = ageYears(p.birthDate, atMs);
      if (age >= ages[0] && age <= ages[1] && (sex === undefined || p.sex === sex)) return p;
    }
    return undefined;
  }
}

/** Whole years of age on the (CST) date of an instant. */
export function ageYears(birthDate: string, atMs: number): number {
  const on = new Date(atMs + 8 * 3_600_000).toISOString().slice(0, 10);
  const years = Number(on.slice(0, 4)) - Number(birthDate.slice(0, 4));
  return on.slice(5) < birthDate.slice(5) ? years - 1 : years;
}
