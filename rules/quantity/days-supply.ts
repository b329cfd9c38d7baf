import { z } from 'zod';
import type { Claim } from '../claim.js';
import type { Rule, RuleHit } from '../engine.js';
import { claim, item, reference } from '../fixtures/build.js';
import { itemName, yuan } from '../text.js';
import { plural } from './over-limit.js';
import { NONE } from '../facts.js';
import { flag, icdCategory, list, range } from '../params.js';

interface Params {
  acuteDays: number;
  chronicDays: number;
  /** ICD-10 three-character categories, single ("J44") or ranges ("I10-I15"), that make a condition chronic */
  chronicCategories: string[];
  /** let any diagnosis of the claim, not only the main one, make it chronic */
  chronicFromAnyDiagnosis: boolean;
}

const category = (code: string) => code.trim().toUpperCase().replace('.', '').slice(0, 3);
// each list of categories as [from, to] pairs, parsed once per list (the defaults' or a deployment's)
const parsed = new WeakMap<readonly string[], readonly (readonly [string, string])[]>();
function rangesOf(list: readonly string[]) {
  let ranges = parsed.get(list);
  if (!ranges) {
    ranges = list.map((entry) => {
      const [from = '', to = from] = entry.split('-').map((s) => s.trim().toUpperCase());
      return [from, to] as const;
    });
    parsed.set(list, ranges);
  }
  return ranges;
}
const inCategories = (code: string, list: readonly string[]) => {
  const c = category(code);
  return rangesOf(list).some(([from, to]) => c >= from && c <= to);
};

/** The diagnosis that makes the claim's condition chronic, if any. */
function chronicDiagnosis(c: Claim, p: Params): string | undefined {
  const main = c.mainDiagnosis ?? c.diagnoses.find((d) => d.main)?.code;
  const codes = (main === undefined ? [] : [main]).concat(p.chronicFromAnyDiagnosis ? c.diagnoses.map((d) => d.code) : []);
  return codes.find((code) => inCategories(code, p.chronicCategories));
}

/**
 * A drug line's days of supply beyond the limit: the catalogue item's own limit when it has one
 * (maxDaysOfSupply, or its course length, courseDays, since one line cannot pay for more days
 * than the course; the smaller of the two), a definite violation; else the prescription norm of
 * 7 days for an acute and 30 for a chronic condition, a suspicion: long prescriptions for stable
 * chronic patients are allowed up to 12 weeks in many areas, and pharmacy claims often carry no
 * diagnosis. Lines without days of supply are not judged. The amount at issue is the line's
 * share beyond the limit.
 */
