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
export type FraudBehaviour = (typeof FRAUD_BEHAVIOURS)[number];

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
      const beds = hasBeds ? Math.max(4, Math.round(rng.int(kind.beds[0], kind.beds[1]) * factor)) : 0;
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
        admissionsPerDay: (beds * OCCUPANCY) / MEAN_STAY_DAYS,
        outpatientPerDay: kind.outpatient * factor,
        pharmacyPerDay: kind.pharmacy * factor,
        pricePct: ownership === 'public' ? rng.int(88, 97) : rng.int(92, 99),
        stayFactor: 1,
      });
    }
  }
  if (!options.clean) {
    markFraudulent(out, rng);
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
    if (behaviours.includes('extra-admissions')) inst.admissionsPerDay *= 1.4;
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
