import { z } from 'zod';
import type { Rule } from '../engine.js';
import { flag, range } from '../params.js';
import { itemName, yuan } from '../text.js';
import { DAY_MS, dispensed, dispensingsUpTo, drugCodes } from './dispensings.js';
import type { RuleHit } from '../engine.js';
import { dosedReference, purchase } from './fixtures.js';

export interface SupplyMultiPharmacyParams {
  windowDays: number;
  /** distinct institutions within the window, this claim's included, that make the pattern */
  minInstitutions: number;
  /** judge only the drugs the catalogue gives a daily dose (the drugs the fund watches) */
  onlyDosedDrugs: boolean;
}

/**
 * 多处开药/倒卖: the same drug dispensed to one person by `minInstitutions` (3) or more
 * different institutions (pharmacies, clinics' outpatient desks) within `windowDays` (30) up to and
 * including this claim: a suspicion (medium) on this claim's lines of the drug. A chronic
 * patient's monthly refill, at the hospital one month and a pharmacy the next, is two within 30
 * days at most. By default only drugs with a daily dose in the catalogue are judged.
 */
export const supplyMultiPharmacy: Rule<SupplyMultiPharmacyParams> = {
  id: 'SUPPLY-MULTI-PHARMACY',
  version: 1,
  family: 'over-supply',
  severity: 'medium',
  status: 'active',
  trialUntil: '2027-01-01',
  description: {
    zh: '多处开药: 参保人 30 天内在 3 家及以上不同机构购取同一药品',
    en: 'Several sources: a person obtains the same drug from 3 or more different institutions within 30 days',
  },
  effectiveFrom: '2000-01-01',
  defaults: { windowDays: 30, minInstitutions: 3, onlyDosedDrugs: true },
  paramSchema: z
    .object({
      windowDays: range({ min: 1, max: 365, int: true }),
      minInstitutions: range({ min: 2, max: 50, int: true }),
      onlyDosedDrugs: flag(),
    })
    .strict(),
  evaluate({ claim: c, history, reference: ref, params: p }) {
    if (!dispensed(c) || history.personClaims.length < p.minInstitutions - 1) return [];
    const hits: RuleHit[] = [];
    for (const code of drugCodes(c)) {
      const first = c.lines.find((l) => l.itemCode === code)!;
      if (p.onlyDosedDrugs && ref.item(code, first.serviceDate)?.restrictions.dailyDose === undefined) continue;
      // the window's days: from the start of the day (CST) windowDays − 1 before this claim's
      const lo = c.startedAt - (p.windowDays - 1) * DAY_MS - ((c.startedAt + 8 * 3_600_000) % DAY_MS);
      const inWindow = dispensingsUpTo(c, history.personClaims, code, lo, ref);
      if (!inWindow || inWindow.length < p.minInstitutions) continue;
      const own = inWindow[inWindow.length - 1]!;
      const places = [...new Set(inWindow.map((d) => d.claim.institutionId))];
      if (places.length < p.minInstitutions) continue;
      const others = inWindow.slice(0, -1);
      const amountFen = own.lines.reduce((s, l) => s + l.amountFen, 0);
      const name = itemName(first, ref);
      hits.push({
        message: {
          zh: `${name}: ${p.windowDays} 天内在 ${places.length} 家不同机构取药 (${places.join(', ')}; 共 ${inWindow.length} 次, 本单为最后一次), 达到 ${p.minInstitutions} 家; 本单 ${yuan(amountFen)} 元`,
          en: `${name}: obtained at ${places.length} different institutions within ${p.windowDays} days (${places.join(', ')}; ${inWindow.length} dispensings, this claim the last), ${p.minInstitutions} or more; ${yuan(amountFen)} yuan on this claim`,
        },
        violatingLines: own.lines.map((l) => l.lineId),
        involvedLines: [],
        otherClaims: others.map((d) => ({ institutionId: d.claim.institutionId, claimId: d.claim.claimNo })),
        amountFen,
      });
    }
    return hits;
  },
  fixtures: () => {
    const ref = dosedReference();
    return {
      fires: [
        {
          name: 'one box each at three pharmacies within ten days',
          claim: purchase('C3', '2026-10-11 10:00', 1, 'Y3'),
          history: { personClaims: [purchase('C1', '2026-10-01 10:00', 1, 'Y1'), purchase('C2', '2026-10-05 10:00', 1, 'Y2')] },
          reference: ref,
          expect: { hits: 1, violatingLines: ['L1'], amountFen: 1500, otherClaims: ['C1', 'C2'] },
        },
        {
          name: 'the first of three 29 days before (the window’s first day)',
          claim: purchase('C3', '2026-10-30 20:00', 1, 'Y3'),
          history: { personClaims: [purchase('C1', '2026-10-01 08:00', 1, 'Y1'), purchase('C2', '2026-10-15 10:00', 1, 'H2')] },
          reference: ref,
          expect: { hits: 1 },
        },
      ],
      passes: [
        {
          name: 'three purchases at one pharmacy (a family member collecting)',
          claim: purchase('C3', '2026-10-11 10:00', 1, 'Y1'),
          history: { personClaims: [purchase('C1', '2026-10-01 10:00', 1, 'Y1'), purchase('C2', '2026-10-05 10:00', 1, 'Y1')] },
          reference: ref,
        },
        {
          name: 'the first of three 30 days before: outside the window',
          claim: purchase('C3', '2026-10-31 10:00', 1, 'Y3'),
          history: { personClaims: [purchase('C1', '2026-10-01 10:00', 1, 'Y1'), purchase('C2', '2026-10-15 10:00', 1, 'Y2')] },
          reference: ref,
        },
        {
          name: 'a drug without a dose in the catalogue',
          claim: purchase('C3', '2026-10-11 10:00', 1, 'Y3', 'OTC1'),
          history: { personClaims: [purchase('C1', '2026-10-01 10:00', 1, 'Y1', 'OTC1'), purchase('C2', '2026-10-05 10:00', 1, 'Y2', 'OTC1')] },
          reference: ref,
        },
      ],
    };
  },
};
