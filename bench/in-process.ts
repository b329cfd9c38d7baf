import type { Claim, ClaimLine } from '../rules/claim.js';
import { decide } from '../rules/decide.js';
import { evaluateRules, type AnyRule, type History } from '../rules/engine.js';
import type { Finding } from '../rules/finding.js';
import type { PersonVersion, ReferenceView, Restrictions, StockRef } from '../rules/reference.js';
import { asWindowClaim, doctorOf, WINDOW, type InstitutionWindow, type WindowClaim } from '../rules/institution/window.js';
import { buildClaimSchema } from '../src/claims/claim.schema.js';
import { normalizeClaim } from '../src/claims/normalize.js';
import { tenThousandthsFrom } from '../src/lib/money.js';
import { cstDate, cstMonth } from '../src/lib/time.js';
import { NATIONAL_FILES } from '../src/national-lists/parse.js';
import { readNationalFile } from '../src/national-lists/load.js';
import { splitFindings } from '../src/screening/findings.js';
import { addDrugLimit, addExam, addItemLimit, addRelation, emptySnapshot, sealSnapshot, snapshotView, type Snapshot } from '../src/screening/reference-cache.js';
import type { ReferenceBatch } from '../sim/simulation.js';
import type { WireClaim } from '../sim/wire.js';
import type { FoundRow } from './detection-score.js';

/**
 * The screening of src/screening without the database, for benchmarks that must not measure
 * PostgreSQL: the same claim schema and normalisation, the same reference snapshot and view
 * (src/screening/reference-cache.ts), the same engine, decision and split into own and
 * retrospective findings. History comes from an in-memory store that answers what
 * src/screening/history.repository.ts's query answers: the person's stored claims around this
 * one (the same window, the same columns, at most 200), the institution's month quantity of the
 * claim's stocked items, and their stock records.
 */
const DAY = 86_400_000;
type Rec = Record<string, unknown>;
const opt = (v: unknown) => (v === undefined || v === null ? undefined : String(v));
const price = (v: unknown) => (v === undefined || v === null ? undefined : tenThousandthsFrom(String(v)));

export interface InProcessReference {
  snapshot: Snapshot;
  stock: Map<string, StockRef>;
  /** the person register by person (in process the raw id is the person's key, as claims' personHash here) */
  persons: Map<string, PersonVersion[]>;
  nationalEntries: number;
}

