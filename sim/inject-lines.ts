import { ceilingFen, INCLUDES, INDICATIONS, ITEMS, PACKAGE_PARTS } from './catalogue.js';
import { DRUGS } from './catalogue-drugs.js';
import { EXAMS, LABS, SERVICES } from './catalogue-services.js';
import { cstDay, priceOf, zeroMarkupAt, type DraftClaim } from './draft.js';
import { hospitalItemName, NON_MEDICAL_GOODS } from './names.js';
import { hash32 } from './random.js';
import type { DraftLine, SimItem } from './types.js';
import { OUT_OF_SCOPE, outOfScope } from './inject-history.js';

/** Injections that change the lines of one claim as it is built. Each labels the lines it breaks. */
export interface LineInjector {
  variant: string;
  applies(d: DraftClaim): boolean;
  apply(d: DraftClaim): void;
}

const HOUR = 3_600_000;
/** a copy of a line with a count limit (units a day, times a cycle) would also break the limit: not a pure duplicate */
const unlimited = (l: DraftLine) => l.item.restrictions?.unitsPerDay === undefined && l.item.restrictions?.timesPerCycle === undefined;
/** a time `minutes` later on the same CST day, or as much earlier when that would cross midnight */
const sameDay = (at: number, minutes: number) => (cstDay(at + minutes * 60_000) === cstDay(at) ? at + minutes * 60_000 : at - minutes * 60_000);
const isOutside = (d: DraftClaim) => d.plan.kind !== 'inpatient';

/** the cheaper item → its dearer look-alike */
const DEARER = new Map<string, SimItem>(ITEMS.flatMap((i) => (i.restrictions?.lookAlikeOf ?? []).map((code): [string, SimItem] => [code, i])));

function withinWindow(d: DraftClaim, a: number, b: number, window: string | undefined): boolean {
  if (window === 'same_hour') return Math.floor(a / HOUR) === Math.floor(b / HOUR);
  if (window === 'six_hours') return Math.abs(a - b) <= 6 * HOUR;
  if (window === 'same_day') return cstDay(a) === cstDay(b);
  return d.plan.kind === 'inpatient' || cstDay(a) === cstDay(b);
}

/** main items of the claim whose included sub-item is not yet billed within the window */
function includedPairs(d: DraftClaim) {
  return d.lines.flatMap((line) =>
    INCLUDES.filter((r) => r.main.code === line.item.code && !d.lines.some((s) => s.item.code === r.sub.code && withinWindow(d, s.at, line.at, r.window))).map((relation) => ({ line, relation })),
  );
}

function windowTime(d: DraftClaim, main: DraftLine, window: string | undefined): number {
  if (window === 'same_hour') return main.at;
  if (window === 'six_hours') return Math.max(d.plan.start - 12 * HOUR, main.at - 2 * HOUR);
  if (window === 'same_visit') return Math.max(main.at, d.plan.end - 2 * HOUR);
  return sameDay(main.at, 30);
}

/** Services outside the catalogue, billed under codes of the institution's own making. */
const MADE_UP_SERVICES = ['特需病房升级服务', '中医养生调理', '美容护肤护理', '保健按摩(全身)', '专家加号服务', '陪护服务', '体质辨识套餐'];
const madeUpItem = (d: DraftClaim): SimItem => {
  const name = d.rng.pick(MADE_UP_SERVICES);
  return { code: `ZX${String(d.rng.int(10_000, 99_999))}`, name, category: 'service', unit: '次', ceilingFen: d.rng.int(30, 300) * 100, source: 'made-up' };
};
const all = (d: DraftClaim) => d.lines.map((l) => l.lineId);
const hasInjury = (d: DraftClaim) => /^[ST]/.test(d.plan.profile.diag.code);
/** the claim's diagnoses as sent (wire.ts): the profile's, a stay's secondary, and any written after */
const diagnosisCodes = (d: DraftClaim) => {
  const p = d.plan.profile as { diag: { code: string }; secondary?: { code: string }; noDiagnosis?: boolean };
  if (p.noDiagnosis) return [];
  return [p.diag.code, ...(p.secondary ? [p.secondary.code] : []), ...d.extraDiagnoses.map((x) => x.code)];
};
/**
 * a drug line at its own price with room under the ceiling for a markup of at least 0.02 yuan, in
 * the claim's first month (the service reads the stock records, purchase prices among them, of
 * the month the claim starts in: docs/rules.md)
 */
const markable = (d: DraftClaim, l: DraftLine) =>
  l.item.category === 'drug' && l.unitPrice === priceOf(d.inst, l.item) && ceilingFen(l.item, d.inst.level) * 100 - l.unitPrice >= 200 && cstDay(l.at).slice(0, 7) === cstDay(d.plan.start).slice(0, 7);
