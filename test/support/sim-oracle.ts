import { fenFrom, tenThousandthsFrom } from '../../src/lib/money.js';
import { cstDate, parseInstant } from '../../src/lib/time.js';
import { ITEM_BY_CODE, INCLUDES, INDICATIONS_BY_CODE, PACKAGE_PARTS, ceilingFen } from '../../sim/catalogue.js';
import { purchasePriceOf, zeroMarkupAt } from '../../sim/draft.js';
import type { SimInstitution } from '../../sim/types.js';
import type { WireClaim } from '../../sim/wire.js';
import { historyPatterns } from './sim-oracle-history.js';
import { institutionPatterns } from './sim-oracle-institution.js';

/**
 * An independent reading of simulated claims, written from the brief's definitions rather than
 * from the generator's code: what in them is a violation. Used to show that clean output has
 * none and that every injected truth label points at something really there. Deliberately plain
 * and slow (a test holds one small month in memory).
 */
export interface OracleHit {
  claimId: string;
  variant: string;
}

type Level = 'primary' | 'secondary' | 'tertiary' | 'none';
const DAY = 86_400_000;
const at = (s: string) => parseInstant(s) as number;
const age = (birth: string, when: string) => {
  const years = Number(when.slice(0, 4)) - Number(birth.slice(0, 4));
  return when.slice(5) < birth.slice(5) ? years - 1 : years;
};
const RANK = { none: 0, primary: 1, secondary: 2, tertiary: 3 } as const;

/** a person's register entry: enrolment and death */
export interface RegisterEntry {
  enrolledFrom: string;
  enrolledTo?: string;
  deathDate?: string;
}