/** The simulation's reference records (the API's shape), and the national lists when a directory is given. */
export function buildReference(batches: readonly ReferenceBatch[], nationalDir?: string): InProcessReference {
  const s = emptySnapshot();
  const stock = new Map<string, StockRef>();
  const persons = new Map<string, PersonVersion[]>();
  for (const { kind, records } of batches) {
    for (const r of records as Rec[]) {
      const validity = { validFrom: String(r.validFrom), validTo: opt(r.validTo) };
      if (kind === 'institutions') {
        s.institutions.add(String(r.institutionId), {
          ...validity,
          record: {
            institutionId: String(r.institutionId),
            name: String(r.name),
            type: r.type as never,
            level: r.level as never,
            ownership: r.ownership as never,
            area: String(r.area),
            beds: Number(r.beds),
            designatedFrom: String(r.designatedFrom),
            designatedTo: opt(r.designatedTo),
            ...(r.zeroMarkup === true ? { zeroMarkup: true } : {}),
          },
        });
      } else if (kind === 'catalogue-items') {
        const ceiling = (r.priceCeiling ?? {}) as Rec;
        s.items.add(String(r.itemCode), {
          ...validity,
          record: {
            itemCode: String(r.itemCode),
            name: String(r.name),
            category: r.category as never,
            unit: String(r.unit),
            priceCeiling: { primary: price(ceiling.primary), secondary: price(ceiling.secondary), tertiary: price(ceiling.tertiary) },
            restrictions: (r.restrictions ?? {}) as Restrictions,
          },
        });
      } else if (kind === 'item-relations') {
        addRelation(s, { ...validity, record: { kind: r.kind as never, mainCode: String(r.mainCode), subCode: String(r.subCode), window: opt(r.window) as never, source: String(r.source) } });
      } else if (kind === 'item-indications') {
        s.indications.add(String(r.itemCode), {
          ...validity,
          record: { allowed: (r.allowed as string[]).map((x) => x.toUpperCase()), excluded: ((r.excluded as string[] | undefined) ?? []).map((x) => x.toUpperCase()) },
        });
      } else if (kind === 'exam-recognition') {
        addExam(s, String(r.itemCode), validity, opt(r.group), Number(r.windowDays));
      } else if (kind === 'service-scopes') {
        const list = (v: unknown) => ((v as never[] | undefined) ?? []) as never[];
        s.scopes.add(String(r.institutionId), {
          ...validity,
          record: { categories: list(r.categories), visitTypes: list(r.visitTypes), departments: list(r.departments).map((d: string) => d.toUpperCase()) as never[] },
        });
      } else if (kind === 'doctors') {
        const n = (v: unknown) => (v === undefined || v === null ? undefined : Number(v));
        s.doctors.add(String(r.doctorId), {
          ...validity,
          record: { doctorId: String(r.doctorId), institutionId: String(r.institutionId), outpatientPerDay: n(r.outpatientPerDay), admissionsPerDay: n(r.admissionsPerDay) },
        });
      } else if (kind === 'person-register') {
        const key = String(r.personId ?? r.personHash);
        const v: PersonVersion = { ...validity, enrolledFrom: String(r.enrolledFrom), enrolledTo: opt(r.enrolledTo), deathDate: opt(r.deathDate) };
        persons.set(key, [...(persons.get(key) ?? []), v]);
      } else if (kind === 'stock-records') {
        stock.set(`${r.institutionId}|${r.itemCode}|${r.month}`, {
          openingQuantity: price(r.openingQuantity) ?? 0,
          purchasedQuantity: price(r.purchasedQuantity) ?? 0,
          purchasePrice: price(r.purchasePrice),
        });
      }
    }
  }
  let nationalEntries = 0;
  if (nationalDir) {
    for (const file of NATIONAL_FILES) {
      const parsed = readNationalFile(nationalDir, file);
      for (const r of parsed.relations ?? []) {
        addRelation(s, { validFrom: '2000-01-01', record: { kind: 'includes', mainCode: r.mainCode, subCode: r.subCode, window: r.window, source: `nhsa-${file}` } });
        nationalEntries++;
      }
      for (const i of parsed.items ?? []) (addItemLimit(s, i.itemCode, i.name, i.restrictions), nationalEntries++);
      for (const d of parsed.drugs ?? []) (addDrugLimit(s, d.genericName, d.restrictions), nationalEntries++);
    }
  }
  return { snapshot: sealSnapshot(s), stock, persons, nationalEntries };
}

/** Stored claims as the history query returns them: only the columns it selects. */
function asStored(c: Claim): Claim {
  const lines: ClaimLine[] = c.lines.map((l) => ({
    lineNo: l.lineNo,
    lineId: l.lineId,
    itemCode: l.itemCode,
    hospitalItemName: l.hospitalItemName,
    category: l.category,
    serviceAt: l.serviceAt,
    serviceDate: l.serviceDate,
    quantity: l.quantity,
    unitPrice: l.unitPrice,
    amountFen: l.amountFen,
  }));
  const inpatient = c.visitType === 'inpatient';
  return {
    institutionId: c.institutionId,
    claimNo: c.claimNo,
    personHash: c.personHash,
    sex: c.sex,
    birthDate: c.birthDate,
    visitType: c.visitType,
    admittedAt: inpatient ? c.startedAt : undefined,
    dischargedAt: inpatient ? c.endedAt : undefined,
    visitAt: inpatient ? undefined : c.startedAt,
    startedAt: c.startedAt,
    endedAt: c.endedAt,
    settledAt: c.settledAt,
    diagnoses: c.diagnoses.map((d) => ({ code: d.code, name: d.name, main: d.main })),
    mainDiagnosis: c.mainDiagnosis,
    lines,
    totalFen: lines.reduce((s, l) => s + l.amountFen, 0),
    payment: { fundFen: 0, personalAccountFen: 0, medicalAssistanceFen: 0, cashFen: 0 },
  };
}

