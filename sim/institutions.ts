import { derive, hash32, type Random } from './random.js';
import type { SimOptions } from './options.js';
import { institutionName } from './names.js';
import type { SimInstitution } from './types.js';

/**
 * The county's designated institutions at scale 1. Counts scale with the scale (at least one of
 * each kind), and when rounding leaves fewer institutions than the scale asks for, each one's
 * volume is scaled instead, so claims grow linearly with the scale.
 */
const KINDS = [
  { type: 'hospital', level: 'tertiary', count: 2, publicShare: 1, beds: [450, 750], outpatient: 220, pharmacy: 0 },
  { type: 'hospital', level: 'secondary', count: 4, publicShare: 0.6, beds: [150, 350], outpatient: 90, pharmacy: 0 },
  { type: 'hospital', level: 'primary', count: 3, publicShare: 0.2, beds: [30, 80], outpatient: 20, pharmacy: 0 },
  { type: 'clinic', level: 'primary', count: 14, publicShare: 0.8, beds: [10, 40], outpatient: 15, pharmacy: 0 },
  { type: 'pharmacy', level: 'none', count: 18, publicShare: 0, beds: [0, 0], outpatient: 0, pharmacy: 35 },
] as const;

export const AREAS = ['320102', '320104', '320105', '320106', '320111', '320113', '320114', '320115'] as const;

const OCCUPANCY = 0.8;
const MEAN_STAY_DAYS = 8;
const FRAUD_BEHAVIOURS = ['long-stays', 'readmissions', 'costly-mix', 'prices-at-ceiling', 'extra-admissions'] as const;
/** what an institution without beds can do: bill visits that did not happen, a dearer mix, prices at the ceiling */
export const VISIT_BEHAVIOURS = ['phantom-visits', 'costly-mix', 'prices-at-ceiling'] as const;
export type FraudBehaviour = (typeof FRAUD_BEHAVIOURS)[number] | (typeof VISIT_BEHAVIOURS)[number] | 'bed-hanging' | 'unbundling' | 'stock-substitution';

export function buildInstitutions(options: SimOptions, firstMonth: string): SimInstitution[] {
  const rng = derive(options.seed, 'institutions');
  // Numbered from a block of the seed's own, so worlds of two seeds loaded into one database do
  // not overwrite each other's institutions (and claim ids, unique per institution, cannot clash).
  const block = (hash32(`${options.seed}`) % 900) * 100;
  const out: SimInstitution[] = [];
  for (const kind of KINDS) {
    const wanted = kind.count * options.scale;
    const count = Math.max(1, Math.round(wanted));
    const factor = wanted / count;
    for (let i = 0; i < count; i++) {
      const area = AREAS[(out.length * 3 + i) % AREAS.length] as string;
      const ownership = kind.publicShare === 1 || (kind.publicShare > 0 && rng.chance(kind.publicShare)) ? 'public' : 'private';
      // Township centres have beds; community centres and village clinics mostly do not.
      const hasBeds = kind.type === 'hospital' || (kind.type === 'clinic' && i % 5 < 3);
      // In the benchmark's worlds size varies within a kind too (lognormal, a factor of about 2 either way).
      const size = options.fraudWorld === 'classic' ? 1 : rng.lognormal(1, 0.6);
      const beds = hasBeds ? Math.max(4, Math.round(rng.int(kind.beds[0], kind.beds[1]) * factor * size)) : 0;
      const prefix = kind.type === 'pharmacy' ? 'P' : 'H';
      out.push({
        id: `${prefix}${area}${String(block + out.length + 1).padStart(5, '0')}`,
        name: institutionName(kind.type, kind.level, ownership, area, i),
        type: kind.type,
        level: kind.level,
        ownership,
        area,
        beds,
        designatedFrom: `${rng.int(2005, 2018)}-${String(rng.int(1, 12)).padStart(2, '0')}-01`,
        fraudulent: false,
        behaviours: [],
        admissionsPerDay: ((beds * OCCUPANCY) / MEAN_STAY_DAYS) * options.volume,
        outpatientPerDay: kind.outpatient * factor * size * options.volume,
        pharmacyPerDay: kind.pharmacy * factor * size * options.volume,
        pricePct: ownership === 'public' ? rng.int(88, 97) : rng.int(92, 99),
        stayFactor: 1,
      });
    }
  }
  if (!options.clean) {
    if (options.fraudWorld === 'classic') markFraudulent(out, rng);
    else markFraudulentWorld(out, rng, options.fraudWorld);
    markSuspended(out, rng, firstMonth);
  }
  return out;
}

/** About one in five inpatient institutions below tertiary shifts its behaviour; at least one does. */
function markFraudulent(all: SimInstitution[], rng: Random) {
  const candidates = all.filter((i) => i.beds > 0 && i.level !== 'tertiary');
  const chosen = candidates.filter(() => rng.chance(0.2));
  if (chosen.length === 0 && candidates.length > 0) chosen.push(rng.pick(candidates));
  for (const inst of chosen) {
    const behaviours = FRAUD_BEHAVIOURS.filter(() => rng.chance(0.7));
    if (behaviours.length < 2) behaviours.splice(0, behaviours.length, 'long-stays', 'readmissions');
    inst.fraudulent = true;
    inst.behaviours = behaviours;
    if (behaviours.includes('long-stays')) inst.stayFactor = 1.5;
    if (behaviours.includes('prices-at-ceiling')) inst.pricePct = 100;
    if (behaviours.includes('extra-admissions')) inst.admissionsPerDay *= Math.min(1.4, MAX_FULLNESS / inst.stayFactor);
  }
}

/**
 * Longer stays and extra admissions together fill a ward at most this much more than an honest
 * one (80 % of the beds): a full ward with corridor beds, not one half as large again as its beds,
 * which is BED-CENSUS's and the ghost-stays injection's (sim/census.ts).
 */