export function oracle(
  claims: readonly WireClaim[],
  institutions: readonly SimInstitution[],
  stock: ReadonlyMap<string, number>,
  register: ReadonlyMap<string, RegisterEntry> = new Map(),
  doctorCapacity: ReadonlyMap<string, number> = new Map(),
): OracleHit[] {
  const byId = new Map(institutions.map((i) => [i.id, i]));
  const hits: OracleHit[] = [];
  const hit = (c: WireClaim, variant: string) => hits.push({ claimId: c.claimId, variant });
  const seenLines = new Map<string, string>();
  const sold = new Map<string, number>();
  const contents = new Map<string, string>();
  const stays = claims.filter((c) => c.visitType === 'inpatient');

  for (const c of claims) {
    const inst = byId.get(c.institutionId) as SimInstitution;
    const level = inst.level as Level;
    const perDay = new Map<string, number>();
    const content = JSON.stringify({ ...c, claimId: '', settledAt: '' });
    if (contents.has(content)) hit(c, 'resubmitted');
    contents.set(content, c.claimId);
    for (const l of c.lines) {
      const day = cstDate(at(l.serviceAt));
      const entry = register.get(c.insured.id);
      if (entry?.deathDate !== undefined && day > entry.deathDate) hit(c, 'after-death');
      if (entry && (day < entry.enrolledFrom || (entry.enrolledTo !== undefined && day > entry.enrolledTo))) hit(c, 'not-enrolled');
      // a drug with indications on a claim with diagnoses, none of them among its indications
      const indicated = INDICATIONS_BY_CODE.get(l.itemCode);
      if (indicated && c.diagnoses.length > 0 && !c.diagnoses.some((dx) => indicated.some((p) => dx.code.replaceAll('.', '').startsWith(p.replaceAll('.', ''))))) hit(c, 'no-indication');
      const item = ITEM_BY_CODE.get(l.itemCode);
      if (!item) {
        // a code the catalogue does not hold: only ever a made-up service's
        if (!/^ZX\d{5}$/.test(l.itemCode)) throw new Error(`unknown item ${l.itemCode}`);
        hit(c, 'made-up-code');
        continue;
      }
      // zero markup: a drug above what the institution paid for it
      if (item.category === 'drug' && zeroMarkupAt(inst) && (tenThousandthsFrom(l.unitPrice) as number) > purchasePriceOf(inst, item)) hit(c, 'drug-markup');
      const r = item.restrictions ?? {};
      const date = cstDate(at(l.serviceAt));
      if (inst.suspended && date >= inst.suspended.from && date <= inst.suspended.to) hit(c, 'suspended');
      if ((tenThousandthsFrom(l.unitPrice) as number) > ceilingFen(item, level) * 100) hit(c, 'above-ceiling');
      if (l.daysOfSupply !== undefined && r.maxDaysOfSupply !== undefined && l.daysOfSupply > r.maxDaysOfSupply) hit(c, 'days-of-supply');
      if (r.sex && r.sex !== c.insured.sex) hit(c, 'sex');
      if (r.maxAgeYears !== undefined && age(c.insured.birthDate, date) > r.maxAgeYears) hit(c, 'age');
      if (r.careSettings && !r.careSettings.includes(c.visitType)) hit(c, 'care-setting');
      if (r.minInstitutionLevel && RANK[level] < RANK[r.minInstitutionLevel]) hit(c, 'institution-level');
      if (!l.hospitalItemName.startsWith(item.name)) {
        const cheaper = (r.lookAlikeOf ?? []).map((code) => ITEM_BY_CODE.get(code)?.name);
        hit(c, cheaper.some((n) => n && l.hospitalItemName.startsWith(n)) ? 'dearer-look-alike' : 'name-mismatch');
      }
      if ([...PACKAGE_PARTS.values()].some((parts) => parts.some((p) => p.code === l.itemCode)))
        hit(c, c.lines.some((o) => PACKAGE_PARTS.has(o.itemCode)) ? 'part-beside-package' : 'parts-separately');
      const key = `${c.insured.id}|${c.institutionId}|${l.itemCode}|${at(l.serviceAt)}`;
      if (seenLines.has(key) && seenLines.get(key) !== `${c.claimId}|${l.lineId}`) hit(c, 'same-line');
      seenLines.set(key, `${c.claimId}|${l.lineId}`);
      const dayKey = `${l.itemCode}|${date}`;
      perDay.set(dayKey, (perDay.get(dayKey) ?? 0) + (tenThousandthsFrom(l.quantity) as number) / 10_000);
      if (r.unitsPerDay !== undefined && (perDay.get(dayKey) as number) > r.unitsPerDay) hit(c, 'units-per-day');
      // a prescription-only drug a retail pharmacy sold naming no prescribing doctor
      if (c.visitType === 'pharmacy' && r.prescriptionOnly && !l.doctorId) hit(c, 'no-prescription');
      // a dearer look-alike whose month's ledger is missing while a cheap look-alike's is there
      const month = date.slice(0, 7);
      if (item.category === 'drug' && (r.lookAlikeOf ?? []).some((k) => stock.has(`${c.institutionId}|${k}|${month}`)) && !stock.has(`${c.institutionId}|${l.itemCode}|${month}`))
        hit(c, 'lookalike-purchase');
      const stockKey = `${c.institutionId}|${l.itemCode}|${date.slice(0, 7)}`;
      sold.set(stockKey, (sold.get(stockKey) ?? 0) + (tenThousandthsFrom(l.quantity) as number));
      if (stock.has(stockKey) && (sold.get(stockKey) as number) > (stock.get(stockKey) as number)) hit(c, 'stock-shortage');
    }
    for (const rel of INCLUDES)
      for (const main of c.lines.filter((l) => l.itemCode === rel.main.code))
        for (const sub of c.lines.filter((l) => l.itemCode === rel.sub.code)) {
          const a = at(main.serviceAt),
            b = at(sub.serviceAt);
          const within = { same_hour: Math.floor(a / 3_600_000) === Math.floor(b / 3_600_000), six_hours: Math.abs(a - b) <= 6 * 3_600_000, same_day: cstDate(a) === cstDate(b), same_visit: true };
          if (within[rel.window as keyof typeof within]) hit(c, 'includes-within-window');
        }
    const ginkgoDays = new Set(c.lines.filter((l) => l.itemCode === 'ZA04FAY0128B002010100015').map((l) => cstDate(at(l.serviceAt))));
    if (c.visitType === 'inpatient' && ginkgoDays.size > 14) hit(c, 'course-length');
    if (c.visitType === 'inpatient') emptyDays(c, hit);
    if (Number.isNaN(fenFrom(c.totalAmount))) throw new Error('bad total');
    diagnosisPatterns(c, hit);
    if (c.visitType === 'inpatient') shortStay(c, hit);
  }
  personPatterns(claims, stays, hit);
  historyPatterns(claims, institutions, hit);
  supplyPatterns(claims, hit);
  institutionPatterns(claims, doctorCapacity, lowStandard, hit, new Map(institutions.map((i) => [i.id, i.beds])));
  return hits;
}