/** An in-memory stand-in for the claims table, answering the history query. */
export class MemoryHistory {
  private readonly byPerson = new Map<string, Claim[]>();
  /** institution|item|month → quantity billed */
  private readonly monthQuantity = new Map<string, number>();
  /** the institution window: institution|CST day number → claims started that day */
  private readonly byInstitutionDay = new Map<string, WindowClaim[]>();
  /** institution|day|visit type|doctor → claims whose first line names the doctor */
  private readonly doctorDays = new Map<string, number>();

  constructor(
    private readonly stock: ReadonlyMap<string, StockRef>,
    private readonly windowDays = 90,
    /** the cheap look-alikes an item lists (catalogue restrictions.lookAlikeOf), read with its stock as the history statement does */
    private readonly lookAlikes: (itemCode: string) => readonly string[] = () => [],
  ) {}

  store(c: Claim) {
    const stored = asStored(c);
    const list = this.byPerson.get(c.personHash);
    if (list) list.push(stored);
    else this.byPerson.set(c.personHash, [stored]);
    const dk = `${c.institutionId}|${dayNumber(c.startedAt)}`;
    const day = this.byInstitutionDay.get(dk);
    if (day) day.push(asWindowClaim(c));
    else this.byInstitutionDay.set(dk, [asWindowClaim(c)]);
    const doctor = doctorOf(c);
    if (doctor !== undefined) {
      const k = `${dk}|${c.visitType}|${doctor}`;
      this.doctorDays.set(k, (this.doctorDays.get(k) ?? 0) + 1);
    }
    for (const l of c.lines) {
      const k = `${c.institutionId}|${l.itemCode}|${l.serviceDate.slice(0, 7)}`;
      this.monthQuantity.set(k, (this.monthQuantity.get(k) ?? 0) + l.quantity);
    }
  }

  forClaim(c: Claim): { history: History; stock: Map<string, StockRef>; purchasePrices: Map<string, number> } {
    const w = this.windowDays * DAY;
    const from = c.startedAt - w - 365 * DAY;
    const to = c.endedAt + w;
    const endedFrom = c.startedAt - w;
    const personClaims = (this.byPerson.get(c.personHash) ?? [])
      .filter((o) => o.startedAt >= from && o.startedAt <= to && o.endedAt >= endedFrom && !(o.institutionId === c.institutionId && o.claimNo === c.claimNo))
      .sort((a, b) => a.startedAt - b.startedAt)
      .slice(0, 200)
      .map((o) => ({ ...o, sex: c.sex, birthDate: c.birthDate }));
    const month = cstMonth(c.startedAt);
    const institutionMonthQuantity = new Map<string, number>();
    const stock = new Map<string, StockRef>();
    const codes = new Set(c.lines.map((l) => l.itemCode));
    for (const code of [...codes]) for (const k of this.lookAlikes(code)) codes.add(k);
    for (const code of codes) {
      const k = `${c.institutionId}|${code}|${month}`;
      const s = this.stock.get(k);
      if (!s) continue;
      stock.set(k, s);
      const q = this.monthQuantity.get(k);
      if (q !== undefined) institutionMonthQuantity.set(code, q);
    }
    // as the history statement: purchase prices of the claim's last month when it differs
    const purchasePrices = new Map<string, number>();
    const endMonth = cstMonth(c.endedAt);
    if (endMonth !== month)
      for (const code of new Set(c.lines.map((l) => l.itemCode))) {
        const k = `${c.institutionId}|${code}|${endMonth}`;
        const p = this.stock.get(k)?.purchasePrice;
        if (p !== undefined) purchasePrices.set(k, p);
      }
    return { history: { personClaims, institutionMonthQuantity, institution: this.window(c) }, stock, purchasePrices };
  }