const MAX_FULLNESS = 1.5;

/** expected claims a day: what "size" means when fraud is matched to it or concentrated by it */
const dailyClaims = (i: SimInstitution) => i.admissionsPerDay + i.outpatientPerDay + i.pharmacyPerDay;

/**
 * The benchmark's worlds. Every institution may be a candidate, pharmacies too (stock
 * substitution is a pharmacy's fraud). 'spread': candidates sorted by size, and one in each band
 * of five consecutive sizes made fraudulent, so fraudulent and honest institutions have the same
 * sizes. 'large': the larger half by size, each fraudulent with a probability rising from 0.2 (at
 * the median) to 0.6 (the largest).
 *
 * The institution fraud styles of the brief, each drawn with probability 0.5 (at least one) among
 * those the institution can commit, each at an intensity from 0.3 to 1, so not every claim is affected:
 * - phantom patients: `phantom-visits` (up to 40% more visits and dispensings billed) and, with
 *   beds, `extra-admissions` (up to 40% more admissions, toward easily filled diagnoses);
 * - upcoding: `costly-mix` (a dearer mix on a share of claims) and `prices-at-ceiling`;
 * - bed-hanging: `long-stays` (stays up to half longer) and `bed-hanging` (the rules' empty-day
 *   and visit-during-stay violations up to 5 times as often among its violations);
 * - split stays: `readmissions` (discharge and readmission within 15 days);
 * - unbundling: `unbundling` (parts billed separately from their package, up to 5 times as often);
 * - pharmacy stock substitution: `stock-substitution` (goods billed under drug codes, dearer
 *   look-alikes, up to 5 times as often).
 * A fraudulent institution's share of claims with a violation is 1 + 2 × the mean intensity of its
 * styles times the county's share (1.6× to 3×, against 3× for every fraudulent institution of the classic world).
 */
const BED_STYLES = ['long-stays', 'readmissions', 'costly-mix', 'prices-at-ceiling', 'extra-admissions', 'bed-hanging', 'unbundling'] as const;
const VISIT_STYLES = ['phantom-visits', 'costly-mix', 'prices-at-ceiling', 'unbundling'] as const;
const PHARMACY_STYLES = ['stock-substitution', 'phantom-visits', 'prices-at-ceiling'] as const;
const STYLE_FAMILY: Partial<Record<string, string>> = { 'bed-hanging': 'bed-hanging', unbundling: 'split-charging', 'stock-substitution': 'substitution' };

function markFraudulentWorld(all: SimInstitution[], rng: Random, world: 'spread' | 'large') {
  const candidates = [...all].sort((a, b) => dailyClaims(a) - dailyClaims(b) || (a.id < b.id ? -1 : 1));
  const chosen: SimInstitution[] = [];
  if (world === 'spread') {
    for (let i = 0; i < candidates.length; i += 5) chosen.push(rng.pick(candidates.slice(i, i + 5)));
  } else {
    const half = Math.floor(candidates.length / 2);
    const larger = candidates.slice(half);
    larger.forEach((inst, k) => {
      if (rng.chance(0.2 + (0.4 * k) / Math.max(1, larger.length - 1))) chosen.push(inst);
    });
    if (chosen.length === 0 && larger.length > 0) chosen.push(larger.at(-1)!);
  }
  for (const inst of chosen) {
    const pool: readonly string[] = inst.type === 'pharmacy' ? PHARMACY_STYLES : inst.beds > 0 ? BED_STYLES : VISIT_STYLES;
    const behaviours = pool.filter(() => rng.chance(0.5));
    if (behaviours.length === 0) behaviours.push(rng.pick(pool));
    inst.fraudulent = true;
    inst.behaviours = behaviours;
    const intensities: number[] = [];
    const intensity = () => {
      const x = 0.3 + 0.7 * rng.next();
      intensities.push(x);
      return x;
    };
    const familyWeights: Record<string, number> = {};
    let admissions = 1;
    for (const b of behaviours) {
      if (b === 'long-stays') inst.stayFactor = 1 + 0.5 * intensity();
      else if (b === 'prices-at-ceiling') inst.pricePct = Math.min(100, Math.round(inst.pricePct + (100 - inst.pricePct) * intensity()));
      else if (b === 'extra-admissions') admissions = 1 + 0.4 * intensity();
      else if (b === 'phantom-visits') {
        const f = 1 + 0.4 * intensity();
        inst.outpatientPerDay *= f;
        inst.pharmacyPerDay *= f;
      } else if (STYLE_FAMILY[b]) familyWeights[STYLE_FAMILY[b]!] = 1 + 4 * intensity();
      else intensity(); // costly-mix, readmissions: their rates are fixed where they act; the intensity counts in the violation share
    }
    inst.admissionsPerDay *= Math.min(admissions, MAX_FULLNESS / inst.stayFactor);
    inst.familyWeights = familyWeights;
    inst.violationFactor = 1 + (2 * intensities.reduce((s, x) => s + x, 0)) / intensities.length;
  }
}

/** One institution, preferably private, loses its designation for days 11–20 of the first month. */
function markSuspended(all: SimInstitution[], rng: Random, firstMonth: string) {
  const eligible = all.filter((i) => i.type !== 'pharmacy' && i.level !== 'tertiary');
  const privateOnes = eligible.filter((i) => i.ownership === 'private');
  const inst = rng.pick(privateOnes.length > 0 ? privateOnes : eligible);
  inst.suspended = { from: `${firstMonth}-11`, to: `${firstMonth}-20` };
}

export const isBehaving = (inst: SimInstitution, b: FraudBehaviour) => inst.behaviours.includes(b);