/**
 * A person's supply of a drug with a daily dose, claims in arrival order (what had arrived before
 * a claim is what it is judged against): the days still held from earlier outpatient and
 * pharmacy dispensings plus this one's beyond 1.5 × max(this one's, 30); and the same drug from
 * three different institutions within 30 days.
 */
function supplyPatterns(claims: readonly WireClaim[], hit: (c: WireClaim, v: string) => void) {
  const seen = new Map<string, { at: number; days: number; inst: string }[]>();
  for (const c of claims) {
    if (c.visitType === 'inpatient') continue;
    const drugs = new Map<string, { at: number; days: number }>();
    for (const l of c.lines) {
      const r = ITEM_BY_CODE.get(l.itemCode)?.restrictions;
      if (r?.dailyDose === undefined || r.packUnits === undefined) continue;
      const e = drugs.get(l.itemCode) ?? { at: Infinity, days: 0 };
      e.at = Math.min(e.at, at(l.serviceAt));
      e.days += (Number(l.quantity) * r.packUnits) / r.dailyDose;
      drugs.set(l.itemCode, e);
    }
    for (const [code, own] of drugs) {
      const key = `${c.insured.id}|${code}`;
      const before = (seen.get(key) ?? []).filter((x) => x.at <= own.at && x.at >= own.at - 90 * DAY).sort((a, b) => a.at - b.at);
      let held = 0;
      for (let i = 0; i < before.length; i++) held = Math.max(0, held + before[i]!.days - ((before[i + 1]?.at ?? own.at) - before[i]!.at) / DAY);
      if (held > 0 && held + own.days > 1.5 * Math.max(own.days, 30) + 1e-9) hit(c, 'over-supply');
      const dayStart = Date.parse(`${cstDate(own.at)}T00:00:00+08:00`);
      const places = new Set([c.institutionId, ...before.filter((x) => x.at >= dayStart - 29 * DAY).map((x) => x.inst)]);
      if (places.size >= 3) hit(c, 'multi-pharmacy');
      seen.set(key, [...(seen.get(key) ?? []), { at: own.at, days: own.days, inst: c.institutionId }]);
    }
  }
}

/**
 * Diagnoses against the person: pregnancy and female genital diseases are women's, prostate and
 * male genital diseases men's; perinatal conditions are an infant's unless the claim is its
 * mother's delivery; pregnancy is of ages 10 to 55. An injury the fund pays carries a declaration
 * that nobody else is liable.
 */
function diagnosisPatterns(c: WireClaim, hit: (c: WireClaim, v: string) => void) {
  const codes = c.diagnoses.map((d) => d.code);
  const a = age(c.insured.birthDate, cstDate(at(c.visitAt ?? (c.admittedAt as string))));
  const pregnancy = (k: string) => /^(O\d\d|Z3[2-7])/.test(k);
  const female = (k: string) => pregnancy(k) || /^(N[7-9]\d|Z39)/.test(k);
  const male = (k: string) => /^N(4\d|5[01])/.test(k);
  if (codes.some(c.insured.sex === 'male' ? female : male)) hit(c, 'diagnosis-sex');
  const infant = codes.some((k) => /^(P\d\d|Z38)/.test(k)) && a >= 1 && !(c.insured.sex === 'female' && codes.some(pregnancy));
  if (infant || (codes.some(pregnancy) && (a < 10 || a > 55))) hit(c, 'diagnosis-age');
  if (codes.some((k) => /^[ST]/.test(k)) && (fenFrom(c.payment.fund) as number) > 0) {
    if (!c.injury) hit(c, 'injury-undeclared');
    else if (c.injury.thirdParty === 'liable') hit(c, 'third-party-liable');
  }
}