export const quantityDaysSupply: Rule<Params> = {
  id: 'QTY-DAYS-SUPPLY',
  version: 1,
  family: 'quantity',
  severity: 'medium',
  status: 'active',
  description: {
    zh: '药品单次开药天数超过限定 (目录限定天数; 否则急性病 7 天、慢性病 30 天)',
    en: 'Drug days of supply beyond the limit (the catalogue’s, else 7 days acute and 30 days chronic)',
  },
  effectiveFrom: '2000-01-01',
  defaults: {
    acuteDays: 7,
    chronicDays: 30,
    chronicCategories: [
      'I10-I15',
      'E10-E14',
      'J44',
      'J45',
      'N18',
      'I20-I25',
      'I50',
      'I69',
      'E78',
      'E03',
      'E05',
      'C00-D48',
      'F20',
      'F31-F33',
      'G40',
      'G20',
      'B18',
      'K74',
      'M05-M06',
      'B20-B24',
      'A15-A19',
      'Z94',
    ],
    chronicFromAnyDiagnosis: false,
  },
  paramSchema: z
    .object({
      acuteDays: range({ min: 1, max: 365, int: true }),
      chronicDays: range({ min: 1, max: 365, int: true }),
      chronicCategories: list(icdCategory(), 500),
      chronicFromAnyDiagnosis: flag(),
    })
    .strict(),
  evaluate({ claim: c, reference: ref, params, facts }) {
    let hits: RuleHit[] | undefined;
    let chronic: string | undefined | null = null;
    for (let i = 0; i < c.lines.length; i++) {
      const l = c.lines[i]!;
      if (l.category !== 'drug' || l.daysOfSupply === undefined || l.daysOfSupply <= 0) continue;
      const r = facts.items[i]?.restrictions;
      const maxDays = r?.maxDaysOfSupply !== undefined && r.maxDaysOfSupply > 0 ? r.maxDaysOfSupply : undefined;
      const course = r?.courseDays !== undefined && r.courseDays > 0 ? r.courseDays : undefined;
      const listed = maxDays === undefined ? course : course === undefined ? maxDays : Math.min(maxDays, course);
      if (chronic === null) chronic = chronicDiagnosis(c, params);
      const limit = listed ?? (chronic !== undefined ? params.chronicDays : params.acuteDays);
      if (l.daysOfSupply <= limit) continue;
      const amountFen = Math.round((l.amountFen * (l.daysOfSupply - limit)) / l.daysOfSupply);
      const listedWhy = listed === r?.maxDaysOfSupply ? { zh: '目录限定', en: 'the catalogue limit' } : { zh: '限定疗程', en: 'the course limit' };
      const why =
        listed !== undefined
          ? { zh: `${listedWhy.zh} ${limit} 天`, en: `${listedWhy.en} is ${limit} days` }
          : chronic !== undefined
            ? { zh: `慢性病 (诊断 ${chronic}) 限 ${limit} 天`, en: `the chronic-condition limit is ${limit} days (diagnosis ${chronic})` }
            : { zh: `急性病限 ${limit} 天`, en: `the acute-condition limit is ${limit} days` };
      const name = itemName(l, ref);
      (hits ??= []).push({
        severity: listed !== undefined ? 'violation' : undefined,
        message: {
          zh: `${name} (行 ${l.lineId}) 开药 ${l.daysOfSupply} 天, ${why.zh}, 超出 ${l.daysOfSupply - limit} 天, 涉及金额 ${yuan(amountFen)} 元`,
          en: `${name} (line ${l.lineId}) supplied for ${l.daysOfSupply} days; ${why.en}; ${plural(l.daysOfSupply - limit, 'day')} over, ${yuan(amountFen)} yuan at issue`,
        },
        violatingLines: [l.lineId],
        involvedLines: [],
        otherClaims: [],
        amountFen,
      });
    }
    return hits ?? NONE;
  },
  fixtures: () => {
    const drug = (days: number, amountFen = 3000, itemCode = 'D1') => ({ itemCode, at: '2026-10-04 09:00', category: 'drug' as const, daysOfSupply: days, amountFen });
    const hypertension = [{ code: 'I10.x01', main: true }];
    const cold = [{ code: 'J06.9', main: true }];
    const limited = reference({
      items: [
        item({ itemCode: 'D2', category: 'drug', restrictions: { maxDaysOfSupply: 14 } }),
        item({ itemCode: 'D3', name: '注射用七叶皂苷钠', category: 'drug', restrictions: { courseDays: 10 } }),
      ],
    });
    return {
      fires: [
        {
          name: 'acute: 8 days against 7, one eighth of the line',
          claim: claim({ diagnoses: cold, lines: [drug(8, 800)] }),
          expect: { hits: 1, violatingLines: ['L1'], amountFen: 100 },
        },
        {
          name: 'no diagnosis counts as acute',
          claim: claim({ lines: [drug(10, 1000)] }),
          expect: { hits: 1, amountFen: 300 },
        },
        {
          name: 'chronic (I10): 31 days against 30',
          claim: claim({ diagnoses: hypertension, lines: [drug(31, 3100)] }),
          expect: { hits: 1, violatingLines: ['L1'], amountFen: 100 },
        },
        {
          name: 'the catalogue’s 14 days for a chronic patient: 28 days, half over',
          claim: claim({ diagnoses: hypertension, lines: [drug(28, 2801, 'D2')] }),
          reference: limited,
          expect: { hits: 1, amountFen: 1401 },
        },
        {
          name: 'a drug paid for a 10-day course supplied for 12 days on one line',
          claim: claim({ lines: [drug(12, 1200, 'D3')] }),
          reference: limited,
          expect: { hits: 1, violatingLines: ['L1'], amountFen: 200 },
        },
        {
          name: 'D49, just past the oncology range C00–D48, is acute: 30 days against 7',
          claim: claim({ diagnoses: [{ code: 'D49.0', main: true }], lines: [drug(30)] }),
          expect: { hits: 1 },
        },
      ],
      passes: [
        {
          name: 'acute: exactly 7 days',
          claim: claim({ diagnoses: cold, lines: [drug(7)] }),
        },
        {
          name: 'chronic (E11): exactly 30 days',
          claim: claim({ diagnoses: [{ code: 'E11.900', main: true }], lines: [drug(30)] }),
        },
        {
          name: 'neoplasm of uncertain behaviour (D48): 30 days',
          claim: claim({ diagnoses: [{ code: 'D48.1', main: true }], lines: [drug(30)] }),
        },
        {
          name: 'the catalogue’s limit exactly reached',
          claim: claim({ lines: [drug(14, 3000, 'D2')] }),
          reference: limited,
        },
        {
          name: 'a 10-day-course drug supplied for exactly 10 days',
          claim: claim({ lines: [drug(10, 1000, 'D3')] }),
          reference: limited,
        },
        {
          name: 'a chronic secondary diagnosis, counted when the deployment says so',
          claim: claim({ diagnoses: [...cold, { code: 'I10', main: false }], lines: [drug(30)] }),
          params: { chronicFromAnyDiagnosis: true },
        },
        {
          name: 'a drug line without days of supply',
          claim: claim({ lines: [{ itemCode: 'D1', at: '2026-10-04 09:00', category: 'drug' }] }),
        },
      ],
    };
  },
};
