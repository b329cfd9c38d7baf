import type { DoctorRecord, InstitutionRecord, ReferenceKind } from '../src/reference/reference.schema.js';
import { OVERLOAD_CAPACITY, overloadDoctor } from './plan-injections.js';
import { catalogueRecords, indicationRecords, relationRecords } from './catalogue.js';
import { runDrafts } from './generate.js';
import { recognitionRecords, scopeRecords } from './inject-history.js';
import type { SimOptions } from './options.js';
import { zeroMarkupAt } from './draft.js';
import { RegisterPlan } from './register.js';
import { addUsage, labelUnrecorded, planStock, type StockPlan } from './stock.js';
import type { InstitutionTruth, SimInstitution, ViolationTruth } from './types.js';
import { toWire, type WireClaim } from './wire.js';
import { createWorld, type World } from './world.js';

export interface SimulatedClaim {
  claim: WireClaim;
  /** what was injected into this claim; empty for a clean one */
  truth: ViolationTruth[];
}

export interface ReferenceBatch {
  kind: ReferenceKind;
  records: object[];
}

/**
 * The synthetic world of one seed and set of options: reference data, claims in arrival order,
 * and the truth. Pure and lazy: claims are generated as they are pulled, and the same seed and
 * options give the same output. Stock records need one silent pass over the claims first (to
 * know what was sold); that pass also counts them.
 */
export class Simulation {
  readonly world: World;
  private stockPlan: StockPlan | undefined;
  private readonly register = new RegisterPlan();
  private count = 0;

  constructor(input: Partial<SimOptions> & Pick<SimOptions, 'seed' | 'month'>) {
    this.world = createWorld(input);
  }

  get options(): SimOptions {
    return this.world.options;
  }

  get institutions(): readonly SimInstitution[] {
    return this.world.institutions;
  }

  /** the kinds in load order (institutions and items before what refers to them) */
  reference(): ReferenceBatch[] {
    return [
      { kind: 'institutions', records: this.world.institutions.flatMap(institutionRecords) },
      { kind: 'catalogue-items', records: catalogueRecords() },
      { kind: 'item-relations', records: relationRecords() },
      { kind: 'stock-records', records: this.stock().records },
      { kind: 'person-register', records: this.register.records() },
      { kind: 'item-indications', records: indicationRecords() },
      { kind: 'exam-recognition', records: recognitionRecords() },
      { kind: 'service-scopes', records: scopeRecords(this.world.institutions) },
      { kind: 'doctors', records: this.world.institutions.flatMap(doctorRecords) },
    ];
  }

  institutionTruth(): InstitutionTruth[] {
    return this.world.institutions.map((i) => ({ type: 'institution', institutionId: i.id, fraudulent: i.fraudulent, behaviours: i.behaviours }));
  }

  /** how many claims `claims()` yields */
  claimCount(): number {
    this.stock();
    return this.count;
  }

  *claims(): Generator<SimulatedClaim> {
    for (const draft of runDrafts(this.world, this.stock().shortages)) {
      this.register.label(draft);
      labelUnrecorded(draft, this.stock().unrecorded);
      yield { claim: toWire(draft), truth: draft.truths };
    }
  }

  private stock(): StockPlan {
    if (!this.stockPlan) {
      const usage = new Map<string, number>();
      const unrecorded = new Set<string>();
      let count = 0;
      for (const draft of runDrafts(this.world)) {
        addUsage(usage, draft, unrecorded);
        this.register.add(draft);
        count++;
      }
      this.register.seal();
      this.count = count;
      this.stockPlan = planStock(this.world, usage, unrecorded);
    }
    return this.stockPlan;
  }
}

export const simulate = (input: Partial<SimOptions> & Pick<SimOptions, 'seed' | 'month'>) => new Simulation(input);

/**
 * The doctors of an institution with outpatients or beds, as the claims name them (sim/wire.ts:
 * D001 up to D005 and one more per 25 beds), each able to see 60 outpatients and admit 20 patients
 * a day; and a part-time doctor (D900) who sees 20, under whom the doctor-overload injection bills.
 */
function doctorRecords(i: SimInstitution): DoctorRecord[] {
  if (i.outpatientPerDay <= 0 && i.beds <= 0) return [];
  const validFrom = i.designatedFrom;
  const staff = Array.from({ length: 5 + Math.floor(i.beds / 25) }, (_, k) => ({
    doctorId: `${i.id}-D${String(k + 1).padStart(3, '0')}`,
    institutionId: i.id,
    outpatientPerDay: 60,
    admissionsPerDay: 20,
    validFrom,
  }));
  return [...staff, { doctorId: overloadDoctor(i.id), institutionId: i.id, outpatientPerDay: OVERLOAD_CAPACITY, validFrom }];
}

/**
 * One record per validity period. A lapsed designation is three: designated until the lapse,
 * designation ended during it, designated anew after it.
 */
function institutionRecords(i: SimInstitution): InstitutionRecord[] {
  const base = { institutionId: i.id, name: i.name, type: i.type, level: i.level, ownership: i.ownership, area: i.area, beds: i.beds, ...(zeroMarkupAt(i) ? { zeroMarkup: true } : {}) };
  if (!i.suspended) return [{ ...base, designatedFrom: i.designatedFrom, validFrom: i.designatedFrom }];
  const before = shiftDay(i.suspended.from, -1);
  const after = shiftDay(i.suspended.to, 1);
  return [
    { ...base, designatedFrom: i.designatedFrom, validFrom: i.designatedFrom, validTo: before },
    { ...base, designatedFrom: i.designatedFrom, designatedTo: before, validFrom: i.suspended.from, validTo: i.suspended.to },
    { ...base, designatedFrom: after, validFrom: after },
  ];
}

function shiftDay(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}