/** a stay of at most 3 calendar days, no operation, for what a clinic treats */
function lowStandard(c: WireClaim): boolean {
  const days = (Date.parse(cstDate(at(c.dischargedAt as string))) - Date.parse(cstDate(at(c.admittedAt as string)))) / DAY;
  const main = c.diagnoses.find((d) => d.main)?.code ?? '';
  return days <= 3 && !c.lines.some((l) => l.category === 'operation') && /^(J0[0-6]|J2[01]|J30|K29|K52|K59|M54|E78|N76|R51|Z00)/.test(main);
}

function shortStay(c: WireClaim, hit: (c: WireClaim, v: string) => void) {
  if (lowStandard(c)) hit(c, 'low-standard-admission');
}

/** inpatient days with nothing but bed fees: three or more, or more than half the stay */
function emptyDays(c: WireClaim, hit: (c: WireClaim, v: string) => void) {
  const days = new Map<string, boolean>();
  for (const l of c.lines) {
    const d = cstDate(at(l.serviceAt));
    days.set(d, (days.get(d) ?? true) && l.category === 'bed');
  }
  const empty = [...days.values()].filter(Boolean).length;
  if (empty >= 3 || empty * 2 > days.size) hit(c, 'empty-days');
}

function personPatterns(claims: readonly WireClaim[], stays: WireClaim[], hit: (c: WireClaim, v: string) => void) {
  const byPerson = new Map<string, WireClaim[]>();
  for (const s of stays) byPerson.set(s.insured.id, [...(byPerson.get(s.insured.id) ?? []), s]);
  for (const list of byPerson.values()) {
    list.sort((a, b) => at(a.admittedAt as string) - at(b.admittedAt as string));
    for (let i = 1; i < list.length; i++) {
      const [prev, cur] = [list[i - 1] as WireClaim, list[i] as WireClaim];
      const gap = at(cur.admittedAt as string) - at(prev.dischargedAt as string);
      const category = (c: WireClaim) => c.diagnoses.find((d) => d.main)?.code.slice(0, 3);
      if (gap < 0) hit(cur, 'overlap');
      else if (gap <= 15 * DAY && cur.institutionId === prev.institutionId && category(cur) === category(prev) && category(cur) !== 'Z51') hit(cur, 'readmission');
    }
  }
  const hba1c = new Map<string, { when: number; claim: WireClaim }[]>();
  for (const c of claims) {
    if (c.visitType !== 'inpatient') {
      const day = cstDate(at(c.visitAt as string));
      const inStay = (byPerson.get(c.insured.id) ?? []).find((s) => day >= cstDate(at(s.admittedAt as string)) && day <= cstDate(at(s.dischargedAt as string)));
      if (inStay) hit(inStay, 'visit-during-stay');
    }
    for (const l of c.lines.filter((x) => x.itemCode === '002503020030000')) hba1c.set(c.insured.id, [...(hba1c.get(c.insured.id) ?? []), { when: at(l.serviceAt), claim: c }]);
  }
  for (const tests of hba1c.values()) {
    tests.sort((a, b) => a.when - b.when);
    for (let i = 1; i < tests.length; i++)
      if ((tests[i] as { when: number }).when - (tests[i - 1] as { when: number }).when < 15 * DAY) hit((tests[i] as { claim: WireClaim }).claim, 'times-per-cycle');
  }
}