/** the indicated drugs none of the claim's diagnoses is among (none for a claim without diagnoses) */
const unindicated = (d: DraftClaim) => {
  const codes = diagnosisCodes(d).map((c) => c.replaceAll('.', ''));
  if (codes.length === 0) return [];
  return INDICATIONS.filter((i) => !i.allowed.some((a) => codes.some((c) => c.startsWith(a.replaceAll('.', ''))))).map((i) => i.item);
};

export const LINE_INJECTORS: readonly LineInjector[] = [
  {
    variant: 'same-line',
    applies: (d) => d.lines.some(unlimited),
    apply(d) {
      const line = d.rng.pick(d.lines.filter(unlimited));
      d.label({ family: 'duplicate', variant: 'same-line', lines: [d.copy(line).lineId], involvedLines: [line.lineId] });
    },
  },
  {
    variant: 'includes-within-window',
    applies: (d) => includedPairs(d).length > 0,
    apply(d) {
      const { line, relation } = d.rng.pick(includedPairs(d));
      const sub = d.add(relation.sub, windowTime(d, line, relation.window));
      d.label({ family: 'duplicate', variant: 'includes-within-window', lines: [sub.lineId], involvedLines: [line.lineId] });
    },
  },
  {
    variant: 'units-per-day',
    applies: (d) => d.lines.some((l) => l.item.restrictions?.unitsPerDay === 1),
    apply(d) {
      const line = d.rng.pick(d.lines.filter((l) => l.item.restrictions?.unitsPerDay === 1));
      const extra = d.copy(line, { at: sameDay(line.at, 120) });
      d.label({ family: 'duplicate', variant: 'units-per-day', lines: [extra.lineId], involvedLines: [line.lineId] });
    },
  },
  {
    variant: 'parts-separately',
    applies: (d) => d.lines.some((l) => PACKAGE_PARTS.has(l.item.code)),
    apply(d) {
      const pkg = d.rng.pick(d.lines.filter((l) => PACKAGE_PARTS.has(l.item.code)));
      d.remove([pkg]);
      const parts = (PACKAGE_PARTS.get(pkg.item.code) ?? []).map((part) => d.add(part, pkg.at));
      d.label({ family: 'split-charging', variant: 'parts-separately', lines: parts.map((p) => p.lineId) });
    },
  },
  {
    variant: 'part-beside-package',
    applies: (d) => d.lines.some((l) => PACKAGE_PARTS.has(l.item.code)),
    apply(d) {
      const pkg = d.rng.pick(d.lines.filter((l) => PACKAGE_PARTS.has(l.item.code)));
      const parts = (PACKAGE_PARTS.get(pkg.item.code) ?? []).filter(() => d.rng.chance(0.5));
      const added = (parts.length > 0 ? parts : [PACKAGE_PARTS.get(pkg.item.code)?.[0] as SimItem]).map((p) => d.add(p, pkg.at));
      d.label({ family: 'split-charging', variant: 'part-beside-package', lines: added.map((l) => l.lineId), involvedLines: [pkg.lineId] });
    },
  },
  {
    variant: 'name-mismatch',
    applies: (d) => d.lines.some((l) => l.item.category === 'drug'),
    apply(d) {
      const line = d.rng.pick(d.lines.filter((l) => l.item.category === 'drug'));
      line.hospitalItemName = d.rng.pick(NON_MEDICAL_GOODS);
      line.hospitalItemCode = `QT${String(d.rng.int(1, 99_999)).padStart(5, '0')}`;
      d.label({ family: 'substitution', variant: 'name-mismatch', lines: [line.lineId] });
    },
  },
  {
    variant: 'dearer-look-alike',
    applies: (d) => d.lines.some((l) => DEARER.has(l.item.code)),
    apply(d) {
      const cheap = d.rng.pick(d.lines.filter((l) => DEARER.has(l.item.code))).item;
      const dearer = DEARER.get(cheap.code) as SimItem;
      // The institution's own record still names what was given; the bill names the dearer item.
      const lines = cheap.category === 'bed' ? d.lines.filter((l) => l.item === cheap) : [d.rng.pick(d.lines.filter((l) => l.item === cheap))];
      for (const l of lines) Object.assign(l, { item: dearer, unitPrice: priceOf(d.inst, dearer) });
      d.label({ family: 'substitution', variant: 'dearer-look-alike', lines: lines.map((l) => l.lineId) });
    },
  },
  {
    variant: 'above-ceiling',
    applies: (d) => d.lines.length > 0,
    apply(d) {
      const services = d.lines.filter((l) => l.item.category !== 'drug' && l.item.category !== 'consumable');
      const line = d.rng.pick(services.length > 0 && d.rng.chance(0.7) ? services : d.lines);
      line.unitPrice = Math.round((ceilingFen(line.item, d.inst.level) * d.rng.int(105, 150)) / 100) * 100;
      d.label({ family: 'price', variant: 'above-ceiling', lines: [line.lineId] });
      // a drug above its ceiling is above its purchase price too: where zero markup applies, both
      if (line.item.category === 'drug' && zeroMarkupAt(d.inst)) d.label({ family: 'zero-markup', variant: 'drug-markup', lines: [line.lineId] });
    },
  },
  {
    variant: 'days-of-supply',
    applies: (d) => d.lines.some((l) => l.daysOfSupply !== undefined && l.item.restrictions?.maxDaysOfSupply !== undefined),
    apply(d) {
      const line = d.rng.pick(d.lines.filter((l) => l.daysOfSupply !== undefined && l.item.restrictions?.maxDaysOfSupply !== undefined));
      const limit = line.item.restrictions?.maxDaysOfSupply as number;
      line.daysOfSupply = d.rng.int(Math.ceil(limit * 1.4), limit * 3);
      line.quantity = Math.ceil(line.daysOfSupply / (line.item.unitDays ?? line.daysOfSupply)) * 10_000;
      d.label({ family: 'quantity', variant: 'days-of-supply', lines: [line.lineId] });
    },
  },
  {
    variant: 'sex',
    applies: (d) => d.plan.kind === 'outpatient' || (d.plan.kind === 'pharmacy' && d.plan.person.sex === 'male'),
    apply(d) {
      const at = d.plan.start + 15 * 60_000;
      const male = d.plan.person.sex === 'male';
      const line = d.plan.kind === 'pharmacy' ? d.drug(DRUGS.clotrimazole, at, 7) : d.add(male ? d.rng.pick([LABS.vaginalSecretion, EXAMS.transvaginalUltrasound]) : LABS.prostaticFluid, at);
      d.label({ family: 'restriction', variant: 'sex', lines: [line.lineId] });
    },
  },
  {
    variant: 'age',
    applies: (d) => isOutside(d) && d.age >= 18,
    apply(d) {
      const at = d.plan.start + 20 * 60_000;
      const line = d.plan.kind === 'pharmacy' ? d.drug(DRUGS.childFever, at, 3) : d.add(d.rng.pick([SERVICES.childInfusion, SERVICES.childMassage]), at);
      d.label({ family: 'restriction', variant: 'age', lines: [line.lineId] });
    },
  },
  {
    variant: 'care-setting',
    applies: isOutside,
    apply(d) {
      const line = d.add(DRUGS.ginkgoDipyridamole, d.plan.start + 25 * 60_000, 2);
      d.label({ family: 'restriction', variant: 'care-setting', lines: [line.lineId] });
    },
  },
  {
    variant: 'institution-level',
    applies: (d) => d.inst.level === 'primary' || d.inst.level === 'none',
    apply(d) {
      const line = d.add(DRUGS.salvia, isOutside(d) ? d.plan.start + 25 * 60_000 : d.at(0, 14), 2);
      d.label({ family: 'restriction', variant: 'institution-level', lines: [line.lineId] });
    },
  },
  {
    variant: 'made-up-code',
    applies: (d) => d.lines.length > 0,
    apply(d) {
      const item = madeUpItem(d);
      const line = d.add(item, isOutside(d) ? d.plan.start + 30 * 60_000 : d.at(0, 15), 1, { unitPrice: item.ceilingFen * 100 });
      d.label({ family: 'unlisted-code', variant: 'made-up-code', lines: [line.lineId] });
      // a service billed by a pharmacy is outside its scope as well
      if (outOfScope(d, line)) d.label({ family: 'service-scope', variant: 'out-of-scope', lines: [line.lineId] });
    },
  },
  {
    // a wife's visit on her husband's card (or the reverse): her diagnosis, his sex
    variant: 'diagnosis-sex',
    applies: (d) => d.age >= 18 && d.age <= 55,
    apply(d) {
      const male = d.plan.person.sex === 'male';
      d.extraDiagnoses.push(
        male
          ? d.rng.pick([
              { code: 'N76.000', name: '急性阴道炎' },
              { code: 'Z34.900', name: '正常妊娠监督' },
            ])
          : { code: 'N41.000', name: '急性前列腺炎' },
      );
      d.label({ family: 'diagnosis-conflict', variant: 'diagnosis-sex', lines: all(d) });
    },
  },
  {
    // a grandchild's jaundice on a grandfather's card; a daughter's pregnancy on her mother's
    variant: 'diagnosis-age',
    applies: (d) => d.age >= 18 && (d.plan.person.sex === 'male' || d.age > 55),
    apply(d) {
      d.extraDiagnoses.push(
        d.plan.person.sex === 'male'
          ? d.rng.pick([
              { code: 'P59.900', name: '新生儿黄疸' },
              { code: 'Z38.000', name: '单胎活产婴儿' },
            ])
          : { code: 'Z34.900', name: '正常妊娠监督' },
      );
      d.label({ family: 'diagnosis-conflict', variant: 'diagnosis-age', lines: all(d) });
    },
  },
  {
    // a chronic drug billed on a visit with no diagnosis it is paid for (无指征用药): stocked up
    // for someone else, or resold
    variant: 'no-indication',
    applies: (d) => d.lines.length > 0 && unindicated(d).length > 0,
    apply(d) {
      const item = d.rng.pick(unindicated(d));
      const line = isOutside(d) ? d.drug(item, d.plan.start + 35 * 60_000, d.rng.int(14, 30)) : d.add(item, d.at(0, 12), 1);
      d.label({ family: 'indication', variant: 'no-indication', lines: [line.lineId] });
    },
  },
  {
    // a drug marked up where zero markup applies (加价销售): above the purchase price, within the ceiling
    variant: 'drug-markup',
    applies: (d) => zeroMarkupAt(d.inst) && d.lines.some((l) => markable(d, l)),
    apply(d) {
      const line = d.rng.pick(d.lines.filter((l) => markable(d, l)));
      const room = ceilingFen(line.item, d.inst.level) * 100 - line.unitPrice;
      line.unitPrice += Math.max(100, Math.floor((room * d.rng.int(30, 90)) / 100 / 100) * 100);
      d.label({ family: 'zero-markup', variant: 'drug-markup', lines: [line.lineId] });
    },
  },
  {
    // 处方药无处方: a retail pharmacy sells the prescription-only drugs of the sale with no prescription
    variant: 'no-prescription',
    applies: (d) => d.plan.kind === 'pharmacy' && d.lines.some((l) => l.item.restrictions?.prescriptionOnly === true),
    apply(d) {
      const lines = d.lines.filter((l) => l.item.restrictions?.prescriptionOnly === true);
      for (const l of lines) l.noPrescription = true;
      d.label({ family: 'rx-only', variant: 'no-prescription', lines: lines.map((l) => l.lineId) });
    },
  },
  {
    // 串换 by purchase: the pharmacy bills the dearer look-alike under its own name, hands out the
    // cheap one, and its ledger shows the cheap one bought (sim/stock.ts) and the dearer one never
    variant: 'lookalike-purchase',
    applies: (d) => d.plan.kind === 'pharmacy' && d.lines.some((l) => DEARER.has(l.item.code) && l.item.category === 'drug' && cstDay(l.at).slice(0, 7) === cstDay(d.plan.start).slice(0, 7)),
    apply(d) {
      const line = d.rng.pick(d.lines.filter((l) => DEARER.has(l.item.code) && l.item.category === 'drug' && cstDay(l.at).slice(0, 7) === cstDay(d.plan.start).slice(0, 7)));
      const dearer = DEARER.get(line.item.code) as SimItem;
      Object.assign(line, { boughtAs: line.item, item: dearer, unitPrice: priceOf(d.inst, dearer), hospitalItemName: hospitalItemName(dearer, hash32(`${d.inst.id}|${dearer.code}|name`)) });
      d.label({ family: 'substitution', variant: 'lookalike-purchase', lines: [line.lineId] });
    },
  },
  {
    variant: 'injury-undeclared',
    applies: hasInjury,
    apply(d) {
      d.injury = null;
      d.label({ family: 'injury-liability', variant: 'injury-undeclared', lines: all(d) });
    },
  },
  {
    variant: 'third-party-liable',
    applies: hasInjury,
    apply(d) {
      d.injury = { cause: d.rng.pick(['traffic', 'work', 'assault'] as const), thirdParty: 'liable' };
      d.label({ family: 'injury-liability', variant: 'third-party-liable', lines: all(d) });
    },
  },
  {
    // the card of someone who died used for another (冒名就医): labelled from the register (register.ts)
    variant: 'after-death',
    applies: (d) => d.lines.length > 0,
    apply(d) {
      d.personEvent = 'death';
    },
  },
  {
    variant: 'not-enrolled',
    applies: (d) => d.lines.length > 0,
    apply(d) {
      d.personEvent = 'lapse';
    },
  },
  OUT_OF_SCOPE,
];