  /** what the history statement's institution window answers (src/screening/history.repository.ts) */
  private window(c: Claim): InstitutionWindow {
    const day = dayNumber(c.startedAt);
    const days = (from: number, to: number) => {
      const out: WindowClaim[] = [];
      for (let d = from; d <= to; d++) for (const w of this.byInstitutionDay.get(`${c.institutionId}|${d}`) ?? []) if (w.claimNo !== c.claimNo) out.push(w);
      return out;
    };
    const inpatient = c.visitType === 'inpatient';
    let nearby: WindowClaim[] = [];
    if (!inpatient) {
      const span = WINDOW.nearbyMinutes * 60_000;
      nearby = days(dayNumber(c.startedAt - span), dayNumber(c.startedAt + span))
        .filter((w) => w.visitType !== 'inpatient' && Math.abs(w.startedAt - c.startedAt) <= span)
        .sort((a, b) => Math.abs(a.startedAt - c.startedAt) - Math.abs(b.startedAt - c.startedAt))
        .slice(0, WINDOW.nearbyMax);
    }
    let admissions: WindowClaim[] = [];
    let census = 0;
    if (inpatient) {
      const short = dayNumber(c.endedAt) - day <= WINDOW.admissionMaxStay;
      if (short)
        admissions = days(day - WINDOW.admissionDays, day + WINDOW.admissionDays)
          .filter((w) => w.visitType === 'inpatient' && w.endedAt <= w.startedAt + (WINDOW.admissionMaxStay + 1) * DAY)
          .sort((a, b) => a.startedAt - b.startedAt)
          .slice(0, WINDOW.admissionsMax);
      const midnight = (day + 1) * DAY - CST;
      for (const w of days(day - WINDOW.censusLookbackDays, day)) if (w.visitType === 'inpatient' && w.endedAt >= midnight) census++;
    }
    const doctor = doctorOf(c);
    const doctorDay = doctor === undefined ? 0 : (this.doctorDays.get(`${c.institutionId}|${day}|${c.visitType}|${doctor}`) ?? 0);
    return { nearby, admissions, doctorDay, census };
  }
}

const CST = 8 * 3_600_000;
/** the CST calendar day of an instant, as a day number */
const dayNumber = (ms: number) => Math.floor((ms + CST) / DAY);

/** What one screening needs, assembled: the rule engine's whole input. */
export interface Prepared {
  claim: Claim;
  history: History;
  stock: Map<string, StockRef>;
  reference: ReferenceView;
  serviceDate: string;
}

export class InProcessScreening {
  private readonly schema = buildClaimSchema({ maxLines: 1000 });
  readonly history: MemoryHistory;
  readonly found: FoundRow[] = [];
  ruleErrors = 0;

  constructor(
    private readonly rules: readonly AnyRule[],
    private readonly reference: InProcessReference,
  ) {
    const items = reference.snapshot.items;
    this.history = new MemoryHistory(reference.stock, 90, (code) => items.allAt(code, '9999-12-31').flatMap((i) => i.restrictions.lookAlikeOf ?? []));
  }

  /** parse, normalise and assemble the input of one claim (not yet stored) */
  prepare(wire: WireClaim): Prepared {
    const input = this.schema.parse(wire);
    const claim = normalizeClaim(input, input.insured.id);
    const { history, stock, purchasePrices } = this.history.forClaim(claim);
    const person = { personHash: claim.personHash, versions: this.reference.persons.get(claim.personHash) ?? [] };
    return { claim, history, stock, reference: snapshotView(this.reference.snapshot, stock, person, purchasePrices), serviceDate: cstDate(claim.startedAt) };
  }

  /** screens one claim as the service does and stores it with its findings (own and retrospective; references are not findings) */
  screen(wire: WireClaim) {
    const p = this.prepare(wire);
    const { findings, errors } = evaluateRules(this.rules, p);
    this.ruleErrors += errors.length;
    const decision = decide(p.claim, findings);
    const { own, retrospective } = splitFindings(p.claim, findings);
    for (const f of own) this.found.push(row(p.claim.institutionId, p.claim.claimNo, f, false));
    for (const f of retrospective) this.found.push(row(f.inst, f.cno, f, true));
    this.history.store(p.claim);
    return { prepared: p, findings, decision };
  }
}

function row(institutionId: string, claimId: string, f: ReturnType<typeof splitFindings>['own'][number], retrospective: boolean): FoundRow {
  return { institutionId, claimId, family: f.fam, ruleId: f.rule, retrospective, violatingLines: f.vl, involvedLines: f.il, message: f.msg.en };
}

export type { Finding };
